#!/usr/bin/env bash
# Benchmark the pipeline analysis inside a whole `vigie scan`: a generated repository with about
# 1,000 GitHub workflows (plus GitLab CI, Cloud Build, package.json and Dockerfiles).
# Reports time, pipelines/s and peak RSS (/usr/bin/time -v).
# Usage: bench/pipelines.sh [OUT_DIR]   (default: bench-out/pipelines, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/pipelines}
repo="$out/repo"
if [ ! -d "$repo" ]; then
  python3 bench/gen_pipelines.py "$repo" --workflows 1000
fi
cargo build --release --quiet -p vigie
bin=${CARGO_TARGET_DIR:-target}/release/vigie
workflows=$(find "$repo/.github/workflows" -name '*.yml' | wc -l)
files=$(find "$repo" -type f | wc -l)
bytes=$(find "$repo" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
"$bin" scan "$repo" --format json --output "$out/report.json" >/dev/null 2>&1 || true
best=""
for i in 1 2 3; do
  /usr/bin/time -v -o "$out/time.txt" "$bin" scan "$repo" --format json --output "$out/report.json" >/dev/null 2>&1 || true
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(k=1;k<=n;k++) s=s*60+t[k]; print s}' "$out/time.txt")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  if [ -z "$best" ] || awk "BEGIN {exit !($secs < $best)}"; then best=$secs; best_rss=$rss_kb; fi
done
sup=$(grep -o '"check":"SUP-[0-9.]*"' "$out/report.json" | wc -l || true)
awk -v s="$best" -v w="$workflows" -v f="$files" -v b="$bytes" -v r="$best_rss" -v n="$sup" 'BEGIN {
  printf "input: %d workflows, %d files, %.1f MB\n", w, f, b/1e6
  printf "time: %.2f s (best of 3, whole scan)\n", s
  printf "throughput: %.0f workflows/s\n", w/s
  printf "peak RSS: %.0f MB\n", r/1024
  printf "supply-chain verdicts: %d\n", n
}'
