#!/usr/bin/env bash
# Stops the cluster started by start-postgres.sh.
set -uo pipefail
dir=${1:-/tmp/rampart-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1; else "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1; fi
exit 0
