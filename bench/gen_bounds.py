#!/usr/bin/env python3
"""Generate the resource-bound attacks of the fail-closed work, one folder each, under OUT_DIR:
small or odd inputs that once made vigie exhaust memory or time. bench/bounds.sh scans each.

Usage: gen_bounds.py OUT_DIR
"""
import os
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def yaml_alias_bomb(d):
    # a 100 KB scalar, aliased 100 times per level over 100 levels
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb}", "data:",
             "  a0: &a0 \"" + "x" * 100_000 + "\""]
    for i in range(1, 101):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 100) + "]")
    write(f"{d}/bomb.yaml", "\n".join(lines) + "\n")


def terraform_locals(d):
    body = ['locals {', '  l0 = "xxxxxxxx"']
    for i in range(1, 32):
        body.append(f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"')
    body.append("}")
    body.append('resource "aws_s3_bucket" "b" {\n  bucket = local.l31\n}')
    write(f"{d}/main.tf", "\n".join(body) + "\n")


def terraform_fanout(d):
    # three levels of modules, each instantiating the next fifty times
    write(f"{d}/main.tf", 'module "a" {\n  source = "./a"\n  count = 50\n}\n')
    write(f"{d}/a/main.tf", 'module "b" {\n  source = "../b"\n  count = 50\n}\n')
    write(f"{d}/b/main.tf", 'module "c" {\n  source = "../c"\n  count = 50\n}\n')
    write(f"{d}/c/main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')


def cipher_words(d):
    words = ":".join(f"UNKNOWN-CIPHER-{i}" for i in range(5_000))[:99_000]
    write(f"{d}/nginx.conf",
          "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2;\n"
          f"    ssl_ciphers {words};\n  }}\n}}\n")


def run_of_a(d):
    write(f"{d}/blob.env", "A" * 50_000_000)


def configmap_keys(d):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: big}", "data:"]
    lines += [f"  k{i}: v" for i in range(253_000)]
    write(f"{d}/cm.yaml", "\n".join(lines) + "\n")


def compose_extends(d):
    y = ["services:\n"]
    for i in range(20_000):
        y.append(f"  s{i}:\n    extends: {{file: common.yml, service: c{i % 2000}}}\n    user: \"{i}\"\n")
    write(f"{d}/compose.yaml", "".join(y))
    write(f"{d}/common.yml", "services:\n" + "".join(
        f"  c{i}:\n    image: app:{i}\n    read_only: true\n" for i in range(2000)))


def compose_chains(d):
    y = ["services:\n"]
    for i in range(20_000):
        if i % 10 == 0:
            y.append(f"  s{i}:\n    image: app:{i}\n    cap_drop: [ALL]\n")
        else:
            y.append(f"  s{i}:\n    extends: s{i - 1}\n    user: \"{i}\"\n")
    write(f"{d}/compose.yaml", "".join(y))


def manifests_with_databases(d, n, per_file=400):
    tiers = ["front", "back", "back", "worker", "data"]
    docs = []
    for i in range(n):
        tier = tiers[i % 5]
        image = "postgres:16" if tier == "data" else f"registry.example/svc{i}:1.0"
        port = 5432 if tier == "data" else 8080
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: svc{i}, namespace: team-{i // per_file}}}\n"
            f"spec:\n  selector: {{matchLabels: {{app: svc{i}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: svc{i}, tier: {tier}}}}}\n    spec:\n"
            f"      containers: [{{name: main, image: \"{image}\", ports: [{{containerPort: {port}}}]}}]\n")
        if len(docs) == per_file or i == n - 1:
            write(f"{d}/team-{i // per_file}.yaml", "---\n".join(docs))
            docs = []


def dockerfile_backticks(d):
    write(f"{d}/Dockerfile", "FROM alpine:3.20\nRUN echo " + "`" * 300_000 + "\n")


def nginx_includes(d):
    for i in range(9):
        write(f"{d}/conf.d/{i}.conf", "include conf.d/*.conf;\nserver { listen 80; }\n")
    write(f"{d}/nginx.conf", "events {}\nhttp {\n  include conf.d/*.conf;\n}\n")


def gitleaks_alternatives(d):
    alts = "|".join(f"tok{i:06d}" for i in range(200_000))
    write(f"{d}/.gitleaks.toml",
          f"[[rules]]\nid = \"alts\"\nregex = '''({alts})'''\n")
    write(f"{d}/app.env", "KEY=tok000001\n")


def heredoc_many(d):
    # 10,000 here-documents on one RUN
    n = 10_000
    line = "RUN " + " && ".join(f"<<H{i} sh" for i in range(n))
    bodies = "".join(f"echo {i}\nH{i}\n" for i in range(n))
    write(f"{d}/Dockerfile", "FROM alpine:3.20\n" + line + "\n" + bodies)


ATTACKS = {
    "yaml-alias-bomb": yaml_alias_bomb,
    "terraform-doubling-locals": terraform_locals,
    "terraform-module-fanout": terraform_fanout,
    "nginx-cipher-words": cipher_words,
    "50MB-of-A": run_of_a,
    "configmap-253k-keys": configmap_keys,
    "compose-20k-extends-file": compose_extends,
    "compose-20k-extends-chains": compose_chains,
    "k8s-20k-manifests-databases": lambda d: manifests_with_databases(d, 20_000),
    "dockerfile-300k-backticks": dockerfile_backticks,
    "dockerfile-10k-heredocs": heredoc_many,
    "nginx-include-loop": nginx_includes,
    "gitleaks-200k-alternatives": gitleaks_alternatives,
    "graph-2000-workloads": lambda d: manifests_with_databases(d, 2_000, per_file=50),
}


if __name__ == "__main__":
    out = sys.argv[1]
    only = set(sys.argv[2:])
    for name, gen in ATTACKS.items():
        if only and name not in only:
            continue
        d = os.path.join(out, name)
        if not os.path.isdir(d):
            gen(d)
        print(name)
