"""PostgreSQL: build the stored search vector with the `norwegian` text-search configuration.

The index terms are prepared in Python (folded, stemmed; `services/search/text.py`),
and the tsquery is built from the same prepared terms with `to_tsquery('norwegian', …)`
(`services/search/postgres.py`), so both sides go through the same configuration:
its Snowball stemmer and stop words apply alike to a document's terms and a query's.
Existing vectors are recomputed. SQLite is unchanged (FTS5 over the prepared terms).
"""

from django.db import migrations

from services.migrations._search_vector import use as _use


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_search_browse_index"),
    ]

    operations = [migrations.RunPython(_use("norwegian"), _use("simple"))]
