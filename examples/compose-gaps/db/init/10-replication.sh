#!/bin/sh
# Runs once, when the primary's data directory is initialised: creates the role used by
# db-replica for streaming replication and allows it from the internal network only.
set -eu

replicator_password="$(cat /run/secrets/pg_replicator_password)"

psql -v ON_ERROR_STOP=1 -v pw="$replicator_password" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SQL

echo "host replication replicator samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
