#!/usr/bin/env bash
# Benchmark the TLS analysis: parse and judge a generated tree of nginx configurations with includes
# (20 proxies, each an nginx.conf including 100 site files that include shared snippets).
# Reports time and peak RSS. Usage: bench/tls.sh [OUT_DIR] [SITES_PER_PROXY]   (default: bench-out/tls, 100)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-out/tls}
per=${2:-100}
repo="$out/repo"
rm -rf "$repo"
mkdir -p "$repo"
python3 - "$repo" "$per" <<'PY'
import os, sys
root, per = sys.argv[1], int(sys.argv[2])
protos = ["TLSv1.2 TLSv1.3", "TLSv1 TLSv1.1 TLSv1.2", "TLSv1.3"]
ciphers = ["ECDHE+AESGCM:ECDHE+CHACHA20", "HIGH:!aNULL:!MD5", "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:DHE-RSA-AES256-SHA256"]
for p in range(20):
    d = os.path.join(root, f"proxy{p:02d}")
    os.makedirs(os.path.join(d, "sites"), exist_ok=True)
    os.makedirs(os.path.join(d, "snippets"), exist_ok=True)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("events { worker_connections 1024; }\nhttp {\n  include /etc/nginx/mime.types;\n"
                f"  ssl_protocols {protos[p % 3]};\n  ssl_session_timeout 1d;\n"
                "  include /etc/nginx/sites/*.conf;\n"
                "  server { listen 80 default_server; return 301 https://$host$request_uri; }\n}\n")
    with open(os.path.join(d, "snippets", "tls.conf"), "w") as f:
        f.write(f"ssl_ciphers {ciphers[p % 3]};\nssl_ecdh_curve X25519:secp384r1;\nssl_stapling on;\n"
                "add_header Strict-Transport-Security \"max-age=63072000\" always;\n")
    for s in range(per):
        with open(os.path.join(d, "sites", f"site{s:03d}.conf"), "w") as f:
            f.write(f"# site {s}\nserver {{\n  listen 443 ssl;\n  server_name s{s}.p{p}.example;\n"
                    "  ssl_certificate /etc/nginx/certs/fullchain.pem;\n  ssl_certificate_key /etc/nginx/certs/privkey.pem;\n"
                    "  include /etc/nginx/snippets/tls.conf;\n"
                    + ("  ssl_early_data on;\n" if s % 7 == 0 else "")
                    + "  location / { proxy_pass http://app:3000; }\n"
                    + ("  location /static/ { add_header Cache-Control public; root /srv; }\n" if s % 5 == 0 else "")
                    + "}\n")
PY
files=$(find "$repo" -type f | wc -l)
cargo build --release --quiet -p vigie-tls --example tls_scan
bin=${CARGO_TARGET_DIR:-target}/release/examples/tls_scan
"$bin" "$repo" >/dev/null
/usr/bin/time -v "$bin" "$repo" > "$out/result.txt" 2> "$out/time.txt"
cat "$out/result.txt"
echo "config files generated: $files"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$out/time.txt"
