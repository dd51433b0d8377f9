"""Trigram index for household search (PostgreSQL only; SQLite scans, which is fine there).

Django compiles `search_text__contains` to `search_text::text LIKE '%WORD%'`; a GIN
trigram index on that column serves it (PERF.md: contains search 189 -> 33 ms).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS households_household_search_trgm "
    "ON households_household USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS households_household_search_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
