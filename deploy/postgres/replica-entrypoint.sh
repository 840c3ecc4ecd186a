#!/bin/bash
# Entrypoint of the `postgres-replica` service: a hot standby streaming from the `postgres`
# service. On first start (empty data directory) it clones the primary with pg_basebackup, which
# writes standby.signal and the primary's connection and slot (-R); afterwards it just starts
# PostgreSQL, which resumes streaming where it stopped. Runs as the postgres user.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "postgres-replica: cloning ${PRIMARY_HOST} with pg_basebackup"
    until pg_isready --host="$PRIMARY_HOST" --port="${PRIMARY_PORT:-5432}" --quiet; do sleep 1; done
    find "$PGDATA" -mindepth 1 -delete  # what an interrupted earlier clone left
    PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup \
        --host="$PRIMARY_HOST" --port="${PRIMARY_PORT:-5432}" --username="$REPLICATION_USER" \
        --pgdata="$PGDATA" --wal-method=stream --slot="$REPLICATION_SLOT" \
        --write-recovery-conf --checkpoint=fast
    chmod 0700 "$PGDATA"
fi

# hot_standby_feedback: vacuum on the primary keeps the rows a long search on the replica still
# reads, instead of the replica cancelling that search.
exec postgres -c hot_standby=on -c hot_standby_feedback=on "$@"
