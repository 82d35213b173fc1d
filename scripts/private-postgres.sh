#!/usr/bin/env bash
# A private, throwaway PostgreSQL instance for fault tests (never the shared server):
#
#   scripts/private-postgres.sh start DIR [PORT]   # initdb into DIR/data, start on 127.0.0.1:PORT,
#                                                  # print postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/private-postgres.sh restart DIR        # pg_ctl restart -m fast (drops every connection)
#   scripts/private-postgres.sh stop DIR           # stop it (DIR is left for the caller to delete)
#
# Trust authentication on loopback only; fsync off (the data is thrown away). Binaries come
# from PG_BIN, else the newest /usr/lib/postgresql/*/bin. Run as root, the server runs as the
# `postgres` OS user, which is given DIR.
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | restart DIR | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1
dir=$(realpath -m "$2")
data="$dir/data"

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL binaries not found (set PG_BIN or install postgresql)" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
  start)
    port=${3:-$(free_port)}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$dir"
      chmod 700 "$dir"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
      }
    fi
    # Sockets in DIR, so the instance never touches /var/run/postgresql of the shared server.
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
      -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=100 -c full_page_writes=off" >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -w -t 60 -m fast stop >/dev/null
    fi
    ;;
  *)
    usage
    ;;
esac
