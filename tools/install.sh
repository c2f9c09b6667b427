#!/usr/bin/env bash
# Installs notepress, its Zensical engine and its test tools into .venv, and Debian's Chromium for the browser tests.
# Usage (from the repo root): bash tools/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "install: Debian's Chromium (for the browser tests)" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,zensical]'
echo "install: done; try .venv/bin/notepress --help" >&2
