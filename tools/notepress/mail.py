"""E-mail addresses and their domains: one validation used by the config, recipient lists and `--test`."""

from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr

# Labels of letters, digits and hyphens; the last one letters, or an internationalised one (xn--...).
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
                    r"|^localhost$", re.I)


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


def domain_key(text: str) -> str | None:
    """A domain as it is compared: `Example.COM`, `example.com.` and `ｅｘａｍｐｌｅ.com` are `example.com`;
    `Bücher.example` is `xn--bcher-kva.example`, its IDNA form. None when it is not a domain.

    Each label is NFKC-normalised and lower-cased (not case-folded: `ß` stays `ß`, as IDNA 2008 has it,
    so `faß.de` is not `fass.de`), and a non-ASCII one written in Punycode. A label with anything but
    letters, digits and hyphens (an invisible character pasted with it, a `*`, an `@`) is not a domain:
    nothing is guessed, so a look-alike never becomes the domain it resembles.
    """
    text = unicodedata.normalize("NFKC", text.strip()).lower()
    text = text[:-1] if text.endswith(".") else text
    labels = []
    for label in text.split("."):
        if not label.isascii():
            if not all(c == "-" or unicodedata.category(c)[0] in "LMN" for c in label):
                return None
            try:
                label = "xn--" + label.encode("punycode").decode("ascii")
            except UnicodeError:
                return None
        labels.append(label)
    key = ".".join(labels)
    return key if DOMAIN.match(key) else None
