"""The hub's search: Pagefind's index of the hub's records, written beside its pages.

Pagefind splits an index into chunks a browser loads only as a query needs them (a few kB per word
and per result), so search stays fast at any number of insights, where one index file loaded whole
would not. The records are made from the team's view (pages.Record), never by reading the built
pages: what is indexed is exactly what the hub's pages were made from, on either engine.

The index is in parts, merged by the browser (Pagefind's `mergeIndex`), each holding the records of
a period, newest first (so that a list of insights by date is in order across parts): every record
is placed by its date (an entry's; a customer's or theme's first insight; an issue's last day).
Everything from the first of this month on is one small part; before it, a part per half-year. Each
part is made once for its records (by this code: `cache.code_digest`) and kept in
`.notepress/team-search/`, so a new insight (or customer) makes Pagefind index this month's few
hundred records again, not the hub, and a change to an older entry its half-year. (Each part costs a
query its own Pagefind files, ~70 kB: quarters made 877 kB a query at 10,000 insights; half-years,
fewer.) Pagefind runs as its own binary (the `pagefind` package's), in a process of its own.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..cache import code_digest
from ..output import write_atomic
from ..problems import NotepressError, Problem
from .pages import Record, Stub, unpacked

BUNDLE = "pagefind"  # the folder of the index and of its UI, in the hub's root
PARTS = "bundles.json"  # in it: the parts' folders, the first one the primary


def write_index(records: list[Record | Stub], site_dir: Path, kept: Path, today: dt.date, language: str = "en") -> int:
    """Index `records` into `site_dir/pagefind/`, in parts by their dates on `today`, each made by
    Pagefind only when `kept` has none for exactly its records, and linked into the site only when
    it is not there yet (parts are never written in place: the published hub keeps its files);
    returns how many parts were made."""
    parts = _parts(records, today)
    names = {name: _digest(group, language) for name, group in parts.items()}
    missing = {names[name]: group for name, group in parts.items() if not (kept / names[name]).is_dir()}
    if missing:
        _index(missing, kept, language)
    out = site_dir / BUNDLE  # each part in a folder named by its digest: one the folder has is kept
    out.mkdir(parents=True, exist_ok=True)
    for name in set(os.listdir(out)) - set(names.values()) - {PARTS}:
        shutil.rmtree(out / name) if (out / name).is_dir() else (out / name).unlink()
    for digest in names.values():
        if not (out / digest).is_dir():  # its files as hard links: a part, once written, is never written again
            shutil.copytree(kept / digest, out / digest, copy_function=os.link)
    write_atomic(out / PARTS, json.dumps([f"{digest}/" for digest in names.values()]).encode())
    for old in set(os.listdir(kept)) - set(names.values()):
        shutil.rmtree(kept / old, ignore_errors=True)
    return len(missing)


def _parts(records: list[Record | Stub], today: dt.date) -> dict[str, list[Record | Stub]]:
    """The records by part, newest first: from the first of `today`'s month on, one; before it, by
    half-year (named by their first month: 2026-11, 2026-07, 2026-01, ...)."""
    recent = today.replace(day=1).isoformat()
    parts: dict[str, list[Record | Stub]] = {}
    for r in records:
        day = r.day or recent
        name = recent[:7] if day >= recent else f"{day[:4]}-{'01' if day[5:7] <= '06' else '07'}"
        parts.setdefault(name, []).append(r)
    return {name: parts[name] for name in sorted(parts, reverse=True)}


def _digest(group: list[Record | Stub], language: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((code_digest(), language)).encode())  # made by this code and Pagefind's version
    h.update(b"".join(sorted(r.key for r in group)))
    return h.hexdigest()


def _index(parts: dict[str, list[Record | Stub]], kept: Path, language: str) -> None:
    """Each part into `kept/<digest>/`, by one Pagefind service (written beside, then renamed)."""
    try:
        from pagefind.index import IndexConfig
    except ImportError:
        raise NotepressError(Problem("", 0, "", "the team hub's search needs Pagefind",
                                     "pip install 'pagefind[extended]' (bash tools/install.sh installs it)")) from None

    async def write() -> None:
        async with _Service() as service:
            for digest, group in parts.items():
                index = await service.create_index(IndexConfig(force_language=language))
                await asyncio.gather(*(index.add_custom_record(
                    url="/" + r.url, content=r.content or r.title, language=language,
                    meta={"title": r.title, **r.meta}, filters={k: v for k, v in r.filters.items() if v},
                    sort=r.sort or None) for r in unpacked(group)))
                files = await index.get_files()  # not write_files: see Service
                scratch = kept / f".{digest}.new"
                shutil.rmtree(scratch, ignore_errors=True)
                for file in files:
                    path = scratch / file["path"]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(file["content"])
                os.replace(scratch, kept / digest)

    kept.mkdir(parents=True, exist_ok=True)
    try:  # in a thread of its own: the caller may be running an event loop (a test driving a browser)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, write()).result()
    except (OSError, RuntimeError, AssertionError) as e:
        raise NotepressError(Problem("", 0, "", f"Pagefind could not index the hub: {e}",
                                     "reinstall it (pip install --force-reinstall 'pagefind[extended]')")) from None


def _service_class():
    from pagefind.service import PagefindService

    class Service(PagefindService):
        """Pagefind's service, reading its answers as they come.

        pagefind 1.5's own reader sleeps 0.1 s before each answer: ten records a second, 17 minutes
        for 10,000 insights. Its reader also stops at answers over 2 MiB, and the index's files
        are taken as one answer (`get_files`), not written by Pagefind (`write_files`): Pagefind
        answers a write before its last bytes are on disk (tokio files, never flushed), and the
        service is stopped right after, so a file could be left cut short (its wasm was, once, in
        a test). Files we write ourselves are whole before the part is renamed into place."""

        async def _wait_for_responses(self) -> None:
            pieces: list[bytes] = []
            while chunk := await self._backend.stdout.read(1 << 20):
                *ends, rest = chunk.split(b",")  # an answer is base64 and a comma
                for end in ends:
                    pieces.append(end)
                    self._answer(json.loads(base64.b64decode(b"".join(pieces))) or {})
                    pieces = []
                pieces.append(rest)
            for future in self._responses.values():  # the binary stopped: no answer will come
                if not future.done():
                    future.set_exception(RuntimeError("Pagefind stopped before it answered"))

        def _answer(self, response: dict) -> None:
            number = response.get("message_id")
            if number is None and (response.get("payload") or {}).get("original_message"):
                number = json.loads(response["payload"]["original_message"]).get("message_id")  # unparsed
            future = self._responses.get(number)
            if future is None or future.done():
                return  # an answer to no request (the wrapper's own reader drops those too)
            payload = response["payload"]
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(payload.get("message", "Pagefind failed")))
            else:
                future.set_result(payload)

    return Service


def _Service():  # noqa: N802 - a class made on first use, so that Pagefind is imported only when needed
    return _service_class()()
