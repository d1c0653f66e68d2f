"""Staff login: password plus a TOTP code (django-otp) when REQUIRE_2FA is on,
failed attempts throttled per username and per client, two-factor setup with
an inline QR code, and the same second-factor rule for /admin/."""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.clients import client_address, keyed_hash
from referrals.models import active_membership


def _posted(request):
    """Bound form data on POST (even an empty one), unbound on GET."""
    return request.POST if request.method == "POST" else None


LOGIN_FAILED = _("Feil brukernavn eller passord.")
TOKEN_REQUIRED = _("Skriv koden fra autentiseringsappen.")
TOKEN_WRONG = _("Koden stemmer ikke. Prøv den nyeste koden fra appen.")
THROTTLED = _("For mange mislykkede forsøk. Vent et kvarter og prøv igjen.")


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


def _throttle_keys(request, username: str) -> list[tuple[str, int]]:
    client = client_address(request)
    return [
        ("login-fail-u:" + keyed_hash(username.lower()), settings.LOGIN_THROTTLE_PER_USER),
        ("login-fail-c:" + keyed_hash(client), settings.LOGIN_THROTTLE_PER_CLIENT),
    ]


def is_throttled(request, username: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _throttle_keys(request, username))


def record_failure(request, username: str) -> None:
    for key, _limit in _throttle_keys(request, username):
        cache.add(key, 0, settings.LOGIN_THROTTLE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_THROTTLE_WINDOW)


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
            if user is None:
                record_failure(request, username)
                form.add_error(None, LOGIN_FAILED)
            elif settings.REQUIRE_2FA and any(devices_for_user(user, confirmed=True)):
                token = form.cleaned_data["otp_token"].replace(" ", "")
                device = match_token(user, token) if token else None
                if device is None:
                    record_failure(request, username)
                    form.add_error("otp_token", TOKEN_WRONG if token else TOKEN_REQUIRED)
                else:
                    login(request, user)
                    otp_login(request, device)
                    return redirect(_next_url(request))
            else:
                login(request, user)
                if settings.REQUIRE_2FA:
                    setup = reverse("accounts:otp_setup")
                    return redirect(f"{setup}?{urlencode({'next': _next_url(request, user)})}")
                return redirect(_next_url(request, user))
    return render(
        request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg[svg.find("<svg") :]


@login_required
@never_cache
def otp_setup(request):
    """First login without a device: show the secret as a QR code, confirm with a code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if any(devices_for_user(request.user, confirmed=True)):
        # Has a device but this session is not verified: log in again with the code.
        logout(request)
        return redirect_to_login(reverse("referrals:inbox"), reverse("accounts:login"))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Veiviser", confirmed=False)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", TOKEN_WRONG)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr": mark_safe(qr_svg(device.config_url)), "secret": secret},
    )


class TwoFactorAdminSite(AdminSite):
    """The admin asks for the same second factor as the staff pages when REQUIRE_2FA,
    and logs in through /accounts/login/ (one login page, one throttle)."""

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if settings.REQUIRE_2FA:
            return allowed and request.user.is_verified()
        return allowed

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))
