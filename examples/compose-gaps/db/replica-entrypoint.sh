#!/bin/sh
# db-replica entrypoint: on first start, clone the primary with pg_basebackup (-R writes
# standby.signal and primary_conninfo); afterwards just start as a hot standby.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    PGPASSWORD="$(cat /run/secrets/pg_replicator_password)" \
        pg_basebackup --host=db --username=replicator --pgdata="$PGDATA" \
        --write-recovery-conf --wal-method=stream --checkpoint=fast
    chmod 0700 "$PGDATA"
fi

exec postgres -c hot_standby=on
