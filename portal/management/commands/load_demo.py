import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals import demo as referrals_demo
from services import demo as catalogue_demo

DEFAULT_PASSWORD = "veiviser-demo"


class Command(BaseCommand):
    help = "Create the demo accounts and records (local demo only: refuses to run with debug off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates accounts with a known password and only runs with "
                "DJANGO_DEBUG=1 (the local demo)."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            accounts = catalogue_demo.create_accounts(password)
            accounts += referrals_demo.create_demo(password)
            catalogue_demo.create_queue_items()

        self.stdout.write(self.style.SUCCESS("Demo accounts ready. Log in with:"))
        for username, role, path in accounts:
            self.stdout.write(f"  {username:<24} {role:<40} {settings.SITE_URL}{path}")
        self.stdout.write(
            "  password: the value of DEMO_PASSWORD"
            + (f" (default '{DEFAULT_PASSWORD}')" if password == DEFAULT_PASSWORD else "")
        )
