"""The newsletter archive: one folder per issue, tracked in git.

    newsletters/007-2026-11-22/
        index.html      the email as a web page (open it in a browser)
        email.txt       the plain-text part
        message.eml     a complete MIME message (open it in a mail client, or send it)
        issue.json      number, period, subject, preheader, entry slugs
        send-log.json   who was served, as it happens (written by `newsletter send`)
        images/         the images the issue shows (inline parts of message.eml; the web page links them)

An issue with at least one recipient served is sent: it is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..output import staging_dir, swap_in, write_atomic
from ..problems import NotepressError, Problem

RECORD = "issue.json"
LOG = "send-log.json"
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

    @property
    def period(self) -> str:
        return f"{self.since.isoformat()} to {self.until.isoformat()}"

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("folder")
        data.update(since=self.since.isoformat(), until=self.until.isoformat(), entries=list(self.entries))
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, folder: Path) -> IssueRecord:
        try:
            data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            return cls(number=int(data["number"]), since=dt.date.fromisoformat(data["since"]),
                       until=dt.date.fromisoformat(data["until"]), subject=data["subject"],
                       preheader=data.get("preheader", ""), top_theme=data.get("top_theme", ""),
                       entries=tuple(data.get("entries", ())), created=data.get("created", ""), folder=folder,
                       values=dict(data.get("values") or {}))
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
    """recipient address -> {"status": "sent" | "failed", "code", "error", "message_id", "at"}, plus
    "round" (2, 3…) for copies sent again with --force."""
    path = folder / LOG
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))["recipients"]
    except (OSError, ValueError, KeyError) as e:
        raise NotepressError(Problem(str(path), 0, "", f"unreadable send log ({e}); restore it from git before sending again"))


class SendLog:
    """The send log, rewritten atomically after every recipient.

    Only the changed entry is re-encoded, so a write stays cheap for a long list (json with
    indent runs in pure Python: re-encoding 1,000 entries per recipient would cost more than
    sending)."""

    def __init__(self, folder: Path, entries: dict[str, dict]):
        self.folder = folder
        self.entries = dict(entries)
        self.keys = {a.lower(): a for a in self.entries}
        self.parts = {a: self._encode(a, e) for a, e in self.entries.items()}

    def get(self, address: str) -> dict | None:
        key = self.keys.get(address.lower())
        return None if key is None else self.entries[key]

    def record(self, address: str, entry: dict) -> None:
        key = self.keys.setdefault(address.lower(), address)
        self.entries[key] = entry
        self.parts[key] = self._encode(key, entry)
        self.save()

    def save(self) -> None:
        body = ",\n".join(self.parts.values())
        write_atomic(self.folder / LOG, ('{\n "recipients": {\n' + body + "\n }\n}\n").encode())

    @staticmethod
    def _encode(address: str, entry: dict) -> str:
        inner = json.dumps(entry, indent=1, ensure_ascii=False).replace("\n", "\n  ")
        return f"  {json.dumps(address, ensure_ascii=False)}: {inner}"


def served(log: dict[str, dict]) -> set[str]:
    return {address for address, result in log.items() if result.get("status") == "sent"}


def is_sent(record: IssueRecord) -> bool:
    return bool(served(read_log(record.folder)))


def save(archive_dir: Path, record: IssueRecord, files: dict[str, bytes], replaces: IssueRecord | None) -> Path:
    """Write an issue's files into a fresh folder, swapped in whole; replaces an unsent draft."""
    if replaces is not None and is_sent(replaces):
        raise NotepressError(Problem(str(replaces.folder), 0, "", f"issue #{replaces.number} was sent and is never rewritten"))
    folder = archive_dir / folder_name(record.number, dt.date.fromisoformat(record.created[:10]))
    stage = staging_dir(folder)
    stage.mkdir(parents=True, exist_ok=True)  # staging_dir may already have made it
    for name, data in {**files, RECORD: record.to_json().encode()}.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_bytes(data)
    if replaces is not None and replaces.folder != folder:
        shutil.rmtree(replaces.folder)
    swap_in(stage, folder)
    return folder
