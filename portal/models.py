"""Cross-cutting tables of the portal."""

from django.db import models
from django.utils import timezone


class OutboxEmail(models.Model):
    """An e-mail written in the same transaction as the change it tells about, and sent
    afterwards by portal.outbox (right after the commit, then by `manage.py send_outbox`
    from cron until the SMTP server takes it). Sent mails are deleted: the outbox is a
    queue, not an archive, and reset and set-up links must not linger in the database."""

    subject = models.CharField(max_length=255)
    body = models.TextField()
    from_email = models.CharField(max_length=254, blank=True)
    to = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # Also the claim: a sender moves it forward before talking to the server, so two
    # senders (cron and a request) never send the same mail twice.
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "utgående e-post"
        verbose_name_plural = "utgående e-post"
        ordering = ["next_attempt_at", "pk"]

    def __str__(self):
        return f"{self.subject} ({self.attempts} forsøk)"
