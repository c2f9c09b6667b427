"""What makes builds fast must not change what they publish: the excerpt of a post rendered from
its head only, the blog's cheap `page in posts`, the caches, the no-change path, the incremental
audit. Each is checked against the slow way (no timings here: see tools/benchmark.py)."""

from __future__ import annotations

import os

from pathlib import Path

import markdown
import pytest

from notepress import site
from notepress.plugin import MORE_STAND_IN, ExcerptParser, PageList, excerpt_source

REPO = Path(__file__).resolve().parent.parent
EXCERPTS = REPO / "tests" / "fixtures" / "excerpts"
SEPARATOR = "<!-- more -->"
CUT = {"plain", "nothing-after", "draft-and-list"}  # the others must be rendered whole


def _excerpt(text: str, extensions, configs) -> tuple[str, str]:
    """What Material's Excerpt.render keeps: the HTML above the separator, and what follows it."""
    html = markdown.Markdown(extensions=extensions, extension_configs=configs).convert(f"# Title\n\n{text}")
    head, *more = html.split(SEPARATOR, 1)
    return head, more[0] if more else ""


@pytest.mark.parametrize("path", sorted(EXCERPTS.glob("*.md")), ids=lambda p: p.stem)
def test_an_excerpt_from_the_head_of_a_post_is_the_excerpt_of_the_whole_post(path):
    extensions, configs = site.markdown_settings(REPO)
    text = path.read_text(encoding="utf-8")
    source = excerpt_source(text, SEPARATOR, extensions, configs)
    assert (source is not text) == (path.stem in CUT)  # refused: the whole post, as it was
    whole, short = _excerpt(text, extensions, configs), _excerpt(source, extensions, configs)
    assert short[0] == whole[0]
    assert bool(short[1].strip()) == bool(whole[1].strip())  # "Continue reading" where there was more
    if source is not text and whole[1].strip():
        assert short[1].strip() == f"<p>{MORE_STAND_IN}</p>"


def test_an_extension_that_may_read_a_file_keeps_the_whole_post():
    extensions, configs = site.markdown_settings(REPO)
    text = (EXCERPTS / "plain.md").read_text(encoding="utf-8")
    assert excerpt_source(text, SEPARATOR, [*extensions, "pymdownx.snippets"], configs) == text


class _Page:
    """Compared as MkDocs compares pages: the same class, title and File object."""

    def __init__(self, title, file):
        self.title, self.file = title, file

    def __eq__(self, other):
        return isinstance(other, self.__class__) and self.title == other.title and self.file == other.file


def test_the_posts_answer_in_and_index_as_a_list_does():
    files = [object() for _ in range(4)]
    posts = [_Page(f"post {i}", f) for i, f in enumerate(files)]
    fast = PageList(posts)
    equal_copy = _Page("post 2", files[2])  # another object that == a post
    same_file_other_title = _Page("renamed", files[1])
    stranger = _Page("post 0", object())
    for page in [*posts, equal_copy, same_file_other_title, stranger]:
        assert (page in fast) == (page in posts)
    assert [fast.index(p) for p in [*posts, equal_copy]] == [posts.index(p) for p in [*posts, equal_copy]]
    with pytest.raises(ValueError):
        fast.index(stranger)
    fast.append(stranger)  # a changed list is indexed again
    assert stranger in fast and fast.index(stranger) == 4
    fast.remove(posts[0])
    assert posts[0] not in fast and fast.index(stranger) == 3
    fast[0:0] = [posts[0]]
    assert fast.index(posts[0]) == 0 and fast.index(stranger) == 4


def test_an_excerpt_parser_is_made_when_first_used_and_renders_as_markdown_does():
    from markdown.treeprocessors import Treeprocessor

    class Mark(Treeprocessor):
        def run(self, root):
            root[0].set("class", "marked")

    extensions, configs = site.markdown_settings(REPO)
    text = (EXCERPTS / "plain.md").read_text(encoding="utf-8")
    made = []
    for kind in (markdown.Markdown, ExcerptParser):
        parser = kind(extensions=extensions, extension_configs=configs)
        parser.treeprocessors.register(Mark(), "mark", 0)
        if kind is ExcerptParser:
            assert parser._parser is None  # nothing made until it is used
        at = parser.treeprocessors.get_index_for_name("mark")
        assert isinstance(parser.treeprocessors[at], Mark)
        made.append((parser.convert(text), getattr(parser, "toc_tokens", [])))
    assert made[0] == made[1] and 'class="marked"' in made[0][0]


# -- a build with nothing changed ------------------------------------------------------------------

ESSAY = "posts/essays/2026-11-03-reconciliation-is-a-trust-problem.md"
ESSAY_URL = "blog/2026/11/03/reconciliation-is-a-trust-problem"
NOTHING_CHANGED = "nothing changed since the last build"


def _build(repo: Path, engine: str = "mkdocs") -> list[str]:
    from notepress import api

    said: list[str] = []
    api.build(repo, engine=engine, progress=said.append)
    return said


def _full(said: list[str]) -> bool:
    """Whether the build rendered and audited the site (else it took the no-change path)."""
    audited = any("audited site/" in m for m in said)
    assert audited != any(NOTHING_CHANGED in m for m in said)
    return audited


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    from e2e_helpers import copy_example

    repo = copy_example(tmp_path_factory.mktemp("built") / "repo")
    assert _full(_build(repo))
    return repo


@pytest.fixture
def built(built_once, tmp_path):
    """A copy of the example repo as a build left it (site/ and .notepress/ included), for one test to
    change. A copy is another repo to notepress (its caches are the folder's): its first build is a
    whole one (`trusted`)."""
    import shutil

    return Path(shutil.copytree(built_once, tmp_path / "repo", symlinks=True))


@pytest.fixture
def trusted(built):
    """`built`, built once more where it is: the next build with nothing changed takes the no-change path."""
    assert _full(_build(built)), "a site copied from another repo was trusted"
    return built


def test_a_build_with_nothing_changed_leaves_the_site_as_it_is(trusted):
    built = trusted
    site_dir = built / "site"
    before = (site_dir.stat().st_ino, (site_dir / "index.html").stat().st_mtime_ns)
    said = _build(built)
    assert not _full(said)
    assert (site_dir.stat().st_ino, (site_dir / "index.html").stat().st_mtime_ns) == before
    assert any("warning" not in m for m in said)


def test_an_entry_made_private_is_removed_by_the_next_build_which_is_audited(built):
    """Only the audience changes: the next build is a full one, the post leaves the site, the
    audit passes; its text is nowhere in the site."""
    from notepress import api

    path = built / ESSAY
    text = path.read_text(encoding="utf-8")
    assert (built / "site" / ESSAY_URL / "index.html").is_file()
    path.write_text(text.replace("audience: public", "audience: private", 1), encoding="utf-8")
    assert _full(_build(built))
    assert not (built / "site" / ESSAY_URL).exists()
    assert not any(ESSAY_URL in p.as_posix() for p in (built / "site").rglob("*"))
    assert api.audit(built) == []
    assert not _full(_build(built))  # and that site is then kept


def test_a_new_confidential_term_makes_the_next_build_a_full_one(built):
    config = built / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Project Falcon\n",
                                                                 "  - Project Falcon\n  - Project Heron\n"))
    assert _full(_build(built))


def _tamper(built: Path, tamper: str) -> None:
    import os
    import shutil

    page = built / "site" / "index.html"
    if tamper.startswith("edit"):
        st = page.stat()
        page.write_bytes(page.read_bytes().replace(b"</body>", b"Project Falcon</body>"))
        if "restored" in tamper:
            os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif tamper == "add":
        (built / "site" / "notes.txt").write_text("Project Falcon\n")
    elif tamper == "remove":
        page.unlink()
    elif tamper == "replace site/":
        shutil.copytree(built / "site", built / "other")
        shutil.rmtree(built / "site")
        (built / "other").rename(built / "site")
    else:  # the folder notepress writes, as a preview with drafts leaves it
        post = next((built / ".notepress" / "docs" / "blog" / "posts").glob("*.md"))
        post.write_text(post.read_text(encoding="utf-8") + "\nA draft's words.\n", encoding="utf-8")


def test_a_site_changed_since_the_build_is_not_trusted(trusted):
    """Each way of changing the outputs, in turn on one repo: the site is trusted before (nothing
    changed), not after; the full build that follows is trusted again."""
    built = trusted
    page = built / "site" / "index.html"
    for tamper in ("edit", "edit, time restored", "add", "remove", "replace site/", "generated post"):
        assert not _full(_build(built)), f"before {tamper}: the site was not trusted"
        _tamper(built, tamper)
        assert _full(_build(built)), tamper
        assert b"Project Falcon" not in page.read_bytes(), tamper
        assert not (built / "site" / "notes.txt").exists(), tamper


def test_another_option_is_a_full_build(built):
    from notepress import api

    for redact, full in ((True, True), (True, False), (None, True)):
        said: list[str] = []
        api.build(built, redact=redact, progress=said.append)
        assert _full(said) == full


# -- the audit, file by file -----------------------------------------------------------------------

def test_the_audit_searches_a_known_clean_file_again_when_an_audience_changes(built):
    """The built site was audited clean with the essay public (and those files remembered as
    clean); made private, the same unchanged files must be found, not skipped."""
    from notepress import api

    assert api.audit(built) == []
    path = built / ESSAY
    path.write_text(path.read_text(encoding="utf-8").replace("audience: public", "audience: private", 1),
                    encoding="utf-8")
    findings = api.audit(built)
    assert any(f.file == f"site/{ESSAY_URL}/index.html" and f.kind == "text" for f in findings)
    assert any(f.file == "site/search/search_index.json" for f in findings)


def test_the_audit_searches_a_known_clean_file_again_when_a_term_is_added(built):
    from notepress import api

    assert api.audit(built) == []
    config = built / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Project Falcon\n",
                                                                 "  - Project Falcon\n  - trust problem\n"))
    assert any(f.kind == "confidential term" and f.text == "trust problem" for f in api.audit(built))


def test_a_remembered_audit_finds_what_a_fresh_one_finds(built):
    """The same findings with and without the files remembered as clean (a planted leak in a
    page that was clean before is new bytes: searched)."""
    from notepress import api
    from notepress.audit import audit_site

    page = built / "site" / "index.html"
    private = next(p for p in (built / "posts").rglob("*.md") if "audience: private" in p.read_text(encoding="utf-8"))
    api.audit(built)  # remembers every file as clean
    text = private.read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")[0]
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", f"<p>{text}</p></body>"), encoding="utf-8")
    project = api.load(built)
    fresh = audit_site(built / "site", project.entries, project.config, remember=False)
    assert fresh and api.audit(built) == fresh


def test_a_file_found_clean_is_read_again_once_written_even_with_its_size_and_time_kept(built, monkeypatch):
    """An audit does not read again a file it found clean while its inode, size, modification and
    change time are the same; a leak written over a page with its size and modification time put
    back (the change time cannot be) is read and found."""
    from notepress import api, audit

    private = next(p for p in (built / "posts").rglob("*.md") if "audience: private" in p.read_text(encoding="utf-8"))
    api.audit(built)
    api.audit(built)  # every file older than this audit: remembered by its stat too
    reads: list[str] = []
    read = audit._read
    monkeypatch.setattr(audit, "_read", lambda path: reads.append(path) or read(path))
    assert api.audit(built) == [] and reads == []
    page = built / "site" / "index.html"
    st, size = page.stat(), page.stat().st_size
    text = private.read_text(encoding="utf-8").split("---", 2)[2].strip().split("\n\n")[0]
    page.write_bytes(f"<p>{text}</p>".encode().ljust(size, b" "))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns, page.stat().st_ino) == (size, st.st_mtime_ns, st.st_ino)
    assert {f.file for f in api.audit(built) if f.kind == "text"} == {"site/index.html"}
    assert reads == [str(page)]


def test_the_audit_searches_again_when_a_public_text_no_longer_excuses_a_run(built):
    """A sentence a private entry shares with a public one is not a leak; once the public entry
    no longer has it, the pages still showing it are (the files are unchanged: not skipped)."""
    from notepress import api

    private = next(p for p in sorted((built / "posts").rglob("*.md"))
                   if "audience: private" in p.read_text(encoding="utf-8"))
    shared = next(s for s in private.read_text(encoding="utf-8").split("---", 2)[2].split(". ") if len(s.split()) > 9)
    essay = built / ESSAY
    original = essay.read_text(encoding="utf-8")
    essay.write_text(original.rstrip("\n") + f"\n\n{shared.strip()}.\n", encoding="utf-8")
    assert _full(_build(built))
    assert api.audit(built) == []
    essay.write_text(original, encoding="utf-8")  # the site still shows it
    assert any(f.file == f"site/{ESSAY_URL}/index.html" and f.kind == "text" for f in api.audit(built))


def test_the_theme_is_listed_without_its_hidden_folders_and_nothing_else_changes():
    """MkDocs copies a theme's static files from its loader's listing and drops every path with a part
    that starts with a dot: the listing that skips hidden folders (Material's .icons/) is the same
    after that filter."""
    import jinja2
    from mkdocs.config import load_config

    from notepress.templates import compiled_envs

    theme = load_config(str(REPO / "mkdocs.yml")).theme
    env = compiled_envs(theme.get_env, "theme")()
    everything = jinja2.FileSystemLoader(theme.dirs).list_templates()
    hidden = [n for n in everything if n.startswith(".") or "/." in n]
    assert len(hidden) > 10_000  # Material's icons: what the listing no longer walks
    assert env.list_templates() == [n for n in everything if n not in hidden]


def test_a_template_compiled_for_another_file_is_not_compiled_again_and_names_its_own_file(tmp_path, monkeypatch):
    """overrides/main.html of a second repo (the same source) takes the first one's compiled code, with
    its own file name: an error in it names the second repo's file; an edited copy is compiled; the
    next process finds the code on disk for a copy in yet another folder."""
    import traceback

    import jinja2

    from notepress.templates import compiled

    source = "{% macro broken() %}{{ 1 // 0 }}{% endmacro %}<p>{{ word }}</p>{{ broken() if fail else '' }}"
    folders = [tmp_path / name for name in ("one", "two", "three")]
    for folder in folders:
        folder.mkdir()
        (folder / "main.html").write_text(source, encoding="utf-8")
    (folders[2] / "main.html").write_text(source.replace("<p>", "<p class=x>"), encoding="utf-8")
    compiles = []
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, _c=jinja2.Environment.compile, **k:
                        compiles.append(a[2] if len(a) > 2 else k.get("filename")) or _c(self, *a, **k))
    cache = compiled(f"probe-{tmp_path.name}")
    envs = [jinja2.Environment(loader=jinja2.FileSystemLoader(str(f)), bytecode_cache=cache) for f in folders]
    assert [env.get_template("main.html").render(word="hi", fail=False) for env in envs] == \
        ["<p>hi</p>", "<p>hi</p>", "<p class=x>hi</p>"]
    assert compiles == [str(folders[0] / "main.html"), str(folders[2] / "main.html")]
    second = envs[1].get_template("main.html")
    assert second.filename == str(folders[1] / "main.html")
    with pytest.raises(ZeroDivisionError) as raised:
        second.render(word="hi", fail=True)
    frames = [f.filename for f in traceback.extract_tb(raised.value.__traceback__)]
    assert str(folders[1] / "main.html") in frames and str(folders[0] / "main.html") not in frames
    # the next process (a cache of the same folder, nothing in memory), for a fourth copy
    (tmp_path / "four").mkdir()
    (tmp_path / "four" / "main.html").write_text(source, encoding="utf-8")
    later = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "four")),
                               bytecode_cache=type(cache)(cache.directory))
    assert later.get_template("main.html").render(word="yo", fail=False) == "<p>yo</p>"
    assert later.get_template("main.html").filename == str(tmp_path / "four" / "main.html")
    assert len(compiles) == 2
