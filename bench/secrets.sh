#!/usr/bin/env bash
# Benchmark `vigie secrets`:
#  1. working tree: a generated tree of >= 500 MB of mixed text, MB/s and peak RSS;
#  2. history: a real repository (bare or not) against the floor
#     `git cat-file --batch-all-objects --batch --unordered > /dev/null`, and peak RSS.
# Wall time is the best of 3 runs; CPU time (user + system, summed over threads) too, so that a
# loaded machine can still be compared: vigie uses every core, git one.
# Usage: [VIGIE_BIN=path] bench/secrets.sh [GIT_REPO] [OUT_DIR]   (OUT_DIR default: bench-out/, git-ignored;
#        VIGIE_BIN: measure that binary instead of building this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:-}
out=${2:-bench-out}
mkdir -p "$out"
tree="$out/secrets-tree"
if [ ! -d "$tree" ]; then
  python3 bench/gen_secrets_tree.py "$tree" --mb 520
fi
if [ -n "${VIGIE_BIN:-}" ]; then
  bin=$VIGIE_BIN   # another build to compare, e.g. one of the commit before a change
else
  nice -n 19 cargo build --release --quiet -p vigie
  bin=${CARGO_TARGET_DIR:-target}/release/vigie
fi

measure() { # label, command...: prints "wall_secs cpu_secs rss_kb" (cpu: user + system)
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || true
  tail -n 1 "$out/time.txt" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}'
}

# best3 command...: runs it three times, prints "best_wall cpu_of_that_run best_cpu rss_kb"
best3() {
  local bw="" bc="" bcpu="" brss=""
  for i in 1 2 3; do
    read -r w c r < <(measure x "$@")
    if [ -z "$bw" ] || awk "BEGIN {exit !($w < $bw)}"; then bw=$w; bc=$c; brss=$r; fi
    if [ -z "$bcpu" ] || awk "BEGIN {exit !($c < $bcpu)}"; then bcpu=$c; fi
  done
  echo "$bw $bc $bcpu $brss"
}

bytes=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
"$bin" secrets --no-progress "$tree" >/dev/null 2>&1 || true   # warm the page cache
read -r best best_cpu_run best_cpu best_rss < <(best3 "$bin" secrets --no-progress "$tree")
awk -v s="$best" -v c="$best_cpu" -v b="$bytes" -v f="$files" -v r="$best_rss" 'BEGIN {
  printf "working tree: %d files, %.0f MB in %.2f s wall (best of 3): %.0f MB/s, %.2f s CPU (best of 3), peak RSS %.0f MB\n", f, b/1e6, s, b/1e6/s, c, r/1024
}'

if [ -n "$repo" ]; then
  commits=$(git -C "$repo" rev-list --all --count)
  objects=$(git -C "$repo" count-objects -v | awk '/^(count|in-pack):/ {s+=$2} END {print s}')
  git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null   # warm
  read -r floor _ floor_cpu floor_rss < <(best3 git -C "$repo" cat-file --batch-all-objects --batch --unordered)
  "$bin" secrets --history --no-progress "$repo" >/dev/null 2>&1 || true      # warm
  read -r bestv _ bestv_cpu bestv_rss < <(best3 "$bin" secrets --history --no-progress --format json --output "$out/history.json" "$repo")
  found=$(python3 -c "import json,sys; d=json.load(open('$out/history.json')); print(len(d['findings']), d['stats']['scanned'], d['stats']['bytes'])")
  read -r nf blobs hbytes <<<"$found"
  awk -v c="$commits" -v o="$objects" -v f="$floor" -v fc="$floor_cpu" -v fr="$floor_rss" -v s="$bestv" -v sc="$bestv_cpu" -v r="$bestv_rss" -v nf="$nf" -v nb="$blobs" -v hb="$hbytes" 'BEGIN {
    printf "history: %d commits, %d objects, %d blobs (%.0f MB) scanned, %d findings\n", c, o, nb, hb/1e6, nf
    printf "  floor (git cat-file --batch-all-objects): %.2f s wall, %.2f s CPU (best of 3), peak RSS %.0f MB\n", f, fc, fr/1024
    printf "  vigie secrets --history: %.2f s wall (%.2fx the floor), %.2f s CPU (%.2fx), best of 3, peak RSS %.0f MB\n", s, s/f, sc, sc/fc, r/1024
  }'
fi
