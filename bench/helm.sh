#!/usr/bin/env bash
# Benchmark vigie's Helm renderer against Helm's engine (pip install helm-python-sdk==0.2.2) on
# fetched chart repositories: renders/s, peak RSS, and chart-for-chart comparison.
# Usage: bench/helm.sh REPO_DIR...   (e.g. a checkout of prometheus-community/helm-charts)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  echo "usage: bench/helm.sh CHART_REPOSITORY_DIR..." >&2
  exit 2
fi
cargo build --release --quiet -p vigie-helm --example helm-render
python3 bench/helm_bench.py --vigie target/release/examples/helm-render "$@"
