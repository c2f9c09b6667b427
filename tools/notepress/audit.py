"""Scan a built site for anything that belongs to a non-public entry, however it got there.

The gate decides what is published; the audit checks what was actually written, every file of the
site (pages, `search/search_index.json`, feeds, sitemaps, assets; gzipped ones unpacked; nothing
is skipped as binary, binary formats are read for their text runs). Files are compared in the one
form of text.py, so invisible characters, entities, markup and other scripts hide nothing. It
looks for:

- the confidential terms (every customer with its aliases, contacts and distinctive words, and
  the configured terms: customers.confidential), always;
- the text of non-public entries: every run of SHINGLE words of any of their fields, and every
  whole field of 3 to SHINGLE-1 words, unless a public entry, the site's settings or the theme
  also has it: so a run that exists only in non-public entries is found whether an include, a
  plugin, a template, a stale file or a copy into a hand-written page put it there;
- the slugs of non-public entries, in URLs and file names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .audience import Reader, gate
from .config import CONFIG_FILE, Config, hand_written_pages
from .cache import Store, cache_dir, digest as store_key
from .customers import confidential
from .model import Entry
from .templates import PACKAGED as TEMPLATES
from .filetext import ThemeFiles, file_text
from .text import BLOCK, Terms, keyed_ngrams, markup_text, tokens

SHINGLE = 7  # words: long enough that a run of them is the writer's own, short enough to find a sentence
MIN_FIELD_WORDS = 3
SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
SLUG_TOKEN = re.compile(r"[\w-]+")


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the site folder's parent, e.g. site/blog/index.html
    kind: str  # customer | confidential term | alias | contact | word | text | slug | file (a non-public
    text: str  # file of posts/, by its bytes)
    source: str  # the non-public entry it belongs to, or notepress.yml
    role: str = ""  # whose name it is: 'a word of the customer "Harborview Outfitters"' (customers.Name.role)

    def __str__(self) -> str:
        if self.role:
            return f'{self.file}: "{self.text}" ({self.role}, from {self.source})'
        return f'{self.file}: {self.kind} "{self.text}" (from {self.source})'

    @property
    def what(self) -> str:
        """What was found and where it comes from, as a leak's message says it."""
        if self.role:
            return f'"{self.text}" ({self.role}, from {self.source})'
        return f'{self.kind} "{self.text}" of non-public {self.source}'


@dataclass(frozen=True)
class _Origin:
    source: str  # the entry's path
    text: str  # the field as written


class Needles:
    """What must not be in a public site, built from every entry and the config.

    Runs of SHINGLE words are kept by the hash of their words (one set lookup per word of a file);
    shorter fields by their first three words, confirmed in the file's text when those are there.
    """

    def __init__(self, entries: list[Entry], config: Config, today: dt.date | None = None,
                 reader: Reader = Reader.PUBLIC):
        # What `reader`'s site shows, on the build's day: its text is no leak. For the public site that
        # is the public entries, and every name is confidential; for the team's hub, the team's view,
        # and the confidential names are the customers and contacts only what the team may not see
        # names (a configured term or a customer the team reads about is the team's to read).
        public = gate(entries, config, reader, today=today)
        hidden = [e for e in entries if e not in public]
        shown = [_fields(e) for e in public]
        names = confidential(entries, config) if reader is Reader.PUBLIC else _unseen_names(hidden, public, shown, config)
        terms = list(names)
        self.terms = Terms(terms)
        self.term_kind = {t: (n.kind, n.source) for t, n in names.items()}
        self.roles = {t: n.role for t, n in names.items() if n.role}  # whose name a term is, when not its own
        self.runs: dict[int, _Origin] = {}  # hash of SHINGLE words -> the field they come from
        self.pairs: set[int] = set()  # hashes of every two words in a row that a run, field or term has
        term_tokens = [tokens(t) for t in terms]
        self.term_words = {w for words in term_tokens for w in [*words, "".join(words)]}
        for words in term_tokens:
            self.pairs.update(map(hash, zip(words, words[1:])))
        self.short: dict[str, _Origin] = {}  # a whole field of MIN_FIELD_WORDS to SHINGLE-1 words
        self.hidden_words: list[list[str]] = []  # the fields that runs come from (see `fingerprint`)
        for e in hidden:
            for text in _fields(e):
                words = tokens(text)
                self.pairs.update(map(hash, zip(words, words[1:])))
                origin = _Origin(e.source, text)
                if len(words) >= SHINGLE:
                    self.hidden_words.append(words)
                    for h in _hashes(words):
                        self.runs.setdefault(h, origin)
                elif len(words) >= MIN_FIELD_WORDS:
                    self.short.setdefault(" ".join(words), origin)
        self.prefixes: dict[int, set[str]] = defaultdict(set)  # hash of a short field's first words
        for key in self.short:
            self.prefixes[_prefix(key)].add(key)
        self._forget_shown(shown, config, reader)
        # What a site puts side by side in lists, feeds and search (titles, tags, summaries, URLs):
        # a run across the break between two such blocks is two public texts, not a hidden one.
        self.public_blocks = {tuple(tokens(text)) for e in public for path in (e.post_path,)
                              for text in (e.title, e.summary, *e.tags, path, config.site_url + path)}
        # words on each side of a break that a run, a short field or a term can reach across it
        self.window = max([SHINGLE, *self.terms.keys, *(len(k.split()) for k in self.short)]) - 1
        self.blocks: dict[str, tuple[frozenset, tuple[str, ...], tuple[str, ...], bool]] = {}  # hits, first, last words, public
        self.across: dict[tuple[tuple[str, ...], tuple[bool, ...]], frozenset] = {}
        # Slugs are looked for as they are (in URLs, file names, JSON), only distinctive ones:
        # with a hyphen or a digit, so that a slug like `pricing` is not found in every page. An
        # entry's file name too, when its slug is another (`slug: renewal`): a link names the file.
        self.slugs = {name: e.source for e in hidden for name in (e.slug, e.path.stem) if re.search(r"[-\d]", name)}
        if reader is not Reader.PUBLIC:  # the hub names pages for what the team sees: themes/partial-payments/
            for name in _page_names(public):
                self.slugs.pop(name, None)

    def forget(self, texts: Iterable[str], runs: bool = True) -> None:
        """A run (and a short field) that a public source also has is not a leak."""
        for text in texts:
            self._take(*self._held(tokens(text), runs))

    def _forget_shown(self, shown: list[list[str]], config: Config, reader: Reader) -> None:
        """`forget` the texts of each shown entry, what they take away kept by their digest (cache.py)
        for as long as the same hidden texts are looked for: an entry shown again (all but the new
        one, build after build) is not read again. What a text takes away is found against every run
        and short field before any is taken away, so it is the same whatever the other texts are."""
        hidden = _digest(repr((sorted(self.short), self.hidden_words)))
        store = Store(f"audit-forget-{reader.value}", config.root, key=hidden)
        found = []
        for texts in shown:
            key = _digest("\0".join(texts))
            hit = store.get(key)
            if hit is None:
                held = [self._held(tokens(text)) for text in texts]
                hit = (tuple(g for runs, _ in held for g in runs), tuple(k for _, shorts in held for k in shorts))
                store.put(key, hit)
            found.append(hit)
        store.save()
        for runs, shorts in found:
            self._take(runs, shorts)

    def _held(self, words: list[str], runs: bool = True) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        """The runs (by their words) and the short fields looked for that `words` hold."""
        return (tuple(g for g in _grams(words) if hash(g) in self.runs) if runs else (), tuple(self._short_in(words)))

    def _take(self, runs: Iterable[tuple[str, ...]], shorts: Iterable[str]) -> None:
        """No longer look for these runs and short fields."""
        for gram in runs:
            self.runs.pop(hash(gram), None)
        for short in shorts:
            if self.short.pop(short, None) is not None:
                self.prefixes[_prefix(short)].discard(short)

    def fingerprint(self) -> bytes:
        """What these needles find, the same in every process (Python's hashes are not): the terms,
        the slugs, the short fields and, of every field that runs come from, its words and which
        of its runs are still looked for (the others a public text also has)."""
        h = hashlib.blake2b(repr((sorted(self.term_kind), sorted(self.slugs), sorted(self.short), self.window))
                            .encode("utf-8", "surrogatepass"), digest_size=20)
        fields = []
        for words in self.hidden_words:
            kept = bytes(hash(g) in self.runs for g in _grams(words))
            fields.append(hashlib.blake2b("\0".join(words).encode("utf-8", "surrogatepass") + kept,
                                          digest_size=16).digest())
        h.update(b"".join(sorted(fields)))
        return h.digest()

    def _short_in(self, words: list[str]) -> list[str]:
        """The short fields that `words` holds: candidates by their first words, then confirmed."""
        if not self.short or len(words) < MIN_FIELD_WORDS:
            return []
        candidates = self.prefixes.keys() & keyed_ngrams(words, MIN_FIELD_WORDS)
        padded = f" {' '.join(words)} " if candidates else ""
        return [key for prefix in candidates for key in self.prefixes[prefix] if f" {key} " in padded]

    def find(self, text: str) -> set[tuple[str, str, str]]:
        """(kind, text, source) of everything found in what a file says (filetext.file_text); for kind
        "text", the run of words found (see `shown`); slugs as written.

        A site repeats itself (an excerpt is on the post, the index, its archive, category and tag
        pages and in the search index), so the text is matched block by block (text.markup_text's
        paragraphs, items and cells; a JSON file's strings), each distinct block once, and across
        each break in the window of words on both sides of it (the same words around a break are
        matched once too): the result is that of matching the whole text. A word broken by a
        break (`North<br>wind Logistics`) is also tried written together, for the terms."""
        hits: set[tuple[str, str, str]] = set()
        tail: tuple[str, ...] = ()
        flags: tuple[bool, ...] = ()  # for each word of the tail: its block is a whole public text
        span = self.window
        for block in text.split(BLOCK):
            known = self.blocks.get(block)
            if known is None:
                words = tokens(block)
                found = self._match(words)
                if self.slugs:  # as written, in URLs, file names and JSON
                    found.update(("slug", s, self.slugs[s]) for s in self.slugs.keys() & set(SLUG_TOKEN.findall(block)))
                known = self.blocks[block] = (frozenset(found), tuple(words[:span]), tuple(words[-span:]),
                                              tuple(words) in self.public_blocks)
            found, head, end, public = known
            if found:
                hits |= found
            if not head:
                continue
            if tail and (hash((tail[-1], head[0])) in self.pairs or tail[-1] + head[0] in self.term_words):
                window = (*tail, *head)  # something may reach across this break: the two words meet in one
                mask = (*flags, *(public,) * len(head))
                found = self.across.get((window, mask))
                if found is None:
                    joined = [*tail[:-1], tail[-1] + head[0], *head[1:]]
                    found = self.across[(window, mask)] = frozenset(self._match(list(window), mask) | self._terms(joined))
                if found:
                    hits |= found
            tail, flags = (end, (public,) * len(end)) if len(end) == span else \
                ((*tail, *end)[-span:], (*flags, *(public,) * len(end))[-span:])
        return hits

    def _terms(self, words: list[str]) -> set[tuple[str, str, str]]:
        return {(*self.term_kind[t][:1], t, self.term_kind[t][1]) for t in self.terms.found_in(words)}

    def _match(self, words: list[str], public: tuple[bool, ...] = ()) -> set[tuple[str, str, str]]:
        """What `words` hold; with `public` (across breaks: whether each word's block is a whole public
        text, such as two titles side by side in a list), text made only of public blocks' words is
        theirs, not a hidden entry's: only names are looked for there."""
        hits = self._terms(words)
        grams = _hashes(words) if not any(public) else {
            hash(g) for i, g in enumerate(_grams(words)) if not all(public[i:i + SHINGLE])}
        for h in self.runs.keys() & grams:
            origin = self.runs[h]
            hits.add(("text", _run_of(h, origin.text), origin.source))
        if not (public and all(public)):
            hits.update(("text", key, self.short[key].source) for key in self._short_in(words))
        return hits

    def origin(self, run: str) -> _Origin | None:
        if run in self.short:
            return self.short[run]
        return self.runs.get(hash(tuple(run.split())))

    def role(self, kind: str, text: str) -> str:
        """Whose name a term found is (see Finding.role); "" for what is not a term."""
        return self.roles.get(text, "") if kind in ("alias", "contact", "word") else ""

    def widest(self, hits: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """`hits` of one file without a term that another term found in it holds (`Harborview` where
        `Harborview Outfitters` is found, across a break or not): one name, one finding."""
        terms = {text for kind, text, _ in hits if text in self.term_kind and kind == self.term_kind[text][0]}
        inner = {t for t in terms if any(t != other and t in self.terms.within(other) for other in terms)}
        return {h for h in hits if h[1] not in inner or h[0] != self.term_kind[h[1]][0]} if inner else hits

    def shown(self, kind: str, text: str) -> str:
        """A run of words as the writer wrote it: the sentence that holds it."""
        origin = self.origin(text) if kind == "text" else None
        return _as_written(text, origin.text) if origin else text


def _unseen_names(hidden: list[Entry], seen: Iterable[Entry], fields: list[list[str]], config: Config) -> dict:
    """The names of customers and contacts that only entries of `hidden` name: none that an entry of
    `seen` names, or has in its text (`fields`: each one's `_fields`)."""
    sources = {e.source for e in hidden}
    names = {t: n for t, n in confidential(hidden, config).items() if n.source in sources}
    if not names:
        return names
    shown = Terms(list(names))
    # Which of these names each seen entry has, kept by its texts for as long as the same names are
    # looked for (cache.py): a new insight is the only entry read at the next build.
    known = Store("team-names", config.root, key=_digest(repr(sorted(names))))
    seen_names: set[str] = set()
    for e, texts in zip(seen, fields):
        texts = texts + list(e.insight.contacts if e.insight else ())
        key = _digest("\0".join(texts))
        found = known.get(key)
        if found is None:
            words = [w for text in texts for w in (*tokens(text), "\0")]  # a term cannot span two texts
            found = frozenset("".join(tokens(inner)) for term in shown.found_in(words)
                              for inner in shown.within(term))  # `Harborview` is seen where `Harborview Outfitters` is
            known.put(key, found)
        seen_names |= found
    known.save()
    # in every spelling a hidden entry has (`NORTHWIND logistics`): Terms finds one of those that compare the same
    return {t: n for t, n in names.items() if "".join(tokens(t)) not in seen_names}


def _page_names(seen) -> set[str]:
    """The names the team's hub makes its pages' addresses of (a theme's, a customer's: their words
    as a slug), from the entries the team sees: a hidden entry's slug that is one of them is not it."""
    from markdown.extensions.toc import slugify

    names = {name for e in seen if e.insight for name in (e.insight.customer, *e.insight.themes)}
    return {slugify(name, "-") for name in names}


def _prefix(key: str) -> int:
    return hash(tuple(key.split()[:MIN_FIELD_WORDS]))


def _run_of(h: int, text: str) -> str:
    """The run of SHINGLE words of `text` whose hash is `h`."""
    words = tokens(text)
    return next((" ".join(g) for g in _grams(words) if hash(g) == h), "")


def _grams(words: list[str]) -> Iterable[tuple[str, ...]]:
    """Every run of SHINGLE words in a row of `words` (none when there are fewer)."""
    return zip(*(words[i:] for i in range(SHINGLE)))


def _hashes(words: list[str]) -> set[int]:
    return set(map(hash, _grams(words)))


def _digest(text: str) -> bytes:
    """A text as a key of a store (cache.py)."""
    return store_key(text.encode("utf-8", "surrogatepass"))


LISTS = ("tags", "themes", "competencies")  # fields that are lists of labels: each label is a text of its own


def _fields(entry: Entry) -> list[str]:
    """Every text of `entry` the audit looks for, and forgets when a shown entry has it too. A list's
    labels one by one: two labels side by side on a page (a customer's themes) are not the list of
    an entry that has both."""
    texts = entry.text_fields()
    fields = [text for name, text in texts.items() if name not in LISTS]
    fields += [label for name in LISTS for label in texts.get(name, "").split("\n")]
    if entry.insight:
        fields += [entry.insight.customer, entry.insight.evidence]
    return [f for f in fields if f]


def _as_written(key: str, text: str) -> str:
    """The sentence of `text` that holds the run `key`, as the writer wrote it (else the run)."""
    for sentence in SENTENCE.split(text):
        if key in " ".join(tokens(sentence)):
            return " ".join(sentence.split())
    return key


def legit_texts(config: Config, theme_dirs: Iterable[Path] = (), reader: Reader = Reader.PUBLIC) -> Iterable[str]:
    """The public sources that are not the writer's: the installed theme and notepress's own
    templates (a post's labels: "What we heard", "Learning loop"); for the team's hub, its own
    templates and theme too ("Themes they raise", "Do not publish or forward it.")."""
    hub = [TEMPLATES / "hub"] if reader is Reader.TEAM else []  # its pages' templates, its theme's in theme/
    for folder in [*theme_dirs, *hub]:
        for path in sorted(folder.rglob("*.html")):
            yield markup_text(_text_of(path))
    for folder in (TEMPLATES, config.root / "templates", *hub):  # not templates/init/: its entries are entries
        for path in sorted(folder.glob("*.jinja")) if folder.is_dir() else []:
            yield markup_text(_text_of(path))


def page_texts(config: Config) -> Iterable[str]:
    """The hand-written pages and the site's settings. A short phrase they share with a non-public
    entry ("What I learned this week") is the writer's wording, not a leak; a run of SHINGLE words
    copied from an entry is."""
    for path in hand_written_pages(config):
        yield markup_text(_text_of(path))
    for name in ("mkdocs.yml", CONFIG_FILE):
        if (config.root / name).is_file():
            yield _text_of(config.root / name)


def audit_site(site_dir: Path, entries: list[Entry], config: Config, label: str | None = None,
               theme_dirs: Iterable[Path] = (), published: Iterable[str] = (), remember: bool = True,
               today: dt.date | None = None, reader: Reader = Reader.PUBLIC) -> list[Finding]:
    """Every finding in every file under `site_dir`. `label` is how the folder is named in findings;
    `published` the files of posts/ that public entries show (repo paths): any other file of posts/
    found in the site, under any name, is a finding (compared by its bytes).

    A file's text is not searched again when the same bytes were found clean by an audit looking
    for exactly the same things (CleanFiles), nor read again while it is the very file found clean
    (the same inode, size, modification and change time); its name is always checked."""
    needles = Needles(entries, config, today, reader)
    known = CleanFiles(config, needles, reader, site_dir) if remember else None
    private = _private_files(config, set(published))
    label = label or site_dir.name
    theme = ThemeFiles(theme_dirs)
    settled = _disk_now() if known else None  # a file changed before this cannot change again unseen
    found: dict[str, set[tuple[str, str, str]]] = {}
    for path, inner, st in _files(site_dir):
        rel = f"{label}/{inner}"
        hits = set()
        for segment in inner.split("/"):
            if segment.removesuffix(".html") in needles.slugs:
                hits.add(("slug", segment, needles.slugs[segment.removesuffix(".html")]))
        if not (known and known.clean_name(rel)):  # a file's name is read too
            in_name = needles.find(urllib.parse.unquote(rel))
            if known and not in_name:
                known.add_name(rel)
            hits |= in_name
        last = known.file(inner) if known else None  # this very file, found clean: its stat then, its sha256
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if last is not None and last[0] == stamp:
            digest = last[1]  # the file found clean, untouched since (a write changes the change time)
        else:
            data = _read(path)
            digest = hashlib.sha256(data).digest()
            suffix = _suffix(inner)
            if not theme.has(Path(inner), data) and not (known and known.clean(digest, suffix)):
                in_text = needles.find(file_text(data, suffix))
                if known and not in_text:
                    known.add(digest, suffix)
                hits |= in_text
        if digest in private:
            hits.add(("file", private[digest], private[digest]))
        if hits:
            found[rel] = needles.widest(hits)
        elif known and settled and max(st.st_mtime_ns, st.st_ctime_ns) < settled:
            known.add_file(inner, stamp, digest)
    if known:
        known.save()
    if any(kind == "text" for hits in found.values() for kind, _, _ in hits):
        # Only now read the theme and the hand-written pages: what they have too is theirs.
        needles.forget(legit_texts(config, theme_dirs, reader))
        needles.forget(page_texts(config), runs=False)
        found = {rel: {h for h in hits if h[0] != "text" or needles.origin(h[1])} for rel, hits in found.items()}
    return sorted({Finding(rel, kind, needles.shown(kind, text), source, needles.role(kind, text))
                   for rel, hits in found.items() for kind, text, source in hits})


def _files(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every file under `folder` (its path, its path relative to it, its stat): one walk, a file's
    kind from the directory listing (a link counts when it leads to a file, which is read)."""
    out: list[tuple[str, str, os.stat_result]] = []
    stack = [(str(folder), "")]
    while stack:
        top, inner = stack.pop()
        with os.scandir(top) as listing:
            for d in listing:
                if d.is_dir(follow_symlinks=False):
                    stack.append((d.path, f"{inner}{d.name}/"))
                elif d.is_file():
                    out.append((d.path, f"{inner}{d.name}", d.stat()))
    return out


def _disk_now() -> int | None:
    """The change time a file written now gets (the file system's clock, as coarse as its times): a
    file whose times are older cannot be written again with the same ones (None: no clock to read)."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".audit-clock-")
        try:
            return os.fstat(fd).st_ctime_ns
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError:
        return None


def _suffix(rel: str) -> str:
    """The suffix of a file's name, as pathlib has it (`.gz` of `x.tar.gz`, none of `.hidden`)."""
    name = rel.rpartition("/")[2]
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class CleanFiles:
    """The files whose text an audit found clean, by their bytes (sha256) and suffix, for as long as
    the audit looks for exactly the same things (Needles.fingerprint) with the same code (cache.py):
    a change of an audience, a term or a text that changes what is looked for starts afresh. And,
    per site folder (by its inode: the team's hub is built in turn into two folders that swap names),
    each file found clean by its stat then, so that a file untouched since is not even read."""

    FOLDERS = 2  # the site folders whose files are kept by their stat

    def __init__(self, config: Config, needles: Needles, reader: Reader, folder: Path):
        kind = "audit" if reader is Reader.PUBLIC else f"audit-{reader.name.lower()}"  # each site its own
        self.store = Store(kind, config.root, key=needles.fingerprint())
        st = folder.stat()
        self.folder = (st.st_dev, st.st_ino)
        self.folders = dict(self.store.get("folders") or {})
        self.seen = self.folders.pop(self.folder, {})
        self.stamps: dict[str, tuple[tuple, bytes]] = {}

    def clean(self, digest: bytes, suffix: str) -> bool:
        return self.store.get(digest + suffix.encode("utf-8", "surrogateescape")) is not None  # read by its suffix

    def add(self, digest: bytes, suffix: str) -> None:
        self.store.put(digest + suffix.encode("utf-8", "surrogateescape"), True)

    def clean_name(self, rel: str) -> bool:
        """Whether the file name `rel` (as the audit shows it: site/…) was found clean (a site keeps its
        names from build to build: 26,000 of them at 10,000 insights, each read for names and runs)."""
        return self.store.get(("name", rel)) is not None

    def add_name(self, rel: str) -> None:
        self.store.put(("name", rel), True)

    def file(self, inner: str) -> tuple[tuple, bytes] | None:
        """The file `inner` of this folder when it was last found clean: its stat then (inode, size,
        modification and change time: a write, a copy or a rename changes one) and its sha256."""
        return self.seen.get(inner)

    def add_file(self, inner: str, stamp: tuple, digest: bytes) -> None:
        self.stamps[inner] = (stamp, digest)

    def save(self) -> None:
        others = list(self.folders.items())[-(self.FOLDERS - 1):]
        self.store.put("folders", {**dict(others), self.folder: self.stamps})
        self.store.save()


def _private_files(config: Config, published: set[str]) -> dict[bytes, str]:
    """sha256 -> repo path of every file of posts/ that is neither an entry nor published (the same
    bytes published by a public entry are public, whatever else links them)."""
    out, public = {}, set()
    for folder, dirs, files in os.walk(config.posts_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.lower().endswith(".md"):
                continue
            path = Path(folder, name)
            rel = path.relative_to(config.root).as_posix()
            if not path.is_file():
                continue
            digest = hashlib.sha256(path.read_bytes()).digest()
            public.add(digest) if rel in published else out.setdefault(digest, rel)
    return {digest: rel for digest, rel in out.items() if digest not in public}


def _text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")
