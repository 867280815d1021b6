#!/usr/bin/env bash
# A throwaway PostgreSQL server for whosaid's tests and CI.
#
#   scripts/postgres-test-server.sh start [DIR] [PORT]   prints the database URL
#   scripts/postgres-test-server.sh stop  [DIR]          stops it and removes DIR
#
# Uses the highest PostgreSQL installed under /usr/lib/postgresql (Debian's
# layout). The cluster trusts connections from 127.0.0.1 only, listens on
# nothing else, and runs with fsync off: it holds test data, never real data.
# When run as root the server runs as the `postgres` user (PostgreSQL refuses
# to run as root). Starting a server that already runs prints its URL again.
# Only the URL goes to stdout, so `URL=$(... start)` works; progress goes to
# stderr.
set -euo pipefail

DEFAULT_DIR="${TMPDIR:-/tmp}/whosaid-postgres-test"
DEFAULT_PORT=54329
DATABASE=whosaid_test
# Written into DIR by `start`; `stop` removes only directories that carry it.
MARKER=whosaid-postgres-test-server

usage() {
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
}

say() {
    echo "postgres-test-server: $*" >&2
}

die() {
    say "$*"
    exit 1
}

[ $# -ge 1 ] || usage
action=$1
dir=${2:-$DEFAULT_DIR}
port_given=${3:-}
port=${port_given:-$DEFAULT_PORT}
case "$port" in
    '' | *[!0-9]*) die "port '$port' is not a number" ;;
esac

bin_dir() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] || die "no PostgreSQL found (looked for /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"
    dirname "$initdb"
}

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Whether something accepts connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running() {
    [ -f "$dir/data/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if running; then
        [ -f "$dir/url" ] || die "$dir/data runs but $dir/url is missing; stop it first"
        cat "$dir/url"
        return
    fi
    if [ -f "$dir/data/PG_VERSION" ]; then
        # A cluster from an earlier run that is not running (a crash or a
        # reboot): reuse it on the port it was made for.
        port=$(cat "$dir/port")
    else
        if port_in_use "$port"; then
            [ -z "$port_given" ] || die "port $port on 127.0.0.1 is in use; pass another PORT"
            # The default port is taken (another checkout's server): take the
            # next free one, the URL printed says which.
            local tries=0
            while port_in_use "$port"; do
                port=$((port + 1))
                tries=$((tries + 1))
                [ $tries -lt 50 ] || die "no free port on 127.0.0.1 from $DEFAULT_PORT to $port"
            done
        fi
        if [ "$(ls -A "$dir")" ] && [ ! -f "$dir/$MARKER" ]; then
            die "$dir is not empty and was not made by this script; name an empty or new DIR"
        fi
        touch "$dir/$MARKER"
        echo "$port" >"$dir/port"
        if [ "$(id -u)" -eq 0 ]; then
            chown -R postgres: "$dir"
        fi
        say "initialising a cluster in $dir/data ($BIN)"
        as_owner "$BIN/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
            die "initdb failed; see $dir/initdb.log"
        cat >>"$dir/data/postgresql.conf" <<EOF

# whosaid test server: loopback only, speed over durability.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
        cat >"$dir/data/pg_hba.conf" <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    fi
    say "starting on 127.0.0.1:$port"
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        die "the server did not start; see $dir/server.log"
    local waited=0
    until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; do
        waited=$((waited + 1))
        [ $waited -lt 60 ] || die "the server is not ready after 30 s; see $dir/server.log"
        sleep 0.5
    done
    if ! "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
        "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE"
    fi
    local url="postgres://postgres@127.0.0.1:$port/$DATABASE"
    echo "$url" >"$dir/url"
    echo "$url"
}

stop() {
    [ -d "$dir" ] || {
        say "$dir does not exist: nothing to stop"
        return
    }
    [ -f "$dir/$MARKER" ] || die "$dir was not made by this script; not touching it"
    if running; then
        say "stopping the server in $dir/data"
        as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    rm -rf "$dir"
}

BIN=$(bin_dir)
case "$action" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
