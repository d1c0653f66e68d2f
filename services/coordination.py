"""The coordinator's workflow: who stewards what, and every change that needs a coordinator.

Every write is a keyword-only `<entity>_<action>` function inside `transaction.atomic`,
so the admin, the CSV import, the HSDS import, the catalogue loader, agencies' suggestions,
the review links and the tests all take the same path. The acting user is handed to
django-simple-history, so the history shows who did it (None: an operator's command).

**The only ways in** for a listing's critical facts: its status, its emergency flag, its
phone numbers, its website and chat link (`PROTECTED_FIELDS` and phones), and its deletion:

* `service_save` — create a listing, or store what a caller changed on it in memory
  (a form, an import row), optionally with its whole list of phone numbers;
* `phones_change` — a listing's phone numbers alone;
* `service_publish`, `service_archive`, `service_unpublish` — the status alone;
* `service_delete` — remove a listing; `organisation_delete_allowed` says whether an
  organisation (whose deletion takes its listings along) may go;
* `pending_change_approve`, `pending_change_reject` — the second coordinator's decision;
* `suggestion_approve` — an agency's suggestion, which reaches the listing by `service_save`;
* `initial_load` — the first load of an empty catalogue, when nothing is public yet.

A listing that is, or ever was, published as an emergency listing has those facts changed
only with a second coordinator's approval (a `PendingChange`); so does a listing that would
become public as an emergency listing (a new one replacing an old one included). Nothing
else writes `Phone` rows or `Service.status`: tests/services/test_one_path.py reads every
module of the project and fails if one does.
"""

import contextlib
import contextvars
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.models import (
    ChangeSuggestion,
    ErrorReport,
    Organisation,
    PendingChange,
    Phone,
    ReviewToken,
    Service,
)

# Fields an agency's staff may propose changes to (plain text and addresses; phone numbers
# of emergency listings go through the second-approval queue instead).
SUGGESTION_FIELDS = [
    "description_nb",
    "eligibility_nb",
    "how_it_works_nb",
    "hours_note_nb",
    "referral_notes_nb",
    "cost_nb",
    "website",
    "email",
    "chat_url",
]

REVIEW_LINK_SALT = "veiviser.review-link"
REVIEW_LINK_MAX_AGE = 60 * 60 * 24 * 30  # thirty days


# --- Scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    everything: bool
    national: bool
    municipalities: frozenset[str]

    @property
    def is_coordinator(self) -> bool:
        return self.everything or self.national or bool(self.municipalities)

    def organisation_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        q = Q(**{f"{prefix}municipality__in": list(self.municipalities)})
        if self.national:
            q |= Q(**{f"{prefix}municipality__isnull": True})
        return q if self.municipalities or self.national else Q(pk__in=[])

    def stewards(self, service: Service) -> bool:
        if self.everything:
            return True
        municipality = service.organisation.municipality_id
        if municipality is None:
            return self.national
        return municipality in self.municipalities


def scope_of(user) -> Scope:
    """What `user` stewards: superusers everything, coordinators their assignment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(False, False, frozenset())
    if user.is_superuser:
        return Scope(True, True, frozenset())
    cached = getattr(user, "_veiviser_scope", None)
    if cached is not None:
        return cached
    assignment = getattr(user, "coordinator_scope", None) if user.pk else None
    if assignment is None:
        scope = Scope(False, False, frozenset())
    else:
        scope = Scope(
            False,
            assignment.is_national,
            frozenset(assignment.municipalities.values_list("number", flat=True)),
        )
    user._veiviser_scope = scope
    return scope


def services_for(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Service.objects.all() if queryset is None else queryset
    return queryset.filter(scope_of(user).organisation_q("organisation__"))


def organisations_for(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organisation.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    if scope.everything:
        return queryset
    q = Q(municipality__in=list(scope.municipalities))
    if scope.national:
        q |= Q(municipality__isnull=True)
    return queryset.filter(q) if scope.is_coordinator else queryset.none()


def pending_changes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """A national coordinator may approve anywhere, so sees every waiting change."""
    queryset = PendingChange.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    if scope.everything or scope.national:
        return queryset
    return queryset.filter(scope.organisation_q("service__organisation__"))


def _require_steward(user, service: Service) -> None:
    if not scope_of(user).stewards(service):
        raise PermissionDenied(_("Du forvalter ikke denne oppføringen."))


def _as(user, *instances):
    for instance in instances:
        instance._history_user = user if getattr(user, "pk", None) else None


COORDINATOR_GROUP = "Koordinator"

# What a coordinator may do in the admin, model by model; scope narrows it to their listings.
COORDINATOR_PERMISSIONS = {
    "service": ["view", "add", "change"],
    "phone": ["view", "add", "change", "delete"],
    "location": ["view", "add", "change", "delete"],
    "openinghours": ["view", "add", "change", "delete"],
    "organisation": ["view", "add", "change"],
    "errorreport": ["view", "change"],
    "changesuggestion": ["view", "change"],
    "pendingchange": ["view", "change"],
    "stewardcontact": ["view", "add", "change"],
    "unansweredsearch": ["view"],
    "category": ["view"],
    "targetgroup": ["view"],
    "language": ["view"],
    "deliverymode": ["view"],
    "municipality": ["view"],
    "county": ["view"],
    # The search vocabulary: only the national coordinator changes it (admin_vocabulary.py).
    "concept": ["view"],
    "conceptterm": ["view"],
}


def coordinator_group() -> Group:
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    codenames = [
        f"{action}_{model}"
        for model, actions in COORDINATOR_PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="services", codename__in=codenames)
    )
    return group


# --- Review and publication -------------------------------------------------------------


@transaction.atomic
def service_verify(*, service: Service, user, now=None) -> Service:
    """A coordinator has checked the listing: stamp who and when."""
    if user is not None:
        _require_steward(user, service)
    service.last_verified_at = now or timezone.now()
    service.verified_by = user
    _as(user, service)
    service._change_reason = "verified"
    service.save(update_fields=["last_verified_at", "verified_by", "updated_at"])
    return service


def _service_set_status(*, service: Service, user, status: str) -> PendingChange | None:
    service.status = status
    return service_save(service=service, user=user, reason=f"status: {status}")


@transaction.atomic
def service_publish(*, service: Service, user) -> PendingChange | None:
    return _service_set_status(service=service, user=user, status=Service.Status.PUBLISHED)


@transaction.atomic
def service_archive(*, service: Service, user) -> PendingChange | None:
    return _service_set_status(service=service, user=user, status=Service.Status.ARCHIVED)


@transaction.atomic
def service_unpublish(*, service: Service, user) -> PendingChange | None:
    return _service_set_status(service=service, user=user, status=Service.Status.DRAFT)


# --- The critical facts: status, emergency flag, phones, website, chat ------------------

PROTECTED_FIELDS = ("status", "is_emergency", "website", "chat_url")
# Stamped by the database or by the review functions, never compared for a change.
_UNCOMPARED_FIELDS = {"id", "created_at", "updated_at"}

_initial_load = contextvars.ContextVar("veiviser_initial_load", default=False)


@contextlib.contextmanager
def initial_load():
    """While the catalogue is being filled for the first time, nothing is public to protect.

    Checks by itself that the catalogue holds no listing; on a catalogue that does, the
    block runs under the usual rules, so this cannot be used to skip an approval.
    """
    token = _initial_load.set(not Service.objects.exists())
    try:
        yield
    finally:
        _initial_load.reset(token)


def phone_rows(service: Service) -> list[dict]:
    return [
        {"number": p.number, "label_nb": p.label_nb, "label_en": p.label_en}
        for p in service.phones.order_by("position", "id")
    ]


def _normalise_phones(phones: list[dict]) -> list[dict]:
    return [
        {
            "number": str(p.get("number", "")).strip(),
            "label_nb": str(p.get("label_nb", "") or "").strip(),
            "label_en": str(p.get("label_en", "") or "").strip(),
        }
        for p in phones
        if str(p.get("number", "")).strip()
    ]


def phone_check(row: dict) -> None:
    """Raises ValidationError when `row` (number, label_nb, label_en) is not a valid phone."""
    Phone(**row).full_clean(exclude=["service"])


def _checked_phones(phones: list[dict]) -> list[dict]:
    rows = _normalise_phones(phones)
    for row in rows:
        phone_check(row)
    return rows


def needs_second_approval(service: Service) -> bool:
    """A listing that is, or ever was, published as an emergency listing.

    "Ever was" reads the history: otherwise unpublishing it, or switching off the flag,
    then editing the numbers and publishing again would skip the second approval.
    """
    if service.pk is None:
        return False
    published = Service.Status.PUBLISHED
    stored = Service.objects.filter(pk=service.pk).values("status", "is_emergency").first()
    if stored and stored["is_emergency"] and stored["status"] == published:
        return True
    return Service.history.filter(id=service.pk, status=published, is_emergency=True).exists()


def _public_emergency(status: str, is_emergency: bool) -> bool:
    return status == Service.Status.PUBLISHED and bool(is_emergency)


def _held_back(stored: Service | None, service: Service, proposed: dict) -> set[str]:
    """Which of the proposed facts wait for a second coordinator."""
    if stored is not None and needs_second_approval(stored):
        return set(proposed)
    was_public = stored is not None and _public_emergency(stored.status, stored.is_emergency)
    if _initial_load.get() or was_public:
        return set()
    if not _public_emergency(service.status, service.is_emergency):
        return set()
    # It would become public as an emergency listing: a new one, or one replacing another.
    if stored is None:
        return {"status"}  # created as a draft, published on approval
    return {key for key in ("status", "is_emergency") if key in proposed}


def _facts(service: Service | None, keys) -> dict:
    if service is None:
        return {key: [] if key == "phones" else None for key in keys}
    return {key: phone_rows(service) if key == "phones" else getattr(service, key) for key in keys}


def _differs(stored: Service, service: Service) -> bool:
    return any(
        getattr(stored, f.attname) != getattr(service, f.attname)
        for f in Service._meta.concrete_fields
        if f.name not in _UNCOMPARED_FIELDS
    )


@transaction.atomic
def service_save(
    *, service: Service, user, phones: list[dict] | None = None, reason: str = ""
) -> PendingChange | None:
    """Create `service`, or store what the caller changed on it; `phones` replaces its numbers.

    The critical facts that need a second approval are kept as they are and queued in one
    PendingChange (returned); everything else is saved at once, with history. `user` None
    is an operator's command (import, loader): no scope, and any coordinator may approve.
    """
    stored = None
    if service.pk is not None:
        stored = Service.objects.select_for_update().filter(pk=service.pk).first()
    if user is not None:
        _require_steward(user, service)
        if stored is not None:
            _require_steward(user, stored)
    proposed = {
        key: getattr(service, key)
        for key in PROTECTED_FIELDS
        if stored is None or getattr(stored, key) != getattr(service, key)
    }
    if phones is not None:
        rows = _checked_phones(phones)
        if stored is None or rows != phone_rows(stored):
            proposed["phones"] = rows
    held = _held_back(stored, service, proposed)
    for key in held - {"phones"}:
        setattr(service, key, getattr(stored, key) if stored else Service.Status.DRAFT)
    if stored is None or _differs(stored, service):
        _as(user, service)
        service._change_reason = reason or None
        service.save()
    if "phones" in proposed and "phones" not in held:
        _apply_phones(service, proposed["phones"], user)
    if not held:
        return None
    waiting = {key: proposed[key] for key in held}
    for change in service.pending_changes.filter(status=PendingChange.Status.PENDING):
        if change.proposed == waiting:
            return change  # asked already (an import run twice): one question is enough
    return PendingChange.objects.create(
        service=service,
        current=_facts(stored or service, waiting),
        proposed=waiting,
        created_by=user,
    )


def _apply_phones(service: Service, phones: list[dict], user) -> None:
    for phone in service.phones.all():
        _as(user, phone)
        phone.delete()
    for position, row in enumerate(phones):
        phone = Phone(service=service, position=position, **row)
        phone.full_clean()
        _as(user, phone)
        phone.save()


@transaction.atomic
def phones_change(*, service: Service, user, phones: list[dict]) -> PendingChange | None:
    """Set a listing's phone numbers, or queue the change when it needs a second approval.

    Returns the waiting PendingChange, or None when the numbers were applied (or unchanged).
    """
    stored = Service.objects.select_related("organisation").get(pk=service.pk)
    return service_save(service=stored, user=user, phones=phones, reason="phones")


@transaction.atomic
def service_delete(*, service: Service, user) -> PendingChange | None:
    """Delete a listing; one that is or was a published emergency listing waits for approval."""
    if user is not None:
        _require_steward(user, service)
    if needs_second_approval(service):
        return PendingChange.objects.create(
            service=service, current={}, proposed={"delete": True}, created_by=user
        )
    _as(user, service)
    service._change_reason = "deleted"
    service.delete()
    return None


def organisation_delete_allowed(organisation: Organisation) -> bool:
    """Deleting an organisation deletes its listings: not while one needs a second approval."""
    return not any(needs_second_approval(s) for s in organisation.services.all())


ALREADY_DECIDED = gettext_lazy("Saken er allerede avgjort.")


def _lock_open(model, pk, open_status):
    """The queue item, locked, if nobody has decided it yet."""
    item = model.objects.select_for_update().select_related("service__organisation").get(pk=pk)
    if item.status != open_status:
        raise ValidationError(ALREADY_DECIDED)
    return item


def _mark_decided(item, status: str, user):
    item.status = status
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    return item


def _check_second_approver(change: PendingChange, user) -> None:
    scope = scope_of(user)
    if change.created_by_id is not None and change.created_by_id == user.pk:
        raise PermissionDenied(_("En annen koordinator må godkjenne endringen."))
    if not (scope.everything or scope.national or scope.stewards(change.service)):
        raise PermissionDenied(_("Du forvalter ikke denne oppføringen."))


STALE_CHANGE = gettext_lazy(
    "Oppføringen er endret siden endringen ble foreslått. Avvis den og foreslå den på nytt."
)


@transaction.atomic
def pending_change_approve(*, change: PendingChange, user) -> PendingChange:
    change = _lock_open(PendingChange, change.pk, PendingChange.Status.PENDING)
    _check_second_approver(change, user)
    service = Service.objects.select_for_update().get(pk=change.service_id)
    proposed = dict(change.proposed)
    if proposed.pop("delete", False):
        _mark_decided(change, PendingChange.Status.APPROVED, user)
        _as(user, service)
        service._change_reason = f"deleted: second approval of change {change.pk}"
        service.delete()
        return change
    if _facts(service, proposed) != {key: change.current.get(key) for key in proposed}:
        raise ValidationError(STALE_CHANGE)
    fields = [key for key in proposed if key in PROTECTED_FIELDS]
    if fields:
        for key in fields:
            setattr(service, key, proposed[key])
        _as(user, service)
        service._change_reason = f"second approval of change {change.pk}"
        service.save()
    if "phones" in proposed:
        _apply_phones(service, proposed["phones"], user)
    return _mark_decided(change, PendingChange.Status.APPROVED, user)


def _fact_text(key: str, value) -> str:
    if key == "phones":
        return "; ".join(
            f"{r['number']} ({r['label_nb']})" if r.get("label_nb") else r["number"]
            for r in value or []
        )
    if key == "status":
        return str(Service.Status(value).label) if value in Service.Status.values else ""
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    return value or ""


def _fact_label(key: str) -> str:
    return str(_("Telefonnumre") if key == "phones" else Service._meta.get_field(key).verbose_name)


def pending_change_rows(change: PendingChange) -> list[tuple[str, str, str]]:
    """(fact, as it is, as proposed) for the approver; a publication shows the live contact
    facts too, since those are what the approval makes public."""
    if change.proposed.get("delete"):
        return [(_("Oppføringen"), str(change.service), _("slettes"))]
    rows = [
        (_fact_label(key), _fact_text(key, change.current.get(key)), _fact_text(key, value))
        for key, value in change.proposed.items()
    ]
    if "status" in change.proposed or "is_emergency" in change.proposed:
        live = _facts(change.service, ["phones", "website", "chat_url"])
        rows += [
            (_fact_label(key), _fact_text(key, value), _fact_text(key, value))
            for key, value in live.items()
            if key not in change.proposed
        ]
    return rows


@transaction.atomic
def pending_change_reject(*, change: PendingChange, user) -> PendingChange:
    change = _lock_open(PendingChange, change.pk, PendingChange.Status.PENDING)
    scope = scope_of(user)
    is_author = change.created_by_id == user.pk
    if not (is_author or scope.everything or scope.national or scope.stewards(change.service)):
        raise PermissionDenied(_("Du forvalter ikke denne oppføringen."))
    return _mark_decided(change, PendingChange.Status.REJECTED, user)


# --- Suggestions from agency staff --------------------------------------------------------


def suggestion_form_class():
    from django import forms

    return forms.modelform_factory(Service, fields=SUGGESTION_FIELDS)


def may_suggest(user, service: Service) -> bool:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return bool(
        membership
        and membership.is_active
        and membership.organisation_id == service.organisation_id
    )


@transaction.atomic
def suggestion_create(
    *, service: Service, user, proposed: dict, note: str = ""
) -> ChangeSuggestion | None:
    """Store what differs from the listing now; None when nothing would change."""
    if user is not None and not may_suggest(user, service):
        raise PermissionDenied(_("Du kan bare foreslå endringer for din egen organisasjon."))
    changes = {
        field: value
        for field, value in proposed.items()
        if field in SUGGESTION_FIELDS and value != getattr(service, field)
    }
    if not changes and not note.strip():
        return None
    return ChangeSuggestion.objects.create(
        service=service, proposed=changes, note=note.strip(), created_by=user
    )


def suggestion_rows(suggestion: ChangeSuggestion) -> list[tuple[str, str, str]]:
    """(field label, current value, proposed value) for a side-by-side view."""
    rows = []
    for field, value in suggestion.proposed.items():
        if field not in SUGGESTION_FIELDS:
            continue
        label = Service._meta.get_field(field).verbose_name
        rows.append((str(label), getattr(suggestion.service, field), value))
    return rows


@transaction.atomic
def suggestion_approve(*, suggestion: ChangeSuggestion, user) -> ChangeSuggestion:
    suggestion = _lock_open(ChangeSuggestion, suggestion.pk, ChangeSuggestion.Status.OPEN)
    service = suggestion.service
    _require_steward(user, service)
    form = suggestion_form_class()(
        data={f: suggestion.proposed.get(f, getattr(service, f)) for f in SUGGESTION_FIELDS},
        instance=service,
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    service_save(service=form.save(commit=False), user=user, reason=f"suggestion {suggestion.pk}")
    return _mark_decided(suggestion, ChangeSuggestion.Status.APPROVED, user)


@transaction.atomic
def suggestion_reject(*, suggestion: ChangeSuggestion, user) -> ChangeSuggestion:
    suggestion = _lock_open(ChangeSuggestion, suggestion.pk, ChangeSuggestion.Status.OPEN)
    _require_steward(user, suggestion.service)
    return _mark_decided(suggestion, ChangeSuggestion.Status.REJECTED, user)


# --- Residents' error reports -------------------------------------------------------------


def _error_report_close(report: ErrorReport, user, status: str) -> ErrorReport:
    _require_steward(user, report.service)
    report.status = status
    report.handled_by = user
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])
    return report


@transaction.atomic
def error_report_resolve(*, report: ErrorReport, user) -> ErrorReport:
    return _error_report_close(report, user, ErrorReport.Status.RESOLVED)


@transaction.atomic
def error_report_dismiss(*, report: ErrorReport, user) -> ErrorReport:
    return _error_report_close(report, user, ErrorReport.Status.DISMISSED)


def error_report_notify(*, report: ErrorReport) -> bool:
    """Tell the steward a report arrived, if they asked for it. The mail holds no personal data:
    only the listing's name and a link to the admin queue."""
    from portal.outbox import queue_mail

    contact = steward_contact(report.service)
    if contact is None or not contact.notify_on_report or not contact.email:
        return False
    queue_mail(
        _("Ny feilmelding om en oppføring i Veiviser"),
        _("Noen har meldt en feil om «%(name)s». Se meldingen her: %(url)s")
        % {
            "name": report.service.name,
            "url": f"{settings.SITE_URL}/admin/services/errorreport/{report.pk}/change/",
        },
        [contact.email],
    )
    return True


def steward_contact(service: Service):
    """The published responsible contact for a listing's steward, or None."""
    from services.models import StewardContact

    key = StewardContact.key_for(service.organisation.municipality_id)
    return StewardContact.objects.filter(key=key, is_published=True).first()


# --- Signed, single-use review links -------------------------------------------------------


def review_period(service: Service) -> str:
    """Identifies the due period: a new verification starts a new one."""
    if service.last_verified_at is None:
        return "never"
    return service.last_verified_at.isoformat(timespec="seconds")


def review_link_issue(*, service: Service, email: str) -> str | None:
    """Book a link for this due period and return its signed token; None if already sent."""
    with transaction.atomic():
        token, created = ReviewToken.objects.get_or_create(
            service=service,
            period=review_period(service),
            defaults={"nonce": secrets.token_hex(16), "sent_to": email},
        )
    if not created:
        return None
    return signing.TimestampSigner(salt=REVIEW_LINK_SALT).sign(token.nonce)


class ReviewLinkInvalid(Exception):
    """The link is forged, expired, already used, or its listing was verified since."""


def review_token_resolve(signed_value: str) -> ReviewToken:
    try:
        nonce = signing.TimestampSigner(salt=REVIEW_LINK_SALT).unsign(
            signed_value, max_age=REVIEW_LINK_MAX_AGE
        )
    except signing.BadSignature as error:  # includes SignatureExpired
        raise ReviewLinkInvalid(str(error)) from error
    token = ReviewToken.objects.select_related("service__organisation").filter(nonce=nonce).first()
    if token is None or token.used_at is not None:
        raise ReviewLinkInvalid("used or unknown")
    return token


def _use_token(signed_value: str, purpose: str) -> ReviewToken:
    token = review_token_resolve(signed_value)
    token = ReviewToken.objects.select_for_update().get(pk=token.pk)
    if token.used_at is not None:
        raise ReviewLinkInvalid("used")
    token.used_at = timezone.now()
    token.used_for = purpose
    token.save(update_fields=["used_at", "used_for"])
    return token


@transaction.atomic
def review_link_confirm(*, signed_value: str) -> Service:
    """The organisation says the listing is still correct: that stamps the review."""
    token = _use_token(signed_value, "confirm")
    service = token.service
    service.last_verified_at = timezone.now()
    service.verified_by = None
    _as(None, service)
    service._change_reason = "confirmed by the organisation (review link)"
    service.save(update_fields=["last_verified_at", "verified_by", "updated_at"])
    return service


@transaction.atomic
def review_link_suggest(*, signed_value: str, proposed: dict, note: str = "") -> ChangeSuggestion:
    """The organisation proposes changes through the link: they wait in the coordinator's queue."""
    token = _use_token(signed_value, "suggest")
    suggestion = suggestion_create(service=token.service, user=None, proposed=proposed, note=note)
    if suggestion is None:
        suggestion = ChangeSuggestion.objects.create(
            service=token.service, proposed={}, note=_("Ingen endringer foreslått.")
        )
    return suggestion
