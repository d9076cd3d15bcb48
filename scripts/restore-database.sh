#!/usr/bin/env bash
# Restores a dump of the backup CronJob (k8s/components/backup) into a new,
# empty database, all or nothing. The target is named the way every
# PostgreSQL tool takes it, by the libpq variables PGHOST, PGPORT, PGUSER,
# PGPASSWORD, PGDATABASE and PGSSLMODE, so no credential is on a command line.
# Needs pg_restore and psql of the dump's major version or newer (k8s/README.md).
#
#   PGHOST=... PGPORT=... PGUSER=... PGPASSWORD=... PGSSLMODE=require \
#   PGDATABASE=encontros_restored scripts/restore-database.sh 2026-12-02T063000Z.dump
set -euo pipefail

dump=${1:?usage: restore-database.sh DUMP_FILE (target database in PGHOST, PGUSER, PGPASSWORD, PGDATABASE...)}
: "${PGDATABASE:?set PGDATABASE, and PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE, to the target database}"
if [ ! -r "$dump" ]; then
    echo "cannot read $dump" >&2
    exit 1
fi

count_tables() {
    psql --no-password --no-psqlrc --quiet --tuples-only --no-align \
        --command "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
}

# Never mixed into live data: a restore goes into a database of its own,
# which the app is then pointed at.
tables=$(count_tables)
if [ "$tables" != 0 ]; then
    echo "$PGDATABASE already has $tables tables: restore into a new, empty database" >&2
    exit 1
fi

# Objects belong to the restoring user; the source's roles need not exist here.
pg_restore --no-password --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$PGDATABASE" "$dump"
echo "restored $dump into $PGDATABASE: $(count_tables) tables"
