"""A portfolio as Markdown, as one self-contained HTML page (charts as inline SVG), or as that page in PDF.

The HTML page and the PDF say whose portfolio it is, for which level and which period, under the
title (and the PDF at the foot of every page, from the same line: CSS `string-set`). The PDF is
tagged as PDF/UA-1 (WeasyPrint's `pdf/ua-1`: a structure tree, the document's language from
`<html lang>`, its title from `<title>` shown as the window's title), so a screen reader reads it in
order and a reviewer's tools can check it.
"""

from __future__ import annotations

import re

from ..config import Config
from ..templates import environment
from . import charts
from .portfolio import Competency, Portfolio

FORMATS = ("md", "html")
PDF_VARIANT = "pdf/ua-1"  # tagged, with a language and a title (WeasyPrint >= 63 writes PDF/UA)
LANGUAGE = "en"  # the packet's own words (headings, labels) are English
PDF_INSTALL = ("pip install 'notepress[pdf]' (WeasyPrint); on Debian it needs "
               "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core")
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md(text: str) -> str:
    """Text that Markdown shows as written."""
    return MD_SPECIAL.sub(r"\\\1", text)


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def heading(c: Competency) -> str:
    """`execution: 2 entries`, `market-insight: 1 entry and 4 customer insights`, `people-sense: no evidence (gap)`."""
    parts = [_n(len(c.evidence), "entry", "entries")] if c.evidence else []
    if c.insights:
        parts.append(_n(c.insights, "customer insight"))
    return f"{c.name}: {' and '.join(parts)}" if parts else f"{c.name}: no evidence (gap)"


def context(p: Portfolio) -> dict:
    return {
        "p": p,
        "title": f"Portfolio: {p.level}" if p.level else "Portfolio",
        "summary": (f"{_n(p.learning_entries, 'learning entry', 'learning entries')} and "
                    f"{_n(p.insights, 'customer insight')} "
                    f"({_n(p.customers, 'customer')}, {_n(len(p.themes), 'theme')})"),
        "gaps": ", ".join(p.gaps) or "none",
        "scope": f"{p.level} competencies" if p.level else "Competencies",
        "beyond_title": f"Beyond {p.level}" if p.level else "Beyond the framework",
        "sections": [(heading(c), c) for c in p.competencies],
        "beyond": [(heading(c), c) for c in p.beyond],
        "themes": [(f"{t.name}: {_n(t.customers, 'customer')}, {_n(t.insights, 'insight')}", t) for t in p.themes],
        "insight_summary": (f"{_n(p.insights, 'customer insight')} from {_n(p.customers, 'customer')} "
                            f"on {_n(len(p.themes), 'theme')}."),
        "visibility": (f"{_n(p.visibility.public_posts, 'public post')}, "
                       f"{_n(p.visibility.issues_sent, 'newsletter issue')} sent to "
                       f"{_n(p.visibility.recipients, 'recipient')}"),
        "md": md,
    }


def writer(config: Config) -> str:
    """Whose portfolio it is: the first author of notepress.yml ("" when there is none)."""
    return config.authors[0].name if config.authors else ""


def byline(p: Portfolio, config: Config) -> str:
    """Who, which level, which period: under the title and at the foot of every page of the PDF."""
    return " · ".join(part for part in (writer(config), f"{p.level} level" if p.level else "all competencies",
                                        p.period) if part)


def render(p: Portfolio, config: Config, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    ctx = context(p)
    ctx.update(writer=writer(config), byline=byline(p, config), lang=LANGUAGE)
    if fmt == "md":
        return environment(config.root).get_template("portfolio.md.jinja").render(**ctx).rstrip("\n") + "\n"
    labels = [w.label for w in p.weeks]
    ctx["charts"] = {
        "weeks": charts.column_chart("Entries per week", labels, [w.entries for w in p.weeks]) if p.weeks else "",
        "competencies": charts.bar_chart(
            "Learning entries per competency",
            [c.name for c in (*p.competencies, *p.beyond)],
            [len(c.evidence) for c in (*p.competencies, *p.beyond)]),
        "themes": charts.small_multiples("Insights per theme per week", labels,
                                         [(s.theme, s.counts) for s in p.theme_weeks]) if p.theme_weeks else "",
    }
    return environment(config.root, autoescape=True).get_template("portfolio.html.jinja").render(**ctx)


def pdf(p: Portfolio, config: Config) -> bytes:
    """The HTML page as a print-ready, tagged PDF (A4; the writer, the level and the period at the foot
    of every page with its number), made by WeasyPrint (the `pdf` extra)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # not installed, or its system libraries (Pango) are missing
        from ..problems import NotepressError, Problem

        raise NotepressError(Problem("", 0, "--format pdf", f"WeasyPrint cannot be loaded ({str(e).splitlines()[0]})",
                                     PDF_INSTALL))
    return HTML(string=render(p, config, "html"), base_url=str(config.root)).write_pdf(pdf_variant=PDF_VARIANT)
