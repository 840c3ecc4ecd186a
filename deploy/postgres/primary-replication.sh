#!/bin/bash
# Lets the `postgres-replica` service stream from this primary: a replication role, a physical
# replication slot (the primary keeps the WAL the replica has not received yet) and a pg_hba.conf
# line for replication connections. The official image runs it once, when it initialises an empty
# data directory; on a primary that already has data run it once by hand and restart the primary
# (docker-compose.yml gives it wal_level=replica and max_wal_senders on its command line):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-replication.sh
# Idempotent: running it again changes nothing.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" -v slot="$REPLICATION_SLOT" <<'SQL'
SELECT format('CREATE ROLE %I WITH REPLICATION LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT pg_create_physical_replication_slot(:'slot')
 WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot');
SQL

line="host replication ${REPLICATION_USER} all scram-sha-256"
grep -qxF "$line" "$PGDATA/pg_hba.conf" || echo "$line" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "SELECT pg_reload_conf()"
