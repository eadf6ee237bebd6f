#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster owned by this run, on loopback only, and prints its URL.
# Usage: env=$(scripts/start-postgres.sh DIR [PORT]) && eval "$env"   (stop it with scripts/stop-postgres.sh DIR)
# Without PORT a free one is chosen. Fails, printing nothing, when the cluster does not start.
set -euo pipefail
dir=${1:-/tmp/rampart-pg}
port=${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
run "$bin/initdb" -D "$dir/data" -U rampart --auth=trust -E UTF8 >/dev/null
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" start >/dev/null
run "$bin/createdb" -h 127.0.0.1 -p "$port" -U rampart rampart_test
echo "export RAMPART_PG_PORT=$port RAMPART_TEST_DATABASE_URL=postgres://rampart@127.0.0.1:$port/rampart_test?sslmode=disable"
