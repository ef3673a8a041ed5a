#!/usr/bin/env python3
"""Agreement of vigie's Helm renderer with Helm's own engine.

For every chart under the given repositories (fetched public chart repositories), with its
default values and with each values file it ships under ci/ (the value sets its maintainers
test, which switch features on), render with Helm's engine (the PyPI package helm-python-sdk,
Helm 4's Go SDK) and with vigie (the helm-render example, release build), and compare each
template's output as parsed YAML documents (order-insensitive). Charts whose dependencies are
other charts of the same repositories get them copied under charts/ first, as `helm dependency
build` would.

Output: the agreement rate and every difference with the first differing path.

    python3 bench/helm_agreement.py --vigie target/release/examples/helm-render REPO_DIR...
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import helm_python as helm
import yaml


def chart_dirs(root):
    out = []
    for base in ("charts", "bitnami", "stable", "."):
        d = os.path.join(root, base)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            c = os.path.join(d, name)
            if os.path.isfile(os.path.join(c, "Chart.yaml")):
                out.append(c)
        if out:
            break
    return out


def chart_meta(d):
    try:
        with open(os.path.join(d, "Chart.yaml")) as f:
            return yaml.safe_load(f) or {}
    except Exception:
        return {}


def prepare(src, pool, dest, depth=0):
    """Copy a chart, vendoring its dependencies found in the pool (by chart name)."""
    shutil.copytree(src, dest, symlinks=False, ignore_dangling_symlinks=True)
    if depth > 4:
        return
    for dep in chart_meta(src).get("dependencies") or []:
        name = dep.get("name")
        target = os.path.join(dest, "charts", name)
        if not name or os.path.exists(target) or name not in pool:
            continue
        os.makedirs(os.path.join(dest, "charts"), exist_ok=True)
        prepare(pool[name], pool, target, depth + 1)


def features_on(chart, work, n):
    """A values file setting every `enabled: false` of the chart's values.yaml to true."""
    try:
        with open(os.path.join(chart, "values.yaml")) as f:
            vals = yaml.safe_load(f) or {}
    except Exception:
        return None
    deps = {d.get("alias") or d.get("name") for d in chart_meta(chart).get("dependencies") or []}
    out = {}

    def walk(src, dst, depth):
        found = False
        for k, v in (src or {}).items():
            if not isinstance(k, str) or (depth == 0 and k in deps):
                continue
            if k == "enabled" and v is False:
                dst[k] = True
                found = True
            elif isinstance(v, dict) and depth < 4:
                sub = {}
                if walk(v, sub, depth + 1):
                    dst[k] = sub
                    found = True
        return found

    if not isinstance(vals, dict) or not walk(vals, out, 0):
        return None
    path = os.path.join(work, f"features-on-{n}.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(out, f)
    return path


def helm_render(chart, values):
    try:
        with helm.Chart.load(chart) as c:
            return {"ok": c.render(values, name="release-name", namespace="default")}
    except Exception as e:  # HelmError and its kinds
        return {"error": str(e)}


def docs(text):
    try:
        out = [d for d in yaml.safe_load_all(text) if d is not None]
        return sorted(json.dumps(d, sort_keys=True, default=str) for d in out)
    except Exception:
        return ["<raw>" + text.strip()]


def first_diff(a, b, path=""):
    if type(a) is not type(b):
        return f"{path or '/'}: {json.dumps(a, default=str)[:80]} != {json.dumps(b, default=str)[:80]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'helm' if k in a else 'vigie'}"
            d = first_diff(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}/{i}")
            if d:
                return d
        return None
    if a != b:
        return f"{path or '/'}: {json.dumps(a, default=str)[:100]} != {json.dumps(b, default=str)[:100]}"
    return None


def explain(tpl, h, v):
    hd, vd = docs(h), docs(v)
    if len(hd) != len(vd):
        return f"{tpl}: {len(hd)} documents from helm, {len(vd)} from vigie"
    for x, y in zip(hd, vd):
        if x != y:
            if x.startswith("<raw>") or y.startswith("<raw>"):
                return f"{tpl}: raw text differs"
            return f"{tpl}: " + str(first_diff(json.loads(x), json.loads(y)))
    return None


def compare(hres, hres2, vres):
    """(agree, reason)."""
    if "error" in hres:
        if vres.get("failure"):
            if hres["error"].strip() == vres["failure"].strip():
                return True, "both refuse with the same message"
            if "execution error at" in hres["error"] or "execution error at" in (vres["failure"] or ""):
                return False, f"messages differ: helm={hres['error'][:200]!r} vigie={vres['failure'][:200]!r}"
            return True, "both refuse"
        return False, f"helm refuses ({hres['error'][:200]}), vigie renders"
    if vres.get("failure") and not vres["failure"].startswith("YAML parse error"):
        return False, f"vigie refuses ({vres['failure'][:300]}), helm renders"
    h, h2, v = hres["ok"], hres2.get("ok", {}), vres["templates"]
    for tpl in sorted(set(h) | set(v)):
        if tpl not in v:
            return False, f"{tpl}: only helm renders it"
        if tpl not in h:
            return False, f"{tpl}: only vigie renders it"
        if docs(h[tpl]) == docs(v[tpl]):
            continue
        if docs(h[tpl]) != docs(h2.get(tpl, "")):
            # Helm itself differs between two renders (random or time functions): compare shapes.
            continue
        return False, explain(tpl, h[tpl], v[tpl])
    return True, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", required=True)
    ap.add_argument("--max-ci", type=int, default=4, help="values files per chart from ci/")
    ap.add_argument("--json", help="write the per-render results here")
    ap.add_argument("--features-on", action="store_true",
                    help="add a value set per chart turning every `enabled: false` of its values.yaml on")
    ap.add_argument("repos", nargs="+")
    a = ap.parse_args()
    charts = [c for r in a.repos for c in chart_dirs(r)]
    pool = {}
    for c in charts:
        pool.setdefault(chart_meta(c).get("name") or os.path.basename(c), c)
    work = tempfile.mkdtemp(prefix="helm-agree-")
    jobs = []
    for c in charts:
        dest = os.path.join(work, f"{len(jobs):04d}-{os.path.basename(c)}")
        prepare(c, pool, dest)
        sets = [None]
        ci = os.path.join(c, "ci")
        if os.path.isdir(ci):
            sets += sorted(os.path.join(ci, f) for f in os.listdir(ci) if f.endswith((".yaml", ".yml")))[: a.max_ci]
        if a.features_on:
            f = features_on(c, work, len(jobs))
            if f:
                sets.append(f)
        for s in sets:
            jobs.append((dest, s, c))
    args = []
    for dest, s, _ in jobs:
        args += ["--", dest] + (["-f", s] if s else [])
    proc = subprocess.run([a.vigie, "--json"] + args[1:], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stderr[-3000:], file=sys.stderr)
        sys.exit(2)
    vig = json.loads(proc.stdout)
    results = []
    agree = 0
    for (dest, s, orig), vres in zip(jobs, vig):
        values = None
        if s:
            with open(s) as f:
                try:
                    values = helm.values_from_yaml(f.read())
                except Exception as e:
                    values = None
        h1 = helm_render(dest, values)
        h2 = helm_render(dest, values) if "ok" in h1 else h1
        ok, why = compare(h1, h2, vres)
        agree += ok
        label = os.path.relpath(orig, os.path.dirname(os.path.dirname(orig))) + (
            f" -f {os.path.basename(s)}" if s else "")
        results.append({"render": label, "agree": ok, "why": why})
        if not ok:
            print(f"DIFF {label}: {why}")
    n = len(results)
    print(f"\n{agree}/{n} chart x values renders identical ({100.0 * agree / max(n, 1):.1f}%)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
