#!/usr/bin/env bash
# Runs the test suite with the wall clock of every Python process shifted DAYS ahead (default 400),
# to show that no test depends on the day it runs. time-machine (installed into a temporary folder,
# never into .venv) is started from a sitecustomize.py on PYTHONPATH, so the processes the tests
# start (notepress, mkdocs, pre-commit) are shifted too; monotonic time is left alone, and so are
# programs that are not Python (git, Chromium, Zensical's Rust core), as on a real machine.
# Usage, from the repo root: bash tools/shifted-clock.sh [DAYS] [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-400}"
shift || true
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
.venv/bin/python -m pip install -q --disable-pip-version-check --target "$shim" time-machine >/dev/null
cat > "$shim/sitecustomize.py" <<EOF
import datetime, os, time_machine
_shift = datetime.timedelta(days=int(os.environ.get("NOTEPRESS_SHIFT_DAYS", "0")))
if _shift:
    time_machine.travel(datetime.datetime.now(datetime.timezone.utc) + _shift, tick=True).start()
EOF
echo "shifted-clock: every Python process believes it is $(date -u -d "+$days days" +%F)" >&2
NOTEPRESS_SHIFT_DAYS="$days" PYTHONPATH="$shim${PYTHONPATH:+:$PYTHONPATH}" .venv/bin/python -m pytest "$@"
