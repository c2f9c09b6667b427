"""The one comparison form of text, used on both sides of the audience boundary.

`check` compares the confidential terms with the source (so an error names the entry, the line
and the field); the audit compares the terms and the text of non-public entries with every built
file. Both compare *tokens* of the same folded form, so nothing a writer's text really contains
gets past one side and not the other:

- Unicode NFKC (fullwidth letters, ligatures, composed and decomposed accents are one form),
  case folded;
- default-ignorable code points removed (soft hyphen, zero-width space and joiners, variation
  selectors, and the rest of that Unicode property), so `North\u00adwind` is `northwind`;
- any run of characters that are not letters or digits (spaces, punctuation, underscores, symbols,
  combining marks left after NFKC) is one separator: `Northwind_Logistics` is `northwind logistics`;
- each character of a script written without spaces between words (Han, kana, Thai, Hangul, …)
  is a token of its own, so a name in those scripts is found inside a sentence.

A term matches a run of whole tokens, or its tokens written together (`northwindlogistics.com`,
`#NorthwindLogistics`). Markup is text too: `markup_text` gives what a reader of an HTML page sees
(inline tags joined, entities decoded) plus its attribute values and comments.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}+")
NOSPACE_CLASS = (r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
                 r"\p{Tibetan}\p{Yi}\p{Tai_Tham}\p{Tai_Le}\p{New_Tai_Lue}\p{Balinese}\p{Javanese}")
NOSPACE = regex.compile(rf"[{NOSPACE_CLASS}]\p{{M}}*")
# The blocks those scripts live in: a quick test before the exact one (most text has none of them).
NOSPACE_BLOCKS = re.compile("[\u0e00-\u109f\u1100-\u11ff\u1780-\u17ff\u1950-\u1aaf\u1b00-\u1b7f"
                               "\u2e80-\u9fff\ua000-\ua4cf\ua960-\ua9df\uac00-\ud7ff\uf900-\ufaff"
                               "\uff00-\uffef\U00020000-\U0003ffff]")
WORD = re.compile(r"[^\W_]+")  # letters and digits; everything else (marks too) separates
ASCII_WORD = re.compile(r"[a-z0-9]+")
GRAPHEME = regex.compile(r"\X")

# Tags that sit inside a word without separating it (`North<em>wind</em>`); every other tag is a break.
INLINE_TAG = regex.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|"
                           r"span|strong|sub|sup|time|u|var|wbr)\b[^<>]*>", regex.IGNORECASE)
TAG = regex.compile(r"<[a-zA-Z/!?][^<>]*>")
COMMENT = regex.compile(r"<!--(.*?)-->", regex.DOTALL)
ATTRIBUTE = regex.compile(r"""\s[^\s=<>/"']+\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


def tokens(text: str) -> list[str]:
    """The comparison form as a list of tokens (see the module's docstring)."""
    if text.isascii():
        return ASCII_WORD.findall(text.lower())
    text = _normalize(text)
    words = WORD.findall(text)
    if NOSPACE_BLOCKS.search(text) and NOSPACE.search(text):
        words = WORD.findall(NOSPACE.sub(r" \g<0> ", " ".join(words)))
    return words


def _normalize(text: str) -> str:
    text = IGNORABLE.sub("", unicodedata.normalize("NFKC", text))
    text = unicodedata.normalize("NFKC", text.casefold())
    return IGNORABLE.sub("", text)  # NFKC can turn a character into an ignorable one (U+FFA0)


def fold(text: str) -> str:
    """The comparison form: tokens separated by single spaces."""
    return " ".join(tokens(text))


def joinable(word_tokens: list[str]) -> bool:
    """Whether tokens can also be written together as one word (not characters of a no-space script)."""
    return len(word_tokens) > 1 and not any(NOSPACE.match(t) for t in word_tokens)


def markup_text(raw: str) -> str:
    """What an HTML (or XML) text says to a reader and a search engine: the visible text, with
    entities decoded (twice: feeds carry escaped HTML) and inline tags removed without a break,
    then every attribute value and comment, where names hide too (`content="…"`, `<!-- -->`)."""
    text = raw
    for _ in range(2):
        if "&" in text:
            text = html.unescape(text)
    if "<" not in text:
        return text
    extra = COMMENT.findall(text)  # attribute values, found in one pass (text outside tags only adds words)
    extra += ["".join(value) for value in ATTRIBUTE.findall(text)]
    visible = TAG.sub(" ", INLINE_TAG.sub("", COMMENT.sub("", text)))
    return "\n".join([visible, *extra])


@dataclass(frozen=True)
class Hit:
    term: str  # as configured or written in the insight
    start: int  # span in the original text
    end: int


class Terms:
    """Confidential terms, found as runs of whole tokens in the comparison form.

    `found_in(tokens)` answers for a built file (set operations, no positions); `find(text)` gives
    the spans in the original text, for error lines and for redaction.
    """

    def __init__(self, terms: Iterable[str]):
        self.keys: dict[int, dict[str, str]] = {}  # number of tokens -> key -> term
        for term in terms:
            words = tokens(term)
            if not words:
                continue
            self.keys.setdefault(len(words), {}).setdefault(" ".join(words), term)
            if joinable(words):
                self.keys.setdefault(1, {}).setdefault("".join(words), term)
        self.first = {n: {key.split(" ", 1)[0] for key in keys} for n, keys in self.keys.items()}

    def __bool__(self) -> bool:
        return bool(self.keys)

    def found_in(self, words: list[str], vocabulary: set[str] | None = None) -> set[str]:
        """The terms found in a token list (`vocabulary`: its set of tokens, if already made)."""
        vocabulary = set(words) if vocabulary is None else vocabulary
        found: set[str] = set()
        for n, keys in self.keys.items():
            if vocabulary.isdisjoint(self.first[n]):
                continue
            found.update(keys[k] for k in keys.keys() & set(ngrams(words, n)))
        return found

    def find(self, text: str) -> list[Hit]:
        """Every match in `text`, with its span in `text`, in order."""
        if not self.keys:
            return []
        folded = tokens(text)
        if not self.found_in(folded):
            return []
        spanned = list(_spanned_tokens(text))
        words = [w for w, _, _ in spanned]
        hits = []
        for n, keys in self.keys.items():
            for i, gram in enumerate(ngrams(words, n)):
                if gram in keys:
                    hits.append(Hit(keys[gram], spanned[i][1], spanned[i + n - 1][2]))
        if not hits:  # the fast form found a term the position-keeping form cannot place
            hits = [Hit(term, 0, len(text)) for term in sorted(self.found_in(folded))]
        return _outermost(hits)


def ngrams(words: list[str], n: int) -> Iterator[str]:
    if n == 1:
        return iter(words)
    return map(" ".join, zip(*(words[i:] for i in range(n))))


def _spanned_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(token, start, end) in the original text: the tokens of `fold`, folded grapheme by grapheme."""
    word: list[str] = []
    start = end = 0
    for m in GRAPHEME.finditer(text):
        for ch in _normalize(m.group().lower() if m.group().isascii() else m.group()):
            if not WORD.match(ch) or NOSPACE.match(ch):
                if word:
                    yield "".join(word), start, end
                    word = []
                if WORD.match(ch):
                    yield ch, m.start(), m.end()
                continue
            if not word:
                start = m.start()
            word.append(ch)
            end = m.end()
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
