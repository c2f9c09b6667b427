"""The entry templates' placeholder lines ("Free reflection: what surprised you, …", "The first paragraph
is the excerpt on the blog index."), from `notepress init` and `notepress new`: `check` warns of one
left in an entry (file, line), and it is an error in a public entry, which a build refuses. The lines
come from the templates themselves (the repo's own too), never from a copied list."""

from __future__ import annotations

import re
from pathlib import Path

from e2e_helpers import run_cli
from notepress.templates import PACKAGED, placeholder_lines


def new(root: Path, etype: str, title: str) -> Path:
    made = run_cli("-C", str(root), "new", etype, title)
    assert made.exit_code == 0, made.output
    return root / made.stdout.splitlines()[0]


def placeholders_in(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, text) of each placeholder line of the templates in the file."""
    lines = placeholder_lines(root)
    return [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line in lines]


def problem(root: Path, path: Path, line: int, text: str, public: bool) -> str:
    rel = path.relative_to(root).as_posix()
    fix = ("replace or delete the template's placeholder line before publishing" if public else
           "replace it with your words, or delete it: once the entry is public, it stops the build")
    return (f'{rel}:{line}: {"" if public else "warning: "}body: "{text}" is a placeholder line of the template, '
            f"still in the entry ({fix})")


def test_a_placeholder_line_is_a_warning_and_an_error_once_the_entry_is_public(init_copy):
    root = init_copy
    entry = new(root, "learning", "Asked finance about refunds")
    text = entry.read_text(encoding="utf-8")
    for key, value in (("action", "Asked finance how refunds are booked"), ("learning", "Refunds net off revenue")):
        text = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1)
    entry.write_text(text, encoding="utf-8")
    [(line, placeholder)] = placeholders_in(root, entry)
    assert placeholder.startswith("Free reflection")  # the learning template's

    private = run_cli("-C", str(root), "check")
    assert private.exit_code == 0, private.output
    assert problem(root, entry, line, placeholder, public=False) in private.stderr.splitlines()

    entry.write_text(text.replace("\naudience: private", "\naudience: public", 1), encoding="utf-8")
    public, built = run_cli("-C", str(root), "check"), run_cli("-C", str(root), "build")
    assert public.exit_code == 1 and built.exit_code == 1
    for result in (public, built):
        assert problem(root, entry, line, placeholder, public=True) in result.stderr.splitlines()
    assert not (root / "site").exists()

    entry.write_text(entry.read_text(encoding="utf-8").replace(placeholder, "Refunds surprised me."), encoding="utf-8")
    assert run_cli("-C", str(root), "check").exit_code == 0


def test_the_lines_come_from_the_templates_the_repo_uses(init_copy):
    root = init_copy
    (root / "templates").mkdir()
    packaged = PACKAGED / "entry-essay.md.jinja"
    own = packaged.read_text(encoding="utf-8") + "\n## What I would tell a new PM\n\nSay it in one sentence here.\n"
    (root / "templates" / "entry-essay.md.jinja").write_text(own, encoding="utf-8")
    essay = new(root, "essay", "Pricing is a promise")

    found = placeholders_in(root, essay)
    result = run_cli("-C", str(root), "check")

    assert [text for _, text in found] == ["The first paragraph is the excerpt on the blog index.",
                                           "The rest of the essay.", "Say it in one sentence here."]
    assert result.exit_code == 0, result.output  # a draft: warnings
    for line, text in found:
        assert problem(root, essay, line, text, public=False) in result.stderr.splitlines()
    assert "What I would tell a new PM" not in result.stderr and "<!-- more -->" not in result.stderr
