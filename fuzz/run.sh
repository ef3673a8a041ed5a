#!/bin/sh
# Run the fuzz targets one after another for a fixed budget each, and report executions, speed,
# peak memory and findings.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]    (default 60 seconds, every target)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). A stable toolchain is enough:
# RUSTC_BOOTSTRAP=1 lets it accept the sanitizer flags cargo-fuzz passes (set FUZZ_TOOLCHAIN=+nightly
# to use a nightly instead). Builds go to $CARGO_TARGET_DIR (default fuzz/target, kept apart from the
# workspace's: the sanitizer flags differ and would rebuild everything).
#
# Each target starts from fuzz/corpus/TARGET, seeded on first use from the repository's examples/
# and test fixtures (fuzz/corpus/ is not committed). Crashing, hanging (-timeout) and memory-hungry
# (-rss_limit_mb) inputs are left in fuzz/artifacts/TARGET/; minimize one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin TARGET fuzz/artifacts/TARGET/crash-…
# and keep it as an inline regression test beside the code it broke before fixing it.
# Exit status: 0 when no target found anything, 1 otherwise.
set -eu
budget="${1:-60}"
[ $# -gt 0 ] && shift
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
cd "$here"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
toolchain="${FUZZ_TOOLCHAIN:-}"
if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^vigie-fuzz$')
fi

# Files of the repository that suit a target, as find(1) predicates.
patterns() {
    case "$1" in
        yaml | kubernetes) echo "-name *.yaml -o -name *.yml" ;;
        dockerfile) echo "-name Dockerfile* -o -name *.Dockerfile" ;;
        compose) echo "-name *compose*.yml -o -name *compose*.yaml" ;;
        helm_template) echo "-path */templates/*.yaml -o -name *.tpl -o -name values.yaml" ;;
        terraform) echo "-name *.tf -o -name *.tfvars -o -name *.tf.json" ;;
        nginx) echo "-name nginx.conf -o -name default.conf -o -name site.conf" ;;
        caddy) echo "-name Caddyfile* -o -name caddy*.json" ;;
        haproxy) echo "-name haproxy*.cfg" ;;
        traefik) echo "-name traefik*.yml -o -name traefik*.yaml -o -name traefik*.toml" ;;
        cipher) echo "-name openssl_ciphers.txt" ;;
        pipelines) echo "-path */workflows/*.yml -o -name .gitlab-ci.yml -o -name cloudbuild.yaml" ;;
        lockfiles) echo "-path */fixtures/lockfiles/*" ;;
        osv) echo "-path */fixtures/osv/*.json" ;;
        *) echo "-name none" ;;
    esac
}

seed() {
    dir="corpus/$1"
    [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && return 0
    mkdir -p "$dir"
    # shellcheck disable=SC2046 # the predicates are meant to split into words
    set -f
    find "$repo/examples" "$repo/crates" -path "$repo/crates/*/src" -prune -o -type f -size -65k \
        \( $(patterns "$1") \) -print |
        while read -r f; do cp "$f" "$dir/$(echo "${f#"$repo"/}" | tr / _)"; done
    set +f
    # A few inputs no fixture file holds.
    case "$1" in
        cipher)
            printf 'HIGH:!aNULL:!MD5' >"$dir/inline-1"
            printf 'ECDHE+AESGCM:ECDHE+CHACHA20:@STRENGTH:-DES' >"$dir/inline-2"
            printf 'ALL:+RC4:!EXPORT:DEFAULT@SECLEVEL=2' >"$dir/inline-3"
            ;;
        caddy)
            printf '(common) {\n\ttls {\n\t\tprotocols tls1.2 tls1.3\n\t}\n}\nexample.com {\n\timport common\n\treverse_proxy app:8080\n}\n' >"$dir/inline-1"
            printf '{"apps":{"http":{"servers":{"s":{"listen":[":443"],"tls_connection_policies":[{"protocol_min":"tls1.0"}]}}}}}' >"$dir/inline-2"
            ;;
        haproxy)
            printf 'global\n\tssl-default-bind-ciphers ECDHE+AESGCM\n\tssl-default-bind-options ssl-min-ver TLSv1.2\nfrontend f\n\tbind :443 ssl crt /x.pem ssl-min-ver TLSv1.0\n\tdefault_backend b\nbackend b\n\tserver s1 10.0.0.1:80\n' >"$dir/inline-1"
            ;;
        nginx)
            printf 'http {\n\tinclude conf.d/*.conf;\n\tserver {\n\t\tlisten 443 ssl;\n\t\tssl_protocols TLSv1 TLSv1.2;\n\t\tssl_ciphers HIGH:!aNULL;\n\t}\n}\0server { listen 443 ssl; include snippets/tls; }\0include conf.d/*.conf;\0ssl_protocols SSLv3;\n' >"$dir/inline-1"
            ;;
        terraform)
            printf 'module "m" {\n  source = "./modules/m"\n  n = var.n\n}\nlocals {\n  a = [for i in range(3) : i * 2]\n}\n\0variable "n" {}\nresource "google_storage_bucket" "b" {\n  location = "EU"\n  count = var.n\n}\n\0n = 2\n' >"$dir/inline-1"
            ;;
        helm_template)
            printf '{{- range $k, $v := .Values.a }}\n{{ $k }}: {{ $v | toYaml | nindent 2 }}\n{{- end }}\n{{ include "x" . }}\n{{ define "x" }}{{ .Values.a.b | default "d" | quote }}{{ end }}\n---values---\na: {b: [1, 2]}\n' >"$dir/inline-1"
            ;;
        osv)
            printf 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' >"$dir/inline-1"
            ;;
    esac
}

printf '%-14s %12s %8s %9s %s\n' target executions exec/s peak-MB result
status=0
for t in $targets; do
    seed "$t"
    log="$(mktemp)"
    # shellcheck disable=SC2086 # an empty toolchain is no argument at all
    if nice -n 19 cargo $toolchain fuzz run "$t" "corpus/$t" -- -max_total_time="$budget" \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result="FOUND (see fuzz/artifacts/$t/)"
        status=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    printf '%-14s %12s %8s %9s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${rss:-?}" "$result"
    [ "$result" = ok ] || tail -30 "$log"
    rm -f "$log"
done
exit "$status"
