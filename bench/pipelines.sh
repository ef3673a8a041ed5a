#!/usr/bin/env bash
# Benchmark the pipeline analysis (vigie-pipeline, run alone by its `pipelines_bench` example) on a
# generated repository with about 1,000 GitHub workflows (plus GitLab CI, Cloud Build, package.json
# and Dockerfiles). Reports time, workflows/s and peak RSS (/usr/bin/time -v).
# Usage: bench/pipelines.sh [OUT_DIR]   (default: bench-out/pipelines, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/pipelines}
repo="$out/repo"
if [ ! -d "$repo" ]; then
  python3 bench/gen_pipelines.py "$repo" --workflows 1000
fi
cargo build --release --quiet -p vigie-pipeline --example pipelines_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/pipelines_bench
workflows=$(find "$repo/.github/workflows" -name '*.yml' | wc -l)
files=$(find "$repo" -type f | wc -l)
bytes=$(find "$repo" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
"$bin" "$repo" >/dev/null
best=""
for i in 1 2 3; do
  /usr/bin/time -v -o "$out/time.txt" "$bin" "$repo" > "$out/run.txt"
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(k=1;k<=n;k++) s=s*60+t[k]; print s}' "$out/time.txt")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  if [ -z "$best" ] || awk "BEGIN {exit !($secs < $best)}"; then best=$secs; best_rss=$rss_kb; cp "$out/run.txt" "$out/best.txt"; fi
done
cat "$out/best.txt"
awk -v s="$best" -v w="$workflows" -v f="$files" -v b="$bytes" -v r="$best_rss" 'BEGIN {
  printf "input: %d workflows, %d files, %.1f MB\n", w, f, b/1e6
  printf "time: %.2f s (best of 3, walk + read + lower + check)\n", s
  printf "throughput: %.0f workflows/s\n", w/s
  printf "peak RSS: %.0f MB\n", r/1024
}'
