"""Click commands of the git workflow: `init` and `share` (registered in cli.py)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from . import api
from .cli_base import command, project, root


@command(config_warnings=False)
@click.argument("target", metavar="[DIR]", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--name", help="The site's name (default: DIR's name).")
@click.option("--author", metavar="NAME", help="Your name, signing the posts (default: git config user.name).")
@click.option("--site-url", default="", metavar="URL",
              help="The blog's public address, e.g. https://you.github.io/notes/ (written into notepress.yml).")
@click.option("--install-from", metavar="SPEC", default=None,
              help='How the publish workflow installs notepress, a pip requirement such as '
                   '"notepress @ git+https://github.com/you/notepress@v0.1" (default: where this one came from, '
                   "when that is a URL).")
def init(target, name, author, site_url, install_from):
    """Create a writing repo in DIR (default: here): config, example entries, hooks, CI.

    Writes mkdocs.yml, a commented notepress.yml, one example entry of each type (the insight
    internal, the goal private, the others public), docs/, .gitignore, a pre-commit hook running
    `notepress check --staged` and a GitHub Actions workflow publishing to GitHub Pages. Runs `git init` when DIR is not
    in a git repo. Never overwrites a file: if any exists, it names them all and writes nothing.

    \b
    Example:
        notepress init notes --name "Product notes" --author "Maya Chen" --site-url https://maya.github.io/notes/
        cd notes && notepress serve
    """
    base = root()
    path = target if target.is_absolute() or base == Path(".") else base / target
    notes: list[str] = []
    created = api.init(path, name=name, author=author, site_url=site_url, install_from=install_from,
                       progress=notes.append)
    folder = path.absolute()
    for p in created:
        click.echo(f"created {(path / p.relative_to(folder)).as_posix()}")
    for line in notes:
        click.echo(line)
    cd = "" if folder == Path.cwd() else f"cd {shlex.quote(path.as_posix())} && "
    steps = [(f"{cd}notepress serve", "preview the blog at http://127.0.0.1:8000"),
             ('notepress new learning "What I learned today"', "your first entry"),
             ("pre-commit install", "check entries before every commit (pip install pre-commit)")]
    width = max(len(typed) for typed, _ in steps)
    click.echo("\nnext:")
    for typed, why in steps:
        click.echo(f"  {typed.ljust(width)}   # {why}")


@command()
@click.argument("slug")
@click.option("--redact/--no-redact", default=None,
              help="Replace confidential terms with `redact_with`, as build --redact does on the page.")
def share(slug, redact):
    """Print a ready-to-post text for public post SLUG, for a professional network.

    The hook (the summary, else the title), two or three takeaways (from the learning loop, else
    the post's headings), the post's link and hashtags from its tags. Only public, published
    entries; the text passes the same confidential-term check as a public page.

    \b
    Example:
        notepress share reconciliation-is-a-trust-problem
        notepress share reconciliation-is-a-trust-problem | xclip -selection clipboard
    """
    click.echo(api.share(project(), slug, redact=redact).text, nl=False)
