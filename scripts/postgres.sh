#!/usr/bin/env bash
# Manage a throwaway PostgreSQL cluster for tests and benchmarks.
#
# Usage:
#   scripts/postgres.sh start DIR   # init + start a cluster in DIR, print its URL
#   scripts/postgres.sh stop DIR    # stop the cluster in DIR (never fails)
#
# `start` prints exactly one line on stdout:
#   postgres://postgres@127.0.0.1:PORT/cipherscale_test
# Everything else goes to stderr, so callers can do URL=$(scripts/postgres.sh start "$dir").
#
# Layout inside DIR:
#   DIR/data         the cluster's data directory (PGDATA)
#   DIR/log          server log (pg_ctl -l)
#   DIR/initdb.log   initdb output (shown on failure)
#   DIR/port         the TCP port the server listens on (127.0.0.1 only)
#   DIR/.s.PGSQL.*   the unix socket (-k DIR)
#
# initdb refuses to run as root, so when this script runs as root the server
# commands are executed as the `postgres` system user via runuser, and DIR is
# chown'ed to that user. When not root, everything runs as the current user.
set -euo pipefail

DB_NAME="cipherscale_test"
DB_USER="postgres"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() {
    echo "usage: $0 {start|stop} DIR" >&2
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the user that owns the cluster: `postgres` when we are
# root, otherwise the current user. We cd into DIR first so the server-side
# tools don't complain about an unreadable working directory (e.g. /root).
as_pg() {
    if is_root; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

# Print the bin directory of a PostgreSQL installation that has initdb,
# pg_ctl and postgres. Look on PATH first, then in /usr/lib/postgresql/*/bin
# (highest version wins). Prints nothing if none is found.
find_pg_bindir() {
    local initdb dir
    if initdb="$(command -v initdb 2>/dev/null)"; then
        # Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb)
        # so that pg_ctl/postgres/psql come from the same installation.
        dir="$(dirname "$(readlink -f "$initdb")")"
        if [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    fi
    # `sort -V` so that e.g. 16 sorts above 9.6; take the last (highest).
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
        echo "$dir"
        return 0
    fi
    return 0
}

# Make sure PostgreSQL server binaries exist; install them via apt when root.
# Sets PG_BIN. Never skips: exits 1 if the server cannot be found/installed.
ensure_postgres() {
    PG_BIN="$(find_pg_bindir)"
    if [ -z "$PG_BIN" ] && is_root && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL server binaries not found; installing via apt-get..."
        {
            apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib
        } >&2 || log "apt-get install failed"
        PG_BIN="$(find_pg_bindir)"
    fi
    if [ -z "$PG_BIN" ]; then
        die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; install PostgreSQL 15 (apt-get install postgresql postgresql-contrib)"
    fi
    log "using PostgreSQL binaries in $PG_BIN ($("$PG_BIN/postgres" --version 2>/dev/null || echo unknown version))"
}

# When root, make sure the `postgres` system user exists (the Debian package
# creates it; create it ourselves if it is missing).
ensure_pg_user() {
    is_root || return 0
    if ! id -u postgres >/dev/null 2>&1; then
        log "creating system user 'postgres'"
        useradd --system --user-group --no-create-home --shell /bin/bash postgres >&2
    fi
}

# Print a free loopback TCP port. The kernel picks it (bind to port 0); there
# is a small race until the server binds it, which `start` handles by retrying.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        # Fallback without python3: a random high port (collisions handled by retry).
        echo $((20000 + RANDOM % 40000))
    fi
}

# Is the cluster in DIR/data running? (pg_ctl status exits 0 if so.)
is_running() {
    [ -f "$DIR/data/PG_VERSION" ] || return 1
    as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

# psql against the running cluster over TCP (trust auth, so no password).
# -X: ignore ~/.psqlrc so output is predictable.
pg_psql() {
    local port="$1"; shift
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U "$DB_USER" "$@"
}

cmd_start() {
    ensure_postgres
    ensure_pg_user

    mkdir -p "$DIR"
    DIR="$(cd "$DIR" && pwd -P)"   # absolute path: needed for -k and the log file
    if is_root; then
        # The server must own its directory; /tmp-style parents are traversable.
        chown -R postgres: "$DIR"
        # ...and every parent directory must be traversable by that user.
        runuser -u postgres -- test -w "$DIR" ||
            die "user 'postgres' cannot write to $DIR (is a parent directory private? use a dir under /tmp)"
    fi

    # Already running (e.g. start called twice on the same DIR)? Just report it.
    if is_running && [ -f "$DIR/port" ]; then
        local port
        port="$(cat "$DIR/port")"
        log "cluster in $DIR is already running on port $port"
        echo "postgres://${DB_USER}@127.0.0.1:${port}/${DB_NAME}"
        return 0
    fi

    # Create the cluster unless DIR already holds one.
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        log "initdb in $DIR/data"
        if ! as_pg "$PG_BIN/initdb" -D "$DIR/data" -A trust -U "$DB_USER" \
            --encoding=UTF8 --locale=C >"$DIR/initdb.log" 2>&1; then
            cat "$DIR/initdb.log" >&2 || true
            die "initdb failed (see above)"
        fi
        if is_root; then chown postgres: "$DIR/initdb.log"; fi
    fi

    # Start the server. A free port is picked right before starting; if some
    # other process grabs it in between, pg_ctl fails and we retry with a new one.
    #
    # fsync/synchronous_commit/full_page_writes are OFF: this is a throwaway
    # test/benchmark cluster, so durability on crash does not matter and
    # turning them off makes tests much faster. Never do this in production.
    local port="" attempt started=0
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        log "starting server on 127.0.0.1:$port (attempt $attempt)"
        if as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -w -t 60 -l "$DIR/log" start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >&2; then
            started=1
            break
        fi
        log "pg_ctl start failed; last lines of $DIR/log:"
        tail -n 20 "$DIR/log" >&2 2>/dev/null || true
        # Make sure a half-started server is not left behind before retrying.
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    done
    [ "$started" -eq 1 ] || die "could not start PostgreSQL in $DIR (see $DIR/log)"
    echo "$port" >"$DIR/port"

    # Wait until the server really accepts TCP connections and runs queries.
    local i ready=0
    for i in $(seq 1 60); do
        if { [ ! -x "$PG_BIN/pg_isready" ] || "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER"; } &&
            pg_psql "$port" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
            ready=1
            break
        fi
        sleep 0.5
    done
    if [ "$ready" -ne 1 ]; then
        tail -n 20 "$DIR/log" >&2 2>/dev/null || true
        die "PostgreSQL on port $port did not become ready"
    fi

    # Create the test database (idempotent for a reused cluster).
    if [ "$(pg_psql "$port" -d postgres -Atc "select 1 from pg_database where datname = '${DB_NAME}'")" != "1" ]; then
        pg_psql "$port" -d postgres -c "CREATE DATABASE ${DB_NAME}" >&2 ||
            die "could not create database ${DB_NAME}"
    fi

    log "PostgreSQL ready in $DIR (port $port, database $DB_NAME)"
    # The only line on stdout: the connection URL.
    echo "postgres://${DB_USER}@127.0.0.1:${port}/${DB_NAME}"
}

cmd_stop() {
    # Never fails: stopping a cluster that isn't there is a no-op.
    set +e
    [ -d "$DIR" ] || { log "$DIR does not exist; nothing to stop"; return 0; }
    DIR="$(cd "$DIR" && pwd -P)"
    PG_BIN="$(find_pg_bindir)"
    if [ -z "$PG_BIN" ]; then
        log "PostgreSQL binaries not found; nothing to stop"
        return 0
    fi
    if is_running; then
        log "stopping PostgreSQL in $DIR"
        # immediate: no checkpoint, the data is thrown away anyway.
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2
    else
        log "no running cluster in $DIR"
    fi
    return 0
}

[ $# -eq 2 ] || usage
DIR="$2"
[ -n "$DIR" ] || usage

case "$1" in
    start) cmd_start ;;
    stop) cmd_stop || true; exit 0 ;;
    *) usage ;;
esac
