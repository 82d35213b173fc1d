#!/usr/bin/env bash
# Prove that a backup restores: dump the database with pg_dump (custom format), restore the
# file into a new, empty database with pg_restore, and compare the two: the exact row count
# of every table, the applied migrations, and the audit log's append-only triggers.
# The restored copy is dropped afterwards (KEEP_RESTORE=1 keeps it).
#
# Usage: scripts/backup-restore-check.sh postgres://user@host:5432/portal [BACKUP_DIR]
#        (or set DATABASE_URL). The user needs CREATEDB for the scratch database.
# Exit status: 0 when the restored copy matches; 1 when it does not or a step fails.
set -euo pipefail
export LC_ALL=C  # join and sort agree on the order of table names

URL=${1:-${DATABASE_URL:-}}
BACKUP_DIR=${2:-${BACKUP_DIR:-/tmp}}
if [[ -z $URL || $URL != postgres*://* ]]; then
  echo "Give a PostgreSQL URL (argument or DATABASE_URL), e.g. postgres://portal@db:5432/portal" >&2
  exit 1
fi
DB_PATH=${URL##*/}
SOURCE_DB=${DB_PATH%%\?*}
SERVER=${URL%/*}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESTORE_DB="${SOURCE_DB}_restore_check_${STAMP,,}"
DUMP="$BACKUP_DIR/${SOURCE_DB}-${STAMP}.dump"

psql_at() { psql "$1" -X -v ON_ERROR_STOP=1 -Atq -c "$2"; }
counts() { psql_at "$1" "$COUNT_SQL" | sort; }
cleanup() {
  if [[ ${KEEP_RESTORE:-0} != 1 ]]; then
    psql_at "$SERVER/postgres" "DROP DATABASE IF EXISTS \"$RESTORE_DB\"" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Exact counts of every ordinary table in the public schema, one "table count" per line.
# One query: each count is an XML sub-query, so the numbers come from the same snapshot.
COUNT_SQL="SELECT table_name || ' ' || (xpath('/row/c/text()',
             query_to_xml(format('SELECT count(*) AS c FROM public.%I', table_name), false, true, '')))[1]::text
           FROM information_schema.tables
           WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
TRIGGER_SQL="SELECT tgrelid::regclass || ':' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
MIGRATION_SQL="SELECT count(*) || ' applied, newest ' || (SELECT app || '.' || name FROM django_migrations ORDER BY applied DESC, id DESC LIMIT 1) FROM django_migrations"

echo "Source:   $SOURCE_DB ($(psql_at "$URL" "SELECT pg_size_pretty(pg_database_size(current_database()))"), server $(psql_at "$URL" "SHOW server_version"))"

counts "$URL" >"$DUMP.before-counts"
started=$(date +%s.%N)
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$DUMP" "$URL"
dumped=$(date +%s.%N)
echo "Dump:     $DUMP ($(du -h "$DUMP" | cut -f1), sha256 $(sha256sum "$DUMP" | cut -c1-16)…) in $(printf '%.1f' "$(echo "$dumped - $started" | bc)") s"
pg_restore --list "$DUMP" >/dev/null  # the archive's table of contents reads back

psql_at "$SERVER/postgres" "CREATE DATABASE \"$RESTORE_DB\"" >/dev/null
pg_restore --exit-on-error --no-owner --no-privileges --jobs=2 --dbname="$SERVER/$RESTORE_DB" "$DUMP"
restored=$(date +%s.%N)
echo "Restore:  into new database $RESTORE_DB in $(printf '%.1f' "$(echo "$restored - $dumped" | bc)") s"

# Counts before and after the dump: a table that changed meanwhile (a live database) cannot
# be compared, and is reported; every other table must match exactly.
counts "$URL" >"$DUMP.after-counts"
counts "$SERVER/$RESTORE_DB" >"$DUMP.restored-counts"
join "$DUMP.before-counts" "$DUMP.after-counts" | awk '$2 == $3 {print $1, $2}' >"$DUMP.source-counts"
changed=$(join "$DUMP.before-counts" "$DUMP.after-counts" | awk '$2 != $3 {print $1}' | paste -sd, -)
tables=$(wc -l <"$DUMP.source-counts")
rows=$(awk '{s += $2} END {print s + 0}' "$DUMP.source-counts")

status=0
mismatches=$(join -a1 -e MISSING -o 0,1.2,2.2 "$DUMP.source-counts" "$DUMP.restored-counts" | awk '$2 != $3')
if [[ -z $mismatches ]]; then
  echo "Tables:   $tables tables, $rows rows: every table's row count matches"
else
  echo "Tables:   MISMATCH (table, source rows, restored rows):"
  echo "$mismatches" | sed 's/^/  /'
  status=1
fi
if [[ -n $changed ]]; then
  echo "Changed during the dump (live writes), not compared: $changed"
fi

echo "Key tables (source = restored):"
for table in accounts_user auth_group audit_auditevent wagtailcore_page wagtailcore_revision \
  directory_organisation directory_servicepage directory_search_indexedservice directory_search_searchlog \
  encompass_school encompass_notification encompass_notifiedchild encompass_outboxmessage encompass_apitoken \
  eh_assessments_assessment django_tasks_database_dbtaskresult django_session; do
  line=$(grep "^$table " "$DUMP.source-counts" || true)
  [[ -n $line ]] && printf '  %-40s %s\n' "$table" "${line#* }"
done

source_migrations=$(psql_at "$URL" "$MIGRATION_SQL")
restored_migrations=$(psql_at "$SERVER/$RESTORE_DB" "$MIGRATION_SQL")
if [[ $source_migrations == "$restored_migrations" ]]; then
  echo "Migrations: $restored_migrations"
else
  echo "Migrations: MISMATCH (source: $source_migrations; restored: $restored_migrations)"
  status=1
fi

source_triggers=$(psql_at "$URL" "$TRIGGER_SQL")
restored_triggers=$(psql_at "$SERVER/$RESTORE_DB" "$TRIGGER_SQL")
if [[ $source_triggers == "$restored_triggers" ]]; then
  echo "Triggers: $(echo "$restored_triggers" | grep -c . || true) restored, the same as the source (${restored_triggers//$'\n'/, })"
else
  echo "Triggers: MISMATCH (source: ${source_triggers//$'\n'/, }; restored: ${restored_triggers//$'\n'/, })"
  status=1
fi

rm -f "$DUMP".*-counts
if [[ $status -eq 0 ]]; then
  echo "RESULT: the backup restores to an identical copy. Backup kept at $DUMP"
else
  echo "RESULT: the restored copy DIFFERS from the source (above). Backup kept at $DUMP"
fi
exit $status
