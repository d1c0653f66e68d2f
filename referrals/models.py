"""Cases and referrals between agencies.

A case holds what is known about the person; a referral asks one service to
help. Who may see a record is decided in one place: the `visible_to` methods
below. Views reach records only through `referrals.access`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.models import Category, Language, Membership, Organisation, Service


def active_membership(user) -> Membership | None:
    """The user's membership when it lets them see referral data, else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        return None
    return membership if membership.is_active else None


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases the user may open: their own, those they were added to, and as agency
        admin every case of their organisation. Receivers see a case only through a
        referral (ReferralQuerySet.visible_to)."""
        membership = active_membership(user)
        if membership is None:
            return self.none()
        condition = Q(organisation=membership.organisation) & (
            Q(created_by=user) | Q(colleagues=user)
        )
        if membership.is_agency_admin:
            condition |= Q(organisation=membership.organisation)
        return self.filter(condition).distinct()

    def purgeable(self, now=None):
        """Cases not yet erased whose referrals all closed more than the retention period ago."""
        now = now or timezone.now()
        cutoff = now - timezone.timedelta(days=settings.REFERRAL_RETENTION_DAYS)
        open_or_recent = Referral.objects.filter(
            Q(status__in=Referral.Status.open_values()) | Q(closed_at__gte=cutoff)
        ).values("case_id")
        return self.filter(erased_at__isnull=True, created_at__lt=cutoff).exclude(
            pk__in=open_or_recent
        )


class Case(models.Model):
    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Samtykke fra personen")
        STATUTORY = "statutory", _("Hjemmel i lov")

    class Statute(models.TextChoices):
        NONE = "", _("Velg hjemmel")
        HELSEPERSONELLOVEN_25 = "hpl-25", _("Helsepersonelloven § 25 (samarbeid om helsehjelp)")
        HELSEPERSONELLOVEN_33 = (
            "hpl-33",
            _("Helsepersonelloven § 33 (opplysninger til barnevernet)"),
        )
        BARNEVERNSLOVEN_13_2 = "bvl-13-2", _("Barnevernsloven § 13-2 (meldeplikt)")
        NAV_LOVEN_15 = "navl-15", _("NAV-loven § 15 (samarbeid med andre forvaltningsorganer)")
        FORVALTNINGSLOVEN_13B = "fvl-13b", _("Forvaltningsloven § 13 b (nødvendig for tjenesten)")
        NODRETT = "nodrett", _("Nødrett (straffeloven § 17)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("avsender")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_cases",
        verbose_name=_("opprettet av"),
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="shared_cases",
        blank=True,
        verbose_name=_("kolleger med tilgang"),
    )
    person_name = models.CharField(_("personens navn"), max_length=200)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True)
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    may_call = models.BooleanField(_("vi kan ringe"), default=False)
    may_text = models.BooleanField(_("vi kan sende SMS"), default=False)
    may_leave_voicemail = models.BooleanField(_("vi kan legge igjen beskjed"), default=False)
    may_say_who_we_are = models.BooleanField(_("vi kan si hvem vi er"), default=False)
    safe_times = models.CharField(_("trygge tidspunkter"), max_length=300, blank=True)
    contact_via_referrer_only = models.BooleanField(
        _("ikke kontakt personen – gå via henviser"), default=False
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    preferred_language = models.ForeignKey(
        Language,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("foretrukket språk"),
    )
    interpreter_needed = models.BooleanField(_("trenger tolk"), default=False)
    needs = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("behov"))
    legal_basis = models.CharField(
        _("rettslig grunnlag"), max_length=20, choices=LegalBasis.choices
    )
    consent_date = models.DateField(_("dato for samtykke"), null=True, blank=True)
    consent_given_by = models.CharField(
        _("samtykke gitt av"), max_length=200, blank=True, help_text=_("Personen selv eller verge.")
    )
    consent_scope = models.TextField(_("hva samtykket gjelder"), blank=True)
    statute = models.CharField(
        _("hjemmel"), max_length=20, choices=Statute.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(_("personopplysninger slettet"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    # Fields that identify or describe the person; erased by purge_referrals and
    # hidden from error reports.
    PERSONAL_FIELDS = (
        "person_name",
        "birth_year",
        "birth_date",
        "safe_times",
        "phone",
        "consent_given_by",
        "consent_scope",
    )

    class Meta:
        verbose_name = _("sak")
        verbose_name_plural = _("saker")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Never the person's name: __str__ ends up in logs and admin messages.
        return gettext("Sak %(id)s") % {"id": str(self.public_id)[:8]}

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def is_sender(self, user) -> bool:
        return Case.objects.visible_to(user).filter(pk=self.pk).exists()


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for who sees a referral: the sending side (see CaseQuerySet)
        and, once sent, the staff assigned to the receiving service and that
        organisation's agency admins."""
        membership = active_membership(user)
        if membership is None:
            return self.none()
        sending = Q(case__in=Case.objects.visible_to(user).values("pk"))
        return self.filter(sending | self._receiving(membership)).distinct()

    @staticmethod
    def _receiving(membership) -> Q:
        """Sent referrals to the member's assigned services (agency admin: all of theirs)."""
        receiving = Q(service__assigned_memberships=membership)
        if membership.is_agency_admin:
            receiving |= Q(service__organisation=membership.organisation)
        return receiving & ~Q(status=Referral.Status.DRAFT)

    def received_by(self, user):
        membership = active_membership(user)
        if membership is None:
            return self.none()
        return self.filter(self._receiving(membership)).distinct()

    def sent_by(self, user):
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))

    def overdue(self, now=None):
        """Sent but not acknowledged by the deadline for their urgency."""
        now = now or timezone.now()
        return self.filter(status=Referral.Status.SENT, due_at__lt=now)


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SENT = "sent", _("Sendt")
        ACKNOWLEDGED = "acknowledged", _("Mottatt")
        ACCEPTED = "accepted", _("Akseptert")
        DECLINED = "declined", _("Avslått")
        FORWARDED = "forwarded", _("Videresendt")
        COMPLETED = "completed", _("Fullført")
        WITHDRAWN = "withdrawn", _("Trukket tilbake")

        @classmethod
        def closed_values(cls) -> list[str]:
            return [cls.DECLINED, cls.FORWARDED, cls.COMPLETED, cls.WITHDRAWN]

        @classmethod
        def open_values(cls) -> list[str]:
            return [cls.DRAFT, cls.SENT, cls.ACKNOWLEDGED, cls.ACCEPTED]

    class Urgency(models.TextChoices):
        ACUTE = "acute", _("Akutt")
        PRIORITY = "priority", _("Prioritert")
        ORDINARY = "ordinary", _("Vanlig")

    # The only identifier in URLs: random, so addresses reveal nothing and cannot be guessed.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("tjeneste")
    )
    urgency = models.CharField(
        _("hastegrad"), max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY
    )
    reason = models.TextField(_("bakgrunn for henvisningen"))
    request = models.TextField(_("hva dere ber om"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwards"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("frist for mottak"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    PERSONAL_FIELDS = ("reason", "request")

    class Meta:
        verbose_name = _("henvisning")
        verbose_name_plural = _("henvisninger")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return gettext("Henvisning %(id)s") % {"id": str(self.public_id)[:8]}

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.SENT and self.due_at is not None and self.due_at < now


class ReferralEvent(models.Model):
    """One step in a referral's life. Written once by referrals.workflow, never changed."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=Referral.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )
    note = models.TextField(_("merknad"), blank=True)
    created_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")

    def __str__(self) -> str:
        return f"{self.referral} {self.status}"

    def save(self, *args, **kwargs):
        # Immutability is a property of the record, not a workflow rule.
        if self.pk is not None:
            raise ValueError("Referral events are immutable")
        super().save(*args, **kwargs)


class Message(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("melding"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Melding {self.pk}"


class AccessLogQuerySet(models.QuerySet):
    def for_admin_of(self, organisation):
        """Entries about the organisation's own records: cases it sent, referrals it received."""
        return self.filter(
            Q(case__organisation=organisation) | Q(referral__service__organisation=organisation)
        )


class AccessLog(models.Model):
    class Action(models.TextChoices):
        READ = "read", _("lest")
        CREATE = "create", _("opprettet")
        UPDATE = "update", _("endret")
        PRINT = "print", _("skrevet ut")
        MESSAGE = "message", _("melding")
        ERASE = "erase", _("slettet personopplysninger")
        REFUSED = "refused", _("nektet tilgang")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    what = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("tilgangslogg")
        verbose_name_plural = _("tilgangslogg")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.what}"


class ReminderSent(models.Model):
    """At most one reminder per referral per day, however often the command runs."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "day"], name="one_reminder_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.referral} {self.day}"
