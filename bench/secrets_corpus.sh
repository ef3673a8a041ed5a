#!/usr/bin/env bash
# Recall and precision of `vigie secrets` on the recall corpus, and of detect-secrets (PyPI) on
# the same files when it is installed, scored by bench/secrets_corpus.py.
# Usage: bench/secrets_corpus.sh [OUT_DIR]   (default: bench-out/, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out}
mkdir -p "$out"
corpus=crates/vigie-secrets/tests/recall
export PATH="$HOME/.local/bin:$PATH"   # pip install --user puts detect-secrets there
cargo build --release --quiet -p vigie
bin=${CARGO_TARGET_DIR:-target}/release/vigie
"$bin" secrets --no-progress --no-gitignore --format json --output "$out/recall-vigie.json" "$corpus" >/dev/null 2>&1 || true
python3 bench/secrets_corpus.py vigie "$out/recall-vigie.json" "$corpus"
if command -v detect-secrets >/dev/null; then
  (cd "$corpus" && detect-secrets scan --all-files . > "$OLDPWD/$out/recall-detect-secrets.json")
  python3 bench/secrets_corpus.py detect-secrets "$out/recall-detect-secrets.json" "$corpus"
else
  echo "detect-secrets not installed (pip install detect-secrets): skipped"
fi
