"""Problems found in the user's files, and the exception that carries them.

Every problem names the file, the line and the field, says what is wrong and how to fix it:

    posts/a.md:3: audience: "Public" is not one of public, internal, private (write it in lower case)

Nothing in the library prints or exits; the CLI and the MkDocs plugin turn a `NotepressError`
into one line per problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    fix: str = ""
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        what = f"{self.field}: {self.message}" if self.field else self.message
        fix = f" ({self.fix})" if self.fix else ""
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{what}{fix}" if where else f"{label}{what}{fix}"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
            "severity": self.severity,
        }


class NotepressError(Exception):
    """One or more problems that stop the command. `str()` is one line per problem.

    Raise it with Problems, so that every output (the CLI's lines, `check --format json`, the
    preview's page) can show the file, line, field and fix; a bare string is only for a message
    that comes whole from elsewhere (an SMTP server's reply), and becomes a problem with no file."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Report:
    """Collects problems while a stage reads everything, so all of them are reported at once."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0  # entry files read, for summaries

    def rel(self, path: Path) -> str:
        """`path` as the user knows it: relative to the repo root, with forward slashes."""
        text, prefix = str(path), f"{self.root}{os.sep}"
        rel = text[len(prefix):] if text.startswith(prefix) else text
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def error(self, path: Path | str, line: int, fld: str, message: str, fix: str = "") -> None:
        self._add(path, line, fld, message, fix, "error")

    def warning(self, path: Path | str, line: int, fld: str, message: str, fix: str = "") -> None:
        self._add(path, line, fld, message, fix, "warning")

    def _add(self, path, line, fld, message, fix, severity) -> None:
        shown = self.rel(path) if isinstance(path, Path) else path
        self.problems.append(Problem(shown, line, fld, message, fix, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        failing = self.problems if strict else self.errors
        if failing:
            raise NotepressError(
                [Problem(p.path, p.line, p.field, p.message, p.fix, "error") for p in failing]
            )
