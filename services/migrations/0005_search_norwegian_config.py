"""PostgreSQL: build the stored search vector with the `norwegian` text-search configuration.

The index terms are prepared in Python (folded, stemmed; `services/search/text.py`),
and the tsquery is built from the same prepared terms with `to_tsquery('norwegian', …)`
(`services/search/postgres.py`), so both sides go through the same configuration:
its Snowball stemmer and stop words apply alike to a document's terms and a query's.
Existing vectors are recomputed. SQLite is unchanged (FTS5 over the prepared terms).
"""

from django.db import migrations


def _vector(config: str, row: str = "") -> str:
    """The weighted vector of a document row: A name, B tags, C texts, D English texts."""
    columns = [("name_terms", "A"), ("tag_terms", "B"), ("body_terms", "C"), ("extra_terms", "D")]
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({row}{column}, '')), '{weight}')"
        for column, weight in columns
    )


def _function(config: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION services_searchdocument_vector() RETURNS trigger AS $$ "
        f"BEGIN NEW.vector := {_vector(config, 'NEW.')}; RETURN NEW; END $$ LANGUAGE plpgsql"
    )


def _recompute(config: str) -> str:
    return f"UPDATE services_searchdocument SET vector = {_vector(config)}"


def _use(config: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_function(config))
        schema_editor.execute(_recompute(config))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_search_browse_index"),
    ]

    operations = [migrations.RunPython(_use("norwegian"), _use("simple"))]
