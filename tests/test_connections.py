"""Connections on the public blog: "Linked from" and related posts, from public entries only."""

from __future__ import annotations

from notepress import api

HIDDEN = ("Secret plans that cite the hub", "Internal memo about the hub", "Unfinished draft about the hub",
          "private-linker", "internal-linker", "draft-linker")


def post(root, slug: str, *, preview: bool = False) -> str:
    """A generated post: a build's, or a preview's (drafts shown), which are kept apart."""
    folder = "preview" if preview else "docs"
    return (root / ".notepress" / folder / "blog" / "posts" / f"{slug}.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> list[str]:
    if f"## {heading}" not in text:
        return []
    block = text.split(f"## {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    return [line for line in block.splitlines() if line.startswith("- ")]


def test_linked_from_lists_public_backlinks_only(copy_repo):
    root = copy_repo("connections")
    api.generate_blog(root)
    hub = post(root, "hub")
    assert section(hub, "Linked from") == [r"- [A public post that cites \[the hub\]](public-linker.md)"]
    assert not any(hidden in hub for hidden in HIDDEN)


def test_related_posts_share_tags_and_are_public(copy_repo):
    root = copy_repo("connections")
    api.generate_blog(root)
    hub = post(root, "hub")
    # the cousin shares two tags; the public linker is already under "Linked from"; the stranger shares none
    assert section(hub, "Related posts") == ["- [A cousin on discovery](cousin.md)"]
    assert section(post(root, "stranger"), "Related posts") == []
    for slug in ("hub", "public-linker", "cousin", "stranger"):
        assert not any(hidden in post(root, slug) for hidden in HIDDEN)


def test_a_draft_linker_shows_only_in_the_preview(copy_repo):
    root = copy_repo("connections")
    api.generate_blog(root, drafts=True)
    assert "- [Unfinished draft about the hub](draft-linker.md)" in section(post(root, "hub", preview=True),
                                                                            "Linked from")
    api.generate_blog(root)
    assert "draft-linker" not in post(root, "hub")
    assert "draft-linker" in post(root, "hub", preview=True)  # the preview's own folder, which no build reads
