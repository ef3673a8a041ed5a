#!/usr/bin/env python3
"""Agreement of vigie's Kustomize builder with `kubectl kustomize` on real repositories.

Usage: bench/kustomize_agreement.py [--vigie BIN] [--show N] REPO_DIR...

Every folder holding a kustomization is built by both (the vigie example binary
`kustomize-build`, and `kubectl kustomize`, Kustomize v5.5); the objects are compared as
parsed YAML, in any order. Kustomizations Kustomize itself cannot build (remote bases without
network, helmCharts without --enable-helm, plugins…) are counted apart; the rate is over those
Kustomize builds. Nothing is written into the repositories.
"""
import argparse
import json
import os
import subprocess
import sys

import yaml

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def objects(text):
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    return sorted(json.dumps(d, sort_keys=True, default=str) for d in docs)


def run(cmd, timeout=120):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", "timeout"


def kustomizations(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x != ".git"]
        if any(n in files for n in NAMES):
            yield d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default="target/release/examples/kustomize-build")
    ap.add_argument("--show", type=int, default=5, help="differences to print")
    ap.add_argument("repos", nargs="+")
    a = ap.parse_args()
    total = {"kustomizations": 0, "kustomize_builds": 0, "equal": 0, "differ": 0,
             "vigie_refuses": 0, "kustomize_refuses": 0, "both_refuse": 0}
    shown = 0
    for repo in a.repos:
        per = {"kustomize_builds": 0, "equal": 0}
        for d in sorted(kustomizations(repo)):
            total["kustomizations"] += 1
            krc, kout, kerr = run(["kubectl", "kustomize", d])
            vrc, vout, verr = run([a.vigie, d])
            if krc != 0:
                total["kustomize_refuses"] += 1
                if vrc != 0:
                    total["both_refuse"] += 1
                continue
            total["kustomize_builds"] += 1
            per["kustomize_builds"] += 1
            try:
                same = vrc == 0 and objects(vout) == objects(kout)
            except yaml.YAMLError as e:
                same = False
                verr += f"\nunparsable output: {e}"
            if same:
                total["equal"] += 1
                per["equal"] += 1
            else:
                total["vigie_refuses" if vrc != 0 else "differ"] += 1
                if shown < a.show:
                    shown += 1
                    print(f"--- differs: {d}\n{verr.strip()[:800]}", file=sys.stderr)
                    if vrc == 0:
                        want, got = set(objects(kout)), set(objects(vout))
                        for o in sorted(want - got)[:2]:
                            print(f"  kubectl only: {o[:400]}", file=sys.stderr)
                        for o in sorted(got - want)[:2]:
                            print(f"  vigie only:   {o[:400]}", file=sys.stderr)
        print(f"{repo}: {per['equal']}/{per['kustomize_builds']} equal")
    rate = 100.0 * total["equal"] / max(1, total["kustomize_builds"])
    print(json.dumps(total, indent=1))
    print(f"agreement: {total['equal']}/{total['kustomize_builds']} = {rate:.1f}% of the kustomizations Kustomize builds")


if __name__ == "__main__":
    main()
