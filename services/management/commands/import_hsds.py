"""manage.py import_hsds PATH: HSDS 3 data (CSV data package or JSON) into the catalogue as drafts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from services.hsds.importer import import_path


class Command(BaseCommand):
    help = (
        "Leser HSDS 3 (mappe med CSV-tabeller og datapackage.json, services.json eller "
        "andre HSDS-JSON-filer). Nye tjenester blir utkast; publiserte beholdes og flagges."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--every", type=int, default=500, help="Fremdrift på stderr for hver N tjeneste."
        )

    def handle(self, *args, path: Path, every: int, **options):
        if not path.exists():
            raise CommandError(f"Finner ikke {path}")
        verbose = options["verbosity"] > 0

        def progress(done, total):
            self.stderr.write(f"… {done}/{total} tjenester lest")
            self.stderr.flush()

        try:
            report = import_path(path, progress=progress if verbose else None, every=every)
        except (ValueError, OSError) as exc:
            raise CommandError(f"Kunne ikke lese {path}: {exc}") from exc
        for problem in report.problems:
            self.stderr.write(str(problem))
        if verbose:
            for line in report.ignored_lines():
                self.stdout.write(line)
            self.stdout.write(report.summary())
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} problemer: ingenting er importert. "
                "Rett dem i filen og kjør importen på nytt."
            )
