#!/usr/bin/env python3
"""Generate a synthetic repository for benchmarking `vigie scan`.

Mixes Dockerfiles, Compose projects (with override files and .env) and multi-document
Kubernetes manifests, hardened and not, until the target size is reached.
Usage: gen_repo.py OUT_DIR [--files N] [--mb M] [--seed S]
"""
import argparse
import os
import random

DIGEST = "sha256:" + "0123456789abcdef" * 4

def dockerfile(r, i):
    user = r.choice(["USER node", "USER 10001:10001", "", "USER root"])
    return f"""# service {i}
ARG NODE_VERSION=20.17
FROM node:${{NODE_VERSION}}-alpine@{DIGEST} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
RUN npm run build

FROM node:20.17-alpine{r.choice(['@' + DIGEST, ''])} AS runtime
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=build /src/dist ./dist
{r.choice(['RUN apt-get update', 'RUN apk add --no-cache tini', 'RUN curl -fsSL https://example.invalid/i.sh | sh'])}
{user}
HEALTHCHECK --interval=30s CMD wget -qO- http://127.0.0.1:8080/health || exit 1
EXPOSE 8080
CMD ["node", "dist/server.js"]
"""

def compose(r, i, n_services):
    out = ["x-hardened: &hardened", "  cap_drop: [ALL]", "  security_opt: [\"no-new-privileges:true\"]", "  read_only: true", "services:"]
    for s in range(n_services):
        hardened = r.random() < 0.6
        out.append(f"  svc{s}:")
        if hardened:
            out.append("    <<: *hardened")
        if s == 0:
            out.append("    build: {context: ./app, target: runtime}")
        else:
            out.append(f"    image: registry.example.eu/team{i}/svc{s}:${{TAG:-1.{s}.0}}")
        if r.random() < 0.5:
            out.append(f"    user: \"{r.choice(['1000:1000', '0', 'app'])}\"")
        if r.random() < 0.3:
            out.append("    privileged: true")
        if r.random() < 0.5:
            out.append("    deploy: {resources: {limits: {memory: 256M, cpus: '0.5', pids: 200}}}")
        out.append("    environment:")
        for k in range(8):
            out.append(f"      VAR_{k}: value-{s}-{k}")
        out.append("    volumes:")
        out.append(f"      - data{s}:/var/lib/data{s}")
        if r.random() < 0.1:
            out.append("      - /var/run/docker.sock:/var/run/docker.sock")
        out.append("    tmpfs: [/tmp]")
        out.append(f"    ports: [\"127.0.0.1:{8000 + s}:8080\"]")
        out.append("    healthcheck: {test: [\"CMD\", \"true\"], interval: 30s}")
    out.append("volumes:")
    for s in range(n_services):
        out.append(f"  data{s}: {{}}")
    return "\n".join(out) + "\n"

def deployment(r, ns, name):
    hardened = r.random() < 0.6
    sc_pod = "      securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}\n" if hardened else ""
    sc_c = "        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n" if hardened else "        securityContext: {privileged: true}\n"
    kind = r.choice(["Deployment", "StatefulSet", "DaemonSet"])
    env = "".join(f"        - {{name: VAR_{k}, value: \"value-{name}-{k}\"}}\n" for k in range(12))
    return f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app: {name}, tier: backend}}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}, tier: backend}}
    spec:
{sc_pod}      automountServiceAccountToken: false
      initContainers:
      - name: init
        image: registry.example.eu/{ns}/init:1.0@{DIGEST}
{sc_c}      containers:
      - name: {name}
        image: registry.example.eu/{ns}/{name}:{r.choice(['1.2.3', 'latest', '2.0@' + DIGEST])}
{sc_c}        ports:
        - {{containerPort: 8080, name: http}}
        env:
{env}        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: 500m, memory: 256Mi}}
        livenessProbe: {{httpGet: {{path: /health, port: http}}, periodSeconds: 10}}
        volumeMounts:
        - {{name: tmp, mountPath: /tmp}}
      volumes:
      - name: tmp
        emptyDir: {{}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: http}}]
"""

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--mb", type=float, default=55)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    r = random.Random(a.seed)
    target = int(a.mb * 1024 * 1024)
    total = 0
    files = 0
    i = 0
    while files < a.files or total < target:
        base = os.path.join(a.out, f"team{i:04d}")
        os.makedirs(os.path.join(base, "app"), exist_ok=True)
        os.makedirs(os.path.join(base, "k8s"), exist_ok=True)
        docs = {
            "app/Dockerfile": dockerfile(r, i),
            "docker-compose.yml": compose(r, i, 6),
            "docker-compose.override.yml": "services:\n  svc1:\n    ports: [\"9000:8080\"]\n",
            ".env": "TAG=1.0.0\n",
        }
        # multi-document manifests, a few hundred KB per team
        for m in range(2):
            docs[f"k8s/workloads-{m}.yaml"] = "---\n".join(deployment(r, f"ns{i % 50}", f"app{i}-{m}-{k}") for k in range(12))
        for rel, text in docs.items():
            p = os.path.join(base, rel)
            with open(p, "w") as f:
                f.write(text)
            total += len(text.encode())
            files += 1
        i += 1
    print(f"{files} files, {total / 1e6:.1f} MB in {a.out}")

if __name__ == "__main__":
    main()
