#!/usr/bin/env bash
# Benchmark the dependency side: `vigie db import` of a generated OSV export (records/s, store
# size, peak RSS), then matching a generated monorepo of lockfiles against it (the vigie-deps
# `match` example: lockfile discovery, parsing and SUP-03 assessment, time and peak RSS), and
# `vigie sbom` of the same monorepo.
# Usage: bench/deps.sh [OUT_DIR]   (default: bench-out/deps; git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/deps}
if [ ! -f "$out/osv/all.zip" ]; then
  python3 bench/gen_deps.py "$out" --advisories 200000 --lockfiles 300 --packages 150000
fi
cargo build --release --quiet -p vigie
cargo build --release --quiet -p vigie-deps --example match
bin=${CARGO_TARGET_DIR:-target}/release/vigie
db="$out/osv.db"

measure() { # label, then the command
  local label=$1; shift
  /usr/bin/time -v -o "$out/time-$label.txt" "$@" >"$out/stdout-$label.txt" 2>"$out/stderr-$label.txt" || true
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time-$label.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time-$label.txt")
  echo "$label: ${secs}s, peak RSS $((rss / 1024)) MB"
}

rm -f "$db"
measure import "$bin" db import --db "$db" "$out/osv/all.zip"
cat "$out/stdout-import.txt"
echo "store size: $(du -h "$db" | cut -f1) ($(stat -c %s "$db") bytes); export: $(du -h "$out/osv/all.zip" | cut -f1)"

files=$(find "$out/monorepo" -type f | wc -l)
echo "monorepo: $files lockfiles"
measure match "${CARGO_TARGET_DIR:-target}/release/examples/match" "$db" "$out/monorepo"
cat "$out/stdout-match.txt"
measure sbom "$bin" sbom "$out/monorepo" --output "$out/sbom.json"
tail -n 1 "$out/stderr-sbom.txt"
