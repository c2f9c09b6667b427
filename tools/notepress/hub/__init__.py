"""The team's insight hub: a second, internal site built from the team's view of the same repo.

    hub = build_hub(project)            # read, gate (the team's view), generate, build, index, audit, swap

One pipeline, as the public site's (publish.py), one level in:

- `pages.py`   the team's view (internal and public entries, never private ones or drafts) and the
               newsletter archive -> Markdown pages (insights by theme and customer, the newsletter's
               issues, the learning log) and one search record per insight, learning entry and page;
- `chart.py`   the trend of a theme (distinct customers per month) as an SVG that reads at a glance;
- `engine.py`  either site engine renders the pages into a working folder (MkDocs rebuilds only the
               pages that changed), every page marked internal and `noindex`;
- `search.py`  Pagefind's index of the records (a query loads only the chunks it needs);
- `build.py`   the audit against what the team may not see (private entries, drafts, customers only
               they name, their files), then the swap into `site-team/`, which nothing ever uploads.
"""

from .build import TeamBuild, build_hub

__all__ = ["TeamBuild", "build_hub"]
