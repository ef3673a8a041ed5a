#!/usr/bin/env python3
"""Generate a tree of mixed text files (config, source, docs, logs, lockfiles) for the secrets
benchmark, with a few secrets and many near misses (placeholders, secret-named keys).
Usage: gen_secrets_tree.py OUT_DIR [--mb 512] [--seed 1]"""
import argparse
import os
import random

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when if "
         "so no will can more other its who what about up out them into some time only could new "
         "these two may first then do any like my now over such our man me even most made after "
         "also did many before must through back years where much your way well down should "
         "because each just those people how too little state good very make world still own see "
         "server client request response cluster deploy service config value token password key "
         "secret database connection timeout retry replica volume image container registry").split()

SNIPPETS = [
    "password: ${DB_PASSWORD}\n",
    "api_key: <your-api-key>\n",
    "token = os.getenv(\"API_TOKEN\")\n",
    "secret: {{ .Values.secret }}\n",
    "DB_PASSWORD=changeme\n",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    "url: https://user:password@example.com/\n",
]

SECRETS = [
    "aws_access_key_id = AKIAZQ3DRSLTWUMN6HGA\n",
    "GITHUB_TOKEN=ghp_R2d9fKq8ZxW3mN7bT1vY5sL0pH4jC6gE8aQx\n",
    "db_password: \"Tq8#vLz2Wp5kXm1R\"\n",
]


def line(rng, kind):
    n = rng.randint(4, 14)
    words = " ".join(rng.choice(WORDS) for _ in range(n))
    if kind == "yaml":
        return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}: {words}\n"
    if kind == "json":
        return f'  "{rng.choice(WORDS)}": "{words}",\n'
    if kind == "py":
        return f"    {rng.choice(WORDS)} = compute({rng.randint(0, 9999)}, \"{words}\")\n"
    if kind == "js":
        return f"  const {rng.choice(WORDS)}{rng.randint(0, 99)} = fn('{words}');\n"
    if kind == "log":
        return f"2024-05-{rng.randint(1, 28):02d}T12:{rng.randint(0, 59):02d}:00Z INFO {words}\n"
    if kind == "lock":
        h = "%032x" % rng.getrandbits(128)
        return f"  resolved \"https://registry.example/{rng.choice(WORDS)}/-/{rng.choice(WORDS)}-{rng.randint(1, 9)}.0.0.tgz#{h}\"\n"
    return words + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=512)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    kinds = [("yaml", "yml"), ("json", "json"), ("py", "py"), ("js", "js"), ("log", "log"),
             ("lock", "lock"), ("md", "md")]
    # A pool of generated blocks reused in varied order keeps generation fast.
    pool = {k: ["".join(line(rng, k) for _ in range(200)) for _ in range(40)] for k, _ in kinds}
    target = a.mb * 1_000_000
    written = 0
    i = 0
    while written < target:
        kind, ext = kinds[i % len(kinds)]
        d = os.path.join(a.out, f"dir{i % 97:02d}", f"sub{i % 13}")
        os.makedirs(d, exist_ok=True)
        parts = []
        size = 0
        want = rng.choice([8_000, 30_000, 120_000, 400_000])
        while size < want:
            b = rng.choice(pool[kind])
            parts.append(b)
            size += len(b)
            if rng.random() < 0.05:
                parts.append(rng.choice(SNIPPETS))
        if i % 500 == 0:
            parts.append(rng.choice(SECRETS))
        data = "".join(parts)
        with open(os.path.join(d, f"file{i}.{ext}"), "w") as f:
            f.write(data)
        written += len(data)
        i += 1
    print(f"{i} files, {written / 1e6:.0f} MB in {a.out}")


if __name__ == "__main__":
    main()
