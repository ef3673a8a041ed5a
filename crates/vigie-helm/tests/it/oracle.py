"""Helm's own engine for vigie's tests: reads render jobs as JSON on stdin, prints results.

Each job: {"chart": DIR, "values_files": [FILE...], "set": [EXPR...]}; each result is
{"ok": {template path: output}} or {"error": message}. Values files are merged the way the helm
CLI merges them, then each --set expression is applied with Helm's own strvals parser.
"""
import json
import sys

import helm_python as helm


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def run(job):
    values = {}
    for f in job.get("values_files", []):
        with open(f) as fh:
            values = merge(values, helm.values_from_yaml(fh.read()) or {})
    for expr in job.get("set", []):
        values = merge(values, helm.parse_set_string(expr))
    try:
        with helm.Chart.load(job["chart"]) as c:
            return {"ok": c.render(values, name="release-name", namespace="default")}
    except Exception as e:
        return {"error": str(e)}


print(json.dumps([run(j) for j in json.load(sys.stdin)]))
