"""Property: whatever the corpus, nothing of a non-public entry reaches the generated blog posts.

Every piece of text of every non-public entry (internal, private, or a draft) carries a unique
canary, and every insight's customer is a canary whatever its audience. Public entries are written
from a safe vocabulary, so any "canary" in docs/blog/posts/ (names or contents) is a leak.
No MkDocs build here: `api.generate_blog` writes exactly the folder the site is built from.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notepress import api
from notepress.config import DEFAULT_COMPETENCIES
from notepress.problems import NotepressError

SAFE_WORDS = ("apple", "river", "stone", "quiet", "margin", "ledger", "window", "orbit", "maple", "signal",
              "harbor", "velvet", "copper", "meadow", "lantern", "pixel", "summit", "tundra", "violet", "willow")
SOURCES = ("call", "interview", "support-ticket", "debugging", "sales", "survey", "other")
TYPES = ("learning", "insight", "essay")
AUDIENCES = ("public", "internal", "private")
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.lists(st.sampled_from(SAFE_WORDS), min_size=1, max_size=8).map(" ".join)
canaries = st.uuids().map(lambda u: f"canary{u.hex}")


def write_entry(root: Path, name: str, front: dict, body: str) -> Path:
    path = root / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000) + "---\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def published(root: Path) -> dict[str, str]:
    """{file name: text} of everything the public build would publish from."""
    folder = root / ".notepress" / "docs" / "blog" / "posts"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()}


@st.composite
def corpora(draw):
    n = draw(st.integers(1, 8))
    kinds = [(draw(st.sampled_from(TYPES)), draw(st.sampled_from(AUDIENCES)), draw(st.booleans())) for _ in range(n)]
    public_slugs = [f"post-{i}" for i, (_, aud, draft) in enumerate(kinds) if aud == "public" and not draft]
    entries = []
    for i, (etype, audience, draft) in enumerate(kinds):
        hidden = audience != "public" or draft

        def text(hidden=hidden):
            if not hidden:
                return draw(words)
            return f"{draw(words)} {draw(canaries)} {draw(words)}."

        front = {"title": text(), "date": dt.date(2026, 1, 1) + dt.timedelta(days=i), "type": etype,
                 "audience": audience}
        if draft or draw(st.booleans()):
            front["draft"] = draft
        front["slug"] = f"{draw(canaries)}-{i}" if hidden else f"post-{i}"
        front["summary"] = text()
        front["tags"] = [text().rstrip(".") for _ in range(draw(st.integers(0, 3)))]
        if etype == "learning":
            front["competencies"] = draw(st.lists(st.sampled_from(DEFAULT_COMPETENCIES), max_size=3, unique=True))
            front.update(action=text(), outcome=text(), learning=text(), next_step=text())
            if draw(st.booleans()):
                front["next_step_due"] = dt.date(2026, 2, 1)
        elif etype == "insight":
            front.update(customer=f"{draw(canaries)} Holdings", source=draw(st.sampled_from(SOURCES)),
                         themes=[text().rstrip(".")], quote=text(), segment=text(), product_area=text(),
                         importance=draw(st.integers(0, 3)))
        paragraphs = [text() for _ in range(draw(st.integers(1, 3)))]
        others = [s for s in public_slugs if s != f"post-{i}"]
        if not hidden and others and draw(st.booleans()):
            paragraphs.append(f"See [[{draw(st.sampled_from(others))}]] too.")
        entries.append((f"{etype}s/{i:02d}-{etype}.md", front, "\n\n".join(paragraphs)))
    return entries


# 20 corpora, not 40: each holds 1-8 entries drawn from 3 types x 3 audiences x draft or not (18
# kinds), so 20 of them hold about 90 entries, each kind about 5 times; the second 20 cost 0.8 s of
# CPU a run and cover no kind the first did not.
@settings(PROPERTY, max_examples=20)
@given(corpus=corpora())
def test_no_canary_reaches_the_generated_posts(corpus):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, front, body in corpus:
            write_entry(root, name, front, body)
        project, generated = api.generate_blog(root)  # public text is canary-free: must succeed

        files = published(root)
        public = [(f, b) for _, f, b in corpus if f["audience"] == "public" and not f.get("draft")]
        assert {n for n in files if n.endswith(".md")} == {f"{f['slug']}.md" for f, _ in public}
        assert generated.total == len(public)
        for name, text in files.items():
            assert "canary" not in name.casefold(), f"non-public slug as a file name: {name}"
            assert "canary" not in text.casefold(), f"non-public content in docs/blog/posts/{name}:\n{text}"
        for front, _ in public:
            written = yaml.safe_load(files[f"{front['slug']}.md"].split("---\n")[1])
            assert written["title"] == front["title"]


FIELDS = {"essay": ("title", "summary", "body", "tags"),
          "learning": ("title", "summary", "body", "tags", "action", "outcome", "learning", "next_step"),
          "insight": ("title", "summary", "body", "tags", "quote", "segment", "product_area", "themes")}


@st.composite
def named_customer_cases(draw):
    name = f"Canary{draw(st.uuids()).hex[:12]} Holdings"
    hidden = draw(st.sampled_from([{"audience": "internal"}, {"audience": "private"},
                                   {"audience": "public", "draft": True}]))
    etype = draw(st.sampled_from(TYPES))
    field = draw(st.sampled_from(FIELDS[etype]))
    written = draw(st.sampled_from([name, name.lower(), name.upper()]))
    return name, hidden, etype, field, written, draw(words), draw(words)


@PROPERTY
@given(case=named_customer_cases())
def test_customer_of_a_non_public_insight_on_a_public_entry(case):
    name, hidden, etype, field, written, before, after = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_entry(root, "insights/secret.md",
                    {"title": "A call", "date": dt.date(2026, 1, 1), "type": "insight", **hidden,
                     "customer": name, "source": "call", "themes": ["billing"]}, "Notes.")
        front = {"title": "Public notes", "date": dt.date(2026, 1, 2), "type": etype, "audience": "public",
                 "slug": "public-notes", "summary": "A summary", "tags": ["general"]}
        if etype == "learning":
            front.update(action="Did a thing", learning="Learned a thing")
        if etype == "insight":
            front.update(customer="Umbrella Works", source="survey", themes=["general"])
        body = "Plain body."
        sentence = f"{before} {written} {after}"
        if field == "body":
            body = sentence
        elif field in ("tags", "themes"):
            front[field] = [sentence]
        else:
            front[field] = sentence
        public = write_entry(root, f"{etype}s/public-notes.md", front, body)
        source = public.relative_to(root).as_posix()

        with pytest.raises(NotepressError) as err:
            api.generate_blog(root)
        assert source in str(err.value)
        assert name in str(err.value)
        assert not any(n.endswith(".md") for n in published(root)), "posts written although the gate failed"

        api.generate_blog(root, redact=True)
        files = published(root)
        assert "public-notes.md" in files
        for n, text in files.items():
            assert name.casefold() not in text.casefold(), f"{name} in docs/blog/posts/{n} despite redact"
            assert "canary" not in text.casefold()
        assert "a customer" in files["public-notes.md"]


@PROPERTY
@given(how=st.sampled_from(["wiki", "relative"]),
       hidden=st.sampled_from([{"audience": "internal"}, {"audience": "private"},
                               {"audience": "public", "draft": True}]),
       redact=st.sampled_from([None, True]))
def test_link_from_public_to_non_public_entry_fails(how, hidden, redact):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_entry(root, "essays/hidden-one.md", {"title": "Hidden one", "date": dt.date(2026, 1, 1),
                                                   "type": "essay", **hidden}, "Secret.")
        link = "[[hidden-one]]" if how == "wiki" else "[the other](hidden-one.md)"
        public = write_entry(root, "essays/open.md", {"title": "Open", "date": dt.date(2026, 1, 2), "type": "essay",
                                                      "audience": "public"}, f"Read {link} now.")
        with pytest.raises(NotepressError) as err:
            api.generate_blog(root, redact=redact)
        assert public.relative_to(root).as_posix() in str(err.value)
        assert "not public" in str(err.value)
        assert not (root / ".notepress" / "docs" / "blog" / "posts" / "hidden-one.md").exists()


def test_customer_name_in_a_public_slug_is_rejected(tmp_path):
    """The slug (from `slug:` or the file name) is the post's URL: it is on the page, in the sitemap,
    the feed and the search index, so a customer's name there is as public as in the title."""
    write_entry(tmp_path, "insights/call.md",
                {"title": "A call", "date": dt.date(2026, 1, 1), "type": "insight", "audience": "internal",
                 "customer": "Zorblax Corp", "source": "call", "themes": ["billing"]}, "Notes.")
    public = write_entry(tmp_path, "essays/zorblax-corp-story.md",
                         {"title": "A story", "date": dt.date(2026, 1, 2), "type": "essay", "audience": "public"},
                         "Hello world.")
    with pytest.raises(NotepressError) as err:
        api.generate_blog(tmp_path)
    assert public.relative_to(tmp_path).as_posix() in str(err.value)

    try:  # redaction may not rename a URL silently, but it must never publish the name either
        api.generate_blog(tmp_path, redact=True)
    except NotepressError:
        pass
    for n, text in published(tmp_path).items():
        assert "zorblax" not in n.casefold() and "zorblax" not in text.casefold(), n
