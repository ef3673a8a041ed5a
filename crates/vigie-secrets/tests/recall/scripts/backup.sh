#!/bin/sh
set -e
PGPASSFILE=/etc/backup/pgpass pg_dump -h db -U backup orders > /backup/orders.sql
mysqldump --defaults-extra-file=/etc/backup/my.cnf shop > /backup/shop.sql
redis-cli -a "$REDIS_PASSWORD" --no-auth-warning BGSAVE
