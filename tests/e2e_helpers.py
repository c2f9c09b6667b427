"""Shared helpers for the end-to-end tests: copy the example repo, build it, read every built file.

The tests build real sites with the real pipeline (notepress -> MkDocs + Material -> audit); these
helpers only prepare inputs and read outputs, they never reimplement the gate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import hashlib
import html
import http.server
import json
import os
import re
import shutil
import signal
import threading
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
# The day the suite runs as if on (conftest sets NOTEPRESS_TODAY to it for the session). Every date a
# test expects is derived from it, so any later day here keeps the suite green (an earlier one would
# hold back, as scheduled, the example posts and fixtures, whose dates are fixed).
TODAY = dt.date(2026, 11, 23)
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, for the browser tests (tools/install.sh installs it)
EXAMPLE_FILES = ("mkdocs.yml", "notepress.yml", "newsletter-recipients.csv")
TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
SPACE = re.compile(r"\s+")
WORDS = re.compile(r"\w+")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
LIST_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)")
MARKUP = re.compile(r"[*`]")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        # LinkChecker checks at most 10 URLs a second on a host unless the host says it may go faster
        self.send_header("LinkChecker", "allowed")
        super().end_headers()


class _Mounted(_Quiet):
    """The site at `mount` (a path of the host, as a site_url in a folder puts it), and nothing
    outside it: a link that climbs out of the site's folder gets a 404, as on the real host."""

    def __init__(self, *args, mount: str, **kwargs):
        self.mount = mount  # before the request, which the base class handles as it is made
        super().__init__(*args, **kwargs)

    def send_head(self):
        if not self.path.startswith(self.mount):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path):
        return super().translate_path("/" + path[len(self.mount):])


@contextlib.contextmanager
def static_server(folder: Path, mount: str = "/"):
    """A built site served over HTTP on a free loopback port at the path `mount` (/notes/: a site
    in a folder of its host), for as long as the block runs; yields its base URL. (It stops within
    50 ms: `serve_forever` looks for the stop at that interval.)"""
    handler = functools.partial(_Mounted, mount=mount, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def copy_example(dest: Path) -> Path:
    """The example writing repo (config, theme overrides, hand-written docs, posts) without anything generated."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "posts", dest / "posts")
    shutil.copytree(REPO / "overrides", dest / "overrides")  # the theme's home and archive templates
    generated = (REPO / "docs" / "blog" / "posts").resolve()

    def ignore(folder, names):
        return [n for n in names if (Path(folder) / n).resolve() == generated]

    shutil.copytree(REPO / "docs", dest / "docs", ignore=ignore)
    return dest


def init_entry(root: Path, folder: str) -> str:
    """The path (relative to root, posix) of the one example entry `notepress init` wrote in
    posts/<folder>/. Its name starts with the date init gave it, which follows the day init ran:
    tests find it here instead of spelling it."""
    found = sorted(p.relative_to(root).as_posix() for p in (root / "posts" / folder).glob("*.md"))
    assert len(found) == 1, f"posts/{folder}/ should hold the one entry init wrote, not {found}"
    return found[0]


def screenshot(page, path: Path, full_page: bool = True) -> None:
    """A PNG of the page, only when NOTEPRESS_TEST_SCREENSHOTS is set: each costs 0.2-0.5 s, and they
    are for looking at a failing run (rerun it with the variable set; they land in its tmp_path)."""
    if os.environ.get("NOTEPRESS_TEST_SCREENSHOTS"):
        page.screenshot(path=str(path), full_page=full_page)


# Resolves when every finite animation and transition of the page has ended (an infinite one, a
# spinner, never does: left out).
TRANSITIONS_ENDED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def resize(page, width: int, height: int = 900) -> None:
    """The page's window made `width` wide, as a reader resizes it, and its layout settled: Material
    moves its search box with a CSS transition when the width crosses a breakpoint, and a page
    measured mid-way is wider than its window for a moment. (Waited for, not slept on.)"""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate(TRANSITIONS_ENDED)


@functools.cache
def _axe_core() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def axe_violations(page) -> list[dict]:
    """axe-core's violations (every rule, every impact) on the page as it is now. axe-core (570 kB of
    script, about 0.1 s of CPU to send and evaluate) is put into a document once: a page laid out
    again at another width, or changed by the test, is checked again with the axe it already has."""
    if not page.evaluate("typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(_axe_core())
    return page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]


def as_in_a_terminal() -> None:
    """For a child process (`preexec_fn`): Ctrl+C reaches it as in a terminal. CI runs the suite from a
    background shell, where SIGINT is ignored, and a child inherits that: Python would not even install
    its KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args: str):
    """Run the `notepress` command in-process; returns click's Result (exit_code, output, stderr)."""
    from notepress.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def output(result) -> str:
    """stdout and stderr of a CliRunner result (click >= 8.2 already mixes stderr into .output)."""
    err = result.stderr or ""
    return result.output if err in result.output else result.output + err


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def norm(text: str) -> str:
    """Case-folded, markup-free, single-spaced: the form needles and haystacks are compared in."""
    return SPACE.sub(" ", MARKUP.sub("", text)).strip().casefold()


def _strings(value) -> list[str]:
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def decoded(path: Path) -> str | None:
    """A built file as text (gunzipped when .gz); None for binary files such as images and fonts."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def readable_views(path: Path) -> str:
    """Every way a reader, a feed reader or a search engine sees a file, joined and normalised:
    the raw text, JSON strings (\\u escapes undone), and HTML/XML text (entities undone, tags removed,
    twice for the escaped HTML inside feeds)."""
    raw = decoded(path)
    if raw is None:
        return ""
    views = [raw]
    name = path.name.removesuffix(".gz")
    if name.endswith(".json"):
        try:
            views.append("\n".join(_strings(json.loads(raw))))
        except ValueError:
            pass
    for view in list(views):
        text = view
        for _ in range(2):
            text = TAG.sub(" ", html.unescape(text))
        views.append(text)
    return norm("\n".join(views))


def site_texts(site: Path) -> dict[str, str]:
    """{relative path: normalised readable text} for every file under the site folder."""
    out = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        out[path.relative_to(site).as_posix()] = readable_views(path)
    return out


def sentences(text: str, min_words: int = 8) -> list[str]:
    """Sentences (or lines) of `min_words` words or more, without list and heading markers."""
    out = []
    for part in SENTENCE.split(text):
        part = LIST_MARK.sub("", part).strip()
        if len(WORDS.findall(part)) >= min_words:
            out.append(part)
    return out


def hidden_needles(entries, config) -> list[tuple[str, str, str]]:
    """(kind, text, source) of everything that must not be on the public site.

    For every entry that is not public (internal, private, or a draft): its title, each sentence of
    eight words or more in any of its text fields (unless the writer also wrote it in a public entry),
    its customer, its slug; plus every insight's customer and the configured confidential terms.
    """
    public = [e for e in entries if e.audience == "public" and not e.draft]
    hidden = [e for e in entries if not (e.audience == "public" and not e.draft)]
    public_text = norm("\n".join(t for e in public for t in e.text_fields().values()))
    needles: list[tuple[str, str, str]] = []
    for e in hidden:
        needles.append(("title", e.title, e.source))
        needles.append(("slug", e.slug, e.source))
        for name, text in e.text_fields().items():
            for s in sentences(text):
                if norm(s) not in public_text:
                    needles.append((f"sentence ({name})", s, e.source))
    for e in entries:
        if e.insight and e.insight.customer:
            needles.append(("customer", e.insight.customer, e.source))
    for term in config.confidential_terms:
        needles.append(("confidential term", term, "notepress.yml"))
    return needles


def leaks(texts: dict[str, str], needles) -> list[str]:
    found = []
    for kind, needle, source in needles:
        n = norm(needle)
        for rel, text in texts.items():
            if n in text or n in rel.casefold():
                found.append(f"{rel}: {kind} {needle!r} of {source}")
    return found
