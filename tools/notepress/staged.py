"""`notepress check --staged`: what a commit holds is judged, not every file in posts/ (the pre-commit hook).

    report = judged(project, api.check(project))    # the problems the commit is judged by, and one warning
                                                    # line counting the other entries with errors

A half-written entry that is no part of the commit (untracked, say) does not stop it. The commit is
judged by the problems of:

- the entries it adds or changes (staged in git), notepress.yml, and anything that is no entry's;
- an entry in git that links to one it adds, changes or removes, or that has one's slug (what that
  link or slug means changes with the commit; an entry git does not have, a new one being written
  that links back to the one committed, is no part of what the commit makes);
- with notepress.yml in the commit, every entry in git; with an insight in it (its customer and
  contacts are confidential on every public page), every public entry in git (or one whose
  audience cannot be read).

The other entries' errors become one warning line, saying how to see them.
"""

from __future__ import annotations

import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .config import CONFIG_FILE
from .entries import HeldOut, parse_entry
from .links import find_links
from .problems import NotepressError, Problem, Report
from .project import Project

OTHERS = "{count} other {entries} problems: notepress check lists them; `draft: true` keeps a half-written entry " \
    "out of everything"


@dataclass(frozen=True)
class Commit:
    """What `git commit` would record, as paths relative to the writing repo (the index against HEAD)."""
    changed: frozenset[str]  # added or modified
    removed: frozenset[str]


def staged(root: Path) -> Commit:
    """The files staged in git under `root`; NotepressError when `root` is not in a git work tree."""
    out = _git(root, "diff", "--cached", "--name-status", "-z", "--no-renames", "--relative")
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    pairs = list(zip(fields[0::2], fields[1::2]))
    return Commit(frozenset(path for status, path in pairs if status != "D"),
                  frozenset(path for status, path in pairs if status == "D"))


def judged(project: Project, report: Report) -> Report:
    """`report` (every problem, as `check` finds them) narrowed to what the staged commit is judged by
    (see the module's text), with one warning line counting the other entries that have errors."""
    known = _known(project)
    involved = _involved(project, staged(project.root), known)
    kept = [p for p in report.problems if p.path in involved or p.path not in known]
    others = {p.path for p in report.problems if p.severity == "error" and p.path in known.keys() - involved}
    if others:
        have = "entries have" if len(others) != 1 else "entry has"
        kept.append(Problem("", 0, "", OTHERS.format(count=len(others), entries=have), severity="warning"))
    narrowed = Report(report.root, kept)
    narrowed.files_read = len(involved & known.keys())
    return narrowed


def _known(project: Project) -> dict[str, HeldOut]:
    """Every entry file by its path, valid or left out, as far as it was read (slug, audience, entry)."""
    return {e.source: HeldOut(e.source, e.audience, e, e.slug) for e in project.entries} | \
        {h.source: h for h in project.held_out}


def _involved(project: Project, commit: Commit, known: dict[str, HeldOut]) -> set[str]:
    """The entry files whose problems the commit is judged by."""
    involved = {path for path in commit.changed if path in known}
    gone = _removed(project, commit.removed)
    names = {known[path].slug for path in involved} | {h.slug for h in gone.values()}
    names.discard("")
    paths = involved | gone.keys()
    insight = any(_insight(h) for h in [*(known[path] for path in involved), *gone.values()])
    tracked = set(_git(project.root, "ls-files", "-z").decode("utf-8", "surrogateescape").split("\0"))
    if CONFIG_FILE in commit.changed or insight:
        involved |= tracked if CONFIG_FILE in commit.changed else \
            {path for path in tracked & known.keys() if known[path].audience in (None, "public")}
    for source, found in known.items():  # an entry git does not have is no part of what the commit makes
        if source not in involved and source in tracked and \
                (found.slug in names or _links_to(project.root, source, names, paths)):
            involved.add(source)
    return involved


def _insight(found: HeldOut) -> bool:
    return found.entry is not None and found.entry.insight is not None


def _removed(project: Project, removed: frozenset[str]) -> dict[str, HeldOut]:
    """Each entry the commit removes, as it was in HEAD (its slug and, when it can be read, itself)."""
    posts = Report(project.root).rel(project.config.posts_dir).rstrip("/") + "/"
    gone = {}
    for path in sorted(p for p in removed if p.startswith(posts) and p.lower().endswith(".md")):
        held: list[HeldOut] = []
        try:
            raw = _git(project.root, "show", f"HEAD:./{path}")
        except NotepressError:
            raw = b""
        entry = parse_entry(project.root / path, raw, project.config, Report(project.root), held)
        gone[path] = HeldOut(path, entry.audience, entry, entry.slug) if entry else \
            held[0] if held else HeldOut(path, None)
    return gone


def _links_to(root: Path, source: str, names: set[str], paths: set[str]) -> bool:
    """Whether entry file `source` links (by [[slug]] or by a relative link to its file) to one of
    the entries called `names`, or at one of `paths`."""
    if not names and not paths:
        return False
    try:
        text = (root / source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    folder = posixpath.dirname(source)
    return any(link.target in names if link.kind == "wiki" else
               posixpath.normpath(posixpath.join(folder, link.target)) in paths for link in find_links(text))


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True, check=False)
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1] if done is not None else ["no git"]
        raise NotepressError(Problem("", 0, "--staged", f"cannot read what is staged in git ({'; '.join(why)})",
                                     "run it in a git work tree, or run `notepress check` without --staged"))
    return done.stdout
