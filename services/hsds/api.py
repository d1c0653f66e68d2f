"""The read-only HSDS 3 API: plain function views answering JSON.

Public and cacheable: no session or cookie is touched, every answer carries
`Access-Control-Allow-Origin: *`, an `ETag` (a hash of the body) and, where the
data has a date, `Last-Modified`; `If-None-Match` / `If-Modified-Since` get 304.
Bad parameters answer 400 with a JSON message, unknown ids 404, never a 500.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from email.utils import format_datetime, parsedate_to_datetime

from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from services.forms import MAX_QUERY_LENGTH
from services.hsds import mapping, profile
from services.models import Category, DeliveryMode, Location, Organisation, Service, TargetGroup

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 50

# Parameters of the specification's openapi.json this API accepts and ignores.
UNSUPPORTED = {
    "format": "Only JSON is served; the tabular form is `manage.py export_hsds`.",
    "full": "/services pages always hold the one-to-one fields; /services/{id} is always full.",
    "minimal": "Ignored: pages always hold the one-to-one fields.",
    "full_service": "Ignored: /organizations/{id} lists its services' one-to-one fields.",
    "taxonomy_id": "Supported on /services and /taxonomy_terms.",
    "postcode": "Ignored: use the profile's municipality numbers in service_areas.",
    "proximity": "Ignored.",
    "top_only": "Ignored: the taxonomies are flat.",
    "parent_id": "Ignored: the taxonomies are flat.",
}


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class NotFound(Exception):
    pass


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _error(status: int, message: str, parameter: str | None = None) -> HttpResponse:
    body = {"error": message, "status": status}
    if parameter:
        body["parameter"] = parameter
    response = HttpResponse(_json_bytes(body), status=status, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


def _not_modified(request: HttpRequest, etag: str, last_modified: dt.datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return last_modified.replace(microsecond=0) <= when
    return False


def _answer(request: HttpRequest, data, last_modified: dt.datetime | None = None) -> HttpResponse:
    body = _json_bytes(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if _not_modified(request, etag, last_modified):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = format_datetime(last_modified.astimezone(dt.UTC), usegmt=True)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def endpoint(view):
    """GET/HEAD only; parameter errors become 400 JSON and unknown ids 404 JSON."""

    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "Bare GET er støttet (read-only API).")
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return _error(400, exc.message, exc.parameter)
        except NotFound:
            return _error(404, "Fant ingen post med denne id-en.")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


# --- parameters --------------------------------------------------------------


def _int_param(request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"`{name}` må være et heltall.") from None
    if value < low or (high is not None and value > high):
        bound = f"mellom {low} og {high}" if high is not None else f"minst {low}"
        raise BadRequest(name, f"`{name}` må være {bound}.")
    return value


def _search_text(request) -> str:
    """The `search` parameter without NUL characters (PostgreSQL refuses them)."""
    return request.GET.get("search", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def _paging(request) -> tuple[int, int]:
    return (
        _int_param(request, "page", 1, 1, MAX_PAGE),
        _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _uuid_param(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError):
        raise BadRequest(name, f"`{name}` må være en UUID.") from None


def _path_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound from None


def _modified_after(request) -> dt.datetime | None:
    raw = request.GET.get("modified_after")
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = dt.datetime.combine(day, dt.time())
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(
            "modified_after",
            "`modified_after` må være en dato eller et tidspunkt i ISO 8601, "
            "f.eks. 2026-01-31 eller 2026-01-31T12:00:00Z.",
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _page(items: list, total: int, page: int, per_page: int) -> dict:
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
        "contents": items,
    }


def _catalogue_modified() -> dt.datetime | None:
    """When any listing last changed, drafts included: unpublishing one changes the pages."""
    return Service.objects.aggregate(m=Max("updated_at"))["m"]


def _term_filter(term: uuid.UUID) -> Q:
    """The services carrying one of the catalogue's taxonomy terms (by its stable id)."""
    key = str(term)
    for kind, model, attr, relation in TERM_KINDS:
        for code in model.objects.values_list(attr, flat=True):
            if mapping.term_id(kind, code) == key:
                return Q(**{f"{relation}__{attr}": code})
    return Q(pk__in=[])


TERM_KINDS = [
    ("category", Category, "slug", "categories"),
    ("target_group", TargetGroup, "slug", "target_groups"),
    ("delivery_mode", DeliveryMode, "code", "delivery_modes"),
]


# --- views -------------------------------------------------------------------


@endpoint
def root(request):
    data = {
        "version": mapping.HSDS_VERSION,
        "profile": request.build_absolute_uri(reverse("hsds:profile")),
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
        "unsupported_parameters": UNSUPPORTED,
        "notes": {
            "scope": "Bare publiserte tjenester, og organisasjoner og adresser til dem.",
            "per_page": f"1–{MAX_PER_PAGE}, standard {DEFAULT_PER_PAGE}.",
            "addresses": "En adresse publiseres bare når den er fullstendig; skjermede adresser "
            "publiseres aldri (bare kommune og sted, med merknad).",
            "language": "Tekstene er på bokmål; engelsk navn står i alternate_name.",
        },
    }
    return _answer(request, data)


@endpoint
def services(request):
    page, per_page = _paging(request)
    queryset = mapping.published_services()
    if term := request.GET.get("taxonomy_term_id"):
        queryset = queryset.filter(_term_filter(_uuid_param(term, "taxonomy_term_id")))
    if tax := request.GET.get("taxonomy_id"):
        kinds = {mapping.taxonomy_id(k): rel for k, _, _, rel in TERM_KINDS}
        relation = kinds.get(str(_uuid_param(tax, "taxonomy_id")))
        queryset = (
            queryset.filter(**{f"{relation}__isnull": False}) if relation else queryset.none()
        )
    if org := request.GET.get("organization_id"):
        queryset = queryset.filter(organisation__uuid=_uuid_param(org, "organization_id"))
    if after := _modified_after(request):
        queryset = queryset.filter(updated_at__gte=after)
    queryset = queryset.distinct()
    search = _search_text(request)
    if search:
        total, rows = _search(search, queryset, page, per_page)
    else:
        total = queryset.count()
        start = (page - 1) * per_page
        rows = list(
            queryset.select_related("organisation").order_by("name", "pk")[start : start + per_page]
        )
    items = [mapping.service_list_doc(s) for s in rows]
    last = _catalogue_modified()
    return _answer(request, _page(items, total, page, per_page), last)


def _search(text: str, queryset, page: int, per_page: int) -> tuple[int, list[Service]]:
    """The portal's ranked search, narrowed to the API's other filters."""
    from services.search import search_services

    results = search_services(text, None, base=queryset)
    return results.total, list(results.page(page, per_page))


@endpoint
def service(request, id):
    try:
        obj = mapping.full_services().get(uuid=_path_uuid(id))
    except Service.DoesNotExist:
        raise NotFound from None
    return _answer(request, mapping.service_doc(obj), obj.updated_at)


@endpoint
def organizations(request):
    page, per_page = _paging(request)
    queryset = mapping.public_organisations()
    if search := _search_text(request):
        queryset = queryset.filter(name__icontains=search)
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset.order_by("name", "pk")[start : start + per_page])
    items = [mapping.organisation_doc(o) for o in rows]
    return _answer(
        request,
        _page(items, total, page, per_page),
        _catalogue_modified(),
    )


@endpoint
def organization(request, id):
    try:
        org = mapping.public_organisations().get(uuid=_path_uuid(id))
    except Organisation.DoesNotExist:
        raise NotFound from None
    services = list(
        mapping.published_services()
        .filter(organisation=org)
        .select_related("organisation")
        .order_by("name", "pk")
    )
    doc = mapping.organisation_doc(org)
    doc["services"] = [mapping.service_list_doc(s) for s in services]
    last = max([org.updated_at] + [s.updated_at for s in services])
    return _answer(request, doc, last)


@endpoint
def taxonomies(request):
    page, per_page = _paging(request)
    docs = [mapping.taxonomy_doc(kind) for kind in mapping.TAXONOMIES]
    start = (page - 1) * per_page
    return _answer(request, _page(docs[start : start + per_page], len(docs), page, per_page))


@endpoint
def taxonomy(request, id):
    key = str(_path_uuid(id))
    for kind in mapping.TAXONOMIES:
        if mapping.taxonomy_id(kind) == key:
            return _answer(request, mapping.taxonomy_doc(kind))
    raise NotFound


def _all_terms(taxonomy: str | None = None) -> list[dict]:
    docs = []
    for kind, model, attr, _ in TERM_KINDS:
        if taxonomy and mapping.taxonomy_id(kind) != taxonomy:
            continue
        docs += [mapping.term_doc(kind, o) for o in model.objects.order_by(attr)]
    return docs


@endpoint
def taxonomy_terms(request):
    page, per_page = _paging(request)
    taxonomy = request.GET.get("taxonomy_id")
    docs = _all_terms(str(_uuid_param(taxonomy, "taxonomy_id")) if taxonomy else None)
    if search := _search_text(request).lower():
        docs = [d for d in docs if search in d["name"].lower() or search in d["code"]]
    start = (page - 1) * per_page
    return _answer(request, _page(docs[start : start + per_page], len(docs), page, per_page))


@endpoint
def taxonomy_term(request, id):
    key = str(_path_uuid(id))
    for doc in _all_terms():
        if doc["id"] == key:
            return _answer(request, doc)
    raise NotFound


def _sal_queryset(request):
    queryset = mapping.public_locations().select_related("service__organisation")
    if org := request.GET.get("organization_id"):
        queryset = queryset.filter(service__organisation__uuid=_uuid_param(org, "organization_id"))
    if term := request.GET.get("taxonomy_term_id"):
        service_ids = mapping.published_services().filter(
            _term_filter(_uuid_param(term, "taxonomy_term_id"))
        )
        queryset = queryset.filter(service__in=service_ids.values("pk"))
    if after := _modified_after(request):
        queryset = queryset.filter(service__updated_at__gte=after)
    if search := _search_text(request):
        queryset = queryset.filter(service__name__icontains=search)
    return queryset


@endpoint
def service_at_locations(request):
    page, per_page = _paging(request)
    queryset = _sal_queryset(request)
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset.order_by("service__name", "position", "pk")[start : start + per_page])
    items = [mapping.service_at_location_doc(loc, loc.service) for loc in rows]
    last = _catalogue_modified()
    return _answer(request, _page(items, total, page, per_page), last)


@endpoint
def service_at_location(request, id):
    # A service_at_location shares its id with the location: each location belongs to one service.
    try:
        loc = (
            mapping.public_locations()
            .select_related("service__organisation")
            .get(uuid=_path_uuid(id))
        )
    except Location.DoesNotExist:
        raise NotFound from None
    return _answer(
        request, mapping.service_at_location_doc(loc, loc.service), loc.service.updated_at
    )


@endpoint
def profile_index(request):
    return _answer(request, profile.index(lambda name: request.build_absolute_uri(name)))


@endpoint
def profile_document(request, kind, name):
    document = profile.document(kind, name)
    if document is None:
        raise NotFound
    return _answer(request, document)
