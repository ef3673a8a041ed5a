#!/usr/bin/env bash
# Benchmark `vigie serve` on loopback, against SQLite and PostgreSQL (bounded: each load runs
# for SECONDS, default 60, then stops by itself):
#   1. 50 concurrent uploaders of 2 MB reports: uploads/s, p50/p99 latency, errors; then the
#      same paced at 10 uploads/s; the server's peak RSS (/usr/bin/time).
#   2. the overview's p95 with 200 repositories x 365 days of daily scans loaded;
#   3. the database size per 1,000 scans of a 2,000-verdict report (1% of verdicts changed
#      from one scan to the next, and unchanged).
# Usage: bench/serve.sh [OUT_DIR]   (PostgreSQL: VIGIE_BENCH_POSTGRES, default the local `test`)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/serve}
seconds=${SECONDS_PER_LOAD:-60}
pg=${VIGIE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
mkdir -p "$out"
cargo build --release --quiet -p vigie
cargo build --release --quiet -p vigie-server --example serve_bench
bin=target/release/vigie
bench=target/release/examples/serve_bench
port=18573
url=http://127.0.0.1:$port
export VIGIE_PASSWORD="bench password 1234"

# a real report (the gaps example), and the same grown to 2 MB and to 2,000 verdicts
"$bin" scan examples/compose-gaps --format json -o "$out/base.json" >/dev/null 2>&1 || true
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
base = json.load(open(f"{out}/base.json"))
src = base["verdicts"]
def grow(n):
    r = dict(base)
    r["verdicts"] = [dict(src[i % len(src)], subject=f"{src[i % len(src)]['subject']} #{i}") for i in range(n)]
    return r
n = 100
while len(json.dumps(grow(n))) < 2_000_000:
    n += 100
json.dump(grow(n), open(f"{out}/report-2mb.json", "w"))
json.dump(base, open(f"{out}/report-base.json", "w"))
PY

fresh_db() { # engine -> database URL
  if [ "$1" = sqlite ]; then
    rm -f "$out"/bench.db*; echo "$out/bench.db"
  else
    local schema="vigie_bench_$RANDOM$RANDOM"
    psql "$pg" -qc "CREATE SCHEMA $schema" >/dev/null
    echo "$pg?options=-c%20search_path%3D$schema"
  fi
}

db_size() { # engine database -> MB
  if [ "$1" = sqlite ]; then
    du -cb "$out"/bench.db* | tail -1 | awk '{printf "%.1f", $1/1e6}'
  else
    local schema=${2##*%3D}
    psql "$pg" -qAtc "SELECT round(sum(pg_total_relation_size(c.oid))/1e6, 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind IN ('r','m')"
  fi
}

serve() { # database -> starts the server in the background
  "$bin" serve --listen 127.0.0.1:$port --database "$1" --log-format json 2>"$out/server.log" &
  server=$!
  for _ in $(seq 1 100); do "$bin" serve healthcheck "$url/healthz" 2>/dev/null && return; sleep 0.2; done
  echo "the server did not start" >&2; exit 1
}

peak_rss() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$server/status"; }
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }

for engine in sqlite postgres; do
  echo "== $engine"
  db=$(fresh_db $engine)
  "$bin" serve --database "$db" add-repository bench/app 2>/dev/null
  "$bin" serve --database "$db" add-user bench --role admin 2>/dev/null
  token=$("$bin" serve --database "$db" create-token bench/app)
  serve "$db"
  "$bench" upload "$url" "$token" "$out/report-2mb.json" --clients 50 --seconds "$seconds"
  "$bench" upload "$url" "$token" "$out/report-2mb.json" --clients 50 --seconds "$seconds" --rate 10
  echo "server peak RSS: $(peak_rss)"
  stop
  echo "database after the uploads: $(db_size $engine "$db") MB"

  db=$(fresh_db $engine)
  "$bin" serve --database "$db" add-user bench --role admin 2>/dev/null
  "$bench" fill "$db" --report "$out/report-base.json" --repos 200 --days 365 --verdicts 200
  echo "database: $(db_size $engine "$db") MB"
  serve "$db"
  "$bench" pages "$url" bench "$VIGIE_PASSWORD" --requests 50 --path /
  "$bench" pages "$url" bench "$VIGIE_PASSWORD" --requests 20 --path /controls/CNT-04
  "$bench" pages "$url" bench "$VIGIE_PASSWORD" --requests 20 --path /expiring
  stop

  for churn in 0.01 0; do
    db=$(fresh_db $engine)
    "$bench" size "$db" --report "$out/report-base.json" --scans 1000 --verdicts 2000 --churn $churn
    echo "database size per 1,000 scans (${churn} changed): $(db_size $engine "$db") MB"
  done
done
