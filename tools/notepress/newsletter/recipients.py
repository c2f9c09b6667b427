"""Newsletter recipients: from a CSV file (an `email` column) or notepress.yml, all validated
before anything is sent, every bad address reported at once with its line."""

from __future__ import annotations

import csv
from email.utils import formataddr
import io
from email.headerregistry import Address
from pathlib import Path

from ..config import CONFIG_FILE, Config
from ..mail import parse_address
from ..problems import NotepressError, Problem, Report


def load_recipients(config: Config, csv_path: Path | None = None) -> list[str]:
    """The recipients from `csv_path`, else `newsletter.recipients_file`, else `newsletter.recipients`.

    Deduplicated case-insensitively in order. Every bad address is reported at once, with its line.
    """
    report = Report(config.root)
    if csv_path is not None:
        path = Path(csv_path)
        shown = report.rel(path.resolve()) if path.is_absolute() else path.as_posix()
        rows = _read_csv(path, shown)
        empty = Problem(shown, 0, "", "no recipients", "write one address per line under an `email` header")
    elif config.newsletter.recipients_file:
        path = config.root / config.newsletter.recipients_file
        shown = config.newsletter.recipients_file
        rows = _read_csv(path, shown)
        empty = Problem(shown, 0, "", "no recipients", "write one address per line under an `email` header")
    else:
        shown = CONFIG_FILE
        rows = [(0, "newsletter.recipients", a, "") for a in config.newsletter.recipients]
        empty = Problem(CONFIG_FILE, 0, "newsletter", "no recipients", "add `recipients_file: newsletter-recipients.csv` "
                        "with an `email` column, or a `recipients:` list")
    problems, out, seen = [], [], set()
    for line, column, text, person in rows:
        address = parse_address(text) if text else None
        if address is None:
            what = f"{text!r} is not a valid address" if text else "no address on this line"
            problems.append(Problem(shown, line, column, what, "fix or remove it"))
        elif address.addr_spec.lower() not in seen:
            seen.add(address.addr_spec.lower())
            out.append(formataddr((person, address.addr_spec)) if person and not address.display_name else text)
    if problems:
        raise NotepressError(problems)
    if not out:
        raise NotepressError(empty)
    return out


def _read_csv(path: Path, shown: str) -> list[tuple[int, str, str, str]]:
    """(line, column name, address, person's name or "") per non-blank row. The header is optional: a first row without
    any `@` is one, and its `email` (or `E-mail address`...) column is used, else the first column;
    a `name` column gives the name the address is written with (`Ana Lima <ana@example.com>`)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise NotepressError(Problem(shown, 0, "", "file not found", "create it with an `email` column, or fix the path"))
    except UnicodeDecodeError:
        raise NotepressError(Problem(shown, 0, "", "file is not UTF-8 text", "save it as UTF-8"))
    except OSError as e:
        raise NotepressError(Problem(shown, 0, "", f"cannot read it ({e.strerror})"))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, column, name, last, names = [], None, "email", 0, None
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if column is None:
                column = 0
                if not any("@" in c for c in cells):  # a header: use its `email` column, else the first
                    named = [i for i, c in enumerate(cells) if "email" in c.lower().replace("-", "")]
                    column = named[0] if named else 0
                    name = cells[column] or name
                    names = next((i for i, c in enumerate(cells) if c.lower() in ("name", "full name")), None)
                    continue
            address = cells[column] if column < len(cells) else ""
            person = cells[names] if names is not None and names < len(cells) else ""
            rows.append((line, name, address, person))
    except csv.Error as e:
        raise NotepressError(Problem(shown, reader.line_num, "", str(e), "fix the quoting on that line"))
    return rows


def addresses(texts: list[str], where: str) -> list[Address]:
    """Parsed, deduplicated addresses; every bad one reported at once."""
    out, seen, bad = [], set(), []
    for text in texts:
        address = parse_address(text)
        if address is None:
            bad.append(Problem(where, 0, "", f"{text!r} is not a valid address", "fix or remove it"))
        elif address.addr_spec.lower() not in seen:
            seen.add(address.addr_spec.lower())
            out.append(address)
    if bad:
        raise NotepressError(bad)
    return out
