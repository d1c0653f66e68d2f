"""Partial indexes of the national and the emergency services, on SQLite as well.

A search with a municipality checks its common words on the services covering
that municipality (national ones, its own and its county's): the national ones
come from a partial index instead of a scan of the service table (SQLite read
all 10,000 rows, 6 ms, to find 455 of them). An acute query adds the emergency
lines the same way. PostgreSQL had the national index since 0006.
"""

from django.db import migrations

NATIONAL = "services_service_national"
EMERGENCY = "services_service_emergency"


def _forward(apps, schema_editor):
    # On PostgreSQL the national index exists already (0006); IF NOT EXISTS skips it.
    for name, column in ((NATIONAL, "coverage_national"), (EMERGENCY, "is_emergency")):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON services_service (id) WHERE {column}"
        )


def _backward(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {EMERGENCY}")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NATIONAL}")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0006_search_national_index"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
