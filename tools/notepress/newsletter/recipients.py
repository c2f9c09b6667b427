"""Newsletter recipients: from a CSV file (an `email` column) or notepress.yml, all validated
before anything is sent, every bad address reported at once with its line.

The newsletter is internal: it goes only to addresses at the company's domains, `newsletter.allowed_domains`
in notepress.yml, by default the sender's domain. A domain is allowed when it is exactly one of them, compared
in one form (mail.domain_key: case, a final dot and IDNA make no difference); anything else is another domain,
however alike: `examp1e.com`, `example.co`, `example.com.evil.io`, and subdomains such as `eu.example.com`
until they are written too. Every address outside is refused with its row, before anything is sent.
"""

from __future__ import annotations

import csv
from email.utils import formataddr
import io
from email.headerregistry import Address
from pathlib import Path

from ..config import CONFIG_FILE, Config
from ..mail import domain_key, parse_address
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
        line = config.lines.get("newsletter.recipients", 0)
        rows = [(line, "newsletter.recipients", a, "") for a in config.newsletter.recipients]
        empty = Problem(CONFIG_FILE, 0, "newsletter", "no recipients", "add `recipients_file: newsletter-recipients.csv` "
                        "with an `email` column, or a `recipients:` list")
    allowed = allowed_domains(config) if config.newsletter.sender or config.newsletter.allowed_domains else None
    problems, out, seen = [], [], set()
    for line, column, text, person in rows:
        address = parse_address(text) if text else None
        if address is None:
            what = f"{text!r} is not a valid address" if text else "no address on this line"
            problems.append(Problem(shown, line, column, what, "fix or remove it"))
        elif allowed is not None and outside(address, allowed):  # without a sender: reported as missing
            problems.append(outside_problem(shown, line, column, address, config))
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


def addresses(texts: list[str], where: str, config: Config) -> list[Address]:
    """Parsed, deduplicated addresses at the allowed domains; every bad one reported at once."""
    out, seen, bad = [], set(), []
    allowed = allowed_domains(config)
    for text in texts:
        address = parse_address(text)
        if address is None:
            bad.append(Problem(where, 0, "", f"{text!r} is not a valid address", "fix or remove it"))
        elif outside(address, allowed):
            bad.append(outside_problem(where, 0, "", address, config))
        elif address.addr_spec.lower() not in seen:
            seen.add(address.addr_spec.lower())
            out.append(address)
    if bad:
        raise NotepressError(bad)
    return out


def allowed_domains(config: Config) -> tuple[str, ...]:
    """The domains the newsletter may go to: `newsletter.allowed_domains`, else the sender's; none
    without either (then every address is outside)."""
    if config.newsletter.allowed_domains:
        return config.newsletter.allowed_domains
    sender = parse_address(config.newsletter.sender or "")
    key = domain_key(sender.domain) if sender else None
    return (key,) if key else ()


def outside(address: Address, allowed: tuple[str, ...]) -> bool:
    """Is `address` at none of the `allowed` domains (exactly: a subdomain is another domain)?"""
    return domain_key(address.domain) not in allowed


def outside_problem(path: str, line: int, column: str, address: Address, config: Config) -> Problem:
    """The problem of an address outside the company, naming its row, the domains allowed and where they come from."""
    domain = domain_key(address.domain) or address.domain
    allowed = allowed_domains(config)
    if config.newsletter.allowed_domains:
        source = f"newsletter.allowed_domains: {', '.join(allowed)}"
    else:
        source = f"the sender's: {', '.join(allowed) or 'none, newsletter.sender is missing'}"
    return Problem(path, line, column, f"{address.addr_spec} is outside the company: {domain} is not an allowed "
                   f"domain ({source})",
                   f"remove it; only if {domain} is the company's own, add it to newsletter.allowed_domains")
