"""`notepress init`: a complete writing repo from the files in templates/init/.

    from notepress.scaffold_repo import init_repo
    created = init_repo("notes", name="Product notes", author="Maya Chen")

The repo it writes builds right away: mkdocs.yml (the notepress plugin first), a commented
notepress.yml, one example entry of each type (the learning entry and the essay public, the
customer insight internal), the hand-written pages under docs/, a .gitignore, a pre-commit hook
running `notepress check`, and a GitHub Actions workflow that checks, builds and deploys to
GitHub Pages.

Templates whose name ends in `.jinja` are rendered (Jinja2, strict); the others are copied byte
for byte (the workflow's `${{ ... }}` expressions are GitHub's, not Jinja's). Nothing existing is
ever overwritten: when any file would be, none is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import jinja2

from . import clock
from .config import SITE_URL_RE
from .front_matter import scalar
from .problems import NotepressError, Problem
from .templates import PACKAGED

INIT = PACKAGED / "init"
PLACEHOLDER_AUTHOR = "Your Name"

# (template under templates/init/, path in the new repo). Entry paths use the example dates.
FILES: tuple[tuple[str, str], ...] = (
    ("mkdocs.yml.jinja", "mkdocs.yml"),
    ("notepress.yml.jinja", "notepress.yml"),
    ("gitignore", ".gitignore"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("github/workflows/publish.yml", ".github/workflows/publish.yml"),
    ("docs/index.md.jinja", "docs/index.md"),
    ("docs/blog/index.md", "docs/blog/index.md"),
    ("docs/tags.md", "docs/tags.md"),
    ("docs/blog/archive/index.md", "docs/blog/archive/index.md"),
    ("docs/stylesheets/extra.css", "docs/stylesheets/extra.css"),
    ("docs/subscribe.md", "docs/subscribe.md"),
    ("overrides/home.html", "overrides/home.html"),
    ("overrides/archive.html", "overrides/archive.html"),
    ("overrides/main.html", "overrides/main.html"),
    ("posts/learning.md.jinja", "posts/learning/{learning_date}-five-support-calls-in-one-week.md"),
    ("posts/insight.md.jinja", "posts/insights/{insight_date}-harborview-setup-needs-a-call.md"),
    ("posts/essay.md.jinja", "posts/essays/{essay_date}-why-i-write-down-what-i-learn.md"),
    ("posts/goal.md.jinja", "posts/goals/{goal_date}-understand-onboarding-end-to-end.md"),
)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(INIT), autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["yaml"] = scalar
    return env


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:  # git is not installed
        return None


def git_toplevel(path: Path | str) -> Path | None:
    """The work tree `path` is in (it need not exist yet), or None."""
    probe = _existing_ancestor(Path(path).absolute())
    if not probe.is_dir():
        probe = probe.parent
    done = _git(["rev-parse", "--show-toplevel"], probe)
    if done is None or done.returncode != 0 or not done.stdout.strip():
        return None
    return Path(done.stdout.strip())


def git_user_name(path: Path | str) -> str:
    """`git config user.name` as seen from `path` (or its nearest existing parent); "" if unset."""
    probe = _existing_ancestor(Path(path).absolute())
    done = _git(["config", "user.name"], probe if probe.is_dir() else probe.parent)
    return done.stdout.strip() if done is not None and done.returncode == 0 else ""


def author_id(name: str) -> str:
    """A lower-case hyphenated id for notepress.yml's `authors:` ("Maya Chen" -> "maya-chen")."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "me"


NO_SOURCE = ('echo "::error file=.github/workflows/publish.yml::say where notepress is installed from: '
             'notepress init --install-from SPEC, or edit this step" && exit 1')


def install_source() -> str:
    """Where this notepress was installed from, as a pip requirement, when that is a URL others can
    reach (a git or https source); "" for a local folder or an index install of another package."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        direct = json.loads(distribution("notepress").read_text("direct_url.json") or "{}")
    except (PackageNotFoundError, ValueError):
        return ""
    url, vcs = direct.get("url", ""), direct.get("vcs_info")
    if vcs and url.startswith(("https://", "ssh://", "git@")):
        commit = vcs.get("requested_revision") or vcs.get("commit_id", "")
        return f"notepress @ git+{url}" + (f"@{commit}" if commit else "")
    if url.startswith("https://"):
        return f"notepress @ {url}"
    return ""


NAMED = re.compile(r"\s*notepress(?:\s*\[([^\]]*)\])?(?=\s*(?:@|[=~!<>]|;|$))", re.IGNORECASE)
URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://|git\+)", re.IGNORECASE)


def install_step(spec: str) -> str:
    """The workflow's install command: pip with the quoted requirement, or a step that fails and says
    what to set (never `pip install notepress` from the index: that name is not ours there). The
    requirement takes the extra of the engine notepress.yml names, which the step before reads into
    $EXTRA (`zensical`, or nothing): `notepress${EXTRA:+[$EXTRA]} @ git+https://…`."""
    if not spec:
        return NO_SOURCE
    if URL.match(spec):
        spec = f"notepress @ {spec.strip()}"  # a bare URL: named, so that it can take an extra
    named = NAMED.match(spec)
    if named is None:  # a requirement this line cannot add an extra to (a local path): as written
        return f'python -m pip install "{spec}"'
    extras = named.group(1)
    name = f"notepress[{extras}${{EXTRA:+,$EXTRA}}]" if extras else "notepress${EXTRA:+[$EXTRA]}"
    return f'python -m pip install "{name}{spec[named.end():]}"'


def local_zone() -> str:
    """The IANA name of this machine's time zone (TZ, else /etc/localtime's link, else
    /etc/timezone), or "UTC" when none can be found."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(os.path.realpath("/etc/localtime").split("/zoneinfo/", 1)[1])
    except IndexError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/") and ".." not in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return "UTC" if name in ("Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu") else name
    return "UTC"


def daily_cron(zone: str, minute: int = 15) -> str:
    """A daily cron line (GitHub's schedules are in UTC) for `minute` past midnight in `zone`'s
    standard time: in summer time it runs an hour later, still after midnight, so a post is
    published early on its day, in the writer's time zone."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    year = dt.date.today().year
    standard = min(dt.datetime(year, month, 15, tzinfo=tz).utcoffset() for month in (1, 7))
    utc = dt.datetime(year, 1, 15, 0, minute) - standard
    return f"{utc.minute} {utc.hour} * * *"


def render(*, name: str, author: str, today: dt.date, site_url: str = "", install: str = "",
           zone: str | None = None) -> dict[str, bytes]:
    """Relative path (posix) -> content of every file of a new writing repo. `zone`: the time zone
    the workflow publishes in (default: this machine's)."""
    zone = zone or local_zone()
    dates = {"goal_date": (today - dt.timedelta(days=7)).isoformat(),
             "learning_date": (today - dt.timedelta(days=6)).isoformat(),
             "insight_date": (today - dt.timedelta(days=3)).isoformat(),
             "essay_date": today.isoformat()}
    values = {"name": name, "author": author, "author_id": author_id(author), "site_url": site_url,
              "due_date": (today + dt.timedelta(days=7)).isoformat(),
              "horizon_date": (today + dt.timedelta(days=365)).isoformat(), **dates}
    env = _environment()
    out: dict[str, bytes] = {}
    for source, target in FILES:
        if source.endswith(".jinja"):
            data = env.get_template(source).render(**values).encode("utf-8")
        else:
            data = (INIT / source).read_bytes().replace(b"NOTEPRESS_INSTALL", install_step(install).encode())
            data = data.replace(b"NOTEPRESS_TZ", zone.encode()).replace(b"NOTEPRESS_CRON", daily_cron(zone).encode())
        out[target.format(**dates)] = data
    return out


def init_repo(path: Path | str, *, name: str | None = None, author: str | None = None,
              today: dt.date | None = None, site_url: str = "", install_from: str | None = None,
              progress=None) -> list[Path]:
    """Write a new writing repo into `path` (created if needed) and return the files written.

    `name` defaults to the folder's name; `author` to `git config user.name`, else a placeholder;
    `site_url`, when given, must be an absolute http(s) URL and goes into notepress.yml;
    `install_from` (default: `install_source()`) is how the publish workflow installs notepress.
    Runs `git init` when `path` is not inside a git work tree (what happened goes to `progress`,
    a function taking one line). Raises NotepressError, writing nothing, when `path` is a file or
    any file it would write already exists (all of them are named).
    """
    shown = Path(path)  # as the user wrote it, for messages
    folder = Path(path).absolute()
    if folder.exists() and not folder.is_dir():
        raise NotepressError(Problem(shown.as_posix(), 0, "", "is a file, not a folder",
                                     "choose a folder to create the repo in"))
    name = " ".join((name if name is not None else folder.resolve().name).split())
    if not name:
        raise NotepressError(Problem("", 0, "--name", "the site needs a name", 'pass --name "My notes"'))
    author = " ".join((author if author is not None else git_user_name(folder)).split()) or PLACEHOLDER_AUTHOR
    if site_url and not SITE_URL_RE.match(site_url):
        raise NotepressError(Problem("", 0, "--site-url", f"{site_url!r} is not an absolute http(s) URL",
                                     "write it like https://you.github.io/notes/"))
    site_url = site_url + ("" if not site_url or site_url.endswith("/") else "/")
    install = install_source() if install_from is None else install_from.strip()
    if any(c in install for c in "\"'\n\r"):
        raise NotepressError(Problem("", 0, "--install-from", "write one pip requirement, e.g. "
                                     '"notepress @ git+https://github.com/you/notepress@v0.1"', "no quotes or line breaks inside"))
    files = render(name=name, author=author, today=today or clock.today(), site_url=site_url, install=install)

    _refuse_clashes(folder, shown, files)
    needs_git = git_toplevel(folder) is None
    written = _write_new(folder, files)
    say = progress or (lambda line: None)
    if needs_git:
        say(_git_init(folder, shown))
        say(_git_commit(folder, shown, written))
    if not install:
        say("the publish workflow does not know where to install notepress from (this one was installed from a "
            "local folder): run init with --install-from SPEC, or edit the install step of "
            ".github/workflows/publish.yml")
    say("keep this repository private: it holds your confidential customer notes; the workflow publishes only site/")
    return written


def _refuse_clashes(folder: Path, shown: Path, files: dict[str, bytes]) -> None:
    """Every file init would write that exists already (or a file where it needs a folder), at once."""
    clashes: dict[str, str] = {}
    for rel in files:
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            here = "/".join(parts[:i])
            target = folder / here
            last = i == len(parts)
            if os.path.lexists(target) and (last or not target.is_dir()):
                clashes[here] = "already exists" if last else "exists and is not a folder"
                break
    if clashes:
        raise NotepressError([
            Problem((shown / rel).as_posix(), 0, "", f"{what}, not overwritten",
                    "move it away or init another folder; notepress init wrote nothing")
            for rel, what in clashes.items()
        ])


def _write_new(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write `files`, none over an existing one; on a clash, remove what was written and refuse."""
    written: list[Path] = []
    try:
        for rel, data in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as f:  # "x": never overwrite, even a file that appeared just now
                f.write(data)
            written.append(target)
    except FileExistsError as e:
        for p in written:
            p.unlink(missing_ok=True)
        raise NotepressError(Problem(str(e.filename), 0, "", "appeared while notepress init was writing, not overwritten",
                                     "the files written so far were removed; run it again")) from None
    return written


def _git_commit(folder: Path, shown: Path, written: list[Path]) -> str:
    """Commit the scaffold in the repository init created, so that nothing it needs stays untracked."""
    added = _git(["add", "--", *(os.path.relpath(p, folder) for p in written)], folder)
    done = added and added.returncode == 0 and _git(["commit", "-q", "-m", "notepress init: a new writing repo"], folder)
    if done and done.returncode == 0:
        return "committed the new repo's files (git log shows them)"
    why = (done.stderr if done else added.stderr if added else "").strip().splitlines()[:1]
    return (f"the files were not committed ({why[0] if why else 'git failed'}): run "
            f"`git -C {shown.as_posix()} add -A && git -C {shown.as_posix()} commit -m \"notepress init\"`")


def _git_init(folder: Path, shown: Path) -> str:
    """Run `git init` (branch main, which the workflow deploys); one line saying what happened."""
    done = _git(["init", "-q", "--initial-branch=main"], folder)
    if done is not None and done.returncode != 0:  # git older than 2.28: no --initial-branch
        done = _git(["init", "-q"], folder)
    if done is None:
        return "git is not installed, so no repository was created (install git, then run `git init`)"
    if done.returncode != 0:
        return f"git init failed: {done.stderr.strip()} (run `git init` in {shown.as_posix()} yourself)"
    return f"initialized a git repository in {(shown / '.git').as_posix()}"
