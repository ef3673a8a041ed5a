#!/bin/sh
mysql -u root -p'cllsIXtbPRwXIgjl' orders < schema.sql
psql "$DATABASE_URL" -c 'select 1'
