#!/usr/bin/env bash
# Installs notepress with its Zensical engine and PDF extras and its test tools into .venv, Debian's
# Chromium for the browser tests, and the Pango and fonts WeasyPrint needs for `portfolio --format pdf`.
# Python packages at the versions in requirements/lock.txt (refreshed with `bash tools/lock.sh`), so a
# new upstream release changes nothing here until the lock is refreshed on purpose.
# Usage (from the repo root): bash tools/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEBS=""
[ -x /usr/bin/chromium ] || DEBS="chromium"
# WeasyPrint's text layout (Pango) and a font to lay out with
compgen -G "/usr/lib/*/libpangoft2-1.0.so.0" >/dev/null || DEBS="$DEBS libpango-1.0-0 libpangoft2-1.0-0"
[ -d /usr/share/fonts/truetype/dejavu ] || DEBS="$DEBS fonts-dejavu-core"
# strace stops a process at a chosen system call: the tests interrupt a check-in at each of its writes
command -v strace >/dev/null || DEBS="$DEBS strace"
if [ -n "$DEBS" ]; then
  echo "install: Debian packages:$DEBS (Chromium and strace for the tests; Pango and fonts for PDF)" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $DEBS >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -c requirements/lock.txt -e '.[zensical,pdf,test]'
# An editable install is not compiled as pip compiles a package; where Python may not write bytecode
# (PYTHONDONTWRITEBYTECODE, as on this project's machines) every notepress process compiled the whole
# package again (~80 ms of a 0.35 s `notepress check`). Stale files are only ever ignored by Python.
.venv/bin/python -m compileall -q tools/notepress
echo "install: done; try .venv/bin/notepress --help" >&2
