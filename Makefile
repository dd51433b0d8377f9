# SLRT Kota Bekasi: developer and CI entry points. `make help` lists the targets.
#
# Embedded default: with DATABASE_URL and REDIS_URL unset the app uses SQLite under var/ and
# runs Celery tasks in-process. Set them (see README.md) and the same targets use PostgreSQL
# and Redis; `make run` then also starts a Celery worker with beat.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp of the last dependency install: pip runs again only when the lock file changed.
STAMP := $(VENV)/.installed
# The exact versions and hashes of every dependency (make lock writes them from pyproject.toml).
LOCK := requirements-dev.lock
MANAGE := $(BIN)/python manage.py

HOST ?= 127.0.0.1
PORT ?= 8000
HOUSEHOLDS ?= 2000
PYTEST_ARGS ?=
# pytest-xdist workers: 2 on this project's 2-core machines measured faster than 1 (README.md,
# Tests). The browser tests share one Chromium: --dist loadgroup keeps them in one worker.
TEST_WORKERS ?= 2
BENCH_ARGS ?=
# The browser tests use the same default and variable (tests/browser/conftest.py).
CHROMIUM := $(or $(SLRT_CHROMIUM),/usr/bin/chromium)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The settings default to DEBUG off (a deployment that forgets the variable is not in debug
# mode); the embedded default these targets set up runs with it, unless DEBUG is given.
export DEBUG ?= True

.PHONY: help install lock run test coverage lint bench bench-import bench-eligibility bench-referrals bench-dashboards bench-dtsen bench-load messages clean distclean

help:
	@echo "make run      set up (venv, migrate, reference data, $(HOUSEHOLDS) demo households) and serve"
	@echo "              http://$(HOST):$(PORT)/   (PORT=..., HOUSEHOLDS=...)"
	@echo "make test     run the whole test suite (extra pytest arguments: PYTEST_ARGS=...)"
	@echo "make coverage the suite with branch coverage, failing under the floor in pyproject.toml"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make bench    run bench/bench_registry.py on PostgreSQL (arguments: BENCH_ARGS=...)"
	@echo "make bench-import  run bench/bench_import.py (100,000-row .xlsx, 1,000,000-row .csv)"
	@echo "make bench-eligibility  run bench/bench_eligibility.py (full run and simulation, 300,000 households)"
	@echo "make bench-referrals  run bench/bench_referrals.py (triage queue and API, 100,000 referrals)"
	@echo "make bench-dashboards  run bench/bench_dashboards.py (Dasbor pages, 300,000 households)"
	@echo "make bench-dtsen       run bench/bench_dtsen.py (DTSEN extract: 2.6M people, import + reconciliation)"
	@echo "make bench-load  run bench/bench_load.py (gunicorn + wrk: four pages beside a bare Django page)"
	@echo "make messages collect new interface strings into the Indonesian .po and compile it"
	@echo "make install  create $(VENV) and install the locked dependencies (done by the targets above)"
	@echo "make lock     resolve pyproject.toml into requirements.lock and requirements-dev.lock"
	@echo "make clean    remove caches and build leftovers; make distclean also removes $(VENV) and var/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "SLRT needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
		     "Run with PYTHON=python3.11 (or newer)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) \
		|| { echo "Could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }

# The project runs from its checkout (pyproject.toml declares no packages): the install pulls
# in the locked dependencies only, each checked against its hash.
$(STAMP): $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	@touch $@

install: $(STAMP)

# Resolve pyproject.toml's ranges anew into the two lock files (for every platform, Python 3.11
# and newer); review the diff, then make install. uv resolves in a second, pip-tools in minutes.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv>=0.9,<1"
	$(UV_COMPILE) --output-file requirements.lock
	$(UV_COMPILE) --extra dev --output-file requirements-dev.lock

# Translate the new (empty) msgstr entries in locale/id/LC_MESSAGES/django.po, then run it again.
messages: $(STAMP)
	$(MANAGE) makemessages -l id --no-location --ignore=$(VENV) --ignore=var
	$(MANAGE) compilemessages -l id --ignore=$(VENV) --ignore=var

var:
	@mkdir -p var

# The compiled .mo files are committed: compilemessages runs only when a .po is newer than its
# .mo and msgfmt exists. With REDIS_URL set a Celery worker with beat runs beside the server and
# stops with it.
run: $(STAMP) | var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_regions
	$(MANAGE) load_reference_data
	@stale=$$(find . -path ./$(VENV) -prune -o -name '*.po' -print | while read -r po; do \
		[ "$$po" -nt "$${po%.po}.mo" ] && echo "$$po"; done || true); \
	if [ -n "$$stale" ]; then \
		if command -v msgfmt >/dev/null; then \
			echo "$(MANAGE) compilemessages"; \
			$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var \
				|| echo "compilemessages failed: using the committed .mo files." >&2; \
		else \
			echo "msgfmt not found: using the committed .mo files (apt-get install gettext to recompile)."; \
		fi; \
	fi
	$(MANAGE) seed_demo --households $(HOUSEHOLDS) --if-empty
	$(MANAGE) seed_demo_referrals
	$(MANAGE) seed_demo_plans
	$(MANAGE) seed_demo_flags
	$(MANAGE) seed_demo_dtsen
	$(MANAGE) seed_demo_usulan
	$(MANAGE) backfill_snapshots --months 12
	@worker=""; \
	if [ -n "$${REDIS_URL:-}" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat (log: var/celery.log)"; \
		$(BIN)/celery -A slrt worker -B --loglevel=info \
			--schedule var/celerybeat-schedule >>var/celery.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null || true; echo "Celery worker stopped."' EXIT; \
		trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP; \
	fi; \
	echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops it)"; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(STAMP)
	@if ! command -v "$(CHROMIUM)" >/dev/null; then \
		echo "Chromium not found: browser tests will be SKIPPED. Install it with: apt-get install chromium"; \
	fi
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

# The suite with branch coverage: the figure is printed and a total under the floor
# ([tool.coverage.report] fail_under in pyproject.toml) fails the run. CI runs this on PostgreSQL.
coverage: PYTEST_ARGS += --cov --cov-report=term:skip-covered
coverage: test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m slrt.layers

# Needs PostgreSQL (bench/README.md); it drops and recreates its own *_bench database.
bench: $(STAMP)
	$(BIN)/python bench/bench_registry.py $(BENCH_ARGS)

# Its own *_bench_import database; generated files are kept in var/bench-import/ for reruns.
bench-import: $(STAMP)
	$(BIN)/python bench/bench_import.py $(BENCH_ARGS)

# Its own *_bench_elig database, seeded with seed_demo; --reuse keeps it between runs.
bench-eligibility: $(STAMP)
	$(BIN)/python bench/bench_eligibility.py $(BENCH_ARGS)

# Its own *_bench_ref database: seed_demo, then 100,000 referrals by COPY; --reuse keeps it.
bench-referrals: $(STAMP)
	$(BIN)/python bench/bench_referrals.py $(BENCH_ARGS)

# Its own *_bench_dtsen database (bench_registry's seed; --reuse keeps it): the city's DTSEN
# extract (800,000 families, 2.6M people) imported and reconciled, beside a bare COPY + join.
bench-dtsen: $(STAMP)
	$(BIN)/python bench/bench_dtsen.py $(BENCH_ARGS)

# Its own *_bench_dash database, seeded with seed_demo; --reuse keeps it between runs.
bench-dashboards: $(STAMP)
	$(BIN)/python bench/bench_dashboards.py $(BENCH_ARGS)

# Its own slrt_bench database (seed_demo + 100,000 referrals by COPY; --reuse keeps it),
# gunicorn on 127.0.0.1:8790 (the app) and :8791 (bench/bare_site.py) and wrk (apt-get install
# wrk): not a test, a load figure.
bench-load: $(STAMP)
	$(BIN)/python bench/bench_load.py $(BENCH_ARGS)

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build *.egg-info var/staticfiles

distclean: clean
	rm -rf $(VENV) var
