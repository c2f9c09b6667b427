"""What makes builds fast must not change what they publish: the excerpt of a post rendered from
its head only, the blog's cheap `page in posts`, the caches, the no-change path, the incremental
audit. Each is checked against the slow way (no timings here: see tools/benchmark.py)."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from notepress import site
from notepress.plugin import MORE_STAND_IN, PostList, excerpt_source

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


def test_the_posts_answer_in_as_a_list_does():
    files = [object() for _ in range(4)]
    posts = [_Page(f"post {i}", f) for i, f in enumerate(files)]
    fast = PostList(posts)
    equal_copy = _Page("post 2", files[2])  # another object that == a post
    same_file_other_title = _Page("renamed", files[1])
    stranger = _Page("post 0", object())
    for page in [*posts, equal_copy, same_file_other_title, stranger]:
        assert (page in fast) == (page in posts)
    fast.append(stranger)  # a changed list is indexed again
    assert stranger in fast
    fast.remove(posts[0])
    assert posts[0] not in fast
