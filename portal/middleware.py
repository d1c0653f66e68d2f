"""Rules every response keeps, whatever view answered it."""

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

PUBLIC_NAMESPACES = {"services"}
# Anonymous, successful answers from these may carry their own caching headers (the
# public pages say no-store themselves; the HSDS API lets caches keep published data).
CACHEABLE_NAMESPACES = {"services", "hsds"}

# What a session that gave the password but not yet the second factor may reach: the
# public pages and API, the health probe, the token-based review link, and the pages
# that finish (or abandon) logging in. Everything else refuses it.
OPEN_WITHOUT_SECOND_FACTOR_NAMESPACES = {"services", "hsds"}
OPEN_WITHOUT_SECOND_FACTOR = {
    "healthz",
    "coordination:review",
    "accounts:login",
    "accounts:logout",
    "accounts:otp_setup",
    "accounts:otp_enrol",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


def open_without_second_factor(match) -> bool:
    return (
        match.namespace in OPEN_WITHOUT_SECOND_FACTOR_NAMESPACES
        or match.view_name in OPEN_WITHOUT_SECOND_FACTOR
    )


class PublicPageMiddleware:
    """Public pages set no cookie and stay out of caches.

    Sits above the session and CSRF middleware so that, on the way out, it sees
    any cookie they added: a resident's device keeps nothing from the portal but
    its history, which quick exit and the covering-your-tracks page deal with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace in PUBLIC_NAMESPACES:
            response.cookies.clear()
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault(
                "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
            )
        return response


class NoStoreMiddleware:
    """Nothing private is kept by a browser or a cache: `Cache-Control: no-store` on every
    error page, on everything answered to a logged-in user, and on every page that is not
    public (login, password reset, staff pages, admin), whatever the view forgot. Sits
    outside the session middleware and the views, so it sees the 500 page too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _may_be_cached(request, response):
            add_never_cache_headers(response)
        return response


def _may_be_cached(request, response) -> bool:
    if response.status_code >= 400:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in CACHEABLE_NAMESPACES:
        return False
    # Without a session cookie nobody is logged in (and the session is not touched).
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


# The largest id a database integer column holds: a bigger number in a URL names nothing.
MAX_ID = 2**63 - 1


class StrangeInputMiddleware:
    """Input no staff page can mean answers 400 or 404 before any view or database sees it:
    a NUL character in the path, a parameter or a form field (PostgreSQL refuses them in
    text, so an admin filter like ?status__exact=%00 was a 500), and a whole number in
    the URL beyond any id (SQLite cannot even compare it). The public pages and the API
    are left out: they read such input as a resident's words and answer a normal page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.namespace in OPEN_WITHOUT_SECOND_FACTOR_NAMESPACES:
            return None
        if _has_nul(request):
            return HttpResponseBadRequest(
                _("Forespørselen inneholder et ugyldig tegn (NUL). Fjern det og prøv igjen."),
                content_type="text/plain; charset=utf-8",
            )
        if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in view_kwargs.values()):
            raise Http404
        return None


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    forms = [request.GET]
    if request.method == "POST":
        forms.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in form.getlist(key))
        for form in forms
        for key in form
    )


class SecondFactorMiddleware:
    """With REQUIRE_2FA, a password-only session is sent to the second-factor page from
    every URL but those in OPEN_WITHOUT_SECOND_FACTOR, before any view runs: the one
    place the rule is kept, so a new staff URL cannot forget it. Must follow
    django_otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_2FA or not request.user.is_authenticated:
            return None
        if request.user.is_verified() or open_without_second_factor(request.resolver_match):
            return None
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        setup = reverse("accounts:otp_setup")
        return redirect(f"{setup}?{urlencode({'next': next_url})}" if next_url else setup)
