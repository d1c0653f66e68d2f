# The two README commands are `make demo` and `make test`; the rest serve them and CI.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The local demo: debug on, second factor off, SQLite in the project folder.
DEMO_ENV := DJANGO_DEBUG=1 REQUIRE_2FA=0
# Developer commands that need the settings but no secret key (debug off needs one).
DEV_ENV := DJANGO_DEBUG=1

.PHONY: demo test test-browser test-postgres install lint migrations-check bench messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "python3 -m venv failed: installing Debian's python3-venv"; \
		$$(command -v sudo) apt-get update -q && $$(command -v sudo) apt-get install -y -q python3-venv && \
		$(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_catalogue
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on SQLite (browser tests included when Chromium is installed).
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

test-browser: $(STAMP)
	VEIVISER_REQUIRE_BROWSER=1 $(VENV)/bin/pytest -m browser

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: $(STAMP)
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) -m bench

messages: $(STAMP)
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
