"""PostgreSQL: a partial index of the national services; the vocabulary's trigram index
without a pending list.

A search with a municipality checks its common words on the services covering
that municipality (national ones, its own and its county's; see
`PostgresBackend._sampled_in_coverage`). The municipality's and county's come
from the coverage tables' indexes; the partial index lists the national ones
without reading the whole service table.

The vocabulary (services_searchterm, about 2,000 terms) changes on every save of a
service. With GIN's fast update those changes pile up in the trigram index's
pending list until a vacuum, every look-up reads the whole list, and the planner
even picks that index for the search's `term IN (…)`: 8–25 ms a search at 10k
after a bulk load, against 0.2 ms. Without fast update each change goes straight
into the index (a few milliseconds more per save).

SQLite is unchanged.
"""

from django.db import migrations

INDEX = "services_service_national"
TRIGRAMS = "services_searchterm_term_trgm"


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON services_service (id) WHERE coverage_national"
        )
        schema_editor.execute(f"ALTER INDEX IF EXISTS {TRIGRAMS} SET (fastupdate = off)")
        schema_editor.execute(
            f"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{TRIGRAMS}' "
            "AND c.relkind = 'i'"
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX IF EXISTS {TRIGRAMS} RESET (fastupdate)")
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_search_norwegian_config"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
