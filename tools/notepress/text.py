"""The one comparison form of text, used on both sides of the audience boundary.

`check` compares the confidential terms with the source (so an error names the entry, the line
and the field); the audit compares the terms and the text of non-public entries with every built
file. Both compare *tokens* of the same folded form, so nothing a writer's text really contains
gets past one side and not the other:

- Unicode NFKC (fullwidth letters, ligatures, composed and decomposed accents are one form),
  case folded;
- default-ignorable code points, pictographs (emoji) and control characters removed (soft hyphen,
  zero-width space and joiners, variation selectors, and the rest of that Unicode property; NUL),
  so `North\u00adwind` is `northwind`;
- each character of a script written without spaces between words (Han, kana, Thai, Hangul, …)
  is a token of its own, so a name in those scripts is found inside a sentence;
- a character that looks like a Latin letter is that letter (Unicode's confusables: Cyrillic `с`,
  Greek `Η`), and every other one is written in Latin letters (anyascii), so accents and marks,
  `İ` and `ı`, `ø`, traditional and simplified Han do not matter either;
- then any run of characters that are not letters or digits (spaces, punctuation, underscores,
  symbols) is one separator: `Northwind_Logistics` is `northwind logistics`.

A term matches a run of whole tokens, or its tokens written together (`northwindlogistics.com`,
`#NorthwindLogistics`). Markup is text too: `markup_text` gives what a reader of an HTML page sees
(every tag but a block's joins the words around it, entities decoded) plus its attribute values,
comments and decoded URLs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import html
import importlib.resources
import json
import re
import urllib.parse
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex
from anyascii import anyascii

IGNORABLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Extended_Pictographic}\p{Emoji_Modifier}]+")
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1d\x1f\x7f-\x9f]+")
BLOCK = "\x1e"  # where markup_text ends a block of text (a paragraph, an item): a separator like a space  # shown as nothing (a NUL in a title), unlike tabs and breaks
NOSPACE_CLASS = (r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
                 r"\p{Tibetan}\p{Yi}\p{Tai_Tham}\p{Tai_Le}\p{New_Tai_Lue}\p{Balinese}\p{Javanese}")
NOSPACE = regex.compile(rf"[{NOSPACE_CLASS}]\p{{M}}*")
# The blocks those scripts live in: a quick test before the exact one (most text has none of them).
NOSPACE_BLOCKS = re.compile("[\u0e00-\u109f\u1100-\u11ff\u1780-\u17ff\u1950-\u1aaf\u1b00-\u1b7f"
                               "\u2e80-\u9fff\ua000-\ua4cf\ua960-\ua9df\uac00-\ud7ff\uf900-\ufaff"
                               "\uff00-\uffef\U00020000-\U0003ffff]")
ASCII_WORD = re.compile(r"[a-z0-9]+")
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
GRAPHEME = regex.compile(r"\X")

# Tags that end a line of text for a reader; every other tag (`<em>`, `<span>`, `<img>`, an unknown
# element) sits inside a word without separating it: `North<em>wind</em>` reads "Northwind".
BREAK_TAG = re.compile(
    r"</?(?:address|article|aside|audio|blockquote|body|br|button|canvas|caption|dd|details|dialog|div|dl|dt|"
    r"embed|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr|html|iframe|input|li|link|main|meta|"
    r"nav|noscript|object|ol|option|p|pre|script|section|select|source|style|summary|table|tbody|td|textarea|"
    r"tfoot|th|thead|title|tr|track|ul|video)\b[^<>]*>")
BREAK_TAG_ANY_CASE = re.compile(BREAK_TAG.pattern, re.IGNORECASE)  # only for text with upper-case tags
UPPER_TAG = re.compile(r"</?[A-Z]")
TAG = re.compile(r"<[a-zA-Z/][^<>]*>")
HIDDEN = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|<\?[^<>]*\?>|<![a-zA-Z][^<>]*>", re.DOTALL)  # no break
COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
IMAGE = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
URL_LIKE = re.compile(r"[^\s\"'<>]+")
DATA_URL = re.compile(r"data:([^,\s\"'<>]*?),([^\s\"'<>)]*)", re.IGNORECASE)
ATTRIBUTE_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"),  # outside tags too: harmless
                    re.compile(r"=([^\s\"'=<>`]+)"))


def tokens(text: str) -> list[str]:
    """The comparison form as a list of tokens (see the module's docstring)."""
    if text.isascii():
        return ASCII_WORD.findall(CONTROL.sub("", text).lower() if CONTROL.search(text) else text.lower())
    text = _normalize(text)
    if NOSPACE_BLOCKS.search(text) and NOSPACE.search(text):
        text = NOSPACE.sub(r" \g<0> ", text)
    return ASCII_WORD.findall(NON_ASCII.sub(_latin, text).lower())


def _latin(match: re.Match) -> str:
    return anyascii(match.group())


@functools.cache
def _look_alikes() -> dict[int, str]:
    """Every character that looks like a Latin letter or digit, to that letter (Unicode's confusables,
    as the confusable-homoglyphs package ships them): Cyrillic `с`, Greek `Η`, mathematical `𝐍`."""
    data = json.loads(importlib.resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text())
    return {ord(other["c"]): latin for latin, others in data.items() if latin.isascii() and latin.isalnum()
            for other in others if len(other["c"]) == 1 and not other["c"].isascii()}


def _normalize(text: str) -> str:
    """NFKC, case folded, look-alike letters as the Latin letter they look like, without invisible
    and control characters (`tokens` then writes what is left in Latin letters)."""
    text = IGNORABLE.sub("", unicodedata.normalize("NFKC", CONTROL.sub("", text))).translate(_look_alikes())
    text = unicodedata.normalize("NFKC", text.casefold())
    return IGNORABLE.sub("", text)  # NFKC can turn a character into an ignorable one (U+FFA0)


def markup_text(raw: str, escaped: int = 1) -> str:
    """What an HTML (or XML) text says to a reader and a search engine: the visible text, with
    entities decoded (`escaped` times: a feed carries escaped HTML) and tags removed as a browser
    shows them (see BREAK_TAG), then every attribute value and comment, where names hide too
    (`content="…"`, `<!-- -->`), with URLs percent-decoded and `data:` URLs unpacked."""
    text = raw
    for _ in range(escaped):
        if "&" in text:
            text = html.unescape(text)
    extra = []
    if "<" in text:
        extra += COMMENT.findall(text)
        for values in ATTRIBUTE_VALUES:  # in one pass over the text (a match outside a tag only adds words)
            extra += values.findall(text)
        breaks = BREAK_TAG_ANY_CASE if UPPER_TAG.search(text) else BREAK_TAG  # twice as fast in one case
        text = HIDDEN.sub("", text)
        if "<img" in text or "<IMG" in text:  # an image that does not load shows its alt text in the line
            text = IMAGE.sub(_alt, text)
        text = TAG.sub("", breaks.sub(BLOCK, text))
    if "%" in raw:
        extra += _percent_encoded(raw)
    if "data:" in raw:
        extra += [_data_url(m.group(1), m.group(2)) for m in DATA_URL.finditer(raw)]
    return BLOCK.join([text, *dict.fromkeys(extra)])  # each distinct attribute value and comment once


def _alt(match: re.Match) -> str:
    alt = ALT.search(match.group())
    return next(v for v in alt.groups() if v is not None) if alt else ""


def _percent_encoded(raw: str) -> list[str]:
    """Every URL-like word with a %XX escape, decoded (in linear time: a minified script is one line)."""
    out = []
    m = PERCENT.search(raw)
    while m:
        end = m.end()
        for word in URL_LIKE.finditer(raw, max(0, m.start() - 500), m.end() + 500):
            if word.start() <= m.start() < word.end():
                out.append(_unquote(word.group()))
                end = word.end()
                break
        m = PERCENT.search(raw, end)
    return out


@functools.lru_cache(maxsize=4096)  # a site repeats its URLs (an author's avatar is on every page)
def _unquote(word: str) -> str:
    return urllib.parse.unquote(word)


@functools.lru_cache(maxsize=1024)
def _data_url(kind: str, payload: str) -> str:
    """The text a `data:` URL carries (an inline SVG draws its words too)."""
    try:
        data = base64.b64decode(urllib.parse.unquote(payload), validate=False) if kind.lower().endswith(";base64") \
            else urllib.parse.unquote_to_bytes(payload)
    except (ValueError, binascii.Error):
        return ""
    text = data.decode("utf-8", errors="replace")
    return markup_text(text) if "<" in text and "data:" not in text else text


@dataclass(frozen=True)
class Hit:
    term: str  # as configured or written in the insight
    start: int  # span in the original text
    end: int


class Terms:
    """Confidential terms, found as runs of whole tokens in the comparison form.

    `found_in(tokens)` answers for a built file (set operations, no positions); `find(text)` gives
    the spans in the original text, for error lines and for redaction. `find` also finds a word of
    a name broken by a mark that is not a space (`North-wind`, `North·wind`, `Light🏠house`), as
    copy-paste and hyphenation leave it; `North wind`, two words, is other text.
    """

    def __init__(self, terms: Iterable[str]):
        self.keys: dict[int, dict[object, str]] = {}  # number of tokens -> key -> term
        self.first: dict[int, set[str]] = {}
        self.starts: set[str] = set()  # a term's first word, or its beginning of 3 letters or more
        self.joined: dict[str, list] = {}  # a term's words written together -> (order, its words, term)
        self.words: dict[str, list[str]] = {}  # term -> its tokens
        self._within: dict[str, frozenset[str]] = {}
        together: list[tuple[list[str], str]] = []  # keyed after every term as written: the term
        for order, term in enumerate(terms):        # `Harborview` before `Harbor View` written together
            words = self.words.setdefault(term, tokens(term))
            if len(words) > 1 and not NOSPACE.search(term):  # `northwindlogistics`; not 李娜 as "lina"
                together.append((["".join(words)], term))
            if words:
                self._key_of(words, term)
            if words and not NOSPACE.search(term):
                self.starts.update([words[0], *(words[0][:k] for k in range(3, len(words[0])))])
                self.joined.setdefault("".join(words), []).append((order, words, term))
        for form, term in together:
            self._key_of(form, term)
        self.beginnings = {joined[:k] for joined in self.joined for k in range(1, len(joined) + 1)}

    def _key_of(self, form: list[str], term: str) -> None:
        self.keys.setdefault(len(form), {}).setdefault(_key(form), term)
        self.first.setdefault(len(form), set()).add(form[0])

    def __bool__(self) -> bool:
        return bool(self.keys)

    def found_in(self, words: list[str], vocabulary: set[str] | None = None) -> set[str]:
        """The terms found in a token list (`vocabulary`: its set of tokens, if already made), without
        those that are words of another term found (a customer's word inside its whole name)."""
        found = self._found(words, set(words) if vocabulary is None else vocabulary)
        if len(found) > 1:
            found = {t for t in found if not any(t != other and t in self.within(other) for other in found)}
        return found

    def within(self, term: str) -> frozenset[str]:
        """The terms that are a run of `term`'s words, `term` included (`Harborview` in `Harborview
        Outfitters`): matched where `term` is, so reported with it."""
        if term not in self._within:
            words = self.words.get(term) or tokens(term)
            self._within[term] = frozenset({term, *self._found(words, set(words))})
        return self._within[term]

    def _found(self, words: list[str], vocabulary: set[str]) -> set[str]:
        found: set[str] = set()
        for n, keys in self.keys.items():
            firsts = vocabulary.intersection(self.first[n])
            if not firsts:
                continue
            grams = firsts if n == 1 else {_key(words[i:i + n]) for i in _positions(words, firsts)
                                           if i + n <= len(words)}  # the runs that begin with a term's word
            found.update(keys[k] for k in keys.keys() & grams)
        return found

    def find(self, text: str) -> list[Hit]:
        """Every match in `text`, with its span in `text`, in order."""
        if not self.keys:
            return []
        folded = tokens(text)
        if not self.may_be_in(folded):
            return []
        spanned = list(spanned_tokens(text))
        words = [w for w, _, _ in spanned]
        spaced = [any(c.isspace() for c in text[a[2]:b[1]]) for a, b in zip(spanned, spanned[1:])]
        hits = [Hit(term, spanned[i][1], spanned[j][2]) for term, i, j in self._broken(words, spaced)]
        for n, keys in self.keys.items():
            for i, gram in enumerate(zip(*(words[j:] for j in range(n)))):
                if _key(list(gram)) in keys:
                    hits.append(Hit(keys[_key(list(gram))], spanned[i][1], spanned[i + n - 1][2]))
        if not hits:  # the fast form found a term the position-keeping form cannot place
            hits = [Hit(term, 0, len(text)) for term in sorted(self.found_in(folded))]
        return _outermost(hits)

    def may_be_in(self, words: list[str]) -> bool:
        """Whether `find` can find anything in text with these tokens (a quick test first)."""
        return bool(self.found_in(words)) or any(self._broken(words, [False] * len(words)))

    def _broken(self, words: list[str], spaced: list[bool]) -> Iterator[tuple[str, int, int]]:
        """(term, first, last) of the runs of tokens that are a term with a word broken in pieces that
        no space separates (`spaced[k]`: a space between token k and k+1).

        From each token that begins a term's first word (3 letters or more, or the whole word), the
        tokens that follow are joined while they begin a term written together: where they spell one,
        its words must start and end at tokens and no space may fall inside one.
        """
        for i in _positions(words, self.starts.intersection(words)):
            word, found, written, ends = words[i], [], "", []
            for k in range(i, len(words)):
                written += words[k]
                if written not in self.beginnings:
                    break
                ends.append(len(written))
                for order, term_words, term in self.joined.get(written, ()):
                    if k - i + 1 > len(term_words) and (len(word) >= 3 or word == term_words[0]) \
                            and _pieces(term_words, ends, spaced[i:k]):
                        found.append((order, term, k))
            yield from ((term, i, k) for _, term, k in sorted(found))


def _pieces(term_words: list[str], ends: list[int], spaced: list[bool]) -> bool:
    """Whether tokens ending at `ends` (offsets in the words written together) are the words of a
    term each in one or more pieces, with no space (`spaced`, between the tokens) inside a word."""
    cuts, at = set(), 0
    for word in term_words[:-1]:
        at += len(word)
        cuts.add(at)
    if not cuts.issubset(ends):
        return False
    return not any(gap and end not in cuts for end, gap in zip(ends, spaced))


def _positions(words: list[str], wanted: set[str]) -> list[int]:
    """Where the tokens in `wanted` are in `words`, in order (list.index: no Python loop over every token)."""
    found = []
    for word in wanted:
        at = -1
        with contextlib.suppress(ValueError):
            while True:
                at = words.index(word, at + 1)
                found.append(at)
    return sorted(found)


def _key(words: list[str]):
    """How a run of tokens is kept: the word itself, or the hash of several (cheaper than joining)."""
    return words[0] if len(words) == 1 else hash(tuple(words))


def keyed_ngrams(words: list[str], n: int) -> set:
    """The keys (see `_key`) of every run of `n` tokens."""
    return set(words) if n == 1 else set(map(hash, zip(*(words[i:] for i in range(n)))))


def spanned_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(token, start, end) in the original text: the tokens of `tokens`, made grapheme by grapheme."""
    word: list[str] = []
    start = end = 0
    for m in GRAPHEME.finditer(text):
        g = m.group()
        if g.isascii():
            g = CONTROL.sub("", g).lower()
        else:
            g = _normalize(g)
            g = f" {g} " if NOSPACE.match(g) else g  # a token of its own, as in `tokens`
            g = anyascii(g).lower()
        for ch in g:
            if ch.isascii() and ch.isalnum():
                if not word:
                    start = m.start()
                word.append(ch)
                end = m.end()
            elif word:
                yield "".join(word), start, end
                word = []
    if word:
        yield "".join(word), start, end


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Hits in order, without those inside another (a joined form inside a spaced one)."""
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if out and hit.end <= out[-1].end:
            continue
        out.append(hit)
    return out


def replace(text: str, hits: list[Hit], phrase: str) -> str:
    out, pos = [], 0
    for hit in hits:
        out += [text[pos:hit.start], phrase]
        pos = max(pos, hit.end)
    return "".join(out) + text[pos:]


# A quote the writer already put in quote marks: opening mark -> the closing marks that may end it.
QUOTE_MARKS = {'"': '"“”', "“": "”“\"", "„": "“”\"", "”": "”", "'": "'’", "‘": "’'", "’": "’",
               "«": "»", "»": "«", "‹": "›", "「": "」", "『": "』"}

APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")


def unquoted(text: str) -> str:
    """The quote without the quote marks the writer wrapped it in (`"…"`, `“…”`, `'…'`, `«…»`), so
    that the newsletter and the post quote it once; a quote that only starts or ends with a quoted part is kept."""
    text = text.strip()
    closing = QUOTE_MARKS.get(text[:1], "")
    if len(text) < 2 or not closing or text[-1] not in closing:
        return text
    inner = text[1:-1]
    marks = APOSTROPHE.sub("", inner)  # can't, l’équipe
    if any(mark in marks for mark in {text[0], text[-1]}):  # `"A" and "B"`: two quoted parts, not one quote
        return text
    return inner.strip()
