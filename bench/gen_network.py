#!/usr/bin/env python3
"""Generate a Kubernetes platform for the reachability benchmark: WORKLOADS workloads spread
over NAMESPACES namespaces, with exactly POLICIES NetworkPolicies (default-deny, DNS, tier to
tier, cross-namespace monitoring, egress to the Internet), Services and an Ingress per namespace.

Usage: gen_network.py OUT_DIR --workloads 2000 --namespaces 50 --policies 500
"""
import argparse
import os

TIERS = ["front", "back", "back", "worker", "data"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--workloads", type=int, default=2000)
    ap.add_argument("--namespaces", type=int, default=50)
    ap.add_argument("--policies", type=int, default=500)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    per_ns = a.policies // a.namespaces
    wl_left = a.workloads
    for n in range(a.namespaces):
        ns = f"team-{n:02d}"
        count = wl_left // (a.namespaces - n)
        wl_left -= count
        docs = [
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{team: t{n % 7}, env: {'prod' if n % 3 else 'dev'}}}\n"
        ]
        for i in range(count):
            tier = TIERS[i % len(TIERS)]
            image = "postgres:16" if tier == "data" else f"registry.example/{ns}/svc{i}:1.0"
            port = 5432 if tier == "data" else 8080
            docs.append(
                f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{i}
  namespace: {ns}
spec:
  selector:
    matchLabels: {{app: svc{i}}}
  template:
    metadata:
      labels: {{app: svc{i}, tier: {tier}, shard: s{i % 4}}}
    spec:
      containers:
        - name: main
          image: {image}
          ports:
            - {{name: main, containerPort: {port}}}
            - {{name: metrics, containerPort: 9100}}
"""
            )
            docs.append(
                f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\n  namespace: {ns}\nspec:\n  selector: {{app: svc{i}}}\n  ports: [{{port: 80, targetPort: main}}]\n"
            )
        docs.append(
            f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: edge\n  namespace: {ns}\nspec:\n  tls: [{{hosts: [{ns}.example], secretName: tls}}]\n  rules:\n    - host: {ns}.example\n      http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: svc0, port: {{number: 80}}}}}}}}]}}\n"
        )
        pols = [
            ("default-deny", "podSelector: {}\n  policyTypes: [Ingress, Egress]"),
            (
                "dns",
                "podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n      ports: [{protocol: UDP, port: 53}]",
            ),
            (
                "front-in",
                "podSelector: {matchLabels: {tier: front}}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]\n      ports: [{port: main}]",
            ),
            (
                "back-from-front",
                "podSelector: {matchLabels: {tier: back}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {tier: front}}}]\n      ports: [{port: 8080}]",
            ),
            (
                "data-from-back",
                "podSelector: {matchLabels: {tier: data}}\n  ingress:\n    - from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [back, worker]}]}}]\n      ports: [{port: 5432}]",
            ),
            (
                "front-out",
                "podSelector: {matchLabels: {tier: front}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{podSelector: {matchLabels: {tier: back}}}]\n      ports: [{port: 8080}]",
            ),
            (
                "back-out",
                "podSelector: {matchExpressions: [{key: tier, operator: In, values: [back, worker]}]}\n  policyTypes: [Egress]\n  egress:\n    - to: [{podSelector: {matchLabels: {tier: data}}}]\n      ports: [{port: 5432}]\n    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n      ports: [{port: 443}]",
            ),
            (
                "metrics",
                f"podSelector: {{}}\n  ingress:\n    - from: [{{namespaceSelector: {{matchLabels: {{team: t{n % 7}}}}}, podSelector: {{matchLabels: {{shard: s0}}}}}}]\n      ports: [{{port: metrics}}]",
            ),
            (
                "metrics-out",
                "podSelector: {matchLabels: {shard: s0}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{namespaceSelector: {}}]\n      ports: [{port: 9100}]",
            ),
            (
                "cross-team",
                f"podSelector: {{matchLabels: {{tier: back}}}}\n  ingress:\n    - from: [{{namespaceSelector: {{matchLabels: {{env: prod}}}}, podSelector: {{matchLabels: {{tier: worker}}}}}}]\n      ports: [{{port: 8080, endPort: 8090}}]",
            ),
        ]
        for k in range(per_ns):
            name, spec = pols[k % len(pols)]
            suffix = "" if k < len(pols) else f"-{k}"
            docs.append(
                f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}{suffix}\n  namespace: {ns}\nspec:\n  {spec}\n"
            )
        with open(os.path.join(a.out, f"{ns}.yaml"), "w") as f:
            f.write("---\n".join(docs))


if __name__ == "__main__":
    main()
