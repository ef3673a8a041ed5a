#!/usr/bin/env python3
"""Generate a repository of 200 kustomizations for bench/kustomize.sh: 48 applications, each a
base and dev/staging/prod overlays (patches, generators, images, labels, namespace, prefix,
replicas), and 8 shared components. The 144 overlays build to about 20,000 objects.

Usage: bench/gen_kustomize.py OUT_DIR
"""
import os
import sys

APPS, COMPONENTS, PER_KIND = 48, 8, 27


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def base(app):
    docs = []
    for i in range(PER_KIND):
        n = f"{app}-svc{i}"
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}
  labels: {{app: {n}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {n}}}}}
  template:
    metadata: {{labels: {{app: {n}}}}}
    spec:
      serviceAccountName: {n}
      containers:
      - name: main
        image: registry.example.com/{app}/svc{i}:1.0.0
        ports: [{{containerPort: 8080, name: http}}]
        env:
        - {{name: MODE, value: base}}
        - name: SETTINGS
          valueFrom: {{configMapKeyRef: {{name: settings, key: mode}}}}
        envFrom: [{{secretRef: {{name: creds}}}}]
        volumeMounts: [{{name: conf, mountPath: /etc/conf}}]
        resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
      - name: proxy
        image: envoyproxy/envoy:v1.30.0
      volumes:
      - name: conf
        configMap: {{name: {n}-conf}}
""")
        docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: {n}}}
spec:
  selector: {{app: {n}}}
  ports: [{{port: 80, targetPort: http}}]
""")
        docs.append(f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: {n}-conf}}
data: {{app.properties: "key=value\\nother={i}\\n"}}
""")
        docs.append(f"""apiVersion: v1
kind: ServiceAccount
metadata: {{name: {n}}}
""")
        docs.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {n}}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{app: {n}}}}}
""")
    return "---\n".join(docs)


def main():
    out = sys.argv[1]
    for c in range(COMPONENTS):
        write(f"{out}/components/c{c}/kustomization.yaml", f"""apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [policy.yaml]
configMapGenerator:
- name: component{c}
  literals: [enabled=true, level={c}]
patches:
- target: {{kind: Deployment}}
  patch: |-
    - op: add
      path: /spec/template/metadata/annotations
      value: {{component{c}: "on"}}
""")
        write(f"{out}/components/c{c}/policy.yaml", f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: component{c}-default-deny}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress]
""")
    for a in range(APPS):
        app = f"app{a}"
        write(f"{out}/apps/{app}/base/resources.yaml", base(app))
        write(f"{out}/apps/{app}/base/settings.env", "mode=base\nlevel=1\n")
        write(f"{out}/apps/{app}/base/kustomization.yaml", """resources: [resources.yaml]
commonLabels: {part-of: bench}
configMapGenerator:
- name: settings
  envs: [settings.env]
secretGenerator:
- name: creds
  literals: [user=admin, password=not-a-real-one]
""")
        for j, env in enumerate(["dev", "staging", "prod"]):
            write(f"{out}/apps/{app}/overlays/{env}/harden.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}-svc0}}
spec:
  template:
    spec:
      containers:
      - name: main
        securityContext: {{readOnlyRootFilesystem: {"true" if env == "prod" else "false"}, runAsNonRoot: true}}
        env:
        - {{name: MODE, value: {env}}}
""")
            write(f"{out}/apps/{app}/overlays/{env}/kustomization.yaml", f"""resources: [../../base]
components: [../../../../components/c{(a + j) % COMPONENTS}]
namespace: {app}-{env}
namePrefix: {env}-
labels:
- pairs: {{env: {env}}}
  includeSelectors: true
commonAnnotations: {{owner: team{a % 5}}}
images:
- name: envoyproxy/envoy
  newTag: v1.31.{j}
replicas:
- name: {app}-svc1
  count: {j + 2}
patches:
- path: harden.yaml
- target: {{kind: Deployment, name: "{app}-svc[2-5]"}}
  patch: |-
    - op: replace
      path: /spec/template/spec/containers/0/resources/limits/memory
      value: 512Mi
configMapGenerator:
- name: settings
  behavior: merge
  literals: [mode={env}]
""")


if __name__ == "__main__":
    main()
