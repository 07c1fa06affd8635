#!/bin/sh
# Run once by the postgres image when it initialises its data: the replica of the compose
# file's "scale" profile streams from this server as the application's user, which may.
set -e
echo "host replication $POSTGRES_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "ALTER ROLE \"$POSTGRES_USER\" REPLICATION"
