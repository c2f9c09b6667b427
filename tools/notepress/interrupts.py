"""Ctrl+C while notepress loads its commands: Click's one line, not a traceback through the imports.

Loading the commands (Click, PyYAML, Markdown, Jinja, notepress's modules) takes about a tenth of a
second. Python turns a Ctrl+C (SIGINT) into KeyboardInterrupt wherever it lands, and one raised inside
an import is printed as a traceback of importlib's frames. cli.py's imports run inside `loading()`:
a SIGINT there prints Click's "Aborted!" and exits with status 130, having read and written nothing.
Then the usual handler is back, and Click reports a command interrupted later ("Aborted!"); a command
that writes in steps says what is kept and how to finish it (`checkin`).

Only in the main thread, and only when SIGINT has Python's own handler: a program that imports
notepress with a handler of its own keeps it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading


@contextlib.contextmanager
def loading():
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, _aborted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _aborted(signum, frame):
    sys.stderr.write("\nAborted!\n")
    raise SystemExit(130)
