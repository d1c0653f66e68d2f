"""The search index: documents, vocabulary, and per-database full-text machinery.

PostgreSQL: a trigger fills the weighted tsvector (A name, B categories,
keywords and target groups, C texts, D English texts) from the prepared terms;
a GIN index serves it; pg_trgm with trigram indexes on the vocabulary and on
service names serves misspellings.
SQLite: an FTS5 table over the same columns and an FTS5 trigram table over the
vocabulary, both kept in step with their tables by triggers.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION services_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
      NEW.vector :=
        setweight(to_tsvector('simple', coalesce(NEW.name_terms, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.tag_terms, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(NEW.body_terms, '')), 'C') ||
        setweight(to_tsvector('simple', coalesce(NEW.extra_terms, '')), 'D');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER services_searchdocument_vector_trigger
    BEFORE INSERT OR UPDATE ON services_searchdocument
    FOR EACH ROW EXECUTE FUNCTION services_searchdocument_vector()
    """,
    "CREATE INDEX services_searchdocument_vector_gin ON services_searchdocument USING gin (vector)",
    "CREATE INDEX services_searchterm_term_trgm ON services_searchterm USING gin (term gin_trgm_ops)",
    "CREATE INDEX services_service_name_trgm ON services_service USING gin (name gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS services_service_name_trgm",
    "DROP INDEX IF EXISTS services_searchterm_term_trgm",
    "DROP INDEX IF EXISTS services_searchdocument_vector_gin",
    "DROP TRIGGER IF EXISTS services_searchdocument_vector_trigger ON services_searchdocument",
    "DROP FUNCTION IF EXISTS services_searchdocument_vector()",
]

_COLUMNS = "name_terms, tag_terms, body_terms, extra_terms"
_NEW = "new.name_terms, new.tag_terms, new.body_terms, new.extra_terms"
_OLD = "old.name_terms, old.tag_terms, old.body_terms, old.extra_terms"
SQLITE_FORWARD = [
    f"""
    CREATE VIRTUAL TABLE services_search_fts USING fts5(
      {_COLUMNS},
      content='services_searchdocument', content_rowid='service_id',
      tokenize='unicode61 remove_diacritics 0'
    )
    """,
    f"""
    CREATE TRIGGER services_search_fts_insert AFTER INSERT ON services_searchdocument BEGIN
      INSERT INTO services_search_fts(rowid, {_COLUMNS}) VALUES (new.service_id, {_NEW});
    END
    """,
    f"""
    CREATE TRIGGER services_search_fts_delete AFTER DELETE ON services_searchdocument BEGIN
      INSERT INTO services_search_fts(services_search_fts, rowid, {_COLUMNS})
      VALUES ('delete', old.service_id, {_OLD});
    END
    """,
    f"""
    CREATE TRIGGER services_search_fts_update AFTER UPDATE ON services_searchdocument BEGIN
      INSERT INTO services_search_fts(services_search_fts, rowid, {_COLUMNS})
      VALUES ('delete', old.service_id, {_OLD});
      INSERT INTO services_search_fts(rowid, {_COLUMNS}) VALUES (new.service_id, {_NEW});
    END
    """,
    """
    CREATE VIRTUAL TABLE services_searchterm_trgm USING fts5(
      term, content='services_searchterm', content_rowid='rowid', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER services_searchterm_trgm_insert AFTER INSERT ON services_searchterm BEGIN
      INSERT INTO services_searchterm_trgm(rowid, term) VALUES (new.rowid, new.term);
    END
    """,
    """
    CREATE TRIGGER services_searchterm_trgm_delete AFTER DELETE ON services_searchterm BEGIN
      INSERT INTO services_searchterm_trgm(services_searchterm_trgm, rowid, term)
      VALUES ('delete', old.rowid, old.term);
    END
    """,
    """
    CREATE TRIGGER services_searchterm_trgm_update AFTER UPDATE OF term ON services_searchterm BEGIN
      INSERT INTO services_searchterm_trgm(services_searchterm_trgm, rowid, term)
      VALUES ('delete', old.rowid, old.term);
      INSERT INTO services_searchterm_trgm(rowid, term) VALUES (new.rowid, new.term);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS services_searchterm_trgm_update",
    "DROP TRIGGER IF EXISTS services_searchterm_trgm_delete",
    "DROP TRIGGER IF EXISTS services_searchterm_trgm_insert",
    "DROP TABLE IF EXISTS services_searchterm_trgm",
    "DROP TRIGGER IF EXISTS services_search_fts_update",
    "DROP TRIGGER IF EXISTS services_search_fts_delete",
    "DROP TRIGGER IF EXISTS services_search_fts_insert",
    "DROP TABLE IF EXISTS services_search_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="services.service",
                    ),
                ),
                ("name_terms", models.TextField(blank=True, default="")),
                ("tag_terms", models.TextField(blank=True, default="")),
                ("body_terms", models.TextField(blank=True, default="")),
                ("extra_terms", models.TextField(blank=True, default="")),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "verbose_name": "søkedokument",
                "verbose_name_plural": "søkedokumenter",
            },
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("term", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("df", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "søkeord i indeksen",
                "verbose_name_plural": "søkeord i indeksen",
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
