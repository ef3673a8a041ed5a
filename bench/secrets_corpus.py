#!/usr/bin/env python3
"""Scores a secrets scanner's report on the recall corpus (crates/vigie-secrets/tests/recall)
the way tests/it/recall.rs does: the ground truth is a set of (file, line); a reported location
on an expected line is a true positive the first time and a duplicate after, anywhere else (or on
line 0) a false positive.

Usage: secrets_corpus.py vigie|detect-secrets REPORT.json CORPUS_DIR
"""
import json
import sys
import tomllib


def locations(tool, report):
    if tool == "vigie":
        for f in report["findings"]:
            for l in f["locations"]:
                yield l["path"], l["line"]
    elif tool == "detect-secrets":
        for path, results in report["results"].items():
            for r in results:
                yield path, r["line_number"]
    else:
        raise SystemExit(f"unknown tool {tool}")


def main():
    tool, report_path, corpus = sys.argv[1:4]
    with open(f"{corpus}/expected.toml", "rb") as f:
        manifest = tomllib.load(f)
    want = {(f["path"], l) for f in manifest.get("file", []) for l in f["lines"]}
    with open(report_path) as f:
        report = json.load(f)
    seen, fp, dup = set(), 0, 0
    for path, line in locations(tool, report):
        path = path.removeprefix(corpus.rstrip("/") + "/")
        if path == "expected.toml":
            continue
        if line == 0 or (path, line) not in want:
            fp += 1
        elif (path, line) in seen:
            dup += 1
        else:
            seen.add((path, line))
    tp = len(seen)
    print(f"{tool}: {len(want)} expected lines, {tp} found, {fp} false positives, {dup} duplicates: "
          f"recall {tp / len(want):.3f}, precision {tp / max(1, tp + fp + dup):.3f}")


if __name__ == "__main__":
    main()
