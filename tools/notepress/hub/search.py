"""The hub's search: Pagefind's index of the hub's records, written beside its pages.

Pagefind splits the index into chunks a browser loads only as a query needs them (a few kB per word
and per result), so search stays fast at any number of insights, where one index file loaded whole
would not. The records are made from the team's view (pages.Record), never by reading the built
pages: what is indexed is exactly what the hub's pages were made from, on either engine. Pagefind
runs as its own binary (the `pagefind` package's), in a process of its own.
"""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..problems import NotepressError, Problem
from .pages import Record

BUNDLE = "pagefind"  # the folder of the index and of its UI, in the hub's root


def write_index(records: list[Record], site_dir: Path, language: str = "en") -> int:
    """Index `records` into `site_dir/pagefind/` (replacing what was there); returns how many."""
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError:
        raise NotepressError(Problem("", 0, "", "the team hub's search needs Pagefind",
                                     "pip install 'pagefind[extended]' (bash tools/install.sh installs it)")) from None
    out = site_dir / BUNDLE
    shutil.rmtree(out, ignore_errors=True)  # a new folder: the published hub keeps the old files

    async def write() -> None:
        async with PagefindIndex(IndexConfig(force_language=language)) as index:
            for r in records:
                await index.add_custom_record(url="/" + r.url, content=r.content or r.title, language=language,
                                              meta={"title": r.title, **r.meta},
                                              filters={k: v for k, v in r.filters.items() if v})
            await index.write_files(output_path=str(out))

    try:  # in a thread of its own: the caller may be running an event loop (a test driving a browser)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, write()).result()
    except (OSError, RuntimeError, AssertionError) as e:
        raise NotepressError(Problem("", 0, "", f"Pagefind could not index the hub: {e}",
                                     "reinstall it (pip install --force-reinstall 'pagefind[extended]')")) from None
    return len(records)
