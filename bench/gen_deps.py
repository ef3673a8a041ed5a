#!/usr/bin/env python3
"""Generate the dependency benchmark inputs: an OSV export (all.zip) of N advisories over npm,
PyPI, crates.io and Go, and a monorepo of lockfiles of every format vigie reads.

Usage: bench/gen_deps.py OUT [--advisories 200000] [--lockfiles 300] [--packages 150000]
"""
import argparse, base64, hashlib, json, os, random, zipfile

ECOS = [("npm", 0.45), ("PyPI", 0.2), ("crates.io", 0.15), ("Go", 0.2)]
NAMES_PER_ECO = 40000


def name(eco, i):
    if eco == "Go":
        return f"github.com/org{i % 500}/mod{i}"
    if eco == "npm" and i % 5 == 0:
        return f"@scope{i % 97}/pkg{i}"
    return f"pkg{i}"


def version(r):
    return f"{r.randint(0, 9)}.{r.randint(0, 20)}.{r.randint(0, 30)}"


def osv(out, n, r):
    vectors = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
               "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "all.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            eco = r.choices([e for e, _ in ECOS], [w for _, w in ECOS])[0]
            pkg = name(eco, r.randrange(NAMES_PER_ECO))
            a, b = sorted([version(r), version(r)], key=lambda v: tuple(map(int, v.split("."))))
            events = [{"introduced": "0" if r.random() < 0.3 else a}]
            events.append({"fixed": b} if r.random() < 0.85 else {"last_affected": b})
            vv = b if eco != "Go" else b
            rec = {
                "schema_version": "1.6.0",
                "id": f"BENCH-{eco.replace('.', '')}-{i:07d}",
                "modified": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
                "published": "2023-01-01T00:00:00Z",
                "aliases": [f"CVE-2024-{i:06d}"],
                "summary": f"Generated advisory {i} for {pkg}",
                "details": "Lorem ipsum " * 20,
                "affected": [{
                    "package": {"ecosystem": eco, "name": pkg},
                    "ranges": [{"type": "SEMVER" if eco != "PyPI" else "ECOSYSTEM", "events": events}],
                    "versions": [a] if r.random() < 0.2 else [],
                }],
                "references": [{"type": "ADVISORY", "url": f"https://example.invalid/{i}"}],
            }
            vec = r.choice(vectors)
            if vec:
                rec["severity"] = [{"type": "CVSS_V4" if vec.startswith("CVSS:4") else "CVSS_V3", "score": vec}]
            else:
                rec["database_specific"] = {"severity": r.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])}
            if i % 1000 == 0:
                rec["withdrawn"] = "2024-06-01T00:00:00Z"
            z.writestr(f"{rec['id']}.json", json.dumps(rec))
    return path


def sri(s):
    return "sha512-" + base64.b64encode(hashlib.sha512(s.encode()).digest()).decode()


def lockfile(kind, pkgs):
    if kind == "npm":
        packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {n: v for n, v in pkgs[:20]}}}
        for n, v in pkgs:
            packages[f"node_modules/{n}"] = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/x-{v}.tgz", "integrity": sri(n + v)}
        return "package-lock.json", json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)
    if kind == "yarn":
        s = "# yarn lockfile v1\n\n"
        for n, v in pkgs:
            s += f'"{n}@^{v}":\n  version "{v}"\n  resolved "https://registry.yarnpkg.com/{n}/-/x-{v}.tgz"\n  integrity {sri(n + v)}\n\n'
        return "yarn.lock", s
    if kind == "pnpm":
        s = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n"
        for n, v in pkgs[:20]:
            s += f"      '{n}':\n        specifier: ^{v}\n        version: {v}\n"
        s += "\npackages:\n\n"
        for n, v in pkgs:
            s += f"  '{n}@{v}':\n    resolution: {{integrity: {sri(n + v)}}}\n\n"
        s += "snapshots:\n\n"
        for n, v in pkgs:
            s += f"  '{n}@{v}': {{}}\n\n"
        return "pnpm-lock.yaml", s
    if kind == "cargo":
        s = "version = 4\n\n"
        for n, v in pkgs:
            s += f'[[package]]\nname = "{n}"\nversion = "{v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{hashlib.sha256((n + v).encode()).hexdigest()}"\n\n'
        return "Cargo.lock", s
    if kind == "poetry":
        s = ""
        for n, v in pkgs:
            s += f'[[package]]\nname = "{n}"\nversion = "{v}"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = [\n    {{file = "{n}-{v}.tar.gz", hash = "sha256:{hashlib.sha256((n + v).encode()).hexdigest()}"}},\n]\n\n'
        return "poetry.lock", s + '[metadata]\nlock-version = "2.0"\n'
    if kind == "pip":
        return "requirements.txt", "".join(f"{n}=={v}\n" for n, v in pkgs)
    if kind == "go":
        return "go.sum", "".join(f"{n} v{v} h1:AAAA=\n{n} v{v}/go.mod h1:BBBB=\n" for n, v in pkgs)
    raise ValueError(kind)


ECO_OF = {"npm": "npm", "yarn": "npm", "pnpm": "npm", "cargo": "crates.io", "poetry": "PyPI", "pip": "PyPI", "go": "Go"}


def monorepo(out, nfiles, npkgs, r):
    per = npkgs // nfiles
    kinds = list(ECO_OF)
    for f in range(nfiles):
        kind = kinds[f % len(kinds)]
        eco = ECO_OF[kind]
        seen, pkgs = set(), []
        while len(pkgs) < per:
            n = name(eco, r.randrange(NAMES_PER_ECO))
            if n in seen:
                continue
            seen.add(n)
            pkgs.append((n, version(r)))
        fname, text = lockfile(kind, pkgs)
        d = os.path.join(out, f"services/svc{f:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, fname), "w") as fh:
            fh.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--advisories", type=int, default=200000)
    ap.add_argument("--lockfiles", type=int, default=300)
    ap.add_argument("--packages", type=int, default=150000)
    a = ap.parse_args()
    r = random.Random(42)
    osv(os.path.join(a.out, "osv"), a.advisories, r)
    monorepo(os.path.join(a.out, "monorepo"), a.lockfiles, a.packages, r)


if __name__ == "__main__":
    main()
