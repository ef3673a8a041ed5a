#!/usr/bin/env python3
"""Speed of vigie's Helm renderer against Helm's own engine (helm-python-sdk), same charts,
same values, one run on this machine.

Each engine renders every chart × value set in one process (Helm's library load included, as a
scan would pay it once), under /usr/bin/time for the peak RSS; each render is also timed inside
the process to compare chart for chart.

    python3 bench/helm_bench.py --vigie target/release/examples/helm-render REPO_DIR...
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helm_agreement as ha  # noqa: E402

HELM_RUNNER = r"""
import json, sys, time
t0 = time.perf_counter()
import helm_python as helm
jobs = json.load(open(sys.argv[1]))
out = []
for chart, values_file in jobs:
    values = helm.values_from_yaml(open(values_file).read()) if values_file else None
    t = time.perf_counter()
    try:
        with helm.Chart.load(chart) as c:
            c.render(values, name="release-name", namespace="default")
    except Exception:
        pass
    out.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": out, "total": time.perf_counter() - t0}))
"""


def timed(cmd):
    """Run cmd under /usr/bin/time; (stdout, seconds, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd,
                           capture_output=True, text=True)
        secs, rss = tf.read().split()[-2:]
    return p.stdout, float(secs), int(rss) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", required=True)
    ap.add_argument("--max-ci", type=int, default=0)
    ap.add_argument("--table", type=int, default=0, metavar="N",
                    help="also print the N renders where vigie is closest to (or slower than) Helm")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="run each engine N times, alternating, and keep each render's best time "
                         "(a loaded machine's noise); totals are the best run's")
    ap.add_argument("repos", nargs="+")
    a = ap.parse_args()
    charts = [c for r in a.repos for c in ha.chart_dirs(r)]
    pool = {}
    for c in charts:
        pool.setdefault(ha.chart_meta(c).get("name") or os.path.basename(c), c)
    work = tempfile.mkdtemp(prefix="helm-bench-")
    jobs = []
    for c in charts:
        dest = os.path.join(work, f"{len(jobs):04d}-{os.path.basename(c)}")
        ha.prepare(c, pool, dest)
        sets = [None]
        ci = os.path.join(c, "ci")
        if a.max_ci and os.path.isdir(ci):
            sets += sorted(os.path.join(ci, f) for f in os.listdir(ci) if f.endswith(".yaml"))[: a.max_ci]
        jobs += [(dest, s) for s in sets]
    jobs_file = os.path.join(work, "jobs.json")
    with open(jobs_file, "w") as f:
        json.dump(jobs, f)
    vargs = []
    for chart, s in jobs:
        vargs += ["--", chart] + (["-f", s] if s else [])
    # Warm the page cache once for both.
    subprocess.run([a.vigie, "--json"] + vargs[1:], capture_output=True)
    runner = os.path.join(work, "helm_runner.py")
    with open(runner, "w") as f:
        f.write(HELM_RUNNER)
    vms = hms = None
    vsecs = hsecs = float("inf")
    vrss = hrss = 0.0
    for _ in range(max(a.repeat, 1)):
        vout, secs, rss = timed([a.vigie, "--json"] + vargs[1:])
        ms = [r["ms"] for r in json.loads(vout)]
        vms = ms if vms is None else [min(x, y) for x, y in zip(vms, ms)]
        vsecs, vrss = min(vsecs, secs), max(vrss, rss)
        hout, secs, rss = timed([sys.executable, runner, jobs_file])
        ms = json.loads(hout)["ms"]
        hms = ms if hms is None else [min(x, y) for x, y in zip(hms, ms)]
        hsecs, hrss = min(hsecs, secs), max(hrss, rss)
    n = len(jobs)
    faster = sum(1 for v, h in zip(vms, hms) if v < h)
    slowest = max(zip(vms, hms, [os.path.basename(c) for c, _ in jobs]), key=lambda x: x[0] / max(x[1], 1e-3))
    print(f"renders: {n} (charts × value sets)")
    print(f"vigie: {vsecs:.2f} s, {n / vsecs:.0f} renders/s, peak RSS {vrss:.0f} MB, sum of renders {sum(vms) / 1000:.2f} s")
    print(f"helm:  {hsecs:.2f} s, {n / hsecs:.0f} renders/s, peak RSS {hrss:.0f} MB, sum of renders {sum(hms) / 1000:.2f} s")
    print(f"chart for chart: vigie faster on {faster}/{n}; closest: {slowest[2]} vigie {slowest[0]:.1f} ms, helm {slowest[1]:.1f} ms")
    if a.table:
        rows = sorted(zip(vms, hms, [os.path.basename(c) for c, _ in jobs]),
                      key=lambda x: x[0] / max(x[1], 1e-3), reverse=True)
        print(f"{'render':<45} {'vigie ms':>9} {'helm ms':>9} {'vigie/helm':>10}")
        for v, h, name in rows[: a.table]:
            print(f"{name:<45} {v:>9.1f} {h:>9.1f} {v / max(h, 1e-3):>10.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
