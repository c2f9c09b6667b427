"""E-mail addresses: one validation used by the config, recipient lists and `--test`."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$", re.I)


def parse_address(text: str) -> Address | None:
    """`Name <a@b.example>` or `a@b.example` as an Address, or None if it is not a deliverable form."""
    name, addr = parseaddr(text.strip())
    if not addr or text.count("@") != 1 or any(c in addr for c in " ,;<>\r\n"):
        return None
    try:
        address = Address(display_name=name, addr_spec=addr)
    except (HeaderParseError, ValueError, IndexError):
        return None
    if not address.username or not DOMAIN.match(address.domain):
        return None
    return address


def bad_addresses(texts) -> list[str]:
    return [t for t in texts if parse_address(t) is None]
