"""The team's view as the hub's pages and search records.

Only what `team` (the team's View: internal and public entries, never private ones or drafts) holds
is ever read here, with the newsletter archive's issues, of which only the entries the team sees now
are shown. A page per theme and per customer, a page per issue and per year of the learning log, and
an index of each; an insight is a section of its customer's page (its address: `customers/x/#slug`)
and is quoted on its themes' pages. Every insight, learning entry and page is one search record,
with the filters the hub's index offers (theme, customer, segment, source, product area,
importance, writer).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple
from urllib.parse import urlencode

from markdown.extensions.toc import slugify

from ..audience import Reader, View
from ..cache import digest
from ..links import find_links, link_text, rewrite
from ..model import Entry, by_theme, theme_key
from ..templates import environment
from ..text import unquoted
from . import chart

SOURCE_LABEL = {"support-ticket": "support ticket"}
IMPORTANCE = {0: "0 (minor)", 1: "1 (normal)", 2: "2 (important)", 3: "3 (critical)"}
LATEST = 30  # at most this many insights (evidence links, customers) in a list: the rest by the search
QUOTES = 12  # the strongest quotes on a theme's page
BY_NAME = "customers-by-name"  # a page per initial letter: customers/index.md would grow with every customer
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
TAG = re.compile(r"<[^>]+>")
EMPHASIS = re.compile(r"(?<![\w*_])[*_]+|[*_]+(?![\w*_])")  # Markdown's emphasis marks, not snake_case
REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)


@dataclass(frozen=True)
class Record:
    """One search result: where it is (relative to the hub's root), what it says, how it is filtered."""

    url: str
    title: str
    content: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)  # what results may be ordered by (the browse list: date)
    day: str = ""  # the date that places it in the index's parts (search.py): an entry's, a page's first

    @cached_property
    def key(self) -> bytes:
        """Everything the search index takes of it, as a digest (search.py: a part is made again when
        one of its records' changed)."""
        return digest(repr((self.url, self.title, self.content, sorted(self.filters.items()), sorted(self.meta.items()),
                            sorted(self.sort.items()))).encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Packed:
    """A customer's page's search records as a build made them, pickled together: what places each
    in the index (its day and digest) is read at once, the records themselves only when a part of
    the index that holds one is made again (search.py). Unpickling 17,000 records whole took 0.3 s
    of every build at 10,000 insights."""

    marks: tuple[tuple[str, bytes], ...]  # each record's day and key
    data: bytes

    @classmethod
    def of(cls, records: list[Record]) -> Packed:
        return cls(tuple((r.day, r.key) for r in records), pickle.dumps(records, protocol=5))

    def stubs(self) -> list[Stub]:
        return [Stub(day, key, self, i) for i, (day, key) in enumerate(self.marks)]


class Stub(NamedTuple):
    """A record of a Packed: its day and key, as search places and digests a Record; the record only
    when asked (`unpacked`)."""

    day: str
    key: bytes
    packed: Packed
    index: int


def unpacked(records: list[Record | Stub]) -> list[Record]:
    """The records, each Packed unpickled once."""
    found: dict[int, list[Record]] = {}
    out = []
    for r in records:
        if isinstance(r, Stub):
            if id(r.packed) not in found:
                found[id(r.packed)] = pickle.loads(r.packed.data)
            r = found[id(r.packed)][r.index]
        out.append(r)
    return out


@dataclass(frozen=True)
class Issue:
    """An issue of the newsletter as the archive keeps it (newsletter/archive.IssueRecord), reduced
    to what the hub shows: its number, subject, period and the entries it showed."""

    number: int
    subject: str
    since: dt.date
    until: dt.date
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Hub:
    """The pages (path -> Markdown, or None for a page the same as the one `known` says was made
    before) and search records of the team's view `team` on `today`; `made`: what each page that
    grows with the repo (a customer's, a theme's, a letter's, a month's) was made from (a digest),
    for the next build's `known`; `kept`: see `hub`."""

    pages: dict[str, str | None]
    records: list[Record | Stub]  # a kept page's as stubs (`unpacked` makes them records)
    made: dict[str, str] = field(default_factory=dict)
    kept: dict[str, tuple[bytes, Packed, dict]] = field(default_factory=dict)


def hub(team: View, issues: list[Issue], today: dt.date, title: str, known: dict[str, str] | None = None,
        kept: dict[str, tuple[bytes, Packed, dict]] | None = None) -> Hub:
    """The hub's pages; `known`: what each page that is still there was made from (Hub.made of the
    build before): one made from the same is not rendered again (8,000 customers' at 10,000
    insights); `kept`: what each customer's page was made of, the search records and the row of the
    customers' lists it gave (Hub.kept of the build before): one made of the same is not even made again."""
    if team.reader is not Reader.TEAM or team.drafts:
        raise TypeError("the hub is made from the team's view, without drafts")
    return _Pages(team, issues, today, title, known or {}, kept or {}).hub()


class _Pages:
    def __init__(self, team: View, issues: list[Issue], today: dt.date, title: str, known: dict[str, str],
                 kept: dict[str, tuple[bytes, Packed, dict]]):
        self.team, self.issues, self.today, self.title = team, issues, today, title
        self.known, self.made, self.last, self.kept = known, {}, kept, {}
        self.rows: list[dict] = []  # the customers' rows (customer_row), as their pages are made
        self.templates: dict[str, tuple[str, int]] = {}  # template -> its file and time (template_file)
        entries = sorted(team, key=lambda e: (e.date, e.slug))
        self.insights = [e for e in entries if e.insight]
        self.learnings = [e for e in entries if e.loop]
        self.themes = by_theme(self.insights)
        self.theme_slugs = _unique({name: name for name in self.themes}, "theme")
        self.spelled = {theme_key(name): name for name in self.themes}  # a theme as the hub spells it
        self.env = environment(team.config.root)
        self.records: list[Record | Stub] = []

    # -- who and where -----------------------------------------------------------------------------

    @cached_property
    def customers(self) -> dict[str, list[Entry]]:
        """customer_key -> their insights, oldest first."""
        found: dict[str, list[Entry]] = {}
        for e in self.insights:
            found.setdefault(e.insight.customer_key, []).append(e)
        return found

    @cached_property
    def customer_names(self) -> dict[str, str]:
        """customer_key -> the name as written most (the latest spelling on a tie)."""
        return {key: Counter(e.insight.customer.strip() for e in notes).most_common(1)[0][0]
                for key, notes in self.customers.items()}

    @cached_property
    def customer_slugs(self) -> dict[str, str]:
        return _unique(self.customer_names, "customer")

    def where(self, entry: Entry) -> str:
        """The page and anchor of an entry the hub shows, relative to the hub's root ("" for none)."""
        if entry.insight:
            return f"customers/{self.customer_slugs[entry.insight.customer_key]}.md#{entry.slug}"
        if entry.loop:
            return f"learning/{entry.date:%Y-%m}.md#{entry.slug}"
        return ""

    def links(self, entry: Entry, page: str) -> Callable[[str], str]:
        """Text of `entry` for `page`: its entry links to entries the hub shows become links, the
        rest plain text (the team's view resolves only what the team sees)."""
        depth = "../" * page.count("/")

        def href(target: Entry) -> str:
            return depth + self.where(target) if self.where(target) else ""

        def target_of(link, source):
            found = self.team.resolve(link, source)
            return found if found is not None and self.where(found) else None

        return lambda text: rewrite(text, entry, target_of, href)

    @cached_property
    def author_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.team.config.authors}

    def writers(self, entry: Entry) -> list[str]:
        ids = entry.authors or ((self.team.config.authors[0].id,) if self.team.config.authors else ())
        return [self.author_names.get(i, i) for i in ids]

    # -- the pages ---------------------------------------------------------------------------------

    def hub(self) -> Hub:
        pages = {"index.md": self.front()}
        pages["themes/index.md"] = self.render("themes.md.jinja", rows=self.theme_rows())
        for name, notes in self.themes.items():
            pages[f"themes/{self.theme_slugs[name]}.md"] = self.theme(name, notes)
        for key, notes in self.customers.items():
            pages[f"customers/{self.customer_slugs[key]}.md"] = self.customer(key, notes)
        rows = sorted(self.rows, key=lambda r: (r["letter"] == "other", text_key(r["name"])))
        letters = {letter: [r for r in rows if r["letter"] == letter] for letter in dict.fromkeys(r["letter"] for r in rows)}
        recent = sorted(rows, key=lambda r: r["last"], reverse=True)[:LATEST]
        pages["customers/index.md"] = self.render("customers.md.jinja", total=len(rows), rows=recent, depth="",
                                                  letters=[(letter, len(group)) for letter, group in letters.items()])
        for letter, group in letters.items():
            pages[f"{BY_NAME}/{letter}.md"] = self.render_once(f"{BY_NAME}/{letter}.md", "customers-letter.md.jinja",
                                                               letter=letter.upper(), rows=group, depth="../customers/")
        pages["newsletter/index.md"] = self.render("newsletter.md.jinja", issues=[
            (i.number, i.subject, _period(i)) for i in reversed(self.issues)])
        for issue in self.issues:
            pages[f"newsletter/{issue.number:03d}.md"] = self.issue(issue)
        months = Counter(f"{e.date:%Y-%m}" for e in self.learnings)
        pages["learning/index.md"] = self.render("learning.md.jinja", months=sorted(months.items(), reverse=True))
        for month in months:
            pages[f"learning/{month}.md"] = self.month(month)
        return Hub(pages, self.records, self.made, self.kept)

    def template_file(self, template: str) -> tuple[str, int]:
        """Which file `template` is read from, and its time: looked up once a build, not once a page."""
        if template not in self.templates:
            source = self.env.get_template(f"hub/{template}").filename or template
            self.templates[template] = (source, os.stat(source).st_mtime_ns if os.path.isfile(source) else 0)
        return self.templates[template]

    def render(self, template: str, **context) -> str:
        return self.env.get_template(f"hub/{template}").render(title=self.title, **context)

    def front(self) -> str:
        latest = list(reversed(self.insights))[:LATEST]
        return self.render("index.md.jinja", insights=len(self.insights), customers=len(self.customers),
                           themes=len(self.themes), learnings=len(self.learnings), issues=len(self.issues),
                           top=self.theme_rows()[:10], latest=[self.line(e, "index.md") for e in latest])

    def line(self, e: Entry, page: str) -> dict:
        """An insight as one line of a list: title, customer, date, where it is."""
        depth = "../" * page.count("/")
        return {"title": link_text(e.title), "href": depth + self.where(e), "date": e.date.isoformat(),
                "customer": link_text(self.customer_names[e.insight.customer_key]),
                "source": SOURCE_LABEL.get(e.insight.source, e.insight.source)}

    def theme_rows(self) -> list[dict]:
        """Every theme, the most customers first: its page, counts, last heard, trend."""
        rows = []
        for name, notes in self.themes.items():
            t = chart.trend(notes, self.today)
            rows.append({"name": link_text(name), "slug": self.theme_slugs[name], "insights": len(notes),
                         "customers": len({e.insight.customer_key for e in notes}),
                         "last": notes[-1].date.isoformat(), "spark": chart.spark(t), "trend": t.summary()})
        return sorted(rows, key=lambda r: (-r["customers"], -r["insights"], r["name"].casefold()))

    def theme(self, name: str, notes: list[Entry]) -> str | None:
        page = f"themes/{self.theme_slugs[name]}.md"
        t = chart.trend(notes, self.today)
        keys = Counter(e.insight.customer_key for e in notes)
        quoted = sorted((e for e in notes if e.insight.quote), key=lambda e: (-e.insight.importance, -e.date.toordinal()))
        text = self.render_once(
            page, "theme.md.jinja", name=name, raw=name, insights=len(notes), customers=len(keys), trend=t.summary(),
            chart=chart.bars(t, name), first=notes[0].date.isoformat(), last=notes[-1].date.isoformat(),
            who=[(link_text(self.customer_names[k]), f"../customers/{self.customer_slugs[k]}.md", n)
                 for k, n in keys.most_common(LATEST)], more_who=max(0, len(keys) - LATEST),
            quotes=[{**self.line(e, page), "quote": self.links(e, page)(unquoted(e.insight.quote))}
                    for e in quoted[:QUOTES]],
            evidence=[{**self.line(e, page), "url": e.insight.evidence}
                      for e in [e for e in reversed(notes) if e.insight.evidence][:LATEST]],
            related=[{"title": link_text(e.title), "href": "../" + self.where(e), "date": e.date.isoformat()}
                     for e in self.related(name, notes)[:LATEST]],
            notes=[self.line(e, page) for e in reversed(notes[-LATEST:])], more=max(0, len(notes) - LATEST),
            browse="../../?" + urlencode({"theme": name}) + "#np-search")
        self.records.append(Record(f"themes/{self.theme_slugs[name]}/", f"Theme: {name}", name,  # no count: a new
                                   {"type": ["theme"], "theme": [name]}, day=notes[0].date.isoformat()))  # insight changes no other record
        return text

    @cached_property
    def learning_links(self) -> list[tuple[Entry, frozenset[str]]]:
        """Each learning entry with the slugs it links to and the theme keys of its tags."""
        out = []
        for e in self.learnings:
            targets = {self.team.resolve(link, e) for text in e.text_fields().values() for link in find_links(text)}
            out.append((e, frozenset({t.slug for t in targets if t is not None} | {theme_key(t) for t in e.tags})))
        return out

    def related(self, name: str, notes: list[Entry]) -> list[Entry]:
        """The learning entries that link to an insight of the theme, or are tagged with it, newest first."""
        wanted = {e.slug for e in notes} | {theme_key(name)}
        return [e for e, linked in reversed(self.learning_links) if linked & wanted]

    def customer_row(self, key: str, notes: list[Entry]) -> dict:
        """A customer as the customers' lists show it: its page, segment, counts, when last heard, the
        letter it is listed under."""
        name = self.customer_names[key]
        first = next((c for c in text_key(name) if c.isalnum()), "#")
        return {"name": link_text(name), "slug": self.customer_slugs[key], "letter": first if first.isascii() else "other",
                "segment": _latest(e.insight.segment for e in notes), "insights": len(notes),
                "themes": len({theme_key(t) for e in notes for t in e.insight.themes}),
                "last": notes[-1].date.isoformat()}

    def customer(self, key: str, notes: list[Entry]) -> str | None:
        name, page = self.customer_names[key], f"customers/{self.customer_slugs[key]}.md"
        made_of, last = self.made_of(key, notes), self.last.get(page)
        if made_of is not None and last is not None and last[0] == made_of and page in self.known:
            self.made[page], self.kept[page] = self.known[page], last  # the page there, its records and row
            self.records.extend(last[1].stubs())
            self.rows.append(last[2])
            return None
        first, row = len(self.records), self.customer_row(key, notes)
        text = self.customer_page(key, notes, name, page)
        self.rows.append(row)
        if made_of is not None:
            self.kept[page] = (made_of, Packed.of(self.records[first:]), row)
        return text

    def made_of(self, key: str, notes: list[Entry]) -> bytes | None:
        """Everything a customer's page and its search records are made of (customer, insight and
        page), as a digest; None when an insight links to an entry (where that is shown is too)."""
        if any("[" in e.body or "[" in e.insight.quote for e in notes):
            return None
        themes = {t: (self.spelled.get(theme_key(t)), self.theme_slugs.get(self.spelled.get(theme_key(t), ""), ""))
                  for e in notes for t in e.insight.themes}
        made = (key, self.customer_names[key], self.customer_slugs[key], self.customer_pages, sorted(themes.items()),
                [(e.slug, e.title, e.date, e.body, e.authors, repr(e.insight)) for e in notes])
        return digest(repr(made).encode("utf-8", "surrogatepass"))

    @cached_property
    def customer_pages(self) -> bytes:
        """What every customer's page is made with (made_of): the hub's title, the template, the writers."""
        default = self.team.config.authors[0].id if self.team.config.authors else ""
        return digest(repr((self.title, self.template_file("customer.md.jinja"), sorted(self.author_names.items()),
                            default)).encode("utf-8", "surrogatepass"))

    def customer_page(self, key: str, notes: list[Entry], name: str, page: str) -> str | None:
        raised = {self.spelled[theme_key(t)]: n for t, n in by_theme(notes).items()}
        contacts = sorted({c for e in notes for c in e.insight.contacts})
        segment = _latest(e.insight.segment for e in notes)
        shown = [self.insight(e, page) for e in reversed(notes)]
        self.records.append(Record(f"customers/{self.customer_slugs[key]}/", f"Customer: {name}",
                                   _plain(name, segment, *contacts, *raised), {"type": ["customer"], "customer": [name]},
                                   day=notes[0].date.isoformat()))
        context = dict(name=link_text(name), raw=name, segment=segment, contacts=contacts,
                       themes=[(link_text(t), f"../themes/{self.theme_slugs[t]}.md", len(n))
                               for t, n in sorted(raised.items(), key=lambda kv: -len(kv[1]))],
                       first=notes[0].date.isoformat(), last=notes[-1].date.isoformat(), notes=shown)
        return self.render_once(page, "customer.md.jinja", **context)

    def render_once(self, page: str, template: str, **context) -> str | None:
        """`render`, or None when `page` was made from exactly this before (Hub.made): the template
        (its file and time: the writer's templates/hub/ too), the title and the context."""
        made = digest(repr((self.template_file(template), self.title, context)).encode("utf-8", "surrogatepass")).hex()
        self.made[page] = made
        return None if self.known.get(page) == made else self.render(template, **context)

    def insight(self, e: Entry, page: str) -> dict:
        """An insight as its customer's page shows it, and its search record."""
        i, text = e.insight, self.links(e, page)
        themes = [" ".join(t.split()) for t in i.themes]
        spelled = self.spelled
        shown = {"slug": e.slug, "title": link_text(e.title), "date": e.date.isoformat(),
                 "source": SOURCE_LABEL.get(i.source, i.source), "importance": IMPORTANCE.get(i.importance, ""),
                 "themes": [(link_text(spelled[theme_key(t)]), f"../themes/{self.theme_slugs[spelled[theme_key(t)]]}.md")
                            for t in dict.fromkeys(themes) if theme_key(t) in spelled],
                 "quote": text(unquoted(i.quote)) if i.quote else "", "body": text(e.body.strip()),
                 "evidence": i.evidence, "segment": i.segment, "area": i.product_area,
                 "contacts": ", ".join(i.contacts), "writers": ", ".join(self.writers(e))}
        filters = {"type": ["insight"], "theme": sorted({spelled[theme_key(t)] for t in themes if theme_key(t) in spelled}),
                   "customer": [self.customer_names[i.customer_key]], "source": [shown["source"]],
                   "importance": [shown["importance"]], "writer": self.writers(e)}
        filters.update({k: [v] for k, v in (("segment", i.segment), ("product area", i.product_area)) if v})
        self.records.append(Record(self.where(e).replace(".md#", "/#"), e.title, _plain(
            e.title, shown["quote"], shown["body"], i.customer, *i.contacts, *themes, i.segment, i.product_area),
            filters, {"date": shown["date"], "customer": filters["customer"][0]}, {"date": shown["date"]}, shown["date"]))
        return shown

    def month(self, month: str) -> str | None:
        page = f"learning/{month}.md"
        goals = {e.slug: e for e in self.team if e.goal}
        shown = []
        for e in reversed([e for e in self.learnings if f"{e.date:%Y-%m}" == month]):
            lp, text = e.loop, self.links(e, page)
            served = [link_text(goals[g].title) for g in lp.goals if g in goals]
            shown.append({"slug": e.slug, "title": link_text(e.title), "date": e.date.isoformat(),
                          "writers": ", ".join(self.writers(e)), "goals": served,
                          "competencies": ", ".join(c.replace("-", " ") for c in lp.competencies),
                          "loop": [(label, text(value)) for label, value in (
                              ("Action", lp.action), ("Outcome", lp.outcome), ("What I learned", lp.learning),
                              ("Next step", _step(lp))) if value],
                          "body": text(e.body.strip())})
            self.records.append(Record(self.where(e).replace(".md#", "/#"), e.title, _plain(
                e.title, *(value for _, value in shown[-1]["loop"]), shown[-1]["body"]),
                {"type": ["learning"], "writer": self.writers(e), "goal": served,
                 "competency": [c.replace("-", " ") for c in lp.competencies]}, {"date": e.date.isoformat()},
                {"date": e.date.isoformat()}, e.date.isoformat()))
        return self.render_once(page, "month.md.jinja", month=_month_name(month), entries=shown)

    def issue(self, issue: Issue) -> str:
        page = f"newsletter/{issue.number:03d}.md"
        shown = [self.team.get(s) for s in issue.slugs]
        gone = sum(e is None for e in shown)  # made private or a draft since, or deleted
        seen = [e for e in shown if e is not None and self.where(e)]
        blog = [{"title": link_text(e.title), "date": e.date.isoformat(),  # the blog's address, when it has one
                 "url": self.team.url(e) if self.team.config.site_url else ""}
                for e in shown if e is not None and not self.where(e) and e.audience == "public"]
        themes = [(link_text(self.spelled[theme_key(t)]), [self.line(e, page) for e in notes])
                  for t, notes in by_theme(seen).items()]
        learned = [{"title": link_text(e.title), "href": "../" + self.where(e), "date": e.date.isoformat()}
                   for e in seen if e.loop]
        self.records.append(Record(f"newsletter/{issue.number:03d}/", issue.subject,
                                   _plain(issue.subject, *(e.title for e in seen)), {"type": ["newsletter issue"]},
                                   day=issue.until.isoformat()))
        return self.render("issue.md.jinja", subject=link_text(issue.subject), number=issue.number,
                           period=_period(issue), themes=themes, learned=learned, blog=blog, gone=gone)


def _unique(names: dict[str, str], fallback: str) -> dict[str, str]:
    """key -> a slug of its name for a file name, unique among them (a second one gets -2), never
    `index` (the section's own page); `fallback` for a name with no letter a slug keeps (本田)."""
    out, taken = {}, {"index"}
    for key, name in names.items():
        base = slugify(name, "-") or fallback
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[key] = slug
    return out


def text_key(name: str) -> str:
    """A name as it is sorted and filed: accents off, case folded."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def _month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def _latest(values) -> str:
    found = [v for v in values if v]
    return found[-1] if found else ""


def _step(lp) -> str:
    state = lp.step_state
    return f"{lp.next_step} *({state})*" if lp.next_step and state else lp.next_step


def _period(issue: Issue) -> str:
    return f"{issue.since.isoformat()} to {issue.until.isoformat()}"


def _plain(*texts: str) -> str:
    """Texts as one plain text for the search index, sentence by sentence: Markdown links and tags
    reduced to their words."""
    joined = ". ".join(t.strip().rstrip(".") for t in texts if t and t.strip())
    if "[" in joined:
        joined = REFERENCE.sub(" ", joined)  # `[r]: ../x.md` lines: where a link goes is no text of the entry
        joined = re.sub(r"\[\[([^\]|]*)\|?([^\]]*)\]\]", lambda m: m.group(2) or m.group(1), joined)  # [[slug|label]]
        joined = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", joined)
    if "*" in joined or "_" in joined:
        joined = EMPHASIS.sub("", joined)  # *(due …)*, **Action:**
    return " ".join(TAG.sub(" ", joined).split() if "<" in joined else joined.split())
