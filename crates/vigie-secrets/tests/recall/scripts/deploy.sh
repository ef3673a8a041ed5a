#!/usr/bin/env bash
set -euo pipefail
export AWS_ACCESS_KEY_ID=AKIA2YXKH2JAQJJQKCST
export AWS_SECRET_ACCESS_KEY=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
aws s3 sync ./dist s3://shop-assets --delete
