"""The hub's search: Pagefind's index of the hub's records, written beside its pages.

Pagefind splits the index into chunks a browser loads only as a query needs them (a few kB per word
and per result), so search stays fast at any number of insights, where one index file loaded whole
would not. The records are made from the team's view (pages.Record), never by reading the built
pages: what is indexed is exactly what the hub's pages were made from, on either engine. Pagefind
runs as its own binary (the `pagefind` package's), in a process of its own.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..problems import NotepressError, Problem
from .pages import Record

BUNDLE = "pagefind"  # the folder of the index and of its UI, in the hub's root


def write_index(records: list[Record], site_dir: Path, language: str = "en") -> int:
    """Index `records` into `site_dir/pagefind/` (replacing what was there); returns how many."""
    try:
        from pagefind.index import IndexConfig
    except ImportError:
        raise NotepressError(Problem("", 0, "", "the team hub's search needs Pagefind",
                                     "pip install 'pagefind[extended]' (bash tools/install.sh installs it)")) from None
    out = site_dir / BUNDLE
    shutil.rmtree(out, ignore_errors=True)  # a new folder: the published hub keeps the old files

    async def write() -> None:
        async with _Service() as service:
            index = await service.create_index(IndexConfig(force_language=language))
            await asyncio.gather(*(index.add_custom_record(
                url="/" + r.url, content=r.content or r.title, language=language, meta={"title": r.title, **r.meta},
                filters={k: v for k, v in r.filters.items() if v}, sort=r.sort or None) for r in records))
            await index.write_files(output_path=str(out))

    try:  # in a thread of its own: the caller may be running an event loop (a test driving a browser)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, write()).result()
    except (OSError, RuntimeError, AssertionError) as e:
        raise NotepressError(Problem("", 0, "", f"Pagefind could not index the hub: {e}",
                                     "reinstall it (pip install --force-reinstall 'pagefind[extended]')")) from None
    return len(records)


def _service_class():
    from pagefind.service import PagefindService

    class Service(PagefindService):
        """Pagefind's service, reading its answers as they come. pagefind 1.5's own reader sleeps
        0.1 s before each answer (`PagefindService._wait_for_responses`): ten records a second, 17
        minutes for 10,000 insights. The same reading, without the sleep."""

        async def _wait_for_responses(self) -> None:
            while True:
                output = await self._backend.stdout.readuntil(b",")
                response = json.loads(base64.b64decode(output[:-1])) or {}
                number = response.get("message_id")
                if number is None and (response.get("payload") or {}).get("original_message"):
                    number = json.loads(response["payload"]["original_message"]).get("message_id")  # unparsed
                future = self._responses.get(number)
                if future is None or future.done():
                    continue  # an answer to no request (the wrapper's own reader drops those too)
                payload = response["payload"]
                if payload["type"] == "Error":
                    future.set_exception(RuntimeError(payload.get("message", "Pagefind failed")))
                else:
                    future.set_result(payload)

    return Service


def _Service():  # noqa: N802 - a class made on first use, so that Pagefind is imported only when needed
    return _service_class()()
