"""PostgreSQL: a stored, weighted tsvector with a GIN index, ranked with ts_rank; pg_trgm
(a trigram index on the vocabulary) for misspellings."""

from __future__ import annotations

from django.db import connection

from services.search.backends import SAMPLE_SCAN, Backend

# ts_rank weights for D, C, B, A: English texts, texts, categories/keywords, name.
RANK_WEIGHTS = "{0.07, 0.15, 0.5, 1.0}"


class PostgresBackend(Backend):
    vendor = "postgresql"
    collate = ' COLLATE "C"'
    sample_important_fields_first = False

    def aggregate(self, expr: str) -> str:
        return f"string_agg({expr}::text, ' ')"

    def match(self, terms: list[str], important_fields_only: bool = False) -> str:
        # Terms are [a-z0-9]+ by construction; quoting keeps tsquery syntax out regardless.
        suffix = ":AB" if important_fields_only else ""
        return " | ".join(f"'{t}'{suffix}" for t in terms[: self.MAX_MATCH_TERMS])

    def ranked_sql(self, match, base, limit):
        condition, params = self.exists(base, "x.service_id")
        return (
            f"SELECT x.service_id AS id, ts_rank('{RANK_WEIGHTS}', x.vector, q.q) AS score "
            "FROM services_searchdocument x, (SELECT to_tsquery('simple', %s) AS q) q "
            f"WHERE x.vector @@ q.q AND {condition} ORDER BY score DESC LIMIT %s",
            [match, *params, limit],
        )

    def sampled_sql(self, match, base, limit):
        # At most SAMPLE_SCAN matches are looked at, however few pass the filters. The
        # materialised CTE is planned without the LIMIT, so the GIN index finds the matches
        # (the planner would otherwise read the table in order, hoping to stop early), and
        # it is read lazily, so a common word stops after the first pages.
        condition, params = self.exists(base, "x.service_id")
        return (
            "SELECT x.service_id AS id, 0.0::float4 AS score FROM ("
            "WITH m AS MATERIALIZED (SELECT service_id FROM services_searchdocument "
            "WHERE vector @@ to_tsquery('simple', %s)) "
            f"SELECT service_id FROM m LIMIT {SAMPLE_SCAN}) x WHERE {condition} LIMIT %s",
            [match, *params, limit],
        )

    def similar_terms(self, terms):
        found: dict[str, list[tuple[str, int]]] = {term: [] for term in terms}
        if not terms:
            return found
        values = ", ".join(["(%s)"] * len(terms))
        sql = (
            f"SELECT q.term, s.term, s.df FROM (VALUES {values}) AS q(term) "
            "CROSS JOIN LATERAL (SELECT term, df FROM services_searchterm "
            "WHERE term %% q.term AND df > 0 ORDER BY similarity(term, q.term) DESC LIMIT 40) s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, terms)
            for term, candidate, df in cursor.fetchall():
                found[term].append((candidate, df))
        return found
