#!/usr/bin/env bash
# Benchmark vigie's native Kustomize builder against `kubectl kustomize` (Kustomize v5.5) on a
# generated repository of 200 kustomizations (48 applications × base + dev/staging/prod
# overlays, 8 components, generators, patches; the 144 overlays build to ~20,000 objects).
# Reports wall time, CPU time and peak RSS (/usr/bin/time -v) of — CPU time is the figure to
# compare on a loaded machine:
#   - vigie building the 144 overlays in one process,
#   - vigie run once per overlay (one process each, as kubectl is),
#   - kubectl kustomize run once per overlay (peak RSS: the largest single run),
# and checks that both produce the same objects on every overlay.
# Usage: bench/kustomize.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
tree="$work/tree"
rm -rf "$tree"
python3 bench/gen_kustomize.py "$tree"
cargo build --release --quiet -p vigie-kustomize --example kustomize-build
bin=target/release/examples/kustomize-build
mapfile -t overlays < <(find "$tree/apps" -path '*/overlays/*' -name kustomization.yaml -printf '%h\n' | sort)
echo "kustomizations: $(find "$tree" -name kustomization.yaml | wc -l), overlays built: ${#overlays[@]}"

measure() { # label, command...: prints wall time, CPU time (user+sys) and peak RSS
  local label="$1"; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || { tail -5 "$work/time.txt"; exit 1; }
  local wall rss cpu
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time.txt")
  printf '%-44s wall %8s   CPU %7ss   peak RSS %7d KiB\n' "$label" "$wall" "$cpu" "$rss"
}

measure "vigie, one process, ${#overlays[@]} overlays" "$bin" "${overlays[@]}"
"$bin" "${overlays[@]}" 2>&1 >/dev/null | tail -1

loop() { local tool="$1"; shift; for d in "$@"; do
  if [ "$tool" = kubectl ]; then kubectl kustomize "$d" 2>/dev/null; else "$bin" "$d"; fi; done; }
export -f loop; export bin
measure "vigie, one process per overlay" bash -c 'loop vigie "$@"' _ "${overlays[@]}"
measure "kubectl kustomize, one process per overlay" bash -c 'loop kubectl "$@"' _ "${overlays[@]}"

# Peak RSS of the largest single kubectl run (the loop above reports bash's children max).
max=0
for d in "${overlays[@]:0:10}"; do
  /usr/bin/time -v kubectl kustomize "$d" >/dev/null 2>"$work/time.txt"
  r=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  [ "$r" -gt "$max" ] && max=$r
done
echo "kubectl kustomize peak RSS of one overlay (max over 10): $max KiB"

# Same objects on every overlay.
differ=0
for d in "${overlays[@]}"; do
  a=$(kubectl kustomize "$d" 2>/dev/null | python3 -c 'import sys,yaml,json; print(sorted(json.dumps(x,sort_keys=True) for x in yaml.safe_load_all(sys.stdin) if x))')
  b=$("$bin" "$d" 2>/dev/null | python3 -c 'import sys,yaml,json; print(sorted(json.dumps(x,sort_keys=True) for x in yaml.safe_load_all(sys.stdin) if x))')
  [ "$a" = "$b" ] || { differ=$((differ+1)); echo "differs: $d"; }
done
echo "overlays whose objects differ from kubectl kustomize: $differ/${#overlays[@]}"
