"""Catalogue search: one entry point for every search surface.

    results = search_services("kjæresten min slår meg", {"municipality": "0301"})
    results.services       # a Service queryset in rank order
    results.page(1)        # the services of page 1 (organisation, phones, hours prefetched)
    results.listing(1)     # the results page's Page: only what a listed result shows
    results.total, results.total_display, results.facets, results.messages

`filters` is any mapping of the results page's parameters (a QueryDict, or a
dict whose values are strings or lists of strings): ``category``,
``target_group``, ``language``, ``delivery_mode`` (slugs/codes, several allowed:
all must hold), ``municipality`` (a 4-digit number: its local services, its
county's and national ones), ``referral`` (``yes``/``no``; unknown matches
neither), ``free``, ``anonymous``, ``open_now`` (any value = on). Unknown
values never fail: they are ignored and `messages` says so.

How it works: `query.parse` reads the words (stemming, synonyms, æøå folding,
stop words); the backend for the database in use (`sqlite.py`: FTS5 + bm25,
`postgres.py`: tsvector + GIN + ts_rank, pg_trgm) looks the terms up in the
vocabulary, corrects unknown words and returns a bounded set of candidates
(the best CANDIDATE_LIMIT by the database's own rank) with the FilterSet from
`services/filters.py` applied; `query.score` ranks those candidates the same
way on both databases, a chosen municipality lifts local and county services,
and an acute query always keeps an emergency line near the top. Facet counts
come from the same candidates, so a page costs a fixed number of queries.

Bulk writes that bypass signals (bulk_create, QuerySet.update of indexed text)
must call `reindex(services)` or `rebuild()` afterwards.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from services.filters import FLAGS, MUNICIPALITY_RE, NO, YES, ServiceFilter
from services.models import Municipality, OpeningHours, Phone, Service
from services.opening import next_opening, open_now_sql
from services.search import query as query_side
from services.search.backends import OUTER_ID, Candidate, MatchPlan, RowFilter
from services.search.index import deferred, rebuild, reindex, remove
from services.search.query import Document, ParsedQuery

__all__ = ["search_services", "reindex", "rebuild", "remove", "deferred", "SearchResults"]

CANDIDATE_LIMIT = 150
FACET_CAP = 100
PAGE_SIZE = 20
MULTI = ("category", "target_group", "language", "delivery_mode")
SINGLE = ("municipality", "referral", "free", "anonymous", "open_now")
# How much a chosen municipality lifts its own and its county's services.
LOCAL_BOOST, COUNTY_BOOST = 1.3, 1.12
ACUTE_BOOST = 1.15
# An acute query shows an emergency line at least this high (1-based).
EMERGENCY_WITHIN = 3
# What a result on the results page shows (services/templatetags/search_results.py). The
# listed services hold only these fields: reading any other costs a query per service.
LISTING_FIELDS = (
    "slug",
    "name",
    "name_en",
    "description_nb",
    "description_en",
    "is_emergency",
    "coverage_national",
    "hours_mode",
    "referral_required",
    "is_free",
    "anonymous_possible",
)


def get_backend():
    if connection.vendor == "postgresql":
        from services.search.postgres import PostgresBackend

        return PostgresBackend()
    from services.search.sqlite import SQLiteBackend

    return SQLiteBackend()


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    capped: bool = False

    @property
    def display(self) -> str:
        if self.count >= FACET_CAP:
            return f"{FACET_CAP}+"
        return f"{self.count}+" if self.capped else str(self.count)


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    multiple: bool = True

    @property
    def selected(self) -> list[FacetOption]:
        return [o for o in self.options if o.selected]


@dataclass
class SearchResults:
    query: ParsedQuery
    candidates: list[Candidate]
    more: bool = False
    facets: list[Facet] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    municipality: Municipality | None = None
    filters: dict = field(default_factory=dict)
    filterset: ServiceFilter | None = None
    now: dt.datetime | None = None

    @property
    def errors(self) -> list[str]:
        """Messages for the person searching: unknown filter values, a bad municipality number."""
        return self.messages

    @property
    def total_is_capped(self) -> bool:
        return self.more

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """For each filter, how many of the results each option would keep."""
        counts: dict[str, dict[str, int]] = {}
        for facet in self.facets:
            for option in facet.options:
                name = option.value if facet.name == "flags" else facet.name
                key = "1" if facet.name == "flags" else option.value
                counts.setdefault(name, {})[key] = option.count
        return counts

    @property
    def ids(self) -> list[int]:
        return [c.id for c in self.candidates]

    @property
    def total(self) -> int:
        """How many results are listed (at most the candidate limit; see `more`)."""
        return len(self.candidates)

    @property
    def truncated(self) -> bool:
        """More services matched than are listed: only the best are ranked and counted."""
        return self.more

    @property
    def total_display(self) -> str:
        return f"{self.total}+" if self.more else str(self.total)

    @property
    def services(self):
        """The ranked services as a queryset (ordered by rank)."""
        ids = self.ids
        order = Case(
            *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)],
            default=Value(len(ids)),
            output_field=IntegerField(),
        )
        return Service.objects.filter(pk__in=ids).order_by(order) if ids else Service.objects.none()

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self):
        return iter(self.services)

    def paginator_page(self, number=1, per_page: int = PAGE_SIZE):
        """A Django Page over the ranked results whose object_list holds the page's services."""
        page = Paginator(self.candidates, per_page).get_page(number)
        page.object_list = self._services(list(page.object_list))
        return page

    def listing(self, number=1, per_page: int = PAGE_SIZE):
        """The results page's Page of services: only what a result in the list shows
        (LISTING_FIELDS and `organisation_name`), each with its Candidate (`search`), its
        first phone (`first_phone`), `open_state` (as `is_open_at`: "open now" comes from
        the candidate, worked out by the database for the same moment) and `opens_next` for
        a closed service. At most three queries, and no model instances the list does not
        show."""
        page = Paginator(self.candidates, per_page).get_page(number)
        candidates = list(page.object_list)
        if not candidates:
            page.object_list = []
            return page
        ids = [c.id for c in candidates]
        marks = ", ".join(["%s"] * len(ids))
        # Raw queries (with the ORM's value conversion): compiling the equivalent
        # querysets cost more than running them.
        columns = ", ".join(f"s.{Service._meta.get_field(f).column}" for f in LISTING_FIELDS)
        by_id = {
            service.pk: service
            for service in Service.objects.raw(
                f"SELECT s.id, {columns}, o.name AS organisation_name FROM services_service s "
                f"JOIN services_organisation o ON o.id = s.organisation_id WHERE s.id IN ({marks})",
                ids,
            )
        }
        first_phones: dict[int, Phone] = {}
        for phone in Phone.objects.raw(
            f"SELECT * FROM services_phone WHERE service_id IN ({marks}) ORDER BY position, id",
            ids,
        ):
            first_phones.setdefault(phone.service_id, phone)
        closed = [
            c.id
            for c in candidates
            if not c.open_now and c.id in by_id and by_id[c.id].hours_mode == "scheduled"
        ]
        periods: dict[int, list[OpeningHours]] = {pk: [] for pk in closed}
        if closed:
            for period in OpeningHours.objects.raw(
                "SELECT * FROM services_openinghours WHERE service_id IN "
                f"({', '.join(['%s'] * len(closed))})",
                closed,
            ):
                periods[period.service_id].append(period)
        services = []
        for candidate in candidates:
            service = by_id.get(candidate.id)
            if service is None:
                continue
            service.search = candidate
            service.first_phone = first_phones.get(service.pk)
            mode = service.hours_mode
            service.open_state = (
                True if mode == "always" else candidate.open_now if mode == "scheduled" else None
            )
            service.opens_next = (
                next_opening(service, self.now, periods[service.pk])
                if service.pk in periods
                else None
            )
            services.append(service)
        page.object_list = services
        return page

    def page(self, number=1, per_page: int = PAGE_SIZE) -> list[Service]:
        """The services of one page in rank order, organisation, phones and hours prefetched."""
        return self.paginator_page(number, per_page).object_list

    def _services(self, candidates: list[Candidate]) -> list[Service]:
        by_id = {
            s.pk: s
            for s in Service.objects.filter(pk__in=[c.id for c in candidates])
            .select_related("organisation")
            .prefetch_related("phones", "opening_hours")
        }
        services = []
        for candidate in candidates:
            service = by_id.get(candidate.id)
            if service is not None:
                service.search = candidate
                services.append(service)
        return services


def _as_multivalue(filters: Mapping | None) -> MultiValueDict:
    if filters is None:
        return MultiValueDict()
    if isinstance(filters, MultiValueDict):
        return filters.copy()
    data = MultiValueDict()
    for key, value in filters.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            data.setlist(key, [str(v) for v in value])
        else:
            data.setlist(key, [str(value)])
    return data


def _options(language: str | None = None) -> dict[str, list[tuple[str, str, int]]]:
    """Every filter option with its label in the language (default: the active one): one query."""
    lang = (language or get_language() or "nb").split("-")[0]
    column = {"nn": "name_nn", "en": "name_en"}.get(lang, "name_nb")
    sql = " UNION ALL ".join(
        f"SELECT '{kind}', {key}, {column}, name_nb, {position} FROM {table}"
        for kind, key, table, position in [
            ("category", "slug", "services_category", "position"),
            ("target_group", "slug", "services_targetgroup", "position"),
            ("language", "code", "services_language", "0"),
            ("delivery_mode", "code", "services_deliverymode", "position"),
        ]
    )
    options: dict[str, list[tuple[str, str, int]]] = {k: [] for k in MULTI}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, key, label, label_nb, position in cursor.fetchall():
            options[kind].append((key, label or label_nb, position))
    for kind in options:
        if kind == "language":
            options[kind].sort(key=lambda o: (o[0] not in ("nb", "nn", "en"), o[1]))
        else:
            options[kind].sort(key=lambda o: (o[2], o[1]))
    return options


def _clean_filters(data: MultiValueDict, options, messages: list[str]):
    """Known filter values only; a message for each one dropped."""
    clean: dict[str, list[str] | str] = {}
    names = {
        "category": _("tema"),
        "target_group": _("målgruppe"),
        "language": _("språk"),
        "delivery_mode": _("kontaktform"),
    }
    for name in MULTI:
        known = {value for value, _label, _pos in options[name]}
        values = []
        for value in data.getlist(name):
            value = value.strip()
            if not value:
                continue
            if value in known:
                if value not in values:
                    values.append(value)
            else:
                messages.append(
                    _("Ukjent %(what)s «%(value)s» – filteret er ikke brukt.")
                    % {"what": names[name], "value": value[:40]}
                )
        if values:
            clean[name] = values
    referral = (data.get("referral") or "").strip()
    if referral in (YES, NO):
        clean["referral"] = referral
    elif referral:
        messages.append(_("Ukjent valg for henvisning – filteret er ikke brukt."))
    for flag in FLAGS:
        value = (data.get(flag) or "").strip().lower()
        if value and value not in ("0", "false", "off", "no", "nei"):
            clean[flag] = "on"
    return clean


def _municipality(value: str, messages: list[str]) -> Municipality | None:
    value = (value or "").strip()
    if not value:
        return None
    if not MUNICIPALITY_RE.match(value):
        messages.append(
            _("«%(value)s» er ikke et kommunenummer (fire sifre). Viser tjenester for hele landet.")
            % {"value": value[:20]}
        )
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, name, county_id FROM services_municipality WHERE number = %s", [value]
        )
        row = cursor.fetchone()
    # A plain query and Model.from_db: the ORM's compilation cost more than the look-up.
    municipality = (
        Municipality.from_db(connection.alias, ["number", "name", "county_id"], row)
        if row
        else None
    )
    if municipality is None:
        messages.append(
            _("Fant ingen kommune med nummer %(value)s. Viser tjenester for hele landet.")
            % {"value": value}
        )
    return municipality


def search_services(
    query: str = "",
    filters: Mapping | None = None,
    *,
    base: QuerySet | None = None,
    language: str | None = None,
    now: dt.datetime | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> SearchResults:
    """Rank the published services for `query` with `filters` applied (see the module doc).

    `base` narrows the services first (the referral form passes the services that
    take electronic referrals); `language` picks the labels of the filter options
    (default: the active language).
    """
    now = now or timezone.now()
    messages: list[str] = []
    data = _as_multivalue(filters)
    options = _options(language)
    municipality = _municipality(data.get("municipality", ""), messages)
    clean = _clean_filters(data, options, messages)
    if municipality is not None:
        clean["municipality"] = municipality.number
    queryset = (base if base is not None else Service.objects.all()).published()
    filterset = ServiceFilter(
        _as_multivalue(clean),
        queryset=queryset,
        options={k: [(v, label) for v, label, _p in opts] for k, opts in options.items()},
        municipality=municipality,
        now=now,
    )
    # The filters as a condition on one service row, checked row by row by the backend;
    # a caller's `base` queryset as a correlated query on the row's id besides.
    narrowing = None
    if base is not None:
        correlated = (
            base.order_by().extra(where=[f'"services_service"."id" = {OUTER_ID}']).values("id")
        )
        base_sql, base_params = correlated.query.sql_with_params()
        narrowing = (base_sql, list(base_params))
    base = RowFilter(filterset.row_condition, narrowing, filterset.coverage_ids())

    backend = get_backend()
    parsed = query_side.parse(query or "")
    if parsed.truncated:
        messages.append(_("Søket var svært langt; bare begynnelsen er brukt."))
    open_now = open_now_sql("s", now)

    if parsed.is_empty:
        if (query or "").strip():
            messages.append(
                _("Søket inneholdt ingen ord vi kunne søke etter. Viser alle tjenester.")
            )
        candidates = backend.browse(base, limit + 1, municipality, open_now)
    else:
        lookup, prefixes = query_side.lookup_candidates(parsed)
        vocabulary = backend.vocabulary(lookup, prefixes)
        query_side.resolve(parsed, vocabulary, _total_documents(backend), backend.fuzzy)
        terms = _match_terms(parsed)
        plan = MatchPlan.build(terms, backend.match_frequencies(terms, vocabulary), parsed.acute)
        candidates = backend.candidates(plan, base, limit + 1, municipality, open_now)
        candidates = rank(parsed, candidates, municipality)

    more = len([c for c in candidates if c.score > 0 or parsed.is_empty]) > limit
    results = SearchResults(
        query=parsed,
        candidates=candidates[:limit],
        more=more,
        messages=messages,
        municipality=municipality,
        filters=clean,
        filterset=filterset,
        now=now,
    )
    results.facets = _facets(results, options, clean)
    return results


_documents_cache: dict[str, tuple[float, int]] = {}


def _total_documents(backend) -> int:
    """The number of indexed documents, for word weights; read at most once a minute."""
    alias = connection.alias
    cached = _documents_cache.get(alias)
    now = time.monotonic()
    if cached and now - cached[0] < 60:
        return cached[1]
    total = backend.total_documents()
    _documents_cache[alias] = (now, total)
    return total


def _match_terms(parsed: ParsedQuery) -> list[str]:
    """Terms for the database's first pass, the most important first."""
    weighted: dict[str, float] = {}
    for concept in parsed.concepts:
        for alt in concept.alternatives:
            for term in alt.terms:
                weighted[term] = max(weighted.get(term, 0.0), concept.idf * alt.weight)
    return sorted(weighted, key=lambda t: -weighted[t])


def rank(parsed: ParsedQuery, candidates: list[Candidate], municipality) -> list[Candidate]:
    """Order candidates by how well they answer the query (same on every database)."""
    top_rank = max((c.rank for c in candidates), default=0.0) or 1.0
    wanted = parsed.all_terms()
    for candidate in candidates:
        document = Document.from_strings(
            candidate.name_terms,
            candidate.tag_terms,
            candidate.body_terms,
            candidate.extra_terms,
            wanted,
        )
        relevance = query_side.score(parsed, document) + 0.001 * (candidate.rank / top_rank)
        if municipality is not None:
            if candidate.is_local:
                relevance *= LOCAL_BOOST
            elif candidate.is_county:
                relevance *= COUNTY_BOOST
        if parsed.acute and candidate.is_emergency:
            relevance *= ACUTE_BOOST
        candidate.score = relevance
    ordered = sorted(candidates, key=lambda c: (-c.score, c.name, c.id))
    ranked = [c for c in ordered if c.score > 0]
    if parsed.acute and not any(c.is_emergency for c in ranked[:EMERGENCY_WITHIN]):
        # Danger now: the best emergency line goes near the top, matched or not.
        emergency = next((c for c in ordered if c.is_emergency), None)
        if emergency is not None:
            if emergency in ranked:
                ranked.remove(emergency)
            ranked.insert(min(EMERGENCY_WITHIN - 1, len(ranked)), emergency)
    return ranked


def _facets(results: SearchResults, options, clean) -> list[Facet]:
    capped = results.truncated
    counts: dict[str, Counter] = {name: Counter() for name in MULTI}
    flags: Counter = Counter()
    for c in results.candidates:
        counts["category"].update(c.categories)
        counts["target_group"].update(c.target_groups)
        counts["language"].update(c.languages)
        counts["delivery_mode"].update(c.delivery_modes)
        flags["free"] += c.is_free
        flags["anonymous"] += c.anonymous_possible
        flags["open_now"] += c.open_now
        flags[YES] += c.referral_required is True
        flags[NO] += c.referral_required is False
    labels = {
        "category": _("Tema"),
        "target_group": _("Hvem er det for"),
        "language": _("Språk"),
        "delivery_mode": _("Kontaktform"),
    }
    facets = []
    for name in MULTI:
        selected = set(clean.get(name, []))
        facet_options = [
            FacetOption(value, label, counts[name][value], value in selected, capped)
            for value, label, _pos in options[name]
            if counts[name][value] or value in selected
        ]
        facets.append(Facet(name, labels[name], facet_options))
    facets.append(
        Facet(
            "referral",
            _("Henvisning"),
            [
                FacetOption(
                    YES, _("Krever henvisning"), flags[YES], clean.get("referral") == YES, capped
                ),
                FacetOption(
                    NO, _("Uten henvisning"), flags[NO], clean.get("referral") == NO, capped
                ),
            ],
            multiple=False,
        )
    )
    facets.append(
        Facet(
            "flags",
            _("Annet"),
            [
                FacetOption(flag, str(label), flags[flag], flag in clean, capped)
                for flag, (_field, label) in FLAGS.items()
            ],
        )
    )
    return facets


from services.search import signals as _signals  # noqa: E402, F401  (connects the index signals)
