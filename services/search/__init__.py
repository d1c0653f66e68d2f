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

How it works: `query.parse` reads the words in their language (bokmål, nynorsk or
English, from the site language and the words: `text.py`) and finds the situations of the
coordinators' vocabulary in them (`vocabulary.py`: what the person needs, who they are, how
urgent it is); the backend for the database in use (`sqlite.py`: FTS5 + bm25,
`postgres.py`: tsvector + GIN + ts_rank) looks the terms up in the index vocabulary,
corrects words nobody knows and returns a bounded set of candidates (the best
CANDIDATE_LIMIT by the database's own rank) with the FilterSet from `services/filters.py`
applied; `rank` orders them the same way on both databases and applies the safety rules
(see its docstring). Facet counts come from the same candidates, so a page costs a fixed
number of queries.

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
from services.search.vocabulary import Vocabulary
from services.search.vocabulary import current as current_vocabulary

__all__ = ["search_services", "reindex", "rebuild", "remove", "deferred", "SearchResults"]

CANDIDATE_LIMIT = 150
FACET_CAP = 100
PAGE_SIZE = 20
MULTI = ("category", "target_group", "language", "delivery_mode")
SINGLE = ("municipality", "referral", "free", "anonymous", "open_now")
# How much a chosen municipality lifts its own and its county's services (when they answer
# the query's meaning, not only a generic word).
LOCAL_BOOST, COUNTY_BOOST = 1.2, 1.08
# Without a chosen municipality, a service for one place counts this much.
UNPLACED_LOCAL = 0.85
# How much a service for who the person is (a relative, a child, a professional) is lifted.
PERSONA_BOOST, CHILD_BOOST = 1.1, 1.3
# A service that needs a referral counts a little less than one you can contact yourself.
REFERRAL_NEEDED = 0.93
# A concept carries meaning from this weight on (a word most listings use does not), and a
# local listing is lifted when its own words answer such a concept at least this well.
MEANINGFUL, LOCAL_MATCH = 1.0, 0.4
# Results scoring below this share of the best one are weak matches and left out.
WEAK_MATCH = 0.2
# Services held back for the wrong person stay out of the first TOP; a query the search
# mostly did not understand shows at most HANDFUL results.
TOP, HANDFUL = 5, 5
OFFENDER_PERSONAS = frozenset({"uses_violence", "sexual_thoughts"})
RESTRICTED_AUDIENCES = frozenset({"uses_violence", "sexual_thoughts", "prisoner", "professional"})
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
    site_language = (language or get_language() or "nb").split("-")[0]
    concepts = current_vocabulary()
    parsed = query_side.parse(query or "", site_language, concepts)
    if parsed.truncated:
        messages.append(_("Søket var svært langt; bare begynnelsen er brukt."))
    open_now = open_now_sql("s", now)

    if parsed.is_empty and not parsed.acute:
        if (query or "").strip():
            messages.append(
                _("Søket inneholdt ingen ord vi kunne søke etter. Viser alle tjenester.")
            )
        candidates = backend.browse(base, limit + 1, municipality, open_now)
    else:
        lookup, prefixes = query_side.lookup_candidates(parsed)
        vocabulary = backend.vocabulary(lookup, prefixes)
        query_side.resolve(parsed, vocabulary, _total_documents(backend), backend.fuzzy, concepts)
        terms = _match_terms(parsed)
        plan = MatchPlan.build(terms, vocabulary, parsed.acute, parsed.lines)
        if parsed.understood or parsed.acute:
            candidates = backend.candidates(plan, base, limit + 1, municipality, open_now)
            candidates = rank(parsed, candidates, municipality, concepts)
        else:
            candidates = []

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


def rank(
    parsed: ParsedQuery, candidates: list[Candidate], municipality, concepts: Vocabulary
) -> list[Candidate]:
    """Order candidates by how well they answer the query (the same on every database), then
    apply the safety rules, which never depend on a tie of scores:

    * an acute query shows its lines first (`ParsedQuery.lines`: suicide → 113 and the
      crisis lines, danger → 112, …), each national line preceded by the chosen
      municipality's emergency listing of the same kind (its own overgrepsmottak);
    * a service only for people who use violence, offenders, prisoners or professionals
      (see `restricted_to`) stays out of the first five unless the query shows that intent;
    * a query from someone who fears harming others puts the services for them before the
      victims' emergency services;
    * results that cover little of what the best result covers are left out, and a query
      whose words the search mostly did not understand shows at most a handful.
    """
    wanted = parsed.all_terms()
    personas = parsed.personas
    offender = bool(personas & OFFENDER_PERSONAS) and "at_risk" not in personas
    for candidate in candidates:
        document = _document(candidate, wanted)
        # Python's score alone, not the database's rank (bm25 or ts_rank): the same
        # candidates rank the same on SQLite and PostgreSQL.
        relevance = query_side.score(parsed, document)
        if municipality is None:
            if not candidate.coverage_national:
                # Nobody said where they are: another place's local service is not theirs.
                relevance *= UNPLACED_LOCAL
        elif _means_something(parsed, document):
            if candidate.is_local:
                relevance *= LOCAL_BOOST
            elif candidate.is_county:
                relevance *= COUNTY_BOOST
        served = {concepts.group_audience.get(g) for g in candidate.target_groups}
        if "child" in personas and "child" in served:
            # A child asking for help: the services made for children first, and among
            # them those a child can use without giving a name.
            relevance *= CHILD_BOOST * (PERSONA_BOOST if candidate.anonymous_possible else 1.0)
        elif personas & served:
            relevance *= PERSONA_BOOST
        if candidate.referral_required:
            # Someone searching wants help they can reach themselves first.
            relevance *= REFERRAL_NEEDED
        if offender and _serves(candidate, concepts) & personas:
            relevance *= PERSONA_BOOST
        # Rounded: sums in another order must not break a tie differently.
        candidate.score = round(relevance, 9)
    ordered = sorted(candidates, key=lambda c: (-c.score, c.name, c.id))
    best = ordered[0].score if ordered else 0.0
    ranked = [c for c in ordered if c.score > 0 and c.score >= best * WEAK_MATCH]
    if parsed.mostly_unknown:
        ranked = ranked[:HANDFUL]
    pinned = _pinned(parsed, candidates, municipality)
    ranked = pinned + [c for c in ranked if c not in pinned]
    held_back = [
        c
        for c in ranked[len(pinned) :]
        if _held_back(c, concepts, personas) or (offender and c.is_emergency)
    ]
    if held_back:
        ranked = [c for c in ranked if c not in held_back] + held_back
    return ranked


def explain(parsed: ParsedQuery, candidate: Candidate) -> list[tuple[str, float, float]]:
    """Why a candidate ranked where it did: each concept of the query (as the person wrote
    it), its weight in the query and how well the service answers it (0–1)."""
    document = _document(candidate, parsed.all_terms())
    return [(c.label, c.idf, query_side.concept_match(c, document)) for c in parsed.concepts]


def _document(candidate: Candidate, wanted: set[str]) -> Document:
    """Where the query's terms (`wanted`) occur in a candidate, and what it is about."""
    return Document.from_strings(
        candidate.name_terms,
        candidate.tag_terms,
        candidate.body_terms,
        candidate.extra_terms,
        wanted,
        candidate.categories,
        candidate.target_groups,
        candidate.id,
    )


def _means_something(parsed: ParsedQuery, document: Document) -> bool:
    """Does the document answer a concept that carries meaning (not only a generic word)?"""
    return any(
        c.weight >= 1.0
        and c.idf >= MEANINGFUL
        and query_side.term_match(c, document) >= LOCAL_MATCH
        for c in parsed.concepts
    )


def _serves(candidate: Candidate, concepts: Vocabulary) -> set[str]:
    """Who the service's categories are for."""
    return {concepts.category_audience.get(c, "") for c in candidate.categories} - {""}


def restricted_to(candidate: Candidate, concepts: Vocabulary) -> list[set[str]]:
    """Whom a service is only for, as conditions a query must each meet (share a persona
    with): each kind of person its categories are for when none of them is for people at
    risk (a prison programme: prisoners; help after a sexual offence: people with harmful
    sexual thoughts), and its target groups when all of them are such groups
    (professionals only). None: the service is for everyone."""
    serves = _serves(candidate, concepts)
    conditions = []
    if "at_risk" not in serves:
        # Each kind of restricted category is a condition of its own: a prison programme
        # after a sexual offence is for someone the query shows to be both.
        conditions.extend({audience} for audience in sorted(serves & RESTRICTED_AUDIENCES))
    groups = {concepts.group_audience.get(g, "") for g in candidate.target_groups}
    if groups and groups <= RESTRICTED_AUDIENCES:
        conditions.append(groups)
    return conditions


def _held_back(candidate: Candidate, concepts: Vocabulary, personas: set[str]) -> bool:
    """Is the service only for someone the query does not show the person to be? A victim
    who mentions prison or an offence ("he gets out of prison") is still a victim."""
    conditions = restricted_to(candidate, concepts)
    if any(not condition & personas for condition in conditions):
        return True
    if "at_risk" in personas and not personas & OFFENDER_PERSONAS:
        return any(condition & (OFFENDER_PERSONAS | {"prisoner"}) for condition in conditions)
    return False


def _pinned(parsed: ParsedQuery, candidates: list[Candidate], municipality) -> list[Candidate]:
    """The lines an acute query shows first, in order, each national line after the chosen
    municipality's emergency listings of the same kind (the same categories)."""
    if not parsed.lines:
        return []
    by_id = {c.id: c for c in candidates}
    pinned: list[Candidate] = []
    for pk in parsed.lines:
        line = by_id.get(pk)
        if line is None:
            continue
        if municipality is not None:
            kind = set(line.categories)
            pinned.extend(
                c
                for c in candidates
                if c.is_emergency
                and (c.is_local or c.is_county)
                and set(c.categories) == kind
                and c not in pinned
            )
        if line not in pinned:
            pinned.append(line)
    return pinned


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
