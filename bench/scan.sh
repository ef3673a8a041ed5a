#!/usr/bin/env bash
# Benchmark a whole `vigie scan` on a generated repository: files/s, MB/s and peak RSS.
# Usage: bench/scan.sh [OUT_DIR]   (default: bench-out/, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out}
repo="$out/repo"
if [ ! -d "$repo" ]; then
  python3 bench/gen_repo.py "$repo" --files 5000 --mb 55
fi
cargo build --release --quiet -p vigie
bin=target/release/vigie
bytes=$(find "$repo" -type f \( -name '*.y*ml' -o -name 'Dockerfile' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$repo" -type f \( -name '*.y*ml' -o -name 'Dockerfile' \) | wc -l)
# warm the page cache once, then measure three runs and keep the best
"$bin" scan "$repo" --format json --output "$out/report.json" >/dev/null 2>&1 || true
best=""
for i in 1 2 3; do
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$bin" scan "$repo" --format json --output "$out/report.json" >/dev/null 2>&1 || true
  read -r secs rss_kb < <(tail -n 1 "$out/time.txt")
  if [ -z "$best" ] || awk "BEGIN {exit !($secs < $best)}"; then best=$secs; best_rss=$rss_kb; fi
done
awk -v s="$best" -v b="$bytes" -v f="$files" -v r="$best_rss" -v rep="$(stat -c %s "$out/report.json")" 'BEGIN {
  printf "input: %d files, %.1f MB\n", f, b/1e6
  printf "time: %.2f s (best of 3)\n", s
  printf "throughput: %.0f files/s, %.1f MB/s\n", f/s, b/1e6/s
  printf "peak RSS: %.0f MB\n", r/1024
  printf "json report: %.1f MB\n", rep/1e6
}'
