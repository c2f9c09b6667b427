"""What every command shares: the -C option, the Project it opens (the writing repo found upward, as
git finds its repo), dates, and how problems are shown.

Nothing here defines a command; cli.py registers them all. Problems are rendered in one place:
`Failed` (raised by the group in cli.py for any NotepressError), one line per problem on stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .config import CONFIG_FILE
from .project import Project
from .model import plausible
from .problems import Problem


class Failed(click.ClickException):
    """Problems, one line each on stderr, then a count (not after a single refusal); exit code 1."""

    exit_code = 1

    def __init__(self, problems: list[Problem], count: bool = True):
        super().__init__("\n".join(str(p) for p in problems))
        self.lines = [str(p) for p in problems]
        self.count = count

    def show(self, file=None):
        for line in self.lines:
            click.echo(line, err=True)
        n = len(self.lines)
        if self.count:
            click.echo(f"notepress: {plural(n, 'problem')} (fix {'them' if n != 1 else 'it'} and run again)",
                       err=True)


class Command(click.Command):
    """A notepress command: notepress.yml's warnings are shown before it runs, unless the command
    reports them itself (`config_warnings=False`: check and build list them with the entries'
    problems, init makes the repo)."""

    def __init__(self, *args, config_warnings: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.config_warnings = config_warnings

    def invoke(self, ctx):
        if self.config_warnings:
            for warning in project().config_warnings:
                click.echo(str(warning), err=True)
        return super().invoke(ctx)


def command(name: str | None = None, **attrs):
    """`@click.command` for a notepress command: its class, and -C/--directory."""

    def decorate(f):
        return click.command(name, cls=Command, **attrs)(directory_option(f))

    return decorate


def directory_option(f):
    """-C/--directory on every command, like git and make; the group's value is the default."""

    def remember(ctx, param, value):
        if value is not None:
            ctx.find_root().ensure_object(dict)["root"] = value
        return value

    return click.option("-C", "--directory", "directory", type=click.Path(file_okay=False, path_type=Path),
                        default=None, expose_value=False, callback=remember, is_eager=True,
                        help="Run as if started in DIR (a writing repo).")(f)


def root() -> Path:
    """The folder the command was started in: -C DIR, else the working folder."""
    ctx = click.get_current_context()
    return Path((ctx.find_root().obj or {}).get("root") or ".")


def repo_root() -> Path:
    """The writing repo a command works on, found as git finds its repo: the folder it was started in
    (root) or the nearest folder above it that holds notepress.yml, so that a command typed in
    posts/learning/ works on its repo; the folder itself when none does (a command that needs a
    writing repo then says how to start one)."""
    start = root()
    here = start.resolve()
    return next((folder for folder in (here, *here.parents) if (folder / CONFIG_FILE).is_file()), start)


def project() -> Project:
    """The writing repo this command works on (repo_root), opened once per command: its settings are
    read once, and every rule uses its one `today` (see project.py)."""
    obj = click.get_current_context().find_root().ensure_object(dict)
    if "project" not in obj:
        obj["project"] = Project.open(repo_root())
    return obj["project"]


def going_on(today: dt.date | None = None) -> Project:
    """The project (seen on `today`, if given), for a command that does not publish and goes on with
    the valid entries (the review tools, a newsletter draft): every problem of posts/ on stderr
    first, as `check` shows them, and how many entries it goes on without (see Project.go_on)."""
    return show_problems(project().on(today))


def show_problems(found: Project) -> Project:
    """`found`, after every problem of its posts/ was shown on stderr (see going_on)."""
    problems = found.go_on()
    for problem in sorted(problems):
        click.echo(str(problem), err=True)
    left = len(found.left_out)
    if left:
        click.echo(f"notepress: going on without {plural(left, 'entry', 'entries')} with errors: fix "
                   f"{'it' if left == 1 else 'them'}, or write `draft: true` in a half-written entry to keep it out "
                   "of everything until it is ready (notepress check lists every problem)", err=True)
    elif problems:
        click.echo(f"notepress: {plural(sum(p.severity == 'error' for p in problems), 'problem')} in the entries "
                   "shown (notepress check lists every problem)", err=True)
    return found


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def progress(message: str) -> None:
    click.echo(message, err=True)


def parse_date(ctx, param, value):
    """Click callback for DATE options: YYYY-MM-DD, or a clear message."""
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (write YYYY-MM-DD)")
    if not plausible(date):
        raise click.BadParameter(f"{value!r} is not a plausible date (write the real date as YYYY-MM-DD)")
    return date
