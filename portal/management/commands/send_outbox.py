from django.core.management.base import BaseCommand

from portal import outbox


class Command(BaseCommand):
    help = (
        "Send the e-mails waiting in the outbox (run from cron every few minutes): "
        "mails the SMTP server did not take are tried again later."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-given-up",
            action="store_true",
            help="try the mails given up after too many attempts again (once the server works)",
        )

    def handle(self, *args, retry_given_up=False, **options):
        if retry_given_up:
            self.stdout.write(f"{outbox.retry_given_up()} given-up e-mail(s) queued again.")
        sent, failed = outbox.send_due()
        waiting, given_up = outbox.pending()
        self.stdout.write(f"{sent} e-mail(s) sent, {failed} failed, {waiting} waiting.")
        if given_up:
            self.stderr.write(
                f"{given_up} e-mail(s) given up after {outbox.MAX_ATTEMPTS} attempts: "
                "check the SMTP settings, then run send_outbox --retry-given-up."
            )
