"""Settings for `python -m bench pages`: production settings plus a trivial ping view.

Static files are collected into BENCH_STATIC_ROOT (a temporary folder) so the
hashed-file storage works with debug off, exactly as in production.
"""

import os

from portal.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
ROOT_URLCONF = "bench.pages_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
