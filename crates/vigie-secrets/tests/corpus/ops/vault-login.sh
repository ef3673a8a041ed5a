#!/bin/sh
export VAULT_ADDR=https://vault.vigie.test:8200
export VAULT_TOKEN=hvs.jEvAQmdAomhqWd7qKhn4ujun
vault kv get -field=password secret/orders/db
