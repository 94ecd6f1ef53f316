# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
DEMO_UNITS ?= 3000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jkmhc
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $@

# 1. The clinic on its embedded default: SQLite, Celery eager, demo data, http://127.0.0.1:8000
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup --units $(DEMO_UNITS)
	$(PY) manage.py runserver 127.0.0.1:8000

# 2. The whole test suite on PostgreSQL with Redis: ruff, migrations check, pytest.
test: $(DEV_STAMP)
	./scripts/services-up
	./scripts/ensure-chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) $(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: $(DEV_STAMP)
	./scripts/services-up
	$(PY) bench/run.py

# Notifications benchmark (issue 4): 100,000 requests relayed and delivered, see docs/benchmarks.md.
.PHONY: bench-notifications
bench-notifications: $(DEV_STAMP)
	./scripts/services-up
	$(PY) bench/notifications.py
