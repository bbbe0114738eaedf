#!/usr/bin/env bash
# `make run`: the web server with a Celery worker and beat beside it, on the embedded filesystem:// broker
# (or whatever CELERY_BROKER_URL says). Ctrl-C stops all three. The demo sweeps for reminders every minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export REMINDER_SWEEP_SECONDS=${REMINDER_SWEEP_SECONDS:-60}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
mkdir -p var

$BIN/python manage.py install_schedules

# shellcheck source=scripts/together.sh
. scripts/together.sh
together_start $BIN/celery -A cdmo_portal worker --pool=solo --loglevel=INFO --hostname="cdmo-demo@%h"
together_start $BIN/celery -A cdmo_portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

echo "Serving http://$HOST:$PORT/  (API docs: http://$HOST:$PORT/api/v1/docs/) — worker and beat running; Ctrl-C stops all"
$BIN/python manage.py runserver "$HOST:$PORT"
