"""What the ORM cannot say: on SQLite the FTS5 virtual table (porter stemming, rowid = page
id); on PostgreSQL pg_trgm (the local postgres user is superuser; elsewhere a DBA runs
CREATE EXTENSION first), a GIN index on the tsvector and a trigram index on the vocabulary."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_search_fts USING fts5("
    "title, summary, description, taxonomy, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS directory_search_fts"]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dsearch_service_vector ON directory_search_indexedservice USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS dsearch_term_trgm ON directory_search_indexedterm USING GIN (term gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS dsearch_term_trgm",
    "DROP INDEX IF EXISTS dsearch_service_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
