#!/usr/bin/env bash
# Refreshes requirements/lock.txt, the exact versions CI and the tests install (tools/install.sh
# uses it as pip constraints), from pyproject.toml with the extras CI installs; then reinstalls .venv
# from it and runs the suite. A plain `pip install notepress` keeps pyproject.toml's ranges.
# Usage (from anywhere in the repo):
#   bash tools/lock.sh                                   # after editing pyproject.toml: keeps every pin that still fits
#   bash tools/lock.sh --upgrade                         # take every new upstream release
#   bash tools/lock.sh --upgrade-package mkdocs-material  # take one package's
# Commit requirements/lock.txt only when the suite passes.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=requirements/lock.txt
EXTRAS=(zensical pdf test)  # what tools/install.sh installs
PYTHON_VERSION=3.11.7       # the python3 of this project's machines and CI (`python3 --version`)
PLATFORM=x86_64-unknown-linux-gnu
UV_VERSION=0.13.9           # the resolver, pinned too: the same inputs give the same lock

TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
python3 -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
mkdir -p "$(dirname "$LOCK")"
"$TOOLS/venv/bin/uv" pip compile pyproject.toml "${EXTRAS[@]/#/--extra=}" \
  --python-version "$PYTHON_VERSION" --python-platform "$PLATFORM" \
  --custom-compile-command "bash tools/lock.sh" -o "$LOCK" "$@"
echo "lock: $LOCK written; reinstalling .venv from it and running the suite" >&2
bash tools/install.sh
.venv/bin/python -m pytest
echo "lock: the suite passes with $LOCK; commit it" >&2
