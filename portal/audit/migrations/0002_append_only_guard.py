"""The database itself refuses to change or remove audit events.

PostgreSQL: a BEFORE UPDATE OR DELETE row trigger raises ``restrict_violation`` (an
IntegrityError in Django). A DELETE is let through only inside a transaction that has run
``SET LOCAL audit.allow_purge = on`` — what ``portal.audit.services.purge_before`` does for
``purge_expired``. TRUNCATE does not fire row triggers, so the test suite's flush still works;
in production TRUNCATE needs the table owner's privilege.

SQLite: a BEFORE UPDATE trigger aborts every UPDATE. There is no DELETE trigger, because
SQLite has no session settings to open it for the purge, and Django's flush (used between
transactional tests) empties tables with DELETE. The ORM guards still refuse deletes.
"""

from django.db import migrations

TABLE = "audit_auditevent"

POSTGRESQL_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND coalesce(current_setting('audit.allow_purge', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = '{TABLE} is append-only: ' || TG_OP || ' refused',
            HINT = 'Expired audit events are removed only by purge_expired.';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {TABLE}_no_update
    BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused');
    END
    """,
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            # params=None: the SQL holds no placeholders and must not be %-formatted.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
