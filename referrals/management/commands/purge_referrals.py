from django.core.management.base import BaseCommand

from referrals.retention import purge


class Command(BaseCommand):
    help = (
        "Erase the personal data of cases whose referrals all closed more than "
        "REFERRAL_RETENTION_DAYS ago; status, service, urgency and dates stay for statistics."
    )

    def handle(self, *args, **options):
        count = purge()
        self.stdout.write(f"{count} case(s) erased")
