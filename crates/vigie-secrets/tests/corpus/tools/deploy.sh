#!/usr/bin/env bash
set -euo pipefail
# Deploys the current build. Needs NEXUS_USER / NEXUS_PASSWORD in the environment.
curl -fsS -u "$NEXUS_USER:$NEXUS_PASSWORD" -T build/app.tar.gz https://nexus.vigie.test/repository/releases/
export GITHUB_TOKEN=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
gh release create "v$(cat VERSION)" build/app.tar.gz
git rev-parse HEAD  # c43770513be360f4490bc6b273eb06a52f43a3fd
docker login -u ci --password-stdin registry.vigie.test < /run/secrets/registry
