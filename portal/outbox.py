"""E-mail that survives a failing SMTP server.

`queue_mail` writes the mail to the outbox table inside the caller's transaction, so it
exists exactly when the change it tells about was saved, and asks for it to be sent right
after the commit. Sending never raises: a mail the server refuses, or a server that does
not answer, stays in the outbox with a later attempt time, and `manage.py send_outbox`
(cron, every few minutes) tries again with growing pauses, up to MAX_ATTEMPTS.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from portal.models import OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # with the pauses below: about a day and a half of trying
CLAIM_SECONDS = 10 * 60  # how long a sender may take before another one may try


def queue_mail(subject: str, body: str, recipients: Iterable[str], *, from_email: str = "") -> int:
    """One outbox row per recipient; sent right after the surrounding transaction commits.
    Returns the number of mails queued."""
    rows = OutboxEmail.objects.bulk_create(
        OutboxEmail(subject=subject, body=body, from_email=from_email, to=to)
        for to in sorted(set(recipients))
        if to
    )
    if rows:
        ids = [row.pk for row in rows]
        # robust: whatever happens while sending, the request that saved the change
        # answers normally; cron tries again.
        transaction.on_commit(lambda: send_due(ids=ids), robust=True)
    return len(rows)


def _pause(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 6 * 60))


def _claim(pk: int, now) -> bool:
    """Conditional update: only one sender gets a due mail (works on every database)."""
    return bool(
        OutboxEmail.objects.filter(
            pk=pk, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def send_due(*, ids: Iterable[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Send what is due (only `ids` when given). Returns (sent, failed)."""
    now = timezone.now()
    due = OutboxEmail.objects.filter(next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    try:
        for mail in due.order_by("next_attempt_at", "pk")[:limit]:
            if not _claim(mail.pk, now):
                continue
            try:
                EmailMessage(
                    mail.subject,
                    mail.body,
                    mail.from_email or settings.DEFAULT_FROM_EMAIL,
                    [mail.to],
                    connection=connection,
                ).send()
            except Exception as error:  # any failure of the server or the network
                failed += 1
                _record_failure(mail, error)
                connection.close()  # a broken connection is opened afresh for the next
            else:
                sent += 1
                OutboxEmail.objects.filter(pk=mail.pk).delete()
    finally:
        connection.close()
    return sent, failed


def _record_failure(mail: OutboxEmail, error: Exception) -> None:
    attempts = mail.attempts + 1
    OutboxEmail.objects.filter(pk=mail.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + _pause(attempts),
        # The kind of failure only: the server's text may quote the recipient.
        last_error=type(error).__name__[:255],
    )
    log.warning(
        "outbox: mail %s not sent (attempt %s): %s", mail.pk, attempts, type(error).__name__
    )


def retry_given_up() -> int:
    return OutboxEmail.objects.filter(attempts__gte=MAX_ATTEMPTS).update(
        attempts=0, next_attempt_at=timezone.now()
    )


def pending() -> tuple[int, int]:
    """(waiting, given up) mails, for the command's report and the operators."""
    waiting = OutboxEmail.objects.filter(attempts__lt=MAX_ATTEMPTS).count()
    return waiting, OutboxEmail.objects.filter(attempts__gte=MAX_ATTEMPTS).count()
