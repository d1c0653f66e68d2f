"""Settings for the test suite: the project's settings with a key of their own, so that
tests run with debug off (as production does) without a DJANGO_SECRET_KEY in the shell."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "not-a-secret-" * 4)

from portal.settings import *  # noqa: E402, F403
