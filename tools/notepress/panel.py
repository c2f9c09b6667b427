"""The preview's problems panel: what `notepress serve` puts at the top of every page while an
entry or notepress.yml has a problem, on either engine (MkDocs' plugin puts it into the page,
Zensical's templates are given it). One block of HTML that carries its own small stylesheet, so
that no file of it is ever written where a site is built from: a build never shows it.

    html = panel.render(root, problems)       # "" when there is none
    page = panel.at_top(page_html, html)       # MkDocs: into the page's announcement bar
"""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem
from .templates import environment

TEMPLATE = "preview-problems.html.jinja"
# Material's (and Zensical's) announcement bar, at the top of every page; else the top of the body.
TOP = (re.compile(r'<div data-md-component="announce">'), re.compile(r"<body\b[^>]*>"))
# What the theme wraps its announcement in: the panel looks the same on both engines.
BANNER = '<aside class="md-banner"><div class="md-banner__inner md-grid md-typeset">{}</div></aside>'


def render(root: Path, problems: list[Problem]) -> str:
    """The panel listing `problems` as notepress prints them (where, then what and the fix), or ""."""
    if not problems:
        return ""
    return environment(root, autoescape=True).get_template(TEMPLATE).render(problems=[_parts(p) for p in problems])


def _parts(problem: Problem) -> tuple[str, str]:
    """`problem` as (where, the rest): together they read as `str(problem)` does."""
    text = str(problem)
    where = f"{problem.path}:{problem.line}" if problem.path and problem.line else problem.path
    return (where, text[len(where) + 2:]) if where and text.startswith(where + ": ") else ("", text)


def at_top(html: str, panel: str) -> str:
    """`html` with `panel` at the top of the page (in the theme's announcement bar, else first in
    the body); as it was when there is no panel or the page has no body."""
    if not panel:
        return html
    for at in TOP:
        found = at.search(html)
        if found:
            return html[:found.end()] + BANNER.format(panel) + html[found.end():]
    return html
