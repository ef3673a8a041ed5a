#!/usr/bin/env python3
"""Generate a repository with many CI pipelines for bench/pipelines.sh.

Usage: gen_pipelines.py OUT_DIR [--workflows 1000]
Writes GitHub workflows (hardened and gap variants, some calling a composite action and a
reusable workflow), a GitLab CI file with local includes, Cloud Build files, package.json files
and Dockerfiles, so that every pipeline check has work to do.
"""
import argparse
import os
import random

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"

HARDENED = """name: build-{i}
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
env:
  IMAGE: ghcr.io/acme/svc-{i}
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@{sha} # v4.2.2
      - uses: actions/setup-node@{sha} # v4
        with:
          node-version: 22
      - run: npm ci
      - run: npm audit --audit-level=high
      - run: |
          set -euo pipefail
          npm run lint
          npm test -- --coverage | tee coverage.txt
  image:
    needs: test
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: actions/checkout@{sha}
      - uses: sigstore/cosign-installer@{sha}
      - run: docker build -t "$IMAGE:${{{{ github.sha }}}}" services/svc-{i}
      - uses: ./.github/actions/scan
        with:
          image: ${{{{ env.IMAGE }}}}:${{{{ github.sha }}}}
      - run: trivy image --format cyclonedx --output sbom-{i}.cdx.json "$IMAGE:${{{{ github.sha }}}}"
      - run: docker push "$IMAGE:${{{{ github.sha }}}}"
      - run: cosign sign --yes "$IMAGE:${{{{ github.sha }}}}"
      - uses: actions/upload-artifact@{sha}
        with:
          name: sbom
          path: sbom-{i}.cdx.json
  deploy:
    needs: image
    permissions:
      contents: read
    uses: ./.github/workflows/reusable-deploy.yml
    with:
      image: ghcr.io/acme/svc-{i}:${{{{ github.sha }}}}
"""

GAPS = """name: ci-{i}
on: [push, pull_request_target]
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
      - run: |
          npm install
          npm audit || true
      - run: docker build -t ghcr.io/acme/svc-{i}:latest . && docker push ghcr.io/acme/svc-{i}:latest
      - name: scan
        continue-on-error: true
        uses: aquasecurity/trivy-action@master
        with:
          image-ref: ghcr.io/acme/svc-{i}:latest
          severity: CRITICAL
      - run: echo "${{{{ secrets.NPM_TOKEN }}}}"
"""

ACTION = """name: scan
inputs:
  image:
    required: true
runs:
  using: composite
  steps:
    - shell: bash
      run: trivy image --severity CRITICAL,HIGH --exit-code 1 "${{ inputs.image }}"
"""

REUSABLE = """on:
  workflow_call:
    inputs:
      image:
        type: string
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - run: cosign verify --certificate-oidc-issuer https://token.actions.githubusercontent.com --certificate-identity-regexp acme "${{ inputs.image }}"
      - run: kubectl set image deployment/svc svc="${{ inputs.image }}"
"""

GITLAB = """include:
  - local: /ci/templates.yml
stages: [build, scan, publish]
.defaults: &defaults
  image: docker:27
build:
  <<: *defaults
  stage: build
  script:
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
scan:
  extends: .trivy
  stage: scan
publish:
  stage: publish
  script:
    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
    - !reference [.sign, script]
"""

GITLAB_TEMPLATES = """.trivy:
  image: aquasec/trivy:0.58.1
  script:
    - trivy image --severity CRITICAL,HIGH --exit-code 1 "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
.sign:
  script:
    - cosign sign --yes "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
"""

CLOUDBUILD = """steps:
  - id: build
    name: gcr.io/cloud-builders/docker
    args: [build, -t, europe-docker.pkg.dev/acme/app/svc-{i}:$SHORT_SHA, .]
  - id: scan
    name: aquasec/trivy
    args: [image, --severity=CRITICAL,HIGH, --exit-code=1, europe-docker.pkg.dev/acme/app/svc-{i}:$SHORT_SHA]
  - id: push
    name: gcr.io/cloud-builders/docker
    waitFor: [scan]
    args: [push, europe-docker.pkg.dev/acme/app/svc-{i}:$SHORT_SHA]
images: [europe-docker.pkg.dev/acme/app/svc-{i}:$SHORT_SHA]
options:
  requestedVerifyOption: VERIFIED
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--workflows", type=int, default=1000)
    a = ap.parse_args()
    rnd = random.Random(7)
    write(f"{a.out}/.github/actions/scan/action.yml", ACTION)
    write(f"{a.out}/.github/workflows/reusable-deploy.yml", REUSABLE)
    for i in range(a.workflows):
        tpl = HARDENED if rnd.random() < 0.6 else GAPS
        write(f"{a.out}/.github/workflows/build-{i:04d}.yml", tpl.format(i=i, sha=SHA))
    write(f"{a.out}/.gitlab-ci.yml", GITLAB)
    write(f"{a.out}/ci/templates.yml", GITLAB_TEMPLATES)
    for i in range(50):
        write(f"{a.out}/services/svc-{i}/cloudbuild.yaml", CLOUDBUILD.format(i=i))
        write(f"{a.out}/services/svc-{i}/package.json", '{"name": "svc", "dependencies": {"express": "^4.19.2"}}\n')
        if i % 2 == 0:
            write(f"{a.out}/services/svc-{i}/package-lock.json", '{"lockfileVersion": 3}\n')
        write(f"{a.out}/services/svc-{i}/Dockerfile", "FROM node:22-alpine\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nUSER node\n")


if __name__ == "__main__":
    main()
