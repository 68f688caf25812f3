# shellcheck shell=bash
# A throwaway PostgreSQL server for tests and development. Source this file, then:
#
#   pg_start   install PostgreSQL from Debian if it is missing, create a cluster in a new
#              temporary folder, start it on 127.0.0.1 (first free port from 54329), wait
#              until it accepts connections, create role and database `zhenxing`
#              (password `zhenxing`, CREATEDB) and export
#                ZHENXING_TEST_POSTGRES_URL=postgres://zhenxing:zhenxing@127.0.0.1:PORT/zhenxing
#                PG_TMPDIR=<the temporary folder: data/, socket, postgres.log>
#   pg_stop    stop that server (fast shutdown) and remove the temporary folder
#
# Both are idempotent and safe under `set -euo pipefail`; pg_stop only stops a server that
# pg_start started in this shell, so it is safe to call from an EXIT trap unconditionally.
# The server is tuned for speed, not durability (fsync, synchronous_commit and
# full_page_writes are off): never point it at data you want to keep.
#
# Settings (environment):
#   ZHENXING_PG_PORT       first port to try (default 54329)
#   ZHENXING_PG_BINDIR     PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin)
#   ZHENXING_PG_HOST_AUTH  authentication for TCP connections (default scram-sha-256, so the
#                          password in the URL is really checked; `trust` also works)

_pg_say() { echo "pg: $*" >&2; }

# The folder with initdb, pg_ctl, postgres, pg_isready and psql of one PostgreSQL version.
_pg_find_bindir() {
    local dir
    if [[ -n "${ZHENXING_PG_BINDIR:-}" ]]; then
        [[ -x "$ZHENXING_PG_BINDIR/pg_ctl" ]] || return 1
        echo "$ZHENXING_PG_BINDIR"
        return 0
    fi
    # Newest version first (sort -V so that 10 > 9).
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" && -x "$dir/pg_isready" && -x "$dir/psql" ]]; then
            echo "$dir"
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV)
    return 1
}

# apt-get install postgresql (server and client), without the Debian default cluster.
_pg_install() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { _pg_say "PostgreSQL is not installed and I am not root: install the Debian package postgresql"; return 1; }
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || { _pg_say "PostgreSQL is not installed and there is no apt-get: install PostgreSQL and set ZHENXING_PG_BINDIR"; return 1; }
    _pg_say "PostgreSQL server not found; installing it with apt-get (Debian package postgresql)"
    # The Debian package would otherwise create (and on some systems start) a `main` cluster
    # on port 5432 that nothing here uses.
    "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d || return 1
    echo 'create_main_cluster = false' | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/50-zhenxing-no-main-cluster.conf >/dev/null || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
}

# PostgreSQL refuses to run as root: as root, run its programs as the `postgres` system user
# (created like the Debian package does if it is missing); otherwise as ourselves.
_pg_ensure_user() {
    [[ $EUID -eq 0 ]] || return 0
    getent passwd postgres >/dev/null && return 0
    _pg_say "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/bash --comment "PostgreSQL administrator" postgres
}

# Runs a PostgreSQL program as the cluster's owner, from inside the temporary folder (the
# postgres user may not be allowed into the current directory).
_pg_run() {
    if [[ $EUID -eq 0 ]]; then
        (cd "$PG_TMPDIR" && runuser -u postgres -- "$@")
    else
        (cd "$PG_TMPDIR" && "$@")
    fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
_pg_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pg_server_running() {
    [[ -n "${PG_TMPDIR:-}" && -n "${_PG_BINDIR:-}" && -f "$PG_TMPDIR/data/postmaster.pid" ]] &&
        _pg_run "$_PG_BINDIR/pg_ctl" -D "$PG_TMPDIR/data" status >/dev/null 2>&1
}

_pg_show_log() {
    if [[ -n "${PG_TMPDIR:-}" && -f "$PG_TMPDIR/postgres.log" ]]; then
        _pg_say "last lines of $PG_TMPDIR/postgres.log:"
        tail -n 20 "$PG_TMPDIR/postgres.log" >&2 || true
    fi
}

pg_start() {
    if [[ -n "${_PG_STARTED:-}" ]] && _pg_server_running; then
        export PG_TMPDIR ZHENXING_TEST_POSTGRES_URL
        return 0
    fi
    # A server from an earlier pg_start in this shell that died: clean up after it first.
    if [[ -n "${_PG_STARTED:-}" ]]; then pg_stop || true; fi

    local bindir
    if ! bindir=$(_pg_find_bindir); then
        if [[ -n "${ZHENXING_PG_BINDIR:-}" ]]; then
            _pg_say "ZHENXING_PG_BINDIR=$ZHENXING_PG_BINDIR has no pg_ctl"
            return 1
        fi
        _pg_install || { _pg_say "could not install PostgreSQL"; return 1; }
        bindir=$(_pg_find_bindir) || { _pg_say "PostgreSQL installed, but no server found in /usr/lib/postgresql/*/bin"; return 1; }
    fi
    _pg_ensure_user || { _pg_say "could not create the postgres system user"; return 1; }

    local tmp
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/zhenxing-pg.XXXXXX") || return 1
    : >"$tmp/.zhenxing-pg" # marks the folder as ours: pg_stop only removes folders with it
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres:postgres "$tmp" || { rm -rf "$tmp"; return 1; }
    fi
    chmod 700 "$tmp"
    PG_TMPDIR=$tmp
    _PG_BINDIR=$bindir
    _PG_STARTED=1 # from here on pg_stop cleans up, whatever fails below

    local auth_host=${ZHENXING_PG_HOST_AUTH:-scram-sha-256}
    if ! _pg_run "$bindir/initdb" -D "$tmp/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host="$auth_host" >"$tmp/initdb.log" 2>&1; then
        _pg_say "initdb failed:"
        cat "$tmp/initdb.log" >&2 || true
        pg_stop || true
        return 1
    fi

    # Settings for a fast, private test server (port is passed per start attempt).
    if ! cat >>"$tmp/data/postgresql.conf" <<CONF
# --- throwaway test server (scripts/lib-postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    then
        pg_stop || true
        return 1
    fi

    # Take the first free port; if another process grabs it before the server binds it,
    # the server exits and the next port is tried.
    local port=${ZHENXING_PG_PORT:-54329} last=$((${ZHENXING_PG_PORT:-54329} + 100)) started=""
    while ((port < last)); do
        if _pg_port_in_use "$port"; then
            port=$((port + 1))
            continue
        fi
        # setsid: the server gets its own session, so Ctrl-C in a terminal reaches this
        # script (whose trap stops the server) rather than the server itself.
        rm -f "$tmp/postgres.log"
        if _pg_run setsid "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 60 \
            -o "-p $port" start >/dev/null 2>&1; then
            started=1
            break
        fi
        if grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' "$tmp/postgres.log" 2>/dev/null; then
            port=$((port + 1))
            continue
        fi
        _pg_say "the server did not start"
        _pg_show_log
        pg_stop || true
        return 1
    done
    if [[ -z "$started" ]]; then
        _pg_say "no free port in ${ZHENXING_PG_PORT:-54329}..$((last - 1))"
        pg_stop || true
        return 1
    fi

    # Bounded poll until the server accepts TCP connections (at most 30 s).
    local tries=0
    until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -t 2; do
        tries=$((tries + 1))
        if ((tries >= 300)); then
            _pg_say "the server on port $port did not become ready"
            _pg_show_log
            pg_stop || true
            return 1
        fi
        sleep 0.1
    done

    if ! _pg_run "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres >"$tmp/setup.log" 2>&1 <<'SQL'
CREATE ROLE zhenxing LOGIN CREATEDB PASSWORD 'zhenxing';
CREATE DATABASE zhenxing OWNER zhenxing;
-- Tests drop their databases WITH (FORCE): an autovacuum worker busy in one (it has no role of its own) may only be
-- ended by a member of pg_signal_backend; without it the drop failed now and then after a write-heavy test.
GRANT pg_signal_backend TO zhenxing;
SQL
    then
        _pg_say "could not create role and database zhenxing:"
        cat "$tmp/setup.log" >&2 || true
        pg_stop || true
        return 1
    fi

    export PG_TMPDIR
    export ZHENXING_TEST_POSTGRES_URL="postgres://zhenxing:zhenxing@127.0.0.1:$port/zhenxing"
    _pg_say "PostgreSQL $("$bindir/postgres" --version | awk '{print $NF}') running on 127.0.0.1:$port (data in $tmp)"
}

pg_stop() {
    [[ -n "${_PG_STARTED:-}" ]] || return 0
    local tmp=${PG_TMPDIR:-} bindir=${_PG_BINDIR:-}
    if [[ -n "$tmp" && -f "$tmp/data/postmaster.pid" && -n "$bindir" ]]; then
        if ! _pg_run "$bindir/pg_ctl" -D "$tmp/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
            if _pg_server_running; then
                _pg_say "fast shutdown failed; stopping the server immediately"
                _pg_run "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
            fi
            local pid
            pid=$(head -n 1 "$tmp/data/postmaster.pid" 2>/dev/null || true)
            if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -n "$tmp" && -d "$tmp" && -f "$tmp/.zhenxing-pg" ]]; then
        rm -rf -- "$tmp"
    fi
    unset _PG_STARTED _PG_BINDIR PG_TMPDIR ZHENXING_TEST_POSTGRES_URL
    return 0
}
