"""The newsletter archive: one folder per issue, tracked in git.

    newsletters/007-2026-11-22/
        index.html      the email as a web page (open it in a browser)
        email.txt       the plain-text part
        message.eml     a complete MIME message (open it in a mail client, or send it)
        issue.md        the issue as the writer edits it: subject, intro, featured and dropped insights,
                        their order (edited.py); `draft` writes it and keeps its edits
        issue.json      number, period, subject, preheader, entry slugs
        send-journal.jsonl  each copy's attempt and outcome, appended as they happen (`newsletter send`;
                        an issue sent before the journal has send-log.json instead, still read)
        images/         the images the issue shows (inline parts of message.eml; the web page links them)

An issue with at least one recipient served, or possibly served (a copy in flight when a send was
killed), is sent: it is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..output import staging_dir, swap_in
from ..problems import NotepressError, Problem
from . import journal

RECORD = "issue.json"
FOLDER = re.compile(r"^(\d{3,})-(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class IssueRecord:
    number: int
    since: dt.date
    until: dt.date
    subject: str
    preheader: str
    top_theme: str
    entries: tuple[str, ...]
    created: str  # ISO timestamp
    folder: Path = field(default=Path(), compare=False)
    values: dict = field(default_factory=dict, compare=False)  # what the subject template may use, but the title
    own_subject: bool = False  # the subject is the writer's (issue.md), not notepress.yml's template
    proposed_subject: str = ""  # the subject notepress last wrote into issue.md
    proposed: tuple[str, ...] = ()  # the insights notepress proposed in issue.md: one it no longer lists was dropped
    edited: str = ""  # the digest of the issue.md this issue was rendered from
    warnings: tuple = field(default=(), compare=False)  # about issue.md, for the command to show (not kept)
    added: tuple = field(default=(), compare=False)  # the insights `draft` just added to issue.md (not kept)

    @property
    def period(self) -> str:
        return f"{self.since.isoformat()} to {self.until.isoformat()}"

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("folder")
        data.pop("warnings")
        data.pop("added")
        data.update(since=self.since.isoformat(), until=self.until.isoformat(), entries=list(self.entries),
                    proposed=list(self.proposed))
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, folder: Path) -> IssueRecord:
        try:
            data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            return cls(number=int(data["number"]), since=dt.date.fromisoformat(data["since"]),
                       until=dt.date.fromisoformat(data["until"]), subject=data["subject"],
                       preheader=data.get("preheader", ""), top_theme=data.get("top_theme", ""),
                       entries=tuple(data.get("entries", ())), created=data.get("created", ""), folder=folder,
                       values=dict(data.get("values") or {}), own_subject=bool(data.get("own_subject", False)),
                       proposed_subject=data.get("proposed_subject", ""), proposed=tuple(data.get("proposed", ())),
                       edited=data.get("edited", ""))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise NotepressError(Problem(str(folder / RECORD), 0, "", f"unreadable issue record ({e}); restore it from git"))


def folder_name(number: int, created: dt.date) -> str:
    return f"{number:03d}-{created.isoformat()}"


def issues(archive_dir: Path) -> list[IssueRecord]:
    """Every issue in the archive, by number."""
    if not archive_dir.is_dir():
        return []
    found = [IssueRecord.read(p) for p in archive_dir.iterdir()
             if p.is_dir() and FOLDER.match(p.name) and (p / RECORD).exists()]
    return sorted(found, key=lambda r: r.number)


def find(archive_dir: Path, number: int | None = None) -> IssueRecord:
    """Issue `number`, or the newest one."""
    all_issues = issues(archive_dir)
    if not all_issues:
        raise NotepressError(Problem(f"{archive_dir.name}/", 0, "", "no newsletter issues yet",
                                     "run `notepress newsletter draft`"))
    if number is None:
        return all_issues[-1]
    for record in all_issues:
        if record.number == number:
            return record
    raise NotepressError(Problem(f"{archive_dir.name}/", 0, "", f"no issue #{number}",
                                 f"issues: {', '.join(str(r.number) for r in all_issues)}"))


def read_log(folder: Path) -> dict[str, dict]:
    """recipient address -> {"status": "sent" | "failed" | "unknown", "code", "error", "message_id",
    "at"}, plus "round" (2, 3…) for copies sent again with --force; "unknown" is a copy in flight
    when a send was killed. From the send journal, and an older send-log.json (journal.py)."""
    return journal.read(folder).entries


def served(log: dict[str, dict]) -> set[str]:
    return {address for address, result in log.items() if result.get("status") == "sent"}


def is_sent(record: IssueRecord) -> bool:
    """At least one copy went out, or may have (in flight when a send was killed)."""
    return any(r.get("status") in ("sent", "unknown") for r in read_log(record.folder).values())


def save(folder: Path, record: IssueRecord, files: dict[str, bytes], replaces: IssueRecord | None) -> Path:
    """Write an issue's files into `folder`, swapped in whole; replaces an unsent draft (whose folder
    the caller keeps: issue.md keeps its path while the writer edits it)."""
    if replaces is not None and is_sent(replaces):
        raise NotepressError(Problem(str(replaces.folder), 0, "", f"issue #{replaces.number} was sent and is never rewritten"))
    stage = staging_dir(folder)
    stage.mkdir(parents=True, exist_ok=True)  # staging_dir may already have made it
    for name, data in {**files, RECORD: record.to_json().encode()}.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_bytes(data)
    if replaces is not None and replaces.folder != folder:
        shutil.rmtree(replaces.folder)
    swap_in(stage, folder)
    return folder
