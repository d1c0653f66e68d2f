from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from portal.clients import client_address
from services.coordination import error_report_notify
from services.forms import (
    MAX_QUERY_LENGTH,
    THROTTLED,
    ErrorReportForm,
    client_key,
    find_municipalities,
    form_token,
)
from services.insights import record_unanswered_search
from services.models import Category, ErrorReport, Municipality, OpeningHours, Service
from services.opening import is_open_at, next_opening
from services.search import PAGE_SIZE as SEARCH_PAGE_SIZE
from services.search import search_services
from services.service_page import service_page


@require_safe
def home(request):
    """Search box, category shortcuts, municipality chooser and help now.

    The chosen municipality lives in the URL (?municipality=4601), never in a cookie.
    """
    number = request.GET.get("municipality", "")
    municipality = (
        Municipality.objects.filter(number=number).first()
        if len(number) == 4 and number.isascii() and number.isdigit()
        else None
    )
    categories = Category.objects.order_by("position", "slug")
    return render(
        request,
        "services/home.html",
        {"categories": categories, "municipality": municipality},
    )


@require_safe
def find(request):
    """The home page's form: turn a typed municipality name into its number, then search."""
    typed = request.GET.get("municipality", "").strip()
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    matches = find_municipalities(typed) if typed else []
    if not typed or len(matches) == 1:
        params = {"q": query} if query else {}
        if matches:
            params["municipality"] = matches[0].number
        return redirect(reverse("services:results") + ("?" + urlencode(params) if params else ""))
    return render(
        request,
        "services/choose_municipality.html",
        {"typed": typed, "query": query, "matches": matches},
        status=200,
    )


@require_safe
def results(request):
    """Ranked search results with filters that work without JavaScript (see services.search)."""
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    found = search_services(query, request.GET)
    page = found.listing(request.GET.get("page"), SEARCH_PAGE_SIZE)
    if query.strip() and (not found.total or found.query.mostly_unknown):
        # Nothing found, or only a marked handful for words the search did not understand:
        # either way the catalogue or its vocabulary lacks what was asked for.
        record_unanswered_search(query, request.GET.get("municipality", "")[:4])
    kept = request.GET.copy()
    kept.pop("page", None)
    if "q" in kept:
        kept["q"] = query
    return render(
        request,
        "services/results.html",
        {
            "found": found,
            "query": found.query.text,
            "page_obj": page,
            "services": page.object_list,
            "querystring": kept.urlencode(),
        },
    )


def _in_english() -> bool:
    return (get_language() or "nb").startswith("en")


def _localised_pair(obj, field: str) -> tuple[str, bool]:
    """(text, shown_in_bokmal) for a *_nb / *_en field pair on a related row."""
    english = getattr(obj, f"{field}_en", "") if _in_english() else ""
    if english:
        return english, False
    return getattr(obj, f"{field}_nb"), _in_english()


SERVICE_TEXTS = (
    "name",
    "description",
    "eligibility",
    "how_it_works",
    "referral_notes",
    "cost",
    "hours_note",
)


@require_safe
def detail(request, slug):
    page = service_page(slug)
    service = page.service
    now = timezone.localtime()
    hours = {}
    for row in service.opening_hours.all():
        hours.setdefault(str(OpeningHours.Weekday(row.weekday).label), []).append(row)
    locations = [
        {
            "location": location,
            "note": _localised_pair(location, "note"),
            "accessibility": _localised_pair(location, "accessibility"),
        }
        for location in page.locations
    ]
    text = {
        field: {"text": service.localised(field), "nb": service.localised_is_bokmal(field)}
        for field in SERVICE_TEXTS
    }
    return render(
        request,
        "services/detail.html",
        {
            "service": service,
            "page": page,
            "text": text,
            "phones": [(phone, *_localised_pair(phone, "label")) for phone in page.phones],
            "locations": locations,
            "hours": hours,
            "open_now": is_open_at(service, now),
            "next_open": next_opening(service, now),
            "referrers": [
                Service.Referrer(code).label
                for code in service.who_may_refer
                if code in Service.Referrer.values
            ],
        },
    )


def _cross_site(request) -> bool:
    """True for a POST another site's page made the browser send (see services/forms.py)."""
    origin = request.headers.get("Origin", "null")
    # Under Referrer-Policy: no-referrer browsers send "Origin: null" even from our own page.
    if origin != "null" and origin != f"{request.scheme}://{request.get_host()}":
        return True
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}


def _throttled(request) -> bool:
    """At most ERROR_REPORTS_PER_HOUR reports per client; only a keyed hash sits in the cache."""
    key = client_key(client_address(request))
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    return count > getattr(settings, "ERROR_REPORTS_PER_HOUR", 5)


@csrf_exempt  # The form page sets no cookie; protection is described in services/forms.py.
@require_http_methods(["GET", "HEAD", "POST"])
def report_error(request, slug):
    service = get_object_or_404(Service.objects.published(), slug=slug)
    if request.method != "POST":
        form = ErrorReportForm(service=service)
        return _report_form(request, service, form)
    if _cross_site(request):
        return HttpResponseForbidden(
            "Cross-site form posts are refused.\n", content_type="text/plain"
        )
    form = ErrorReportForm(request.POST, service=service)
    done = reverse("services:report_error_done", args=[service.slug])
    if form.is_spam():
        return HttpResponseRedirect(done)
    if form.is_valid():
        if _throttled(request):
            form.add_error(None, THROTTLED)
        else:
            report = ErrorReport.objects.create(
                service=service,
                field=form.cleaned_data["field"],
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
            transaction.on_commit(lambda: error_report_notify(report=report))
            return HttpResponseRedirect(done)
    form.data = form.data.copy()
    form.data["token"] = form_token(service.pk)
    return _report_form(request, service, form, status=400)


def _report_form(request, service, form, status=200):
    context = {"service": service, "service_name": service.localised("name"), "form": form}
    return render(request, "services/report_error.html", context, status=status)


@require_safe
def report_error_done(request, slug):
    service = get_object_or_404(Service.objects.published(), slug=slug)
    return render(request, "services/report_error_done.html", {"service": service})


@require_safe
def quick_exit(request):
    """Leave for a neutral site, asking the browser to forget this one."""
    response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Cache-Control"] = "no-store"
    return response


def static_page(template_name: str):
    @require_safe
    def view(request):
        return render(request, template_name)

    view.__name__ = template_name.rsplit("/", 1)[-1].removesuffix(".html")
    return view


covering_tracks = static_page("pages/covering_tracks.html")
accessibility = static_page("pages/accessibility.html")
privacy = static_page("pages/privacy.html")
