from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(using="default", **kwargs):
    """`migrate` alone prepares a database: the database cache (throttles, rate limits)
    gets its table too, so the first login on a fresh installation does not fail.
    createcachetable does nothing for a Redis cache or a table that exists."""
    call_command("createcachetable", database=using, verbosity=0)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Veiviser"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="portal.cache_table")
