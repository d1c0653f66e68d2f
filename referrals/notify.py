"""E-mails about referrals. They say what happened and link to the page — never
who the person is or why they were referred. They go through the outbox
(portal.outbox), written in the transaction of the step they tell about: a failing
SMTP server delays them, it never undoes or breaks the step."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.outbox import queue_mail
from referrals.models import Case, Referral


def _link(referral: Referral) -> str:
    return settings.SITE_URL + reverse("referrals:detail", args=[referral.public_id])


def receivers(referral: Referral) -> set[str]:
    from services.models import Membership

    memberships = Membership.objects.filter(is_active=True, user__is_active=True).filter(
        services=referral.service_id
    )
    return {m.user.email for m in memberships.select_related("user") if m.user.email}


def senders(referral: Referral) -> set[str]:
    case: Case = referral.case
    users = [case.created_by, *case.colleagues.all()]
    return {u.email for u in users if u.email and u.is_active}


def _send(subject: str, text: str, referral: Referral, recipients: set[str], exclude=None):
    recipients = recipients - ({exclude.email} if exclude is not None and exclude.email else set())
    if not recipients:
        return
    body = f"{text}\n\n{_('Logg inn for å lese henvisningen:')}\n{_link(referral)}\n"
    queue_mail(subject, body, recipients)


STATUS_TEXT = {
    "acknowledge": gettext_noop("Mottakeren har bekreftet at henvisningen er mottatt."),
    "accept": gettext_noop("Mottakeren har akseptert henvisningen."),
    "decline": gettext_noop("Mottakeren har avslått henvisningen."),
    "forward": gettext_noop("Mottakeren har sendt henvisningen videre til en annen tjeneste."),
    "complete": gettext_noop("Mottakeren har meldt at henvisningen er fullført."),
}


def status_changed(referral: Referral, *, action: str, by) -> None:
    if action == "send":
        _send(
            _("Veiviser: ny henvisning"),
            _("Det er kommet en ny henvisning til en tjeneste du arbeider med."),
            referral,
            receivers(referral),
            exclude=by,
        )
    elif action == "withdraw":
        _send(
            _("Veiviser: henvisning trukket tilbake"),
            _("Avsenderen har trukket tilbake en henvisning til en tjeneste du arbeider med."),
            referral,
            receivers(referral) if referral.sent_at else set(),
            exclude=by,
        )
    else:
        _send(
            _("Veiviser: ny status på henvisning"),
            _(STATUS_TEXT[action]),
            referral,
            senders(referral),
            exclude=by,
        )


def message_posted(referral: Referral, *, by) -> None:
    from referrals.workflow import is_sender

    to = receivers(referral) if is_sender(by, referral) else senders(referral)
    _send(
        _("Veiviser: ny melding om en henvisning"),
        _("Det er kommet en ny melding i en henvisning du følger."),
        referral,
        to,
        exclude=by,
    )


def reminder(referral: Referral) -> None:
    _send(
        _("Veiviser: henvisning venter på bekreftelse"),
        _(
            "En henvisning til en tjeneste du arbeider med har passert fristen for å bekrefte mottak."
        ),
        referral,
        receivers(referral),
    )
