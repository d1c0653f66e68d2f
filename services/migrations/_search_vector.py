"""The PostgreSQL trigger that builds a search document's weighted vector, for migrations."""


def _vector(config: str, row: str = "") -> str:
    """The weighted vector of a document row: A name, B tags, C texts, D English texts."""
    columns = [("name_terms", "A"), ("tag_terms", "B"), ("body_terms", "C"), ("extra_terms", "D")]
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({row}{column}, '')), '{weight}')"
        for column, weight in columns
    )


def use(config: str):
    """A migration step that builds the vector with `config` (PostgreSQL only)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION services_searchdocument_vector() RETURNS trigger AS $$ "
            f"BEGIN NEW.vector := {_vector(config, 'NEW.')}; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(f"UPDATE services_searchdocument SET vector = {_vector(config)}")

    return run
