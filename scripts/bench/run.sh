#!/usr/bin/env bash
# Benchmarks of docs/PERFORMANCE.md: seed N alerts over T tenants, then measure HTTP ingest and list with wrk.
# Connector push throughput is measured in process: rampart bench push --alerts 100000 --format cef.
# Usage: [ONLY=ingest] scripts/bench/run.sh sqlite|postgres [ALERTS] [TENANTS] [SECONDS]
# Builds in release into .build-release; PostgreSQL is a throw-away cluster started by scripts/start-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-sqlite}
alerts=${2:-1000000}
tenants=${3:-100}
seconds=${4:-30}
work=$(mktemp -d /tmp/rampart-bench.XXXXXX)
port=18080
swift build -c release --scratch-path .build-release --product rampart >/dev/null
bin=$(swift build -c release --scratch-path .build-release --show-bin-path)/rampart
storage=(--data-dir "$work/data")
pg_dir=$(mktemp -d /tmp/rampart-bench-pg.XXXXXX)
if [ "$kind" = postgres ]; then
  pg_env=$(scripts/start-postgres.sh "$pg_dir")
  eval "$pg_env"
  storage+=(--database-url "$RAMPART_TEST_DATABASE_URL")
  trap 'scripts/stop-postgres.sh "$pg_dir"' EXIT
fi
echo "== seeding $alerts alerts over $tenants tenants ($kind, in process)"
"$bin" bench seed "${storage[@]}" --tenants "$tenants" --alerts "$alerts" --output "$work/apps.json" --log-level warning
# Throttling off: the load generator is one client per tenant sending far beyond Defender's allowance.
RAMPART_API_RATE_PER_MINUTE=0 RAMPART_API_RATE_PER_HOUR=0 \
  "$bin" serve "${storage[@]}" --port $port --log-level warning > "$work/serve.out" 2> "$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; [ "$kind" = postgres ] && scripts/stop-postgres.sh "$pg_dir"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
tokens() {
python3 - "$1" "$port" <<'PY'
import json, sys, requests
apps, port = json.load(open(sys.argv[1])), sys.argv[2]
tokens = []
for app in apps:
    r = requests.post(f"http://127.0.0.1:{port}/{app['tenant']}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": app["clientID"], "client_secret": app["clientSecret"],
        "scope": "https://api.securitycenter.microsoft.com/.default"}, timeout=30)
    r.raise_for_status()
    tokens.append(r.json()["access_token"])
print("return {" + ",".join(f'"{t}"' for t in tokens) + "}")
PY
}
tokens "$work/apps.json" > "$work/tokens.lua"
tokens "$work/apps.json.mssp.json" > "$work/mssp-tokens.lua"
export TOKENS_LUA="$work/tokens.lua"
# ONLY=ingest skips the read benchmarks (profiling the ingest path).
if [ "${ONLY:-}" != ingest ]; then
for connections in 1 4 16; do
  echo "== GET /api/alerts?\$top=100, $connections connection(s), ${seconds}s"
  wrk -t$((connections < 2 ? 1 : 2)) -c$connections -d"${seconds}s" --latency -s scripts/bench/list.lua "http://127.0.0.1:$port" | tail -n 3
done
filtered="/api/alerts?\$filter=status%20eq%20%27New%27%20and%20severity%20eq%20%27High%27&\$top=100"
for connections in 1 4; do
  echo "== GET $filtered, $connections connection(s), ${seconds}s"
  QUERY="$filtered" wrk -t1 -c$connections -d"${seconds}s" --latency -s scripts/bench/list.lua "http://127.0.0.1:$port" | tail -n 3
done
echo "== GET /api/alerts?\$top=10000, 1 connection, ${seconds}s"
QUERY="/api/alerts?\$top=10000" wrk -t1 -c1 -d"${seconds}s" --timeout 30s --latency -s scripts/bench/list.lua "http://127.0.0.1:$port" | tail -n 3
echo "== GET /api/mssp/alerts?\$top=100 across $tenants tenants (an MSSP app authorized in each), 1 connection, ${seconds}s"
TOKENS_LUA="$work/mssp-tokens.lua" QUERY="/api/mssp/alerts?\$top=100" \
  wrk -t1 -c1 -d"${seconds}s" --timeout 30s --latency -s scripts/bench/list.lua "http://127.0.0.1:$port" | tail -n 3
echo "== GET /siem/api/alerts?ago=P1D&limit=10000 (SIEM API, 10,000 flat detections), 1 connection, ${seconds}s"
QUERY="/siem/api/alerts?ago=P1D&limit=10000" \
  wrk -t1 -c1 -d"${seconds}s" --timeout 30s --latency -s scripts/bench/large.lua "http://127.0.0.1:$port" | tail -n 3
fi
# Share of both cores busy (all processes, wrk included) while a command runs: tells CPU-bound from waiting.
busy() {
  read -r _ a1 b1 c1 d1 e1 f1 g1 _ < /proc/stat
  "$@"
  read -r _ a2 b2 c2 d2 e2 f2 g2 _ < /proc/stat
  local work=$(( (a2+b2+c2+f2+g2) - (a1+b1+c1+f1+g1) )) idle=$(( (d2+e2) - (d1+e1) ))
  echo "cpu busy: $(( 100 * work / (work + idle) ))%"
}
connections=${CONNECTIONS:-4}
echo "== POST /ingest/v1/alerts, batches of 500, 2 threads, $connections connections, ${seconds}s"
BATCH=500 busy wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s -s scripts/bench/ingest.lua "http://127.0.0.1:$port" | tail -n 4
echo "== POST /ingest/v1/suricata, EVE JSON lines in batches of 1000, 2 threads, $connections connections, ${seconds}s"
FORMAT=suricata BATCH=1000 busy wrk -t2 -c"$connections" -d"${seconds}s" --timeout 60s -s scripts/bench/ingest.lua "http://127.0.0.1:$port" | tail -n 4
echo "== the same with merging hot (5 signatures on 4 hosts per tenant), ${seconds}s"
HOT=1 FORMAT=suricata BATCH=1000 busy wrk -t2 -c"$connections" -d"${seconds}s" --timeout 60s -s scripts/bench/ingest.lua "http://127.0.0.1:$port" | tail -n 4
