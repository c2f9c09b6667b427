"""One writing repo, opened once per command, with the one `today` every rule of that command uses.

    project = Project.open("path/to/repo")            # notepress.yml, read once
    project.settings                                  # mkdocs.yml, read once, when first asked for
    project.require()                                 # posts/, read and validated once: every problem
    project.entries                                   # the valid entries
    project.require(build=True)                       # only the problems that could reach the public
    project.go_on()                                   # the problems a command that does not publish goes on past
    project.errors_of({"a-slug"})                     # the errors of the entries called so (those an issue shows)
    team = project.view(Reader.TEAM)                  # the gate, on project.today
    mine = project.view(Reader.SELF, valid=True)      # the same, of the valid entries, whatever the others' errors
    team = project.team()                             # the same, after the team's rule of links (team.py)
    screened = project.screen()                       # the public view, after the rules of a public page

Every command opens one Project and hands it down: nothing below reads a settings file or the
clock again, so a build that runs across midnight gates, validates and audits on one day, and
`notepress build` reads notepress.yml and mkdocs.yml once each. `on(day)` is the same repo seen on
another day (`next --today`), sharing what was read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from . import clock, site
from .audience import Reader, View, gate
from .config import Config, read_config
from .entries import HeldOut, read_entries
from .model import Entry
from .problems import NotepressError, Problem, Report


@dataclass(frozen=True, eq=False)
class Project:
    root: Path
    today: dt.date
    config: Config  # notepress.yml (defaults where it is wrong: its problems are in `config_problems`)
    config_problems: tuple[Problem, ...] = ()

    @classmethod
    def open(cls, root: Path | str = ".", *, today: dt.date | None = None) -> Project:
        root = Path(root).resolve()
        report = Report(root)
        config = read_config(root, report)
        return cls(root, today or clock.today(), config, tuple(report.problems))

    def on(self, day: dt.date | None) -> Project:
        """This repo seen on `day` (itself when None or the same day): settings are not read again."""
        if day is None or day == self.today:
            return self
        return dataclasses.replace(self, today=day)

    # -- the settings ----------------------------------------------------------------------------------

    @property
    def config_warnings(self) -> list[Problem]:
        return [p for p in self.config_problems if p.severity == "warning"]

    def require_config(self, *, strict: bool = False) -> Config:
        """The config; NotepressError with notepress.yml's errors (and warnings, with `strict`)."""
        failing = [dataclasses.replace(p, severity="error") for p in self.config_problems
                   if strict or p.severity == "error"]
        if failing:
            raise NotepressError(failing)
        return self.config

    @functools.cached_property
    def settings(self) -> site.Settings:
        """mkdocs.yml as both engines read it; NotepressError when it is missing or broken."""
        found = self.engine_settings
        if found is None:
            raise NotepressError(Problem(site.ENGINE_CONFIG, 0, "", f"not found in {self.root}",
                                         "run `notepress init` or add one"))
        return found

    @functools.cached_property
    def engine_settings(self) -> site.Settings | None:
        """mkdocs.yml, or None when the repo has none."""
        return site.read_settings(self.root)

    @functools.cached_property
    def markdown(self) -> tuple[list, dict]:
        """The site's Markdown extensions and their settings (see site.markdown_of)."""
        return site.markdown_of(self.engine_settings)

    def check_folders(self) -> None:
        """The engine's folders apart from posts/ and the archive, before anything is written."""
        site.check_folders(self.config, self.settings)

    def engine(self, name: str | None = None) -> site.MkDocs | site.Zensical:
        """The site engine called `name` (default: notepress.yml's `engine`)."""
        return site.engine(self, name or self.config.engine)

    # -- the entries -----------------------------------------------------------------------------------

    @functools.cached_property
    def _read(self) -> tuple[list[Entry], tuple[Problem, ...], int, tuple[HeldOut, ...], dict[str, bytes]]:
        held: list[HeldOut] = []
        digests: dict[str, bytes] = {}
        entries, report = read_entries(self.config, Report(self.root), today=self.today, held_out=held, digests=digests)
        return entries, tuple(report.problems), report.files_read, tuple(held), digests

    @property
    def read_digests(self) -> dict[str, bytes]:
        """Each entry's file as it was read (its path -> the digest of its bytes): what a build made
        of posts/ is this, not the files as they are a moment later (lastbuild.fingerprint)."""
        return self._read[4]

    def report(self) -> Report:
        """Every problem of notepress.yml and posts/ (a fresh Report the caller may add to)."""
        entries, problems, files_read, _, _ = self._read
        report = Report(self.root, [*self.config_problems, *problems])
        report.files_read = files_read
        return report

    @property
    def held_out(self) -> tuple[HeldOut, ...]:
        """The entries left out for their errors, as far as they were read (see entries.HeldOut)."""
        return self._read[3]

    @property
    def held_entries(self) -> list[Entry]:
        """What could be read of the entries left out that can never be public: never shown, only
        the names they make confidential and the text the audit looks for (screen, publish.finish)."""
        return [h.entry for h in self.held_out if h.entry is not None]

    @property
    def entries(self) -> list[Entry]:
        """The entries that validated (previews and `check` go on with these; a build first
        `require`s that there is no problem)."""
        return list(self._read[0])

    def require(self, *, strict: bool = False, build: bool = False) -> Project:
        """Itself; NotepressError with every problem when notepress.yml or any entry has an error
        (with `strict`, a warning). With `build`, the problems as a build sees them (build_report;
        with `strict` too, every problem stops it)."""
        self.require_config(strict=strict)
        (self.build_report() if build and not strict else self.report()).raise_if_errors(strict)
        return self

    def build_report(self) -> Report:
        """Every problem as a build sees them: an error of an entry whose front matter says it is
        private or internal is a warning naming it, and the build goes on without it (it could not
        reach the public); an error of a public entry, of one whose audience cannot be read, of
        notepress.yml or of the posts folder stays an error."""
        declared = {h.source: h.audience for h in self.held_out} | {e.source: e.audience for e in self.entries}
        report = self.report()
        report.problems = [_not_public(p, declared[p.path]) if p.severity == "error" and p.path in declared
                           and declared[p.path] in ("private", "internal") else p for p in report.problems]
        return report

    def go_on(self) -> list[Problem]:
        """For a command that does not publish (the review tools, a newsletter draft), which goes on
        with the valid entries: every problem of posts/ when an entry has an error, else none.
        NotepressError when notepress.yml has an error, or something that is no entry's (the posts
        folder is missing)."""
        self.require_config()
        problems = list(self._read[1])
        sources = {h.source for h in self.held_out} | {e.source for e in self.entries}
        stopping = [p for p in problems if p.severity == "error" and p.path not in sources]
        if stopping:
            raise NotepressError(stopping)
        return problems if any(p.severity == "error" for p in problems) else []

    def errors_of(self, slugs: set[str]) -> list[Problem]:
        """The errors of the entries called `slugs` (those an issue of the newsletter shows): of the
        valid ones (a rule across entries), and of those left out as far as their slug could be read
        (one left out for a slug another entry has too: which of the two is meant cannot be told).
        One whose front matter cannot be read has no slug: an issue showing it finds it gone."""
        sources = {e.source for e in self.entries if e.slug in slugs} | \
            {h.source for h in self.held_out if h.slug in slugs}
        return [p for p in self._read[1] if p.severity == "error" and p.path in sources]

    @property
    def left_out(self) -> list[str]:
        """The files of the entries left out for an error (a draft's problems are warnings: not one)."""
        failing = {p.path for p in self._read[1] if p.severity == "error"}
        return [h.source for h in self.held_out if h.source in failing]

    @property
    def warnings(self) -> list[Problem]:
        return self.report().warnings

    # -- the gate --------------------------------------------------------------------------------------

    def view(self, reader: Reader, *, drafts: bool = False, valid: bool = False) -> View:
        """The entries `reader` may see today (see audience.gate); NotepressError when an entry has
        an error, unless `valid`: then of the valid entries (see go_on; the caller shows the problems)."""
        if valid:
            self.go_on()
        else:
            self.require()
        return gate(self.entries, self.config, reader, drafts=drafts, today=self.today)

    def team(self, *, valid: bool = False) -> View:
        """The team's view, for what the team reads (the newsletter): NotepressError naming every link
        from an entry the team sees to one it does not (see team.py); `valid` as for `view`."""
        from .team import team_links

        view = self.view(Reader.TEAM, valid=valid)
        problems = team_links(view, [*self.held_entries, *self.entries])
        if problems:
            raise NotepressError(problems)
        return view

    def screen(self, *, drafts: bool = False, redact: bool | None = None, entries: list[Entry] | None = None):
        """The public view after the rules of a public page (see screen.screen_public), of the valid
        `entries` (default: all of them, which must all be valid)."""
        from .rendered import Renderer
        from .screen import screen_public

        entries = self.require().entries if entries is None else entries
        renderer = Renderer(self.root, *self.markdown)
        found = self.engine_settings
        return screen_public(entries, self.config, drafts=drafts, redact=redact, renderer=renderer, today=self.today,
                             held=self.held_entries,
                             engine_text=found.raw.decode("utf-8", "replace") if found else "",
                             site_name=str(found.data.get("site_name") or "") if found else "")


def _not_public(problem: Problem, audience: str) -> Problem:
    """An error of a private or internal entry, as the warning a build gives and goes on past."""
    return dataclasses.replace(problem, severity="warning", message=f"{problem.message}; the build goes on without "
                               f"this {audience} entry until it is fixed")


Repo = Project | Path | str  # what the API's functions take: the Project a command opened, or a repo's path


def opened(where: Repo, today: dt.date | None = None) -> Project:
    """`where` as a Project: the one a command opened, or the repo at that path, opened now."""
    project = where if isinstance(where, Project) else Project.open(where)
    return project.on(today)
