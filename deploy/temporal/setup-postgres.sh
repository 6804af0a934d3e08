#!/bin/sh
# Creates or upgrades the Temporal schemas in PostgreSQL: the `temporal-schema` service of
# docker-compose.yml runs it in temporalio/admin-tools, the same way temporalio/samples-server
# compose/scripts/setup-postgres.sh does. Safe to run again: `create` skips an existing database,
# `setup-schema -v 0.0` skips a schema that is already newer, and `update-schema` applies only the
# versions still missing. So bumping the admin-tools and server tags together upgrades the schema.
# `npm run cluster` (scripts/cluster) runs it too, with SCHEMA_DIR set to the schema the Go module ships.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

# admin-tools ships nc; the cluster script (npm run cluster) runs this where nc may be missing, after it has
# waited for PostgreSQL itself.
if command -v nc >/dev/null 2>&1; then
  echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}"
  nc -z -w 10 "$POSTGRES_SEEDS" "$DB_PORT"
fi

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$SCHEMA_DIR/temporal/versioned"

sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$SCHEMA_DIR/visibility/versioned"

echo "PostgreSQL schemas for Temporal are up to date"
