#!/bin/sh
VAULT_TOKEN="hvs.-lLH8clN3ZQZjCRmprUKnDoWi4EGwTz8bblIpgMoWRg0ym2syN664dccT7WLPTPfytCDNqDNkiTwBf54G5J7_kSB2T" vault read -field=password database/creds/ci
