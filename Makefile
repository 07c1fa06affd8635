# Every command runs from the virtual environment in .venv/ at the project's root.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed

# The scripts read PORT from the environment.
export PORT

.PHONY: install run worker beat test bench chaos fuzz scale-test lint format migrations-check ci

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

# Set-up, demo data, then the web server, a Celery worker and beat until Ctrl-C.
run:
	scripts/run.sh

# A worker or beat on their own, for development next to `runserver`; DEBUG defaults to on
# because settings refuse to start without SECRET_KEY otherwise. The worker takes every queue
# (interactive, notifications, checks, forecast); production runs one per queue.
worker: install
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A missionlead worker -l info --without-mingle --without-gossip

beat: install
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A missionlead beat -l info \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

# Throwaway PostgreSQL and Redis, lint, migrations check, the whole suite.
# Extra pytest arguments: make test PYTEST_ARGS="-k cascade -x"
test:
	scripts/test.sh

# A 100,000-mission organisation on PostgreSQL (kept in var/bench/), pages, endpoints, load and
# background jobs measured against raw-SQL baselines; rewrites docs/PERFORMANCE.md.
bench:
	scripts/bench.sh

# The fault suite, not part of `make test` (a few minutes): the background work through real
# workers, beat and gunicorn while workers, Redis and PostgreSQL are killed or restarted; fails
# on any lost or duplicated effect; rewrites the table in docs/reliability.md.
chaos:
	scripts/chaos.sh

# schemathesis with every phase and 100 examples per operation against a served copy (gunicorn,
# throwaway PostgreSQL and Redis, the demo organisation); longer than the run in make test.
fuzz:
	scripts/fuzz.sh

# Past one machine, on this one (not part of `make test`, a few minutes): a primary and a
# streaming replica, PgBouncer, Redis, gunicorn and a worker per queue; a smoke of the main
# flows and throughput at 1, 2 and 4 web workers; rewrites the figures in docs/scaling.md.
scale-test:
	scripts/scale_test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Models and migrations are database-independent, so the embedded default settings suffice.
migrations-check: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py makemigrations --check --dry-run

ci: test
