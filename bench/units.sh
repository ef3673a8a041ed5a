#!/usr/bin/env bash
# Whole scans of real platform repositories, judged unit by unit: the units found, the findings and
# the SARIF fingerprints repeated across results, time and peak RSS — for this build and for a
# "before" binary (vigie as it was before deployment units, to compare).
#
# Usage: bench/units.sh BEFORE_BIN REPO_DIR...
#   BEFORE_BIN  a vigie binary to compare with (e.g. built from 628f13b:
#               git archive 628f13b | tar -x -C /tmp/before && cargo build --release -p vigie
#               --no-default-features there); `-` to skip the comparison
#   REPO_DIR    checked-out repositories (e.g. GoogleCloudPlatform/microservices-demo and
#               GoogleCloudPlatform/kubernetes-engine-samples)
# Output in bench-out/units (git-ignored). The machine may be loaded: say so beside any figure.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1
shift
out=bench-out/units
mkdir -p "$out"
cargo build --release --quiet -p vigie --no-default-features
after=${CARGO_TARGET_DIR:-target}/release/vigie

measure() { # label, binary, repo
  local label=$1 bin=$2 repo=$3
  /usr/bin/time -v -o "$out/time-$label.txt" \
    "$bin" scan "$repo" --format sarif --no-color >"$out/$label.sarif" 2>"$out/stderr-$label.txt" || true
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time-$label.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time-$label.txt")
  python3 - "$out/$label.sarif" "$label" "$secs" "$rss" <<'EOF'
import json, sys, collections
path, label, secs, rss = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
doc = json.load(open(path))
results = [r for run in doc["runs"] for r in run.get("results", [])]
fails = [r for r in results if r.get("kind", "fail") == "fail" and not r["ruleId"].startswith("VG-")]
fps = collections.Counter(next(iter(r.get("partialFingerprints", {}).values()), None) for r in fails)
dups = sum(n - 1 for n in fps.values() if n > 1)
selects = sum(1 for r in results if "matches no pod" in r["message"]["text"])
print(f"{label}: {len(fails)} failures, {dups} repeated fingerprints, "
      f"{selects} 'matches no pod' findings, {secs}s, peak RSS {rss // 1024} MB")
EOF
}

for repo in "$@"; do
  name=$(basename "$(cd "$repo" && pwd)")
  units=$("$after" units "$repo" | tail -n 1)
  echo "== $name: $units"
  "$after" units "$repo" --format json >"$out/units-$name.json"
  python3 - "$out/units-$name.json" <<'EOF'
import json, sys, collections
units = json.load(open(sys.argv[1]))
print("   by kind:", dict(collections.Counter(u["kind"] for u in units)))
EOF
  if [ "$before" != "-" ]; then
    measure "before-$name" "$before" "$repo"
  fi
  measure "after-$name" "$after" "$repo"
done
