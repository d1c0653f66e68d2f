"""Every change of a referral's status goes through here.

Each function validates, moves the status with a conditional UPDATE (…WHERE
status = <expected>), so two people acting at once cannot both succeed,
writes the immutable event and the access log, and queues the e-mail for
after the commit.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals import notify
from referrals.access import log_access
from referrals.models import AccessLog, Case, Message, Referral, ReferralEvent, active_membership
from services.models import Service

Status = Referral.Status

ILLEGAL_STEP = _("Dette steget er ikke mulig for en henvisning med status «%(status)s».")
CHANGED_MEANWHILE = _(
    "Henvisningen ble endret av noen andre i mellomtiden. Se den oppdaterte historikken."
)
NOT_SENDER = _("Bare avsenderen av henvisningen kan gjøre dette.")
NOT_RECEIVER = _("Bare mottakeren av henvisningen kan gjøre dette.")
DECLINE_REASON_REQUIRED = _("Skriv hvorfor dere avslår henvisningen.")
FORWARD_BASIS_NOT_CONFIRMED = _(
    "Bekreft at det rettslige grunnlaget dekker at henvisningen sendes videre."
)
FORWARD_SAME_SERVICE = _("Velg en annen tjeneste enn den henvisningen er sendt til.")
SERVICE_CANNOT_RECEIVE = _(
    "Denne tjenesten tar ikke imot elektroniske henvisninger i Veiviser. Se hvordan du henviser."
)
MESSAGE_REQUIRED = _("Skriv en melding.")

# action -> (statuses it may start from, status it leads to, who may do it)
TRANSITIONS: dict[str, tuple[frozenset, str, str]] = {
    "send": (frozenset({Status.DRAFT}), Status.SENT, "sender"),
    "acknowledge": (frozenset({Status.SENT}), Status.ACKNOWLEDGED, "receiver"),
    "accept": (frozenset({Status.ACKNOWLEDGED}), Status.ACCEPTED, "receiver"),
    "decline": (frozenset({Status.ACKNOWLEDGED}), Status.DECLINED, "receiver"),
    "forward": (frozenset({Status.ACKNOWLEDGED}), Status.FORWARDED, "receiver"),
    "complete": (frozenset({Status.ACCEPTED}), Status.COMPLETED, "receiver"),
    "withdraw": (
        frozenset({Status.DRAFT, Status.SENT, Status.ACKNOWLEDGED, Status.ACCEPTED}),
        Status.WITHDRAWN,
        "sender",
    ),
}


class WorkflowError(Exception):
    """A step that is not allowed; str(error) is a message for the user."""


def receivable_services():
    """Services a referral can be sent to in Veiviser: they say they take electronic
    referrals and someone is actually assigned to read them."""
    return (
        Service.objects.published()
        .filter(
            accepts_electronic_referrals=True,
            assigned_memberships__is_active=True,
            assigned_memberships__user__is_active=True,
        )
        .distinct()
    )


def is_sender(user, referral: Referral) -> bool:
    return Case.objects.visible_to(user).filter(pk=referral.case_id).exists()


def is_receiver(user, referral: Referral) -> bool:
    return Referral.objects.received_by(user).filter(pk=referral.pk).exists()


def allowed_actions(user, referral: Referral) -> set[str]:
    """The steps the page offers this user (the workflow checks them again)."""
    sender, receiver = is_sender(user, referral), is_receiver(user, referral)
    return {
        action
        for action, (sources, _target, side) in TRANSITIONS.items()
        if referral.status in sources and (sender if side == "sender" else receiver)
    }


def due_at(urgency: str, start):
    """Deadline for acknowledging: calendar days, or working days (Mon–Fri)."""
    count, unit = settings.REFERRAL_DEADLINES[urgency]
    if unit == "days":
        return start + timedelta(days=count)
    moment = start
    while count > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            count -= 1
    return moment


def _transition(*, action: str, referral: Referral, by, note: str = "", **fields) -> Referral:
    sources, target, side = TRANSITIONS[action]
    if side == "sender" and not is_sender(by, referral):
        raise WorkflowError(NOT_SENDER)
    if side == "receiver" and not is_receiver(by, referral):
        raise WorkflowError(NOT_RECEIVER)
    if referral.status not in sources:
        raise WorkflowError(ILLEGAL_STEP % {"status": referral.get_status_display()})
    now = timezone.now()
    if target in Status.closed_values():
        fields["closed_at"] = now
    # The status we read must still be the status in the table: whoever commits
    # first wins, the other UPDATE matches no row.
    updated = Referral.objects.filter(pk=referral.pk, status=referral.status).update(
        status=target, **fields
    )
    if updated != 1:
        raise WorkflowError(CHANGED_MEANWHILE)
    referral.refresh_from_db()
    ReferralEvent.objects.create(
        referral=referral, status=target, actor=by, note=note, created_at=now
    )
    log_access(by, referral=referral, action=AccessLog.Action.UPDATE, what=action)
    notify.status_changed(referral, action=action, by=by)
    return referral


@transaction.atomic
def case_create(*, by, **fields) -> Case:
    membership = active_membership(by)
    if membership is None:
        raise WorkflowError(NOT_SENDER)
    needs = fields.pop("needs", [])
    colleagues = fields.pop("colleagues", [])
    case = Case.objects.create(organisation=membership.organisation, created_by=by, **fields)
    case.needs.set(needs)
    case.colleagues.set(colleagues)
    log_access(by, case=case, action=AccessLog.Action.CREATE, what="case")
    return case


@transaction.atomic
def referral_create(*, case: Case, service: Service, by, **fields) -> Referral:
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise WorkflowError(NOT_SENDER)
    if not receivable_services().filter(pk=service.pk).exists():
        raise WorkflowError(SERVICE_CANNOT_RECEIVE)
    referral = Referral.objects.create(case=case, service=service, created_by=by, **fields)
    ReferralEvent.objects.create(referral=referral, status=Status.DRAFT, actor=by)
    log_access(by, referral=referral, action=AccessLog.Action.CREATE, what="referral")
    return referral


@transaction.atomic
def referral_send(*, referral: Referral, by) -> Referral:
    if not receivable_services().filter(pk=referral.service_id).exists():
        raise WorkflowError(SERVICE_CANNOT_RECEIVE)
    now = timezone.now()
    referral = _transition(
        action="send", referral=referral, by=by, sent_at=now, due_at=due_at(referral.urgency, now)
    )
    return referral


@transaction.atomic
def referral_acknowledge(*, referral: Referral, by, note: str = "") -> Referral:
    return _transition(
        action="acknowledge", referral=referral, by=by, note=note, acknowledged_at=timezone.now()
    )


@transaction.atomic
def referral_accept(*, referral: Referral, by, note: str = "") -> Referral:
    return _transition(action="accept", referral=referral, by=by, note=note)


@transaction.atomic
def referral_decline(*, referral: Referral, by, reason: str) -> Referral:
    if not (reason or "").strip():
        raise WorkflowError(DECLINE_REASON_REQUIRED)
    return _transition(action="decline", referral=referral, by=by, note=reason.strip())


@transaction.atomic
def referral_forward(
    *, referral: Referral, by, to_service: Service, basis_confirmed: bool, note: str = ""
) -> Referral:
    """Close this referral as forwarded and send a new one in the same case."""
    if not basis_confirmed:
        raise WorkflowError(FORWARD_BASIS_NOT_CONFIRMED)
    if to_service.pk == referral.service_id:
        raise WorkflowError(FORWARD_SAME_SERVICE)
    if not receivable_services().filter(pk=to_service.pk).exists():
        raise WorkflowError(SERVICE_CANNOT_RECEIVE)
    old = _transition(action="forward", referral=referral, by=by, note=note)
    now = timezone.now()
    new = Referral.objects.create(
        case=old.case,
        service=to_service,
        urgency=old.urgency,
        reason=old.reason,
        request=old.request,
        status=Status.SENT,
        created_by=by,
        forwarded_from=old,
        sent_at=now,
        due_at=due_at(old.urgency, now),
    )
    ReferralEvent.objects.create(referral=new, status=Status.SENT, actor=by, note=note)
    log_access(by, referral=new, action=AccessLog.Action.CREATE, what="forward")
    notify.status_changed(new, action="send", by=by)
    return new


@transaction.atomic
def referral_complete(*, referral: Referral, by, note: str = "") -> Referral:
    return _transition(action="complete", referral=referral, by=by, note=note)


@transaction.atomic
def referral_withdraw(*, referral: Referral, by, note: str = "") -> Referral:
    return _transition(action="withdraw", referral=referral, by=by, note=note)


@transaction.atomic
def message_post(*, referral: Referral, by, body: str) -> Message:
    if not (body or "").strip():
        raise WorkflowError(MESSAGE_REQUIRED)
    if not (is_sender(by, referral) or is_receiver(by, referral)):
        raise WorkflowError(NOT_SENDER)
    message = Message.objects.create(referral=referral, author=by, body=body.strip())
    log_access(by, referral=referral, action=AccessLog.Action.MESSAGE, what="message")
    notify.message_posted(referral, by=by)
    return message
