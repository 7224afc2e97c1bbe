#!/usr/bin/env bash
# PostgreSQL for development and tests.
# Uses a server already listening at AVAIN_PG_HOST:AVAIN_PG_PORT when one answers; otherwise installs
# Debian's postgresql if missing and runs a project-local cluster in a git-ignored data folder.
#   postgres.sh start|stop|status
# Settings: AVAIN_PG_PORT (5433), AVAIN_PG_HOST (127.0.0.1), AVAIN_DATA_DIR (.data),
#           AVAIN_PG_FAST=1 turns fsync off (tests only: never for benchmarks or the running system)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${AVAIN_PG_PORT:-5433}
HOST=${AVAIN_PG_HOST:-127.0.0.1}
DATA=${AVAIN_DATA_DIR:-$ROOT/.data}/postgres-$PORT
log() { echo "[postgres:$PORT] $*" >&2; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }; done
  return 1
}

ensure_installed() {
  bindir >/dev/null && return 0
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  bindir >/dev/null
}

as_pg() {  # the server refuses to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

answers() { (exec 3<>/dev/tcp/"$HOST"/"$PORT") 2>/dev/null; }

owned_here() { [ -f "$DATA/pgdata/postmaster.pid" ]; }

start() {
  if answers; then
    owned_here && log "already running" || log "using the server already listening on $HOST:$PORT"
    return 0
  fi
  ensure_installed
  local bin; bin=$(bindir)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
  if [ ! -f "$DATA/pgdata/PG_VERSION" ]; then
    log "initialising a cluster in $DATA/pgdata"
    as_pg "$bin/initdb" -D "$DATA/pgdata" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DATA/initdb.log" 2>&1 \
      || { cat "$DATA/initdb.log" >&2; exit 1; }
  fi
  local opts="-p $PORT -k $DATA -c listen_addresses=$HOST -c max_connections=200"
  [ "${AVAIN_PG_FAST:-0}" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Extra server settings, e.g. the benchmark's "-c track_commit_timestamp=on" (when a row became visible).
  [ -n "${AVAIN_PG_OPTIONS:-}" ] && opts="$opts $AVAIN_PG_OPTIONS"
  # A crash leaves postmaster.pid behind; pg_ctl sees the pid is dead and starts anyway.
  as_pg "$bin/pg_ctl" -D "$DATA/pgdata" -o "$opts" -l "$DATA/server.log" -w -t 60 start >/dev/null \
    || { tail -20 "$DATA/server.log" >&2; exit 1; }
  log "ready on $HOST:$PORT"
}

stop() {
  if owned_here; then
    as_pg "$(bindir)/pg_ctl" -D "$DATA/pgdata" -m fast -w stop >/dev/null && log "stopped"
  else
    log "not running here"
  fi
}

status() {
  if answers; then log "running"; else log "not running"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
