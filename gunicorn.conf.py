"""gunicorn settings: the access log records neither client addresses nor query strings."""

import os
import sys

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
accesslog = "-"
# %(U)s is the path without the query string; no %(h)s (remote address).
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def _refuse_without_settings():
    """Load the settings when gunicorn reads this file, before it loads the app: a missing
    or bad setting (no DJANGO_SECRET_KEY with debug off) stops gunicorn with its message,
    not a traceback, and no worker boots."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018
    except ImproperlyConfigured as error:
        sys.exit(f"gunicorn: {error}")


_refuse_without_settings()


# Load the app, and with it the search's dictionaries (simplemma: about 100 MB for
# bokmål, nynorsk and English), once in the master: the workers share those pages after
# the fork instead of each loading its own copy on its first search.
preload_app = True


def when_ready(server):
    from services.search.text import warm_up

    warm_up()
