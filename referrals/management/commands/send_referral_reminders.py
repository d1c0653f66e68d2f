from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals import notify
from referrals.models import Referral, ReminderSent


class Command(BaseCommand):
    help = "E-mail the staff of receiving services about overdue, unacknowledged referrals (once a day each)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        sent = 0
        for referral in Referral.objects.overdue().select_related("service"):
            try:
                # The unique (referral, day) row is the lock: a second run the same day,
                # or two runs at once, cannot remind twice.
                with transaction.atomic():
                    ReminderSent.objects.create(referral=referral, day=today)
                    notify.reminder(referral)  # into the outbox, in the same transaction
            except IntegrityError:
                continue
            sent += 1
        self.stdout.write(f"{sent} reminder(s) sent")
