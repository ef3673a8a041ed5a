#!/usr/bin/env bash
# Benchmark the reachability model on generated Kubernetes platforms of 500, 1,000 and 2,000
# workloads with 500 NetworkPolicies in 50 namespaces: time per phase, flows found, peak RSS.
# Usage: bench/network.sh [OUT_DIR]   (default: bench-out/network)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/network}
mkdir -p "$out"
cargo build --release --quiet -p vigie-net --example reach
bin=${CARGO_TARGET_DIR:-target}/release/examples/reach
printf "%-10s %-10s %-12s %-14s %-10s %s\n" workloads policies flows reachability total peakRSS
for n in 500 1000 2000; do
  dir="$out/platform-$n"
  [ -d "$dir" ] || python3 bench/gen_network.py "$dir" --workloads "$n" --namespaces 50 --policies 500
  "$bin" "$dir" >/dev/null  # warm the page cache
  /usr/bin/time -v -o "$out/time-$n.txt" "$bin" "$dir" >"$out/out-$n.txt"
  flows=$(awk '/^workloads/ {print $6}' "$out/out-$n.txt")
  reach=$(awk '/^load/ {print $5}' "$out/out-$n.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/time-$n.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2/1024}' "$out/time-$n.txt")
  printf "%-10s %-10s %-12s %-14s %-10s %s\n" "$n" 500 "$flows" "${reach} s" "$wall" "$rss"
done
