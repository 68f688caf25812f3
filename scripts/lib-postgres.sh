# Throwaway PostgreSQL on 127.0.0.1 for tests and development. Source it, then call
# pg_start (exports ZHENXING_TEST_POSTGRES_URL) and pg_stop. Installs the Debian package when
# the server binaries are missing; runs the server as the non-root `postgres` user.

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

pg_install() {
    pg_bin >/dev/null && return 0
    echo "PostgreSQL server not found: installing it from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    pg_bin >/dev/null
}

pg_free_port() {
    local port
    for port in $(seq 54329 54429); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    return 1
}

pg_start() {
    pg_install
    local bin port
    bin=$(pg_bin)
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    PG_TMPDIR=$(mktemp -d /tmp/zhenxing-pg.XXXXXX)
    chown postgres "$PG_TMPDIR"
    chmod 700 "$PG_TMPDIR"
    port=$(pg_free_port)
    runuser -u postgres -- "$bin/initdb" -D "$PG_TMPDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_TMPDIR/data" -l "$PG_TMPDIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_TMPDIR -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
    runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE zhenxing LOGIN PASSWORD 'zhenxing' CREATEDB" -c "CREATE DATABASE zhenxing OWNER zhenxing"
    PG_PORT=$port
    export PG_TMPDIR PG_PORT
    export ZHENXING_TEST_POSTGRES_URL="postgres://zhenxing:zhenxing@127.0.0.1:$port/zhenxing"
}

pg_stop() {
    [ -n "${PG_TMPDIR:-}" ] && [ -d "$PG_TMPDIR" ] || return 0
    runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$PG_TMPDIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMPDIR"
    unset PG_TMPDIR
}
