#!/usr/bin/env bash
# Production start. The environment (or .env) carries the configuration: DEBUG=False, SECRET_KEY, ALLOWED_HOSTS,
# CSRF_TRUSTED_ORIGINS, DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), EMAIL_URL, SITE_URL — see the README.
#
#   scripts/production.sh prepare   collectstatic, migrate, check --deploy (fails on any warning), schedules
#   scripts/production.sh web       gunicorn on $BIND (default 127.0.0.1:8000), behind a TLS proxy
#   scripts/production.sh worker    a Celery worker
#   scripts/production.sh beat      Celery beat (one per installation)
#   scripts/production.sh all       prepare, then web, worker and beat together (Ctrl-C or TERM stops all three)
#
# Every step is safe to run again. A process manager (systemd, supervisord, a container per role) runs `web`,
# `worker` and `beat` after one `prepare` per release.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
BIND=${BIND:-127.0.0.1:8000}
WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}

prepare() {
    "$BIN/python" manage.py collectstatic --noinput --verbosity 0
    "$BIN/python" manage.py migrate --noinput
    "$BIN/python" manage.py check --deploy --fail-level WARNING
    "$BIN/python" manage.py install_schedules
}

web() {
    # --forwarded-allow-ips: the proxy in front (on this host by default) says the original scheme in
    # X-Forwarded-Proto; Django trusts it through SECURE_PROXY_SSL_HEADER.
    exec "$BIN/gunicorn" cdmo_portal.wsgi:application --bind "$BIND" --workers "$WEB_CONCURRENCY" \
        --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" --access-logfile - --timeout 60
}

worker() { exec "$BIN/celery" -A cdmo_portal worker --loglevel=INFO; }

beat() { exec "$BIN/celery" -A cdmo_portal beat --loglevel=INFO --schedule="${BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}"; }

case "${1:-}" in
    prepare) prepare ;;
    web) web ;;
    worker) worker ;;
    beat) beat ;;
    all)
        prepare
        mkdir -p var
        # shellcheck source=scripts/together.sh
        . scripts/together.sh
        together_start worker
        together_start beat
        together_start web
        together_wait
        ;;
    *) echo "usage: $0 prepare|web|worker|beat|all" >&2; exit 2 ;;
esac
