from django.core.management.base import BaseCommand

from services.search.vocabulary import SEED_FILE, load_seed


class Command(BaseCommand):
    help = (
        "Add the seed search vocabulary (services/search/concepts.toml, or FILE) to the "
        "database: concepts that do not exist yet, lines for concepts without any, and who "
        "categories and target groups are for where that is not set. Edits are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(SEED_FILE))

    def handle(self, *args, file, **options):
        from pathlib import Path

        counts = load_seed(Path(file))
        self.stdout.write(
            "{created} concepts created, {filled} links to the catalogue filled in, "
            "{audiences} audiences set.".format(**counts)
        )
