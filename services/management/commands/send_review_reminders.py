from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from services import coordination, insights
from services.models import Organisation, Service


class Command(BaseCommand):
    help = (
        "E-mail each organisation a signed, single-use link per listing due for review, once per "
        "due period. Organisations without a contact address are listed for the coordinator."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would be sent")

    def handle(self, *args, dry_run=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        insights.purge_unanswered_searches()
        due = (
            Service.objects.published()
            .review_due()
            .select_related("organisation__municipality")
            .order_by("organisation__name", "name")
        )
        by_organisation: dict[int, list[Service]] = {}
        for service in due:
            by_organisation.setdefault(service.organisation_id, []).append(service)

        sent = skipped = 0
        without_address = []
        for organisation in Organisation.objects.filter(pk__in=by_organisation).order_by("name"):
            services = by_organisation[organisation.pk]
            if not organisation.email:
                without_address.append((organisation, services))
                continue
            if dry_run:
                self.stdout.write(f"would e-mail {organisation.name}: {len(services)} listing(s)")
                continue
            with transaction.atomic():
                links = []
                for service in services:
                    token = coordination.review_link_issue(
                        service=service, email=organisation.email
                    )
                    if token is None:
                        skipped += 1
                        continue
                    path = reverse("coordination:review", args=[token])
                    links.append((service, f"{settings.SITE_URL}{path}"))
                if not links:
                    continue
                body = render_to_string(
                    "coordination/review_reminder_email.txt",
                    {
                        "organisation": organisation,
                        "links": links,
                        "days": coordination.REVIEW_LINK_MAX_AGE // 86400,
                    },
                )
                # Inside the transaction: if the mail cannot be sent, no link is booked.
                send_mail(
                    "Veiviser: stemmer oppføringene deres fortsatt?",
                    body,
                    None,
                    [organisation.email],
                )
            sent += 1
            self.stdout.write(f"e-mailed {organisation.name}: {len(links)} link(s)")

        self.stdout.write(
            f"{sent} e-mail(s) sent, {skipped} listing(s) already reminded this period."
        )
        if without_address:
            self.stdout.write(
                "No contact address - the coordinator must check these (also on the dashboard):"
            )
            for organisation, services in without_address:
                steward = organisation.municipality or "national"
                self.stdout.write(f"  {organisation.name} ({steward}): {len(services)} listing(s)")
                for service in services:
                    self.stdout.write(f"    - {service.name} [{service.slug}]")
