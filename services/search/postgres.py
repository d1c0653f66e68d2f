"""PostgreSQL: a stored, weighted tsvector (`simple` configuration over the terms
prepared in Python) with a GIN index, ranked with ts_rank."""

from __future__ import annotations

from django.db import connection, transaction

from services.search.backends import SAMPLE_SCAN, Backend

# ts_rank weights for D, C, B, A: English texts, texts, categories/keywords, name.
RANK_WEIGHTS = "{0.15, 0.15, 0.5, 1.0}"
# The text-search configuration of the stored vector (see migration 0009) and of every
# tsquery: `simple`, which only lower-cases. The terms are lemmas already prepared in
# Python (text.py), each text in its own language; a Norwegian stemmer here would fold
# English lemmas together ("temper" and "temporary") and make PostgreSQL match what
# SQLite does not.
TS_CONFIG = "simple"


class PostgresBackend(Backend):
    vendor = "postgresql"
    collate = ' COLLATE "C"'
    sample_important_fields_first = False

    def match(self, terms: list[str], important_fields_only: bool = False) -> str:
        # Terms are [a-z0-9]+ by construction; quoting keeps tsquery syntax out regardless.
        suffix = ":AB" if important_fields_only else ""
        return " | ".join(f"'{t}'{suffix}" for t in terms[: self.MAX_MATCH_TERMS])

    def ranked_sql(self, match, base, limit):
        condition, params = self.exists(base, "x.service_id")
        return (
            f"SELECT x.service_id AS id, ts_rank('{RANK_WEIGHTS}', x.vector, q.q) AS score "
            f"FROM services_searchdocument x, (SELECT to_tsquery('{TS_CONFIG}', %s) AS q) q "
            f"WHERE x.vector @@ q.q AND {condition} ORDER BY score DESC LIMIT %s",
            [match, *params, limit],
        )

    def sampled_sql(self, match, base, limit):
        # At most SAMPLE_SCAN matches are looked at, however few pass the filters. The
        # materialised CTE is planned without the LIMIT, so the GIN index finds the matches
        # (the planner would otherwise read the table in order, hoping to stop early), and
        # it is read lazily, so a common word stops after the first pages.
        if base.coverage_ids is not None:
            return self._sampled_in_coverage(match, base, limit)
        condition, params = self.exists(base, "x.service_id")
        return (
            "SELECT x.service_id AS id, 0.0::float4 AS score FROM ("
            "WITH m AS MATERIALIZED (SELECT service_id FROM services_searchdocument "
            f"WHERE vector @@ to_tsquery('{TS_CONFIG}', %s)) "
            f"SELECT service_id FROM m LIMIT {SAMPLE_SCAN}) x WHERE {condition} LIMIT %s",
            [match, *params, limit],
        )

    def _sampled_in_coverage(self, match, base, limit):
        """With a municipality chosen, the common words are checked on the municipality's
        services (national, local, county: read through indexes, a few per cent of the
        catalogue) rather than the filters on every match of the words: a common word
        matches half the catalogue and few of its matches cover one municipality. The
        services are read in id order, each checked by a primary-key look-up (the LIMIT 1
        keeps that a per-row check, not a join over every match), and the reading stops once
        `limit` rows also pass the other filters (measured at 10k: "rus" in Oslo 57 → 3 ms;
        at 100k "behandling" in Bergen by phone reads about 1,000 of its 6,000 services)."""
        coverage_sql, coverage_params = base.coverage_ids
        condition, params = self.exists(base, "x.service_id", coverage=False)
        return (
            "SELECT x.service_id AS id, 0.0::float4 AS score FROM ("
            f"WITH c AS MATERIALIZED (SELECT id FROM ({coverage_sql}) cov ORDER BY id), "
            f"q AS MATERIALIZED (SELECT to_tsquery('{TS_CONFIG}', %s) AS q) "
            "SELECT m.service_id FROM c CROSS JOIN LATERAL (SELECT d.service_id "
            "FROM services_searchdocument d, q WHERE d.service_id = c.id AND d.vector @@ q.q "
            f"LIMIT 1) m LIMIT {SAMPLE_SCAN}) x WHERE {condition} LIMIT %s",
            [*coverage_params, match, *params, limit],
        )

    def fetch(self, sql, params, serial=False):
        if not serial:
            return super().fetch(sql, params)
        # Browsing by name never needs parallel workers, and starting them costs tens of
        # milliseconds on a busy machine: the planner picked them to list a county's
        # services by name (79 ms with, 38 ms without, at 100k). SET LOCAL ends with the
        # transaction, so nothing else on the connection is affected.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(sql, params)
            return cursor.fetchall()
