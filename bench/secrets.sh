#!/usr/bin/env bash
# Benchmark `vigie secrets`:
#  1. working tree: a generated tree of >= 500 MB of mixed text, MB/s and peak RSS;
#  2. history: a real repository (bare or not) against the floor
#     `git cat-file --batch-all-objects --batch --unordered > /dev/null`, and peak RSS.
# Usage: bench/secrets.sh [GIT_REPO] [OUT_DIR]   (OUT_DIR default: bench-out/, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:-}
out=${2:-bench-out}
mkdir -p "$out"
tree="$out/secrets-tree"
if [ ! -d "$tree" ]; then
  python3 bench/gen_secrets_tree.py "$tree" --mb 520
fi
cargo build --release --quiet -p vigie
bin=${CARGO_TARGET_DIR:-target}/release/vigie

measure() { # label, command...: prints "secs rss_kb"
  shift
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || true
  tail -n 1 "$out/time.txt"
}

bytes=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
"$bin" secrets --no-progress "$tree" >/dev/null 2>&1 || true   # warm the page cache
best=""
for i in 1 2 3; do
  read -r secs rss < <(measure wt "$bin" secrets --no-progress "$tree")
  if [ -z "$best" ] || awk "BEGIN {exit !($secs < $best)}"; then best=$secs; best_rss=$rss; fi
done
awk -v s="$best" -v b="$bytes" -v f="$files" -v r="$best_rss" 'BEGIN {
  printf "working tree: %d files, %.0f MB in %.2f s (best of 3): %.0f MB/s, peak RSS %.0f MB\n", f, b/1e6, s, b/1e6/s, r/1024
}'

if [ -n "$repo" ]; then
  commits=$(git -C "$repo" rev-list --all --count)
  objects=$(git -C "$repo" count-objects -v | awk '/^(count|in-pack):/ {s+=$2} END {print s}')
  git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null   # warm
  read -r floor floor_rss < <(measure floor git -C "$repo" cat-file --batch-all-objects --batch --unordered)
  "$bin" secrets --history --no-progress "$repo" >/dev/null 2>&1 || true      # warm
  bestv=""
  for i in 1 2 3; do
    read -r secs rss < <(measure history "$bin" secrets --history --no-progress --format json --output "$out/history.json" "$repo")
    if [ -z "$bestv" ] || awk "BEGIN {exit !($secs < $bestv)}"; then bestv=$secs; bestv_rss=$rss; fi
  done
  found=$(python3 -c "import json,sys; d=json.load(open('$out/history.json')); print(len(d['findings']), d['stats']['scanned'], d['stats']['bytes'])")
  read -r nf blobs hbytes <<<"$found"
  awk -v c="$commits" -v o="$objects" -v f="$floor" -v fr="$floor_rss" -v s="$bestv" -v r="$bestv_rss" -v nf="$nf" -v nb="$blobs" -v hb="$hbytes" 'BEGIN {
    printf "history: %d commits, %d objects, %d blobs (%.0f MB) scanned, %d findings\n", c, o, nb, hb/1e6, nf
    printf "  floor (git cat-file --batch-all-objects): %.2f s, peak RSS %.0f MB\n", f, fr/1024
    printf "  vigie secrets --history: %.2f s (best of 3, %.2fx the floor), peak RSS %.0f MB\n", s, s/f, r/1024
  }'
fi
