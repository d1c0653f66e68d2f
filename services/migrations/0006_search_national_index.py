"""PostgreSQL: a partial index of the national services.

A search with a municipality checks its common words on the services covering
that municipality (national ones, its own and its county's; see
`PostgresBackend._sampled_in_coverage`). The municipality's and county's come
from the coverage tables' indexes; this small index lists the national ones
without reading the whole service table. SQLite is unchanged.
"""

from django.db import migrations

INDEX = "services_service_national"


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON services_service (id) WHERE coverage_national"
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_search_norwegian_config"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
