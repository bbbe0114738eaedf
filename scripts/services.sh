#!/usr/bin/env bash
# Bring up what the test suite needs, and do nothing for what already answers:
#   PostgreSQL (the Debian cluster 15/main) and Redis on 127.0.0.1, and Debian's Chromium for the browser tests.
#   Installs with apt when something is missing. Honours DATABASE_URL / CELERY_BROKER_URL:
#   a URL pointing elsewhere than 127.0.0.1/localhost is left alone.
# Usage: scripts/services.sh up | down | status
set -euo pipefail

PG_VERSION=${PG_VERSION:-15}
PG_CLUSTER=${PG_CLUSTER:-main}
DB_USER=${DB_USER:-cdmo}
DB_PASSWORD=${DB_PASSWORD:-cdmo}
DB_NAME=${DB_NAME:-cdmo}
REDIS_PORT=${REDIS_PORT:-6379}
RUN_DIR=${RUN_DIR:-/tmp/cdmo-portal-services}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '[services] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

is_local_url() { [[ -z "${1:-}" || "$1" == *"127.0.0.1"* || "$1" == *"localhost"* ]]; }

pg_answers() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }

postgres_up() {
  if ! is_local_url "${DATABASE_URL:-}"; then log "DATABASE_URL points elsewhere; not starting PostgreSQL"; return; fi
  if ! [ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ]; then apt_install "postgresql-$PG_VERSION" postgresql-client; fi
  if ! pg_answers; then
    if ! as_root pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$PG_CLUSTER"; then
      as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null
    fi
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start -- -o "-c listen_addresses=127.0.0.1" || true
    for _ in $(seq 1 30); do pg_answers && break; sleep 0.5; done
    pg_answers || { log "PostgreSQL did not come up"; exit 1; }
  fi
  # The role needs CREATEDB: pytest-django creates and drops test_<name>.
  as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD' CREATEDB;
  END IF;
END \$\$;
SQL
  if ! as_root runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" -d postgres | grep -q 1; then
    as_root runuser -u postgres -- createdb -O "$DB_USER" "$DB_NAME"
  fi
}

redis_answers() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

redis_up() {
  if ! is_local_url "${CELERY_BROKER_URL:-}"; then log "CELERY_BROKER_URL points elsewhere; not starting Redis"; return; fi
  if redis_answers; then return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$RUN_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR"
  for _ in $(seq 1 30); do redis_answers && break; sleep 0.2; done
  redis_answers || { log "Redis did not come up"; exit 1; }
}

chromium_up() {
  # The browser tests always run, so make test always needs Chromium.
  command -v chromium >/dev/null || apt_install chromium
}

gettext_up() {
  # Only needed to compile translations after editing .po files; running the app uses the committed .mo files.
  command -v msgfmt >/dev/null || apt_install gettext
}

case "${1:-up}" in
  up)
    postgres_up
    redis_up
    chromium_up
    ;;
  gettext) gettext_up ;;
  down)
    if [ -f "$RUN_DIR/redis.pid" ]; then kill "$(cat "$RUN_DIR/redis.pid")" 2>/dev/null || true; fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop 2>/dev/null || true
    ;;
  status)
    pg_answers && echo "postgresql: up" || echo "postgresql: down"
    redis_answers && echo "redis: up" || echo "redis: down"
    command -v chromium >/dev/null && echo "chromium: installed" || echo "chromium: missing"
    ;;
  *) echo "usage: $0 up|down|status|gettext" >&2; exit 2 ;;
esac
