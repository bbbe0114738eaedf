# The two commands: `make run` (fresh machine → app with demo data on SQLite) and `make test` (the whole suite on
# PostgreSQL + Redis, which it brings up when they don't answer). Both are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://cdmo:cdmo@127.0.0.1:5432/cdmo
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint format migrate demo messages services clean bench mutate

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

services:
	scripts/services.sh up

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# The suite runs on a frozen clock (tests/conftest.py: 2026-11-23T17:30Z, local date 2026-11-24). The date-sensitive
# tests run again at the turn of the year in Shanghai (still 2026 in UTC) and beyond chinesecalendar's last year.
DATE_SENSITIVE_TESTS := tests/core/test_calendars.py tests/core/test_clock.py tests/core/test_periods.py tests/milestones tests/projects \
	tests/labtests/test_services.py tests/notifications/test_reminders.py tests/notifications/test_calendar_feed.py
OTHER_INSTANTS := 2026-12-31T23:59:00Z 2027-02-16T02:00:00Z
PYTEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}

test: $(VENV)/.dev services lint
	$(PYTEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then for instant in $(OTHER_INSTANTS); do \
		echo "date-sensitive tests at $$instant"; \
		TEST_NOW=$$instant $(PYTEST_ENV) $(BIN)/pytest -q $(DATE_SENSITIVE_TESTS) || exit 1; \
	done; fi

# SPEC §9 / issue 19 figures on PostgreSQL, each hot request against its hand-written SQL floor (same JSON, runs
# interleaved): `make bench` (200,000 milestones, database cdmo_bench) or `make bench SIZE=1m` (1,000,000,
# cdmo_bench_1m). Builds its database on the first run (minutes); later runs reuse it.
SIZE ?= 200k
bench: $(VENV)/.runtime services
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || echo "wrk could not be installed: HTTP figures skipped"
	SIZE=$(SIZE) $(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL)) $(BIN)/python scripts/benchmark.py

# Mutation testing (mutmut 3, not part of `make test`: it takes 20–40 minutes on two cores): the modules that carry
# the promises, each mutant against the tests that reach it ([tool.mutmut] in pyproject.toml), on a test database of
# its own so a `make test` may run beside it. Prints every survivor; docs/testing.md explains the ones left.
MUTATE_SCOPE := "clients.access*" "core.state_machine*" "core.calendars*" "milestones.clocks*" \
	"core.api.viewsets.x_parse_if_match*" "core.api.viewsets.xǁServiceViewSetǁexpected_version*" \
	"notifications.services.x_reminder*" "notifications.services.x__planned_reminders*" \
	"notifications.services.x__recipients*" "notifications.services.x__escalation_recipients*" \
	"notifications.services.x__link_for*" "notifications.services.x__apply_preferences*" \
	"notifications.services.x__without_existing*" \
	"notifications.services.x__create_in_sql*" "notifications.services.x__create_in_python*" \
	"notifications.services.x__recipient_branches*" "notifications.services.x__notify_digest_readers_in_sql*" \
	"notifications.services.x__claim_in_sql*" "notifications.services.x__message_id*" \
	"notifications.services.x__reminder_notifications*" "notifications.services.x__notify*" \
	"notifications.services.x_webhook_signature*" "notifications.services.x__post*"
MUTATE_ENV = DATABASE_URL=$${MUTATE_DATABASE_URL:-postgres://cdmo:cdmo@127.0.0.1:5432/cdmo_mut} \
	CELERY_BROKER_URL=$${MUTATE_BROKER_URL:-redis://127.0.0.1:6379/14}
mutate: $(VENV)/.dev services
	rm -rf mutants && mkdir -p var
	$(MUTATE_ENV) $(BIN)/python scripts/mutation_report.py --drop-test-database
	$(MUTATE_ENV) $(BIN)/mutmut run --max-children 1 $(MUTATE_SCOPE) >var/mutmut.log 2>&1 || true
	$(MUTATE_ENV) $(BIN)/python scripts/mutation_report.py $(MUTATE_SCOPE)

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-extract and compile translations (needs gettext: `scripts/services.sh gettext`). The .mo files are committed.
messages: $(VENV)/.dev
	scripts/services.sh gettext
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --ignore=var
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache
