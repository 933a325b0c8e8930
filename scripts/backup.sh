#!/usr/bin/env bash
# Back up the portal's PostgreSQL database: one pg_dump custom-format file (compressed; restored by
# scripts/restore.sh, or selectively with pg_restore). Everything the portal keeps is in the database
# (uploads are staged in it, board report PDFs too), so this file is the whole install's data.
#   scripts/backup.sh [FILE]          FILE defaults to backups/qiportal-YYYYmmdd-HHMMSS.dump
# The database is DATABASE_URL (postgres://user@host:port/name), as the portal itself reads it.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database of the portal, postgres://user@host:port/name}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL is not PostgreSQL" >&2; exit 2;; esac
FILE=${1:-backups/qiportal-$(date -u +%Y%m%d-%H%M%S).dump}
mkdir -p "$(dirname "$FILE")"
# A consistent snapshot while the portal runs; no owners or grants, so it restores under any role.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$FILE.partial"
mv "$FILE.partial" "$FILE"
echo "$FILE"
