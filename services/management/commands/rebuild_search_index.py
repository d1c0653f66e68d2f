from django.core.management.base import BaseCommand

from services.search import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (documents and vocabulary) from every service."

    def handle(self, *args, **options):
        count = rebuild()
        self.stdout.write(f"Indexed {count} services.")
