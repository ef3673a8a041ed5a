#!/usr/bin/env bash
# Resource bounds: generate each attack of bench/gen_bounds.py in a temporary folder, run the
# release `vigie scan` (`vigie graph --format svg` for the graph case) on it under
# /usr/bin/time -v, and print input / largest file / peak RSS / wall / budget / within budget.
# The budget is peak RSS ≤ 300 MB + 10 × the largest file read. Runs are capped at 8 GB of
# address space and 300 s, so an attack that still explodes ends as a crash, not a stuck machine.
# Usage: bench/bounds.sh [ATTACK…]   (VIGIE=path/to/vigie to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIGIE:-}" ]; then
  cargo build --release --quiet -p vigie
  VIGIE=${CARGO_TARGET_DIR:-target}/release/vigie
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-30s %12s %10s %9s %9s %6s %s\n" input largest_file peak_RSS wall budget within exit
python3 bench/gen_bounds.py "$tmp" "$@" | while read -r name; do
  dir="$tmp/$name"
  largest=$(find "$dir" -type f -printf '%s\n' | sort -n | tail -1)
  if [ "$name" = graph-2000-workloads ]; then
    cmd=("$VIGIE" graph "$dir" --format svg --output "$tmp/graph.svg")
  else
    cmd=("$VIGIE" scan "$dir" --max-file-size 64MB --format json --output "$tmp/report.json")
  fi
  set +e
  (ulimit -v 8000000; /usr/bin/time -v -o "$tmp/time.txt" timeout 300 "${cmd[@]}" >/dev/null 2>"$tmp/stderr.txt")
  code=$?
  set -e
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time.txt")
  awk -v n="$name" -v l="$largest" -v r="$rss_kb" -v w="$wall" -v c="$code" 'BEGIN {
    budget = 300 + 10 * l / 1048576; rss = r / 1024
    ok = (rss <= budget && c < 124) ? "yes" : "no"
    printf "%-30s %9.1f MB %7.0f MB %9s %6.0f MB %6s %s\n", n, l / 1048576, rss, w, budget, ok, c
  }'
done
