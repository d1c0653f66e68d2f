"""What both database backends share: vocabulary look-ups and the one candidate query.

The candidate query is bounded however common the words are. The resolved
query's terms are split by document frequency (`MatchPlan`): the *selective*
ones (together matching at most RANK_BUDGET documents) are ranked by the
database's own score (bm25 / ts_rank); the *common* ones ("hjelp", "vold" in a
large catalogue) are too frequent to rank every match, so the query takes the
first matches in index order — those with the word in the name, categories or
keywords first. Python then ranks the union (`query.score`). One statement
returns every candidate with what the ranking, the facet counts and the
locality boost need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from services.search.query import nearest

# The most matches the database ranks in one search; the rest are sampled.
RANK_BUDGET = 800
# The most matches of common terms a search looks at (the filters are checked on these).
SAMPLE_SCAN = 4000
# Stands for the candidate's id in the condition of a `base` queryset (see `RowFilter`).
OUTER_ID = "__veiviser_candidate_id__"
# Emergency lines fetched for an acute query even when its words miss them.
EMERGENCY_LINES = 10

CANDIDATE_COLUMNS = [
    "name_terms",
    "tag_terms",
    "body_terms",
    "extra_terms",
    "is_emergency",
    "coverage_national",
    "is_free",
    "anonymous_possible",
    "referral_required",
    "open_now",
    "is_local",
    "is_county",
    "categories",
    "target_groups",
    "languages",
    "delivery_modes",
    "name",
]


@dataclass(eq=False)  # compared by identity: field-by-field equality made ranking slow
class Candidate:
    id: int
    rank: float
    name_terms: str
    tag_terms: str
    body_terms: str
    extra_terms: str
    is_emergency: bool
    coverage_national: bool
    is_free: bool
    anonymous_possible: bool
    referral_required: bool | None
    open_now: bool
    is_local: bool
    is_county: bool
    categories: list[str]
    target_groups: list[str]
    languages: list[str]
    delivery_modes: list[str]
    name: str
    score: float = 0.0

    @classmethod
    def from_row(cls, row) -> Candidate:
        (
            id_, rank, name_terms, tag_terms, body_terms, extra_terms, emergency, national,
            free, anonymous, referral, open_now, local, county, categories, groups,
            languages, modes, name,
        ) = row  # fmt: skip
        return cls(
            id_,
            float(rank or 0.0),
            name_terms or "",
            tag_terms or "",
            body_terms or "",
            extra_terms or "",
            bool(emergency),
            bool(national),
            bool(free),
            bool(anonymous),
            None if referral is None else bool(referral),
            bool(open_now),
            bool(local),
            bool(county),
            (categories or "").split(),
            (groups or "").split(),
            (languages or "").split(),
            (modes or "").split(),
            name,
        )


@dataclass
class RowFilter:
    """The search's filters as a SQL condition on one row of services_service.

    `condition(alias)` gives the FilterSet's rules as plain SQL (see
    `ServiceFilter.row_condition`); `base` is an optional correlated query (``… WHERE
    id = OUTER_ID``) for a caller's own narrowing queryset, checked as well."""

    condition: Callable[..., tuple[str, list]]
    base: tuple[str, list] | None = None
    # The chosen municipality's services as a query of ids (`ServiceFilter.coverage_ids`).
    coverage_ids: tuple[str, list] | None = None

    def on(self, alias: str, coverage: bool = True) -> tuple[str, list]:
        """The condition on `alias`; without the municipality's coverage if not `coverage`."""
        sql, params = self.condition(alias, coverage)
        if self.base is not None:
            base_sql, base_params = self.base
            sql = f"{sql} AND EXISTS ({base_sql.replace(OUTER_ID, alias + '.id')})"
            params = [*params, *base_params]
        return sql, list(params)


@dataclass
class MatchPlan:
    selective: list[str] = field(default_factory=list)
    common: list[str] = field(default_factory=list)
    # An acute query: its emergency lines (and the other emergency listings) are candidates
    # whatever its words match.
    emergency: bool = False
    lines: list[int] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        weighted_terms: list[str],
        vocabulary: dict[str, int],
        emergency: bool,
        lines: list[int] | None = None,
    ):
        plan = cls(emergency=emergency, lines=list(lines or []))
        budget = 0
        for term in sorted(weighted_terms, key=lambda t: (vocabulary.get(t, 0), t)):
            df = vocabulary.get(term, 0)
            if budget + df <= RANK_BUDGET or not plan.selective and df <= RANK_BUDGET:
                plan.selective.append(term)
                budget += df
            else:
                plan.common.append(term)
        return plan


class Backend:
    vendor = ""
    # Byte order for prefix ranges, whatever the database's collation.
    collate = ""
    # Sample matches in the name and keywords before the rest (cheap where the index
    # knows the column, as in FTS5; a weight check in PostgreSQL reads every vector).
    sample_important_fields_first = True
    # Terms matched by the first pass; more would only slow the database.
    MAX_MATCH_TERMS = 60

    # --- vocabulary ----------------------------------------------------------

    def vocabulary(self, terms: set[str], prefixes: set[str]) -> dict[str, int]:
        """Document frequencies of the known `terms` and of the terms starting with a prefix."""
        conditions, params = [], []
        wanted = sorted(t for t in terms if t)
        if wanted:
            conditions.append(f"term IN ({', '.join(['%s'] * len(wanted))})")
            params += wanted
        for prefix in sorted(prefixes):
            # Terms are [a-z0-9]+, so every longer term sorts below prefix + "~".
            conditions.append(f"(term{self.collate} > %s AND term{self.collate} < %s)")
            params += [prefix, prefix + "~"]
        if not conditions:
            return {}
        sql = (
            f"SELECT term, df FROM services_searchterm WHERE df > 0 AND ({' OR '.join(conditions)})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = dict(cursor.fetchall())
        # Keep the most common few longer forms of each prefix.
        wanted_set = set(wanted)
        for prefix in prefixes:
            longer = sorted(
                ((df, t) for t, df in found.items() if t.startswith(prefix) and t != prefix),
                reverse=True,
            )
            for _df, term in longer[8:]:
                if term not in wanted_set:
                    found.pop(term, None)
        return found

    def fuzzy(self, terms: list[str]) -> dict[str, list[tuple[str, int, str]]]:
        """For words nobody knows, the nearest real words of the index (term, df, word).

        The same statement on every database, and the choice made in Python, so SQLite
        and PostgreSQL correct a query alike: the candidates are the terms that begin as
        the word does (or with its first two letters swapped) and are at most two letters
        longer or shorter; `query.nearest` keeps the closest by edit distance."""
        conditions, params = [], []
        for term in terms:
            for prefix in {term[:2], term[1::-1]}:
                conditions.append(
                    f"(term{self.collate} >= %s AND term{self.collate} < %s "
                    "AND length(term) BETWEEN %s AND %s)"
                )
                params += [prefix, prefix + "~", len(term) - 2, len(term) + 2]
        if not conditions:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, df, word FROM services_searchterm "
                f"WHERE df > 0 AND ({' OR '.join(conditions)})",
                params,
            )
            rows = cursor.fetchall()
        return {term: nearest(term, rows) for term in terms}

    def total_documents(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM services_searchdocument")
            return cursor.fetchone()[0]

    # --- candidates ------------------------------------------------------------

    def ranked_sql(self, match: str, limit: int) -> tuple[str, list]:
        raise NotImplementedError

    def sampled_sql(self, match: str, limit: int) -> tuple[str, list]:
        raise NotImplementedError

    def match(self, terms: list[str], important_fields_only: bool = False) -> str:
        raise NotImplementedError

    def fetch(self, sql: str, params: list, serial: bool = False) -> list[tuple]:
        """Run the candidate or browse statement (`serial`: without parallel workers)."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @staticmethod
    def exists(base: RowFilter, column: str, coverage: bool = True) -> tuple[str, list]:
        """The filters on one candidate id column, checked row by row (a primary-key look-up
        and a few index probes), so a branch that stops after `limit` rows never reads the
        whole filtered set. A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a
        join and build the whole filtered set first. `coverage=False` leaves the
        municipality out (for a branch that reads only the municipality's services)."""
        sql, params = base.on("fs", coverage)
        return (
            f"COALESCE((SELECT {sql} FROM services_service fs WHERE fs.id = {column}), FALSE)",
            params,
        )

    def candidates(self, plan: MatchPlan, base, limit, municipality, open_now) -> list[Candidate]:
        """Up to `limit` matching services passing the filters `base`, plus emergency lines
        for an acute query, with everything the ranking needs."""
        branches, params = [], []
        if plan.selective:
            sql, p = self.ranked_sql(self.match(plan.selective), base, limit)
            branches.append((1, sql))
            params += p
        if plan.common:
            tiers = ((2, True), (3, False)) if self.sample_important_fields_first else ((3, False),)
            for tier, important in tiers:
                sql, p = self.sampled_sql(self.match(plan.common, important), base, limit)
                branches.append((tier, sql))
                params += p
        if plan.emergency:
            condition, p = base.on("s")
            branches.append(
                (0, f"SELECT s.id AS id, 0.0 AS score FROM services_service s "
                    f"WHERE s.is_emergency AND {condition} LIMIT %s")
            )  # fmt: skip
            params += [*p, EMERGENCY_LINES]
        if plan.lines:
            condition, p = base.on("s")
            marks = ", ".join(["%s"] * len(plan.lines))
            branches.append(
                (0, f"SELECT s.id AS id, 0.0 AS score FROM services_service s "
                    f"WHERE s.id IN ({marks}) AND {condition}")
            )  # fmt: skip
            params += [*plan.lines, *p]
        if not branches:
            return []
        union = " UNION ALL ".join(
            f"SELECT id, score, {tier} AS tier FROM (SELECT * FROM ({sql}) b{tier}) t{tier}"
            for tier, sql in branches
        )
        columns, column_params = candidate_columns_sql("s", municipality, open_now)
        sql = (
            f"WITH found AS MATERIALIZED (SELECT id, MAX(score) AS score, MIN(tier) AS tier FROM ({union}) u "
            "GROUP BY id), "
            f"best AS (SELECT id, score FROM found WHERE tier = 0 UNION ALL "
            f"SELECT id, score FROM (SELECT id, score FROM found WHERE tier > 0 "
            f"ORDER BY tier, score DESC, id LIMIT %s) lim) "
            "SELECT best.id, best.score, d.name_terms, d.tag_terms, d.body_terms, d.extra_terms, "
            f"{columns} FROM best JOIN services_service s ON s.id = best.id "
            "LEFT JOIN services_searchdocument d ON d.service_id = best.id"
        )
        return [
            Candidate.from_row(row) for row in self.fetch(sql, [*params, limit, *column_params])
        ]

    def browse(self, base, limit, municipality, open_now) -> list[Candidate]:
        """Without words: the filtered services, local first when a municipality is chosen, by name."""
        # Straight on the service row: the planner may read the filtered set through its
        # indexes (a category's services) rather than walk every service in name order.
        # With a municipality, each part below reads one kind of coverage itself.
        published, base_params = base.on("s0", coverage=municipality is None)
        columns, column_params = candidate_columns_sql("s", municipality, open_now)
        if municipality is None:
            page_sql = (
                f"SELECT s0.id AS id, 0 AS grp, s0.name AS name FROM services_service s0 "
                f"WHERE {published} ORDER BY s0.name, s0.id LIMIT %s"
            )
            page_params = [*base_params, limit]
        else:
            # Local, then county, then national services: each part bounded on its own.
            parts = [
                "SELECT s0.id AS id, 0 AS grp, s0.name AS name "
                "FROM services_service_coverage_municipalities cm "
                f"JOIN services_service s0 ON s0.id = cm.service_id "
                f"WHERE cm.municipality_id = %s AND {published} ORDER BY s0.name LIMIT %s",
                "SELECT s0.id AS id, 1 AS grp, s0.name AS name "
                "FROM services_service_coverage_counties cc "
                f"JOIN services_service s0 ON s0.id = cc.service_id "
                f"WHERE cc.county_id = %s AND {published} ORDER BY s0.name LIMIT %s",
                "SELECT s0.id AS id, 2 AS grp, s0.name AS name FROM services_service s0 "
                f"WHERE s0.coverage_national AND {published} ORDER BY s0.name LIMIT %s",
            ]
            union = " UNION ALL ".join(f"SELECT * FROM ({p}) p{i}" for i, p in enumerate(parts))
            page_sql = (
                f"SELECT id, MIN(grp) AS grp, MIN(name) AS name FROM ({union}) u "
                "GROUP BY id ORDER BY grp, name, id LIMIT %s"
            )
            page_params = [
                municipality.number, *base_params, limit,
                municipality.county_id, *base_params, limit,
                *base_params, limit, limit,
            ]  # fmt: skip
        sql = (
            "SELECT s.id, 0.0, d.name_terms, d.tag_terms, d.body_terms, d.extra_terms, "
            f"{columns} FROM ({page_sql}) page "
            "JOIN services_service s ON s.id = page.id "
            "LEFT JOIN services_searchdocument d ON d.service_id = s.id "
            "ORDER BY page.grp, page.name, page.id"
        )
        rows = self.fetch(sql, [*column_params, *page_params], serial=True)
        return [Candidate.from_row(row) for row in rows]


def candidate_columns_sql(alias: str, municipality, open_now: tuple[str, list]):
    """The per-candidate columns after the index terms, for a service table `alias` joined
    with its search document `d`."""
    open_sql, open_params = open_now
    if municipality is not None:
        local = (
            "EXISTS (SELECT 1 FROM services_service_coverage_municipalities cm "
            f"WHERE cm.service_id = {alias}.id AND cm.municipality_id = %s)"
        )
        county = (
            "EXISTS (SELECT 1 FROM services_service_coverage_counties cc "
            f"WHERE cc.service_id = {alias}.id AND cc.county_id = %s)"
        )
        local_params = [municipality.number, municipality.county_id]
    else:
        local, county, local_params = "1 = 0", "1 = 0", []

    columns = [
        f"{alias}.is_emergency AS is_emergency",
        f"{alias}.coverage_national AS coverage_national",
        f"{alias}.is_free AS is_free",
        f"{alias}.anonymous_possible AS anonymous_possible",
        f"{alias}.referral_required AS referral_required",
        f"{open_sql} AS open_now",
        f"{local} AS is_local",
        f"{county} AS is_county",
        # Kept in the search document (index.py): no look-up per candidate.
        "d.category_slugs AS categories",
        "d.group_slugs AS target_groups",
        "d.language_codes AS languages",
        "d.mode_codes AS delivery_modes",
        f"{alias}.name AS name",
    ]
    return ", ".join(columns), [*open_params, *local_params]
