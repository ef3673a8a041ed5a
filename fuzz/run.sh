#!/bin/sh
# Run every fuzz target for a fixed budget and report executions and findings.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]    (default 60)
#
# Needs cargo-fuzz and a nightly toolchain (`cargo install cargo-fuzz`,
# `rustup toolchain install nightly`). Crashing inputs are left in fuzz/artifacts/TARGET/;
# each one becomes a regression test beside the code it broke before it is fixed.
set -eu
budget="${1:-60}"
cd "$(dirname "$0")"
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^vigie-fuzz$')
printf '%-14s %12s %10s %s\n' target executions exec/s result
status=0
for t in $targets; do
    log="$(mktemp)"
    if cargo +nightly fuzz run "$t" -- -max_total_time="$budget" -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
        result=ok
    else
        result="FOUND (see fuzz/artifacts/$t/)"
        status=1
    fi
    # libFuzzer's last status line: "#1234 DONE cov: … exec/s: 56 rss: …"
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-14s %12s %10s %s\n' "$t" "${execs:-0}" "${rate:-0}" "$result"
    [ "$result" = ok ] || tail -20 "$log"
    rm -f "$log"
done
exit "$status"
