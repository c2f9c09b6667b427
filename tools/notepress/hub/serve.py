"""`notepress serve --for team`: the hub, built and audited as `build --for team` does, served on
loopback from its folder, and built again when posts/ or notepress.yml change."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

from ..preview import Regenerator
from ..problems import NotepressError
from .build import build_hub

DEFAULT_ADDRESS = "127.0.0.1:8001"  # beside the blog's preview (8000)


class Rebuilder(Regenerator):
    """The hub built again after each change (see preview.Regenerator), problems said, not raised."""

    def __init__(self, root: Path, *, engine: str | None, site_dir: Path | None, progress=None):
        super().__init__(root, engine=engine, progress=progress)
        self.site_dir = site_dir
        self.built = None

    def __call__(self):
        try:
            self.built = build_hub(self.root, engine=self.engine, site_dir=self.site_dir, progress=self.say)
            self.say(f"notepress: team hub: {self.built.summary}")
        except NotepressError as e:
            for problem in e.problems:
                self.say(f"notepress: {problem}")
        return self.built


def serve_hub(root: Path, address, *, engine: str | None = None, site_dir: Path | None = None,
              progress=None, ready=None) -> None:
    """Build the hub, serve it at `address` (a site.DevAddress) until interrupted, rebuilding on change.
    `ready(server)` is called once it listens (tests stop it with server.shutdown())."""
    say = progress or (lambda message: None)
    rebuild = Rebuilder(root, engine=engine, site_dir=site_dir, progress=say)
    built = rebuild()
    if built is None:
        raise NotepressError([])
    handler = functools.partial(_Quiet, directory=str(built.site_dir))
    with http.server.ThreadingHTTPServer((address.host, address.port), handler) as server:
        say(f"Team hub at http://{address}/ (internal: only this machine sees it; Ctrl+C to stop)")
        if ready:
            threading.Thread(target=ready, args=(server,), daemon=True).start()
        with rebuild.watching():
            server.serve_forever()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass
