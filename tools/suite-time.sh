#!/usr/bin/env bash
# The suite timed as CI runs it: a fresh temporary root (pytest deletes nothing of earlier runs, as on
# a new machine), and the CPU of the suite's processes against the whole machine's (/proc/stat), since
# Chromium's helper processes are not counted in their parent's time and other users share the cores.
#   bash tools/suite-time.sh [CHECKOUT [LABEL [pytest args]]]
#   -> LABEL  wall 77.0 s  suite CPU 115.1 s  machine busy 132.2 s (...)  idle 19.4 s  | 1063 passed ...
# Compare two checkouts (or -n values) by alternating runs: the machine's load changes between runs.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$here}; label=${2:-$(git -C "$dir" rev-parse --short HEAD 2>/dev/null || echo suite)}
shift $(( $# < 2 ? $# : 2 ))
root=$(mktemp -d "${TMPBASE:-/tmp}/suite-time-XXXX")
read -r _ u0 n0 s0 i0 _ < /proc/stat
out=$(cd "$dir" && PYTEST_DEBUG_TEMPROOT=$root TMPDIR=$root /usr/bin/time -f "TIME %e %U %S" \
      "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider "$@" 2>&1)
read -r _ u1 n1 s1 i1 _ < /proc/stat
rm -rf "$root"
read -r _ wall user sys_ <<< "$(grep '^TIME' <<< "$out" | tail -1)"
result=$(grep -E '^[0-9]+ (passed|failed)' <<< "$out" | tail -1)
awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys_" -v busy="$(( u1 - u0 + n1 - n0 + s1 - s0 ))" \
    -v idle="$(( i1 - i0 ))" -v r="$result" 'BEGIN {
  printf "%-14s wall %6.1f s  suite CPU %6.1f s  machine busy %6.1f s (beyond the suite'"'"'s processes %5.1f)  idle %5.1f s  | %s\n",
         l, w, u + s, busy / 100, busy / 100 - u - s, idle / 100, r }'
