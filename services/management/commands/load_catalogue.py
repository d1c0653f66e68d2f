from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.loader import CatalogueError, load
from services.search.vocabulary import load_seed

DEFAULT_CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"


class Command(BaseCommand):
    help = (
        "Load the municipality list and the service catalogue idempotently. "
        "A bad file is reported with the record and field, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_CATALOGUE),
            help="catalogue JSON file (default: fixtures/catalogue.json)",
        )
        parser.add_argument(
            "--municipalities",
            help="municipality list (default: municipalities.json beside the catalogue, "
            "else fixtures/municipalities.json)",
        )

    def handle(self, *args, path, municipalities, **options):
        catalogue_path = Path(path)
        if catalogue_path.is_dir():
            catalogue_path = catalogue_path / "catalogue.json"
        if municipalities:
            municipalities_path = Path(municipalities)
        else:
            municipalities_path = catalogue_path.parent / "municipalities.json"
            if not municipalities_path.exists():
                municipalities_path = DEFAULT_CATALOGUE.parent / "municipalities.json"
        try:
            report = load(catalogue_path, municipalities_path)
        except CatalogueError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for kind in [
            "counties",
            "municipalities",
            "categories",
            "target_groups",
            "organisations",
            "services",
        ]:
            self.stdout.write(
                f"{kind}: {report.total(kind)} "
                f"({report.created.get(kind, 0)} created, {report.updated.get(kind, 0)} updated, "
                f"{report.unchanged.get(kind, 0)} unchanged)"
            )
        if report.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.pending} changes to emergency listings wait for a coordinator's "
                    "approval (admin: Endringer som venter på godkjenning)."
                )
            )
        # The search vocabulary's lines and audiences name services and categories: give
        # them what the catalogue now holds (never overwrites a coordinator's edits).
        seeded = load_seed()
        if any(seeded.values()):
            self.stdout.write(
                "search vocabulary: {created} concepts created, {filled} links to the catalogue "
                "filled in, {audiences} audiences set".format(**seeded)
            )
        self.stdout.write(
            self.style.SUCCESS("Catalogue loaded." if report.changed else "Nothing changed.")
        )
