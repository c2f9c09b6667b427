"""A drafted issue's index.html in a real browser (Debian's Chromium through Playwright), at a phone
width (375px) and at the email's own width (600px): nothing may stick out sideways."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from e2e_helpers import CHROMIUM, screenshot
from notepress import api
from notepress.audience import Reader, gate
from notepress.newsletter.draft import draft


def team(project):
    """The team's view, as `newsletter draft` gates it."""
    return gate(project.entries, project.config, Reader.TEAM)

NEWSLETTER_FIXTURES = Path(__file__).parent / "fixtures" / "newsletter"

pytestmark = [
    pytest.mark.browser,
    # On CI the browser is installed by tools/install.sh: a missing one must fail there, not skip.
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason=f"{CHROMIUM} is not installed (bash tools/install.sh installs it)"),
]

# Elements wider than the viewport, or reaching past its right edge (hidden ones measure 0).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.width > width + 0.5 || r.right > width + 0.5 || r.left < -0.5) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} left=${r.left} right=${r.right} width=${r.width}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
          bodyScrollWidth: document.body.scrollWidth, wide: out};
}"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser") / "quarter"
    shutil.copytree(NEWSLETTER_FIXTURES / "quarter", root)
    project = api.load(root)
    record = draft(team(project), since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 14),
                   today=dt.date(2026, 11, 14), now=dt.datetime(2026, 11, 15, 9, 30, tzinfo=dt.timezone.utc))
    return (record.folder / "index.html").as_uri()


@pytest.mark.parametrize("width", [375, 600])
def test_the_issue_fits_the_viewport_without_horizontal_scrolling(tab, page_url, width, tmp_path):
    page = tab  # the session's page (conftest)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page_url)
    assert page.locator("h1").first.inner_text() == "Customer notes #1"
    assert page.get_by_text("What customers told us").is_visible()
    assert not page.locator(".preheader").is_visible()
    screenshot(page, tmp_path / f"newsletter-{width}.png")  # never in the checkout
    measured = page.evaluate(OVERFLOW)
    assert measured["clientWidth"] == width
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["bodyScrollWidth"] <= measured["clientWidth"], measured
    assert measured["wide"] == [], measured["wide"][:10]
