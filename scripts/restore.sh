#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a database that must be new and empty (create it first:
# `createdb qiportal_restored`), then point DATABASE_URL at it. Refusing a database that has tables keeps a
# mistyped name from overwriting a live install.
#   scripts/restore.sh FILE TARGET_DATABASE_URL
set -euo pipefail
FILE=${1:?usage: scripts/restore.sh FILE TARGET_DATABASE_URL}
TARGET=${2:?usage: scripts/restore.sh FILE TARGET_DATABASE_URL}
[ -r "$FILE" ] || { echo "cannot read $FILE" >&2; exit 2; }
tables=$(psql --dbname="$TARGET" --no-psqlrc --tuples-only --no-align \
  -c "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "the target database already has $tables tables: restore into a new, empty database" >&2
  exit 3
fi
# One transaction: either the whole backup is restored or nothing is.
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$TARGET" "$FILE"
echo "restored $FILE"
