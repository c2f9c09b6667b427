"""The preview's regeneration for an engine that cannot run notepress itself (Zensical): watch
posts/ and notepress.yml, and write docs/blog/posts/ again, drafts shown, when they change. The
engine's own server sees the generated files change and rebuilds what changed.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from . import publish
from .config import CONFIG_FILE

SETTLE = 0.05  # seconds to wait for the rest of an editor's save (temporary file, rename)


class Regenerator:
    def __init__(self, root: Path, *, redact: bool | None = None, engine: str | None = None, progress=None,
                 then=None):
        self.root = root
        self.redact = redact
        self.engine = engine  # the engine the posts are written for (blog.post_link); None: notepress.yml's
        self.then = then or (lambda shown: None)  # told each preview generated
        self.say = progress or (lambda message: None)
        self.posts_dir = root / "posts"
        self._changed = threading.Event()

    def __call__(self) -> publish.Preview:
        """Generate the preview's posts now; problems are said, not raised."""
        shown = publish.preview(self.root, redact=self.redact, engine=self.engine)
        if shown.project is not None:
            self.posts_dir = shown.project.config.posts_dir
            self.say(f"notepress: {shown.generated.summary()}")
        for problem in shown.problems:
            self.say(f"notepress: {problem}")
        self.then(shown)
        return shown

    def changed(self, path: str) -> None:
        here = Path(path)
        if here == self.root / CONFIG_FILE or here.is_relative_to(self.posts_dir):
            self._changed.set()

    @contextmanager
    def watching(self):
        """Regenerate after each change to posts/ or notepress.yml while the block runs."""
        stop = threading.Event()
        observer = Observer()
        handler = _Events(self)
        observer.schedule(handler, str(self.root), recursive=False)
        if self.posts_dir.is_dir():
            observer.schedule(handler, str(self.posts_dir), recursive=True)
        worker = threading.Thread(target=self._loop, args=(stop,), daemon=True)
        observer.start()
        worker.start()
        try:
            yield self
        finally:
            stop.set()
            self._changed.set()
            observer.stop()
            observer.join()
            worker.join()

    def _loop(self, stop: threading.Event) -> None:
        while True:
            self._changed.wait()
            if stop.is_set():
                return
            stop.wait(SETTLE)
            self._changed.clear()
            self()


class _Events(FileSystemEventHandler):
    def __init__(self, regenerator: Regenerator):
        self.regenerator = regenerator

    def on_any_event(self, event):
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.regenerator.changed(str(path))
