#!/bin/sh
set -e
export VAULT_ADDR=https://vault.example.org:8200
export VAULT_TOKEN=s.d2YZOOHDNPHGeQQPtDW7TBAd
vault kv get secret/app
