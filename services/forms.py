"""Forms for the public pages: the municipality chooser and "report an error"."""

import unicodedata

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from portal.clients import keyed_hash
from services.models import Municipality

# Residents' search text is cut to this length, on the pages (q) and in the API (search):
# no real question is longer, and a page of text must not become a long search.
MAX_QUERY_LENGTH = 200


def _fold(text: str) -> str:
    """Compare names forgivingly: case, spaces, and ae/oe/aa typed for æ/ø/å."""
    text = unicodedata.normalize("NFC", text).casefold().strip()
    for plain, letter in (("ae", "æ"), ("oe", "ø"), ("aa", "å")):
        text = text.replace(plain, letter)
    return " ".join(text.split())


def find_municipalities(text: str) -> list[Municipality]:
    """Municipalities matching a typed name or number: exact matches first, else prefixes."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    if text.isascii() and text.isdigit():
        return list(Municipality.objects.select_related("county").filter(number=text.zfill(4)))
    wanted = _fold(text)
    everyone = list(Municipality.objects.select_related("county").order_by("name"))
    exact = [m for m in everyone if _fold(m.name) == wanted]
    if exact:
        return exact
    return [m for m in everyone if _fold(m.name).startswith(wanted)][:20]


# --- Report an error in a listing ------------------------------------------------
#
# Protection against cross-site posting without a cookie. The service page and
# the form page must set no cookie (residents' devices may be checked by someone
# else), so Django's CSRF cookie cannot be used and the view is csrf_exempt.
# Instead a forged POST from another site is refused by three checks:
#   1. the browser's Origin header, when it names a site, must be this site
#      (under our Referrer-Policy: no-referrer, browsers send "Origin: null");
#   2. Sec-Fetch-Site, which every current browser sends, must be
#      "same-origin" (or "none": typed or bookmarked);
#   3. the form carries a signed, time-limited token bound to the listing
#      (FORM_TOKEN_MAX_AGE), so a form cannot be replayed days later or
#      pointed at another listing.
# A report changes nothing but a coordinator's queue, so these checks, the
# honeypot and the per-client throttle suffice.

FORM_TOKEN_SALT = "services.error-report"
FORM_TOKEN_MAX_AGE = 2 * 60 * 60

FIELD_CHOICES = [
    ("contact", _("Telefon, e-post eller chat")),
    ("address", _("Adresse")),
    ("hours", _("Åpningstider")),
    ("description", _("Beskrivelsen av tjenesten")),
    ("referral", _("Henvisning eller pris")),
    ("closed", _("Tjenesten finnes ikke lenger")),
    ("other", _("Noe annet")),
]

MESSAGE_REQUIRED = _("Skriv hva som er feil")
FIELD_REQUIRED = _("Velg hva som er feil")
EXPIRED = _("Skjemaet er for gammelt. Send det på nytt.")
THROTTLED = _("Du har sendt mange meldinger på kort tid. Prøv igjen om en time.")


def form_token(service_pk: int) -> str:
    return signing.dumps(service_pk, salt=FORM_TOKEN_SALT)


def client_key(ip: str) -> str:
    """A keyed hash of the client address: a throttle key that cannot be reversed."""
    return f"error-report:{keyed_hash(ip)[:32]}"


class ErrorReportForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Hva er feil?"),
        choices=FIELD_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": FIELD_REQUIRED, "invalid_choice": FIELD_REQUIRED},
    )
    message = forms.CharField(
        label=_("Beskriv feilen"),
        help_text=_("Skriv ikke navn eller opplysninger om deg selv eller andre."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": MESSAGE_REQUIRED,
            "max_length": _("Skriv høyst 2000 tegn"),
        },
    )
    contact = forms.CharField(
        label=_("E-post eller telefon (frivillig)"),
        help_text=_("Bare hvis koordinatoren kan spørre deg om feilen."),
        max_length=200,
        required=False,
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(label=_("Ikke fyll ut dette feltet"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, service, **kwargs):
        self.service = service
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = form_token(service.pk)

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        cleaned = super().clean()
        try:
            pk = signing.loads(
                self.data.get("token", ""), salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            pk = None
        if pk != self.service.pk:
            self.add_error(None, EXPIRED)
        return cleaned
