"""Staff login: password plus a TOTP code (django-otp) when REQUIRE_2FA is on,
failed attempts throttled per username and per client, and the first set-up of
the authenticator app, which needs a link e-mailed to the user as well as the
password (a stolen password alone cannot enrol the thief's app)."""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView, redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.clients import client_address, keyed_hash
from portal.outbox import queue_mail
from referrals.models import active_membership


def _posted(request):
    """Bound form data on POST (even an empty one), unbound on GET."""
    return request.POST if request.method == "POST" else None


# One answer for every failed login, so that the answer never tells whether the
# password alone was right for an account with a second factor.
LOGIN_FAILED = _("Feil brukernavn, passord eller engangskode.")
TOKEN_REQUIRED = _("Skriv koden fra autentiseringsappen.")
TOKEN_WRONG = _("Koden stemmer ikke. Prøv den nyeste koden fra appen.")
THROTTLED = _("For mange mislykkede forsøk. Vent et kvarter og prøv igjen.")
RESET_THROTTLED = _("For mange forespørsler om ny lenke. Vent et kvarter og prøv igjen.")
ENROL_LINK_INVALID = _(
    "Lenken er ugyldig, utløpt eller allerede brukt. Be om en ny lenke nedenfor."
)
# The e-mailed link that lets a password-only session set up its first authenticator app.
ENROL_LINK_MAX_AGE = 24 * 60 * 60
ENROL_MAILS_PER_WINDOW = 3
_ENROL_SALT = "veiviser.accounts.otp-enrol"
_ENROL_SESSION_KEY = "veiviser_otp_enrol_device"


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Brukernavn"), max_length=150)
    password = forms.CharField(label=_("Passord"), widget=forms.PasswordInput, max_length=200)
    otp_token = forms.CharField(
        label=_("Engangskode"),
        required=False,
        max_length=12,
        help_text=_("Sekssifret kode fra autentiseringsappen, hvis du har satt den opp."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Engangskode"),
        max_length=12,
        error_messages={"required": TOKEN_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _throttle_keys(request, name: str, kind: str = "login") -> list[tuple[str, int]]:
    """Per account (username or e-mail address) and per client; `kind` keeps failed
    logins and password-reset requests apart."""
    client = client_address(request)
    return [
        (f"{kind}-fail-u:" + keyed_hash(name.lower()), settings.LOGIN_THROTTLE_PER_USER),
        (f"{kind}-fail-c:" + keyed_hash(client), settings.LOGIN_THROTTLE_PER_CLIENT),
    ]


def is_throttled(request, name: str, kind: str = "login") -> bool:
    keys = _throttle_keys(request, name, kind)
    return any((cache.get(key) or 0) >= limit for key, limit in keys)


def _count(key: str) -> int:
    """Add one to a counter that lives for the throttle window; return the old value."""
    cache.add(key, 0, settings.LOGIN_THROTTLE_WINDOW)
    try:
        return cache.incr(key) - 1
    except ValueError:
        cache.set(key, 1, settings.LOGIN_THROTTLE_WINDOW)
        return 0


def record_failure(request, name: str, kind: str = "login") -> None:
    for key, _limit in _throttle_keys(request, name, kind):
        _count(key)


def _next_url(request, user=None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    user = user or request.user
    if active_membership(user) is None and user.is_staff:
        return reverse("admin:index")  # coordinators have no referral pages
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def login_view(request):
    form = LoginForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if is_throttled(request, username):
            form.add_error(None, THROTTLED)
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            device = _second_factor(user, form.cleaned_data["otp_token"])
            if user is None or device is False:
                record_failure(request, username)
                form.add_error(None, LOGIN_FAILED)
            else:
                login(request, user)
                if device is not None:
                    otp_login(request, device)
                    return redirect(_next_url(request))
                if settings.REQUIRE_2FA:
                    return _start_enrolment(request, user)
                return redirect(_next_url(request, user))
    return render(
        request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _second_factor(user, token: str):
    """The device the code matches; None when none is needed (no confirmed device or
    REQUIRE_2FA off); False when the code is missing or wrong."""
    if user is None or not settings.REQUIRE_2FA:
        return None
    if not any(devices_for_user(user, confirmed=True)):
        return None
    token = token.replace(" ", "")
    return (match_token(user, token) if token else None) or False


def _start_enrolment(request, user):
    """Password right, no authenticator yet: e-mail the set-up link (unless the login
    came from that link), then wait for it on the set-up page."""
    target = _next_url(request, user)
    enrol_prefix = reverse("accounts:otp_enrol", args=["-"])[:-2]
    if target.startswith(enrol_prefix):
        return redirect(target)
    send_enrolment_link(request, user)
    setup = reverse("accounts:otp_setup")
    return redirect(f"{setup}?{urlencode({'next': target})}")


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Veiviser", confirmed=False)


def _device_fingerprint(device: TOTPDevice) -> str:
    """Ties a link to one secret: a new secret, or its confirmation, spends the link."""
    return keyed_hash(f"{device.pk}:{device.key}:{device.confirmed}")[:32]


def enrolment_token(device: TOTPDevice) -> str:
    return signing.dumps(
        {"u": device.user_id, "d": device.pk, "f": _device_fingerprint(device)}, salt=_ENROL_SALT
    )


def _enrolment_device(token: str, user) -> TOTPDevice | None:
    try:
        value = signing.loads(token, salt=_ENROL_SALT, max_age=ENROL_LINK_MAX_AGE)
        device = TOTPDevice.objects.get(pk=value["d"], user=user, confirmed=False)
    except (signing.BadSignature, TOTPDevice.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if value.get("u") != user.pk or value.get("f") != _device_fingerprint(device):
        return None
    return device


def send_enrolment_link(request, user) -> bool:
    """E-mail the user a single-use link that opens the authenticator set-up in the
    session that gave the password: the password alone never enrols a second factor.
    At most ENROL_MAILS_PER_WINDOW mails per user and throttle window."""
    if not user.email:
        return False
    if (
        _count("otp-enrol-mail:" + keyed_hash(user.get_username().lower()))
        >= ENROL_MAILS_PER_WINDOW
    ):
        return False
    link = settings.SITE_URL + reverse(
        "accounts:otp_enrol", args=[enrolment_token(_pending_device(user))]
    )
    queue_mail(
        _("Veiviser: sett opp totrinnsinnlogging"),
        _(
            "Noen logget inn på kontoen din med passordet. Var det deg, åpner du lenken "
            "i den samme nettleseren for å sette opp autentiseringsappen (lenken gjelder "
            "i et døgn og kan brukes én gang):"
        )
        + f"\n{link}\n\n"
        + _("Var det ikke deg, bytt passord og si fra til administratoren din."),
        [user.email],
    )
    return True


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg[svg.find("<svg") :]


@login_required
@never_cache
def otp_setup(request):
    """Set up the first authenticator: only after the e-mailed link was opened in this
    session (see otp_enrol); until then the page says the link is on its way."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if any(devices_for_user(request.user, confirmed=True)):
        # Has a device but this session is not verified: log in again with the code.
        logout(request)
        return redirect_to_login(reverse("referrals:inbox"), reverse("accounts:login"))
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False, pk=request.session.get(_ENROL_SESSION_KEY)
    ).first()
    if device is None:
        return _enrolment_link_page(request)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            del request.session[_ENROL_SESSION_KEY]
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", TOKEN_WRONG)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr": mark_safe(qr_svg(device.config_url)), "secret": secret},
    )


def _enrolment_link_page(request, *, link_invalid: bool = False):
    resent = None
    if request.method == "POST" and request.POST.get("action") == "resend":
        resent = send_enrolment_link(request, request.user)
    return render(
        request,
        "registration/otp_enrol_sent.html",
        {
            "has_email": bool(request.user.email),
            "resent": resent,
            "link_invalid": link_invalid,
            "invalid_message": ENROL_LINK_INVALID,
        },
        status=400 if link_invalid else 200,
    )


@login_required
@never_cache
@require_safe
def otp_enrol(request, token):
    """The link from the set-up e-mail, opened by the session that gave the password."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = _enrolment_device(token, request.user)
    if device is None:
        return _enrolment_link_page(request, link_invalid=True)
    request.session[_ENROL_SESSION_KEY] = device.pk
    return redirect("accounts:otp_setup")


class OutboxPasswordResetForm(PasswordResetForm):
    """The reset mail goes through the outbox: a failing SMTP server delays it and
    never answers the person with an error page."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):  # fmt: skip
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue_mail(subject, render_to_string(email_template_name, context), [to_email])


class ThrottledPasswordResetView(PasswordResetView):
    """Every request for a reset mail counts, per address and per client, like failed
    logins: the form cannot be used to flood someone's inbox. Whether the address has
    an account is never told, throttled or not."""

    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        address = form.cleaned_data["email"]
        if is_throttled(self.request, address, kind="reset"):
            form.add_error(None, RESET_THROTTLED)
            return self.form_invalid(form)
        record_failure(self.request, address, kind="reset")
        return super().form_valid(form)


class TwoFactorAdminSite(AdminSite):
    """The admin logs in through /accounts/login/ (one login page, one throttle); the
    second factor is asked for by portal.middleware.SecondFactorMiddleware, as for
    every other staff URL."""

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))
