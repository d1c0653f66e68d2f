"""manage.py export_hsds DIR: the published catalogue as HSDS 3 (CSV data package and JSON)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from services.hsds.export import export


class Command(BaseCommand):
    help = "Skriver publiserte tjenester som Open Referral HSDS 3 (CSV-datapakke og JSON) til DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        started = time.monotonic()

        def progress(n):
            self.stderr.write(f"… {n} tjenester eksportert")
            self.stderr.flush()

        counts = export(directory, progress=progress if options["verbosity"] else None)
        if options["verbosity"]:
            self.stdout.write(
                f"{counts['services']} tjenester, {counts['organizations']} organisasjoner, "
                f"{counts['locations']} steder skrevet til {directory} "
                f"på {time.monotonic() - started:.1f} s"
            )
