"""The catalogue: geography, taxonomy, organisations and the services they provide.

Field names follow Open Referral HSDS 3 where one exists, so that import and
export are a mapping. User-facing labels are bokmål source strings; nynorsk
and English come from the translation files.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history import register as simple_history_register

# Stable identifiers across reloads of the catalogue: a record's UUID is derived
# from its slug, so exporting, wiping and loading again yields the same ids.
VEIVISER_NAMESPACE = uuid.UUID("6f1c2a4e-8d7b-5b1e-9a53-0c1f5e7d2b90")


def stable_uuid(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(VEIVISER_NAMESPACE, f"{kind}:{key}")


class LocalisedNameMixin:
    """Picks `name_<lang>` for the active language, falling back to bokmål."""

    def localised(self, field: str) -> str:
        lang = (get_language() or "nb").split("-")[0]
        return getattr(self, f"{field}_{lang}", "") or getattr(self, f"{field}_nb")

    @property
    def name(self) -> str:
        return self.localised("name")


class County(models.Model):
    number = models.CharField(_("fylkesnummer"), max_length=2, primary_key=True)
    name = models.CharField(_("navn"), max_length=100)
    name_official = models.CharField(_("offisielt navn"), max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("fylke")
        verbose_name_plural = _("fylker")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{2}$"), name="county_number_two_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Municipality(models.Model):
    number = models.CharField(_("kommunenummer"), max_length=4, primary_key=True)
    name = models.CharField(_("navn"), max_length=100)
    name_official = models.CharField(_("offisielt navn"), max_length=200, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("fylke")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{4}$"), name="municipality_number_four_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Persona(models.TextChoices):
    """Who a query shows the person to be, and who a category or target group is for."""

    AT_RISK = "at_risk", _("utsatt for vold eller overgrep")
    USES_VIOLENCE = "uses_violence", _("bruker vold eller er redd for å gjøre det")
    SEXUAL_THOUGHTS = "sexual_thoughts", _("seksuelle tanker om barn eller har begått overgrep")
    PRISONER = "prisoner", _("innsatt, domfelt eller løslatt")
    RELATIVE = "relative", _("pårørende")
    PROFESSIONAL = "professional", _("fagperson")
    CHILD = "child", _("barn eller ungdom")


# Who the services of a category or target group are for, where that is a restriction.
AUDIENCE_CHOICES = [
    (Persona.AT_RISK, _("personer utsatt for vold eller overgrep")),
    (Persona.USES_VIOLENCE, _("personer som bruker vold")),
    (Persona.SEXUAL_THOUGHTS, _("personer med seksuelle tanker om barn eller dømt for overgrep")),
    (Persona.PRISONER, _("innsatte, domfelte og løslatte")),
    (Persona.PROFESSIONAL, _("fagpersoner")),
    (Persona.RELATIVE, _("pårørende")),
    (Persona.CHILD, _("barn og unge")),
]


class Category(LocalisedNameMixin, models.Model):
    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    name_nb = models.CharField(_("navn (bokmål)"), max_length=120)
    name_nn = models.CharField(_("navn (nynorsk)"), max_length=120)
    name_en = models.CharField(_("navn (engelsk)"), max_length=120)
    description_nb = models.TextField(_("beskrivelse (bokmål)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    audience = models.CharField(
        _("hvem tjenestene er for"),
        max_length=20,
        blank=True,
        choices=AUDIENCE_CHOICES,
        help_text=_(
            "Søket viser tjenester som bare er for voldsutøvere, domfelte, innsatte eller "
            "fagfolk blant de fem første bare når søket viser at det er det man leter etter."
        ),
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")

    def __str__(self) -> str:
        return self.name_nb


class TargetGroup(LocalisedNameMixin, models.Model):
    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    name_nb = models.CharField(_("navn (bokmål)"), max_length=120)
    name_nn = models.CharField(_("navn (nynorsk)"), max_length=120)
    name_en = models.CharField(_("navn (engelsk)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    audience = models.CharField(
        _("hvem tjenestene er for"),
        max_length=20,
        blank=True,
        choices=AUDIENCE_CHOICES,
        help_text=_(
            "Søket viser tjenester som bare er for voldsutøvere, domfelte, innsatte eller "
            "fagfolk blant de fem første bare når søket viser at det er det man leter etter."
        ),
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("målgruppe")
        verbose_name_plural = _("målgrupper")

    def __str__(self) -> str:
        return self.name_nb


class Language(LocalisedNameMixin, models.Model):
    """A language a service can be used in (ISO 639-1 code)."""

    code = models.CharField(_("kode"), max_length=3, primary_key=True)
    name_nb = models.CharField(_("navn (bokmål)"), max_length=60)
    name_nn = models.CharField(_("navn (nynorsk)"), max_length=60)
    name_en = models.CharField(_("navn (engelsk)"), max_length=60)

    class Meta:
        ordering = ["name_nb"]
        verbose_name = _("språk")
        verbose_name_plural = _("språk")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[a-z]{2,3}$"), name="language_code")
        ]

    def __str__(self) -> str:
        return self.name_nb


class DeliveryMode(LocalisedNameMixin, models.Model):
    """How a service is delivered: phone, chat, in person, digital, outreach."""

    code = models.SlugField(_("kode"), max_length=20, primary_key=True)
    name_nb = models.CharField(_("navn (bokmål)"), max_length=60)
    name_nn = models.CharField(_("navn (nynorsk)"), max_length=60)
    name_en = models.CharField(_("navn (engelsk)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("kontaktform")
        verbose_name_plural = _("kontaktformer")

    def __str__(self) -> str:
        return self.name_nb


class Organisation(models.Model):
    class Type(models.TextChoices):
        POLICE = "police", _("Politi")
        HOSPITAL_TRUST = "hospital_trust", _("Helseforetak")
        MUNICIPALITY = "municipality", _("Kommune")
        STATE_AGENCY = "state_agency", _("Statlig etat")
        COMPETENCE_CENTRE = "competence_centre", _("Kompetansesenter")
        NGO = "ngo", _("Frivillig organisasjon")
        FOUNDATION = "foundation", _("Stiftelse")
        USER_ORGANISATION = "user_organisation", _("Brukerorganisasjon")
        PRIVATE_CLINIC = "private_clinic", _("Privat klinikk")
        CRISIS_CENTRE = "crisis_centre", _("Krisesenter")
        OTHER = "other", _("Annet")

    uuid = models.UUIDField(_("HSDS-id"), unique=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("kortnavn"), max_length=100, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    website = models.URLField(_("nettsted"), blank=True)
    email = models.EmailField(
        _("kontaktadresse for oppdatering"),
        blank=True,
        help_text=_("Hit sendes påminnelser om å bekrefte at oppføringene stemmer."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("kommune"),
        help_text=_("Tom for nasjonale organisasjoner."),
    )
    is_demo = models.BooleanField(_("demo (oppdiktet)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.municipality_id is None

    def active_staff(self):
        """Active users with an active membership of this organisation."""
        return get_user_model().objects.filter(
            membership__organisation=self, membership__is_active=True, is_active=True
        )


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Service.Status.PUBLISHED)

    def for_municipality(self, municipality: Municipality):
        """Services a resident of `municipality` can use: local, county-wide and national."""
        return self.filter(
            Q(coverage_national=True)
            | Q(coverage_municipalities=municipality)
            | Q(coverage_counties=municipality.county_id)
        ).distinct()

    def review_due(self, now=None):
        """Listings never verified, or verified longer ago than their review interval."""
        now = now or timezone.now()
        expired = [
            Q(review_interval_days=days, last_verified_at__lt=now - timezone.timedelta(days=days))
            for days in self.values_list("review_interval_days", flat=True).distinct()
        ]
        condition = Q(last_verified_at__isnull=True)
        for q in expired:
            condition |= q
        return self.filter(condition)


class Service(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publisert")
        ARCHIVED = "archived", _("Arkivert")

    class HoursMode(models.TextChoices):
        UNKNOWN = "unknown", _("Ukjent")
        ALWAYS = "always", _("Døgnåpent (24/7)")
        SCHEDULED = "scheduled", _("Faste åpningstider")

    class Referrer(models.TextChoices):
        SELF = "self", _("Deg selv")
        GP = "gp", _("Fastlege")
        NAV = "nav", _("NAV")
        CHILD_WELFARE = "child_welfare", _("Barnevernet")
        POLICE = "police", _("Politiet")
        HEALTH = "health", _("Helsetjenesten")
        CRISIS_CENTRE = "crisis_centre", _("Krisesenteret")
        MUNICIPALITY = "municipality", _("Kommunen")
        PRISON_PROBATION = "prison_probation", _("Kriminalomsorgen")
        OTHER = "other", _("Andre")

    uuid = models.UUIDField(_("HSDS-id"), unique=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(
        _("kortnavn"),
        max_length=100,
        unique=True,
        help_text=_("Fast offentlig adresse: /services/<kortnavn>/. Endres ikke."),
    )
    name = models.CharField(_("navn"), max_length=200)
    name_en = models.CharField(_("navn (engelsk)"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisasjon"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_demo = models.BooleanField(_("demo (oppdiktet)"), default=False)

    description_nb = models.TextField(_("beskrivelse"))
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    eligibility_nb = models.TextField(_("hvem tjenesten er for"), blank=True)
    eligibility_en = models.TextField(_("hvem tjenesten er for (engelsk)"), blank=True)
    how_it_works_nb = models.TextField(_("slik foregår det"), blank=True)
    how_it_works_en = models.TextField(_("slik foregår det (engelsk)"), blank=True)
    keywords_nb = models.TextField(
        _("søkeord"), blank=True, help_text=_("Ett søkeord eller uttrykk per linje.")
    )
    keywords_en = models.TextField(
        _("søkeord (engelsk)"), blank=True, help_text=_("Ett søkeord eller uttrykk per linje.")
    )

    categories = models.ManyToManyField(
        Category, related_name="services", verbose_name=_("kategorier"), blank=True
    )
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="services", verbose_name=_("målgrupper"), blank=True
    )
    languages = models.ManyToManyField(
        Language, related_name="services", verbose_name=_("språk"), blank=True
    )
    delivery_modes = models.ManyToManyField(
        DeliveryMode, related_name="services", verbose_name=_("kontaktformer"), blank=True
    )

    website = models.URLField(_("nettsted"), blank=True, max_length=500)
    email = models.EmailField(_("e-post"), blank=True)
    chat_url = models.URLField(_("chat"), blank=True, max_length=500)

    hours_mode = models.CharField(
        _("åpningstider"), max_length=10, choices=HoursMode.choices, default=HoursMode.UNKNOWN
    )
    hours_note_nb = models.TextField(_("merknad om åpningstider"), blank=True)
    hours_note_en = models.TextField(_("merknad om åpningstider (engelsk)"), blank=True)

    referral_required = models.BooleanField(
        _("krever henvisning"), null=True, blank=True, help_text=_("Tom = ukjent.")
    )
    who_may_refer = models.JSONField(
        _("hvem kan henvise"),
        default=list,
        blank=True,
        help_text=_("Koder fra listen over henvisere (self, gp, nav, child_welfare, police …)."),
    )
    referral_notes_nb = models.TextField(_("om henvisning"), blank=True)
    referral_notes_en = models.TextField(_("om henvisning (engelsk)"), blank=True)
    is_free = models.BooleanField(_("gratis"), default=False)
    cost_nb = models.TextField(_("pris"), blank=True, help_text=_("Tom når tjenesten er gratis."))
    cost_en = models.TextField(_("pris (engelsk)"), blank=True)
    anonymous_possible = models.BooleanField(_("kan brukes anonymt"), default=False)

    coverage_national = models.BooleanField(_("hele landet"), default=False)
    coverage_counties = models.ManyToManyField(
        County, related_name="services", verbose_name=_("fylker"), blank=True
    )
    coverage_municipalities = models.ManyToManyField(
        Municipality, related_name="services", verbose_name=_("kommuner"), blank=True
    )

    is_emergency = models.BooleanField(_("akutt hjelp"), default=False)
    accepts_electronic_referrals = models.BooleanField(
        _("tar imot elektroniske henvisninger"), default=False
    )

    last_verified_at = models.DateTimeField(_("sist kontrollert"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontrollert av"),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("kontrollintervall (dager)"), default=182
    )

    # Provenance from the source file: a desk check is not a verification.
    source_url = models.URLField(_("kilde"), blank=True, max_length=500)
    extra_source_urls = models.JSONField(_("flere kilder"), default=list, blank=True)
    source_note = models.TextField(_("merknad om kilden"), blank=True)
    desk_check = models.JSONField(_("skrivebordskontroll"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tjeneste")
        verbose_name_plural = _("tjenester")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1), name="service_review_interval_positive"
            ),
            models.CheckConstraint(
                condition=Q(is_free=False) | Q(cost_nb=""), name="service_free_has_no_price"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def localised(self, field: str) -> str:
        """The English text on /en/ where the listing has it, bokmål otherwise."""
        if (get_language() or "nb").startswith("en"):
            value = getattr(self, "name_en" if field == "name" else f"{field}_en", "")
            if value:
                return value
        return getattr(self, "name" if field == "name" else f"{field}_nb")

    def localised_is_bokmal(self, field: str) -> bool:
        """True when `localised(field)` falls back to bokmål on a non-Norwegian page."""
        lang = (get_language() or "nb").split("-")[0]
        if lang != "en":
            return False
        return not getattr(self, "name_en" if field == "name" else f"{field}_en", "")

    @property
    def review_due_on(self):
        if self.last_verified_at is None:
            return None
        return self.last_verified_at + timezone.timedelta(days=self.review_interval_days)

    def keyword_list(self, lang: str = "nb") -> list[str]:
        text = self.keywords_en if lang == "en" else self.keywords_nb
        return [line.strip() for line in text.splitlines() if line.strip()]


class Phone(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(
        _("nummer"), max_length=30, help_text=_("Slik det slås i Norge, f.eks. 116 006.")
    )
    label_nb = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    label_en = models.CharField(_("beskrivelse (engelsk)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("telefonnummer")
        verbose_name_plural = _("telefonnumre")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^\+?[0-9][0-9 ]*[0-9]$"), name="phone_number_digits"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tel_uri(self) -> str:
        return "tel:" + self.number.replace(" ", "")


class Location(models.Model):
    class Kind(models.TextChoices):
        VISITING = "visiting", _("Besøksadresse")
        POSTAL = "postal", _("Postadresse")

    uuid = models.UUIDField(_("HSDS-id"), unique=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="locations")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.VISITING)
    street = models.CharField(_("gateadresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    city = models.CharField(_("sted"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("kommune"),
    )
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("lengdegrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_confidential = models.BooleanField(
        _("skjermet adresse"),
        default=False,
        help_text=_(
            "Gateadresse og koordinater sendes aldri til nettleser, API eller eksport. "
            "Siden sier at adressen oppgis ved kontakt."
        ),
    )
    note_nb = models.TextField(_("merknad"), blank=True)
    note_en = models.TextField(_("merknad (engelsk)"), blank=True)
    accessibility_nb = models.TextField(_("tilgjengelighet"), blank=True)
    accessibility_en = models.TextField(_("tilgjengelighet (engelsk)"), blank=True)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("adresse")
        verbose_name_plural = _("adresser")
        constraints = [
            models.CheckConstraint(
                condition=Q(postal_code="") | Q(postal_code__regex=r"^[0-9]{4}$"),
                name="location_postal_code_four_digits",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="location_coordinates_valid_pair",
            ),
        ]

    def __str__(self) -> str:
        if self.is_confidential:
            return f"{self.city or self.municipality} ({_('skjermet')})"
        return ", ".join(p for p in [self.street, f"{self.postal_code} {self.city}".strip()] if p)

    @property
    def public_street(self) -> str:
        """The street line residents may see: never a confidential one."""
        return "" if self.is_confidential else self.street

    @property
    def public_postal_code(self) -> str:
        return "" if self.is_confidential else self.postal_code


class OpeningHours(models.Model):
    """One opening period on one weekday. Several rows may cover the same day.

    A period that runs past midnight (22:00–02:00) must say so with
    `closes_next_day`; the database refuses it otherwise, so a typo such as
    08:00–07:30 cannot pass silently as an overnight period.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("mandag")
        TUESDAY = 1, _("tirsdag")
        WEDNESDAY = 2, _("onsdag")
        THURSDAY = 3, _("torsdag")
        FRIDAY = 4, _("fredag")
        SATURDAY = 5, _("lørdag")
        SUNDAY = 6, _("søndag")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("ukedag"), choices=Weekday.choices)
    opens = models.TimeField(_("åpner"))
    closes = models.TimeField(_("stenger"))
    closes_next_day = models.BooleanField(
        _("stenger neste døgn"), default=False, help_text=_("For perioder over midnatt.")
    )

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("åpningstid")
        verbose_name_plural = _("åpningstider")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(closes_next_day=False, closes__gt=models.F("opens"))
                | Q(closes_next_day=True, closes__lte=models.F("opens")),
                name="hours_close_after_open_or_overnight",
            ),
            models.UniqueConstraint(
                fields=["service", "weekday", "opens"], name="hours_unique_period_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ErrorReport(models.Model):
    """A resident's report that a listing is wrong. Holds no data about the reporter."""

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        RESOLVED = "resolved", _("Løst")
        DISMISSED = "dismissed", _("Avvist")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="error_reports")
    field = models.CharField(_("hva er feil"), max_length=40, blank=True)
    message = models.TextField(_("melding"))
    contact = models.CharField(
        _("kontakt for spørsmål"),
        max_length=200,
        blank=True,
        help_text=_("Frivillig: e-post eller telefon hvis koordinatoren kan spørre tilbake."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("mottatt"), auto_now_add=True)
    handled_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandlet av"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feilmelding fra publikum")
        verbose_name_plural = _("feilmeldinger fra publikum")

    def __str__(self) -> str:
        return f"{self.service} – {self.created_at:%Y-%m-%d}"


class Membership(models.Model):
    """Who works where: a staff user's place in one organisation.

    It belongs to the catalogue because organisations do; the referrals app
    decides what a membership lets a person see.
    """

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Saksbehandler")
        AGENCY_ADMIN = "agency_admin", _("Virksomhetsadministrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("rolle"), max_length=20, choices=Role.choices, default=Role.CASEWORKER
    )
    services = models.ManyToManyField(
        Service, related_name="assigned_memberships", blank=True, verbose_name=_("tjenester")
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ansatt")
        verbose_name_plural = _("ansatte")

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"

    @property
    def is_agency_admin(self) -> bool:
        return self.role == self.Role.AGENCY_ADMIN


# --- Keeping listings current: the coordinator's side (issue 6) ---------------------------
# Who stewards what, the published responsible contact, queues that wait for a
# coordinator, single-use review links and anonymous "found nothing" counts.
# Change history of listings is kept by django-simple-history (registered below).


class CoordinatorScope(models.Model):
    """The municipalities a coordinator stewards, or the national scope."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator_scope",
        verbose_name=_("bruker"),
    )
    is_national = models.BooleanField(
        _("nasjonal koordinator"),
        default=False,
        help_text=_("Forvalter nasjonale oppføringer og kan godkjenne endringer i hele landet."),
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="coordinator_scopes", verbose_name=_("kommuner")
    )

    class Meta:
        verbose_name = _("koordinatoransvar")
        verbose_name_plural = _("koordinatoransvar")

    def __str__(self) -> str:
        return str(self.user)


class StewardContact(models.Model):
    """Who keeps a municipality's listings current, as the municipality publishes it.

    One row per municipality; the row without a municipality is the national one.
    """

    # The national contact's key; a municipality's contact has its number (`key_for`).
    NATIONAL = "national"

    key = models.CharField(max_length=8, unique=True, editable=False)
    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="steward_contact",
        verbose_name=_("kommune"),
        help_text=_("Tom for den nasjonale oversikten."),
    )
    role = models.CharField(
        _("rolle"),
        max_length=200,
        help_text=_(
            "Slik det vises offentlig, f.eks. «Koordinator for hjelpetilbud, Oslo kommune»."
        ),
    )
    email = models.EmailField(_("kontaktadresse"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    is_published = models.BooleanField(_("vises på tjenestesidene"), default=True)
    notify_on_report = models.BooleanField(
        _("varsle om feilmeldinger"),
        default=False,
        help_text=_("Sender en e-post uten personopplysninger når publikum melder en feil."),
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("ansvarlig for oversikten")
        verbose_name_plural = _("ansvarlige for oversikten")

    def __str__(self) -> str:
        return self.role

    def save(self, *args, **kwargs):
        self.key = self.key_for(self.municipality_id)
        super().save(*args, **kwargs)

    @classmethod
    def key_for(cls, municipality_id: str | None) -> str:
        """The key of the contact who stewards listings of an organisation in
        `municipality_id` (None: a national organisation). service_page.py's query joins
        on the same rule in SQL."""
        return municipality_id or cls.NATIONAL


class PendingChange(models.Model):
    """A change to an emergency listing's critical facts, waiting for a second coordinator.

    `proposed` holds the facts to change ({"phones": [...], "status": ..., "is_emergency":
    ..., "website": ..., "chat_url": ...}, or {"delete": true}); `current` what they were
    when proposed, so an approval of a change overtaken by another is refused.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="pending_changes",
        verbose_name=_("tjeneste"),
    )
    current = models.JSONField(_("nå"), default=dict)
    proposed = models.JSONField(_("foreslått"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("foreslått"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("foreslått av"),
    )
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avgjort av"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("endring som venter på godkjenning")
        verbose_name_plural = _("endringer som venter på godkjenning")

    def __str__(self) -> str:
        return f"{self.service} – {self.get_status_display()}"


class ChangeSuggestion(models.Model):
    """Edits an agency's staff member proposes to their own organisation's listing."""

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("tjeneste")
    )
    proposed = models.JSONField(_("foreslåtte endringer"), default=dict)
    note = models.TextField(_("kommentar"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("mottatt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("foreslått av"),
    )
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avgjort av"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("endringsforslag")
        verbose_name_plural = _("endringsforslag")

    def __str__(self) -> str:
        return f"{self.service} – {self.created_at:%Y-%m-%d}"


class ReviewToken(models.Model):
    """Bookkeeping for one signed review link: sent once per due period, usable once."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="review_tokens")
    period = models.CharField(max_length=40)
    nonce = models.CharField(max_length=32, unique=True)
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("kontrollenke")
        verbose_name_plural = _("kontrollenker")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period"], name="review_token_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.period}"


class UnansweredSearch(models.Model):
    """A search that found nothing: normalised text, the municipality the search chose
    and a weekly count, nothing else."""

    query = models.CharField(_("søk"), max_length=200)
    # A number from the municipality list, or "" when the search chose none: decides which
    # coordinator sees it (national coordinators see those without a municipality).
    municipality = models.CharField(_("kommunenummer"), max_length=4, blank=True, default="")
    week = models.CharField(_("uke"), max_length=8, help_text=_("ISO-uke, f.eks. 2026-W47."))
    count = models.PositiveIntegerField(_("antall"), default=0)
    week_start = models.DateField(_("ukens første dag"))

    class Meta:
        ordering = ["-week", "-count", "query"]
        verbose_name = _("søk uten treff")
        verbose_name_plural = _("søk uten treff")
        constraints = [
            models.UniqueConstraint(
                fields=["query", "municipality", "week"], name="unanswered_search_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.query} ({self.week})"


# Who changed what and when, for listings and everything edited with them.
for _model in [Organisation, Service, Phone, Location, OpeningHours]:
    simple_history_register(_model, app="services")


# The search index tables live with the search package; importing them here
# registers them with the app.
from services.search.models import (  # noqa: E402, F401
    Concept,
    ConceptTerm,
    SearchDocument,
    SearchTerm,
)

simple_history_register(
    Concept, app="services", m2m_fields=["categories", "target_groups", "lines"]
)
simple_history_register(ConceptTerm, app="services")
