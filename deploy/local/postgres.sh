#!/usr/bin/env bash
# PostgreSQL for development and tests.
# Uses a server already listening at AVAIN_PG_HOST:AVAIN_PG_PORT when one answers; otherwise installs
# Debian's postgresql if missing and runs a cluster of this checkout's own.
#   postgres.sh start|stop|status|destroy      (destroy: stop, then delete the cluster's data)
# Settings: AVAIN_PG_PORT (5433), AVAIN_PG_HOST (127.0.0.1), AVAIN_DATA_DIR (.data),
#           AVAIN_PG_CLUSTERS_DIR (/var/lib/avain/postgres), AVAIN_PG_OPTIONS (extra server settings),
#           AVAIN_START_TIMEOUT (300 s to answer at start),
#           AVAIN_PG_FAST=1 turns fsync off (tests only: never for benchmarks or the running system)
#
# Where the data lives. The server refuses to run as root, so when you are root it runs as the postgres
# user, which cannot enter a private home directory (mode 0700) or a mktemp -d folder. Its cluster then
# lives outside the checkout, in AVAIN_PG_CLUSTERS_DIR/<hash of the data folder>-<port>, owned by postgres,
# and AVAIN_DATA_DIR/postgres-<port> is a symbolic link to it: nothing in your home is opened up. As any
# other user the server runs as you and the cluster lives in AVAIN_DATA_DIR/postgres-<port> itself (as does
# a cluster that an older version of this script created there).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${AVAIN_PG_PORT:-5433}
HOST=${AVAIN_PG_HOST:-127.0.0.1}
DATA_DIR=${AVAIN_DATA_DIR:-$ROOT/.data}
LINK=$DATA_DIR/postgres-$PORT
CLUSTERS=${AVAIN_PG_CLUSTERS_DIR:-/var/lib/avain/postgres}
log() { echo "[postgres:$PORT] $*" >&2; }

as_root() { [ "$(id -u)" = 0 ]; }

cluster_dir() {  # where this checkout's cluster is (or will be): see "Where the data lives" above
  if [ -L "$LINK" ]; then readlink "$LINK"
  elif [ -d "$LINK" ] || ! as_root; then echo "$LINK"
  else echo "$CLUSTERS/$(realpath -m "$DATA_DIR" | sha256sum | cut -c1-16)-$PORT"
  fi
}
DATA=$(cluster_dir)

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

as_pg() {  # the server refuses to run as root; from / because postgres may not enter the caller's folder
  if as_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
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
  if as_root; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  prepare_cluster_dir
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
  as_pg "$bin/pg_ctl" -D "$DATA/pgdata" -o "$opts" -l "$DATA/server.log" -w -t "${AVAIN_START_TIMEOUT:-300}" start >/dev/null \
    || { tail -20 "$DATA/server.log" >&2; exit 1; }
  log "ready on $HOST:$PORT"
}

prepare_cluster_dir() {
  mkdir -p "$DATA_DIR"
  if [ "$DATA" = "$LINK" ]; then
    mkdir -p "$DATA"
    as_root && chown postgres: "$DATA"
    return 0
  fi
  if [ ! -L "$LINK" ] && [ -e "$DATA" ]; then
    # Left by a data folder that was deleted (the documented clean start): nothing runs from it (the port
    # did not answer), so it goes the way of the rest of that folder.
    log "deleting $DATA, left behind when $DATA_DIR was deleted"
    rm -rf "$DATA"
  fi
  (umask 022; mkdir -p "$CLUSTERS")  # the postgres user must be able to pass through to its own folder
  install -d -o postgres -g postgres -m 0700 "$DATA"
  runuser -u postgres -- test -w "$DATA" || { log "the postgres user cannot reach $DATA: check $CLUSTERS"; exit 1; }
  echo "$(realpath -m "$DATA_DIR")" > "$DATA/data-dir"  # whose cluster this is, for a person looking
  ln -sfn "$DATA" "$LINK"
}

stop() {
  if owned_here; then
    as_pg "$(bindir)/pg_ctl" -D "$DATA/pgdata" -m fast -w stop >/dev/null && log "stopped"
  else
    log "not running here"
  fi
}

status() {
  if answers; then
    owned_here && log "running (data in $DATA)" || log "running (not from this checkout)"
  else
    log "not running"; return 3
  fi
}

destroy() {
  stop
  if [ "$DATA" != "$LINK" ] && [ -d "$DATA" ]; then rm -rf "$DATA"; log "deleted $DATA"; fi
  rm -rf "$LINK"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) destroy ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
