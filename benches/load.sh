#!/usr/bin/env bash
# The load benchmark, side by side with the peers, in one command from a clean checkout:
#
#   benches/load.sh [seconds] [connections] [rounds]      (default 10 32 3, as bench.sh)
#
# Builds the hub in release (in its own target directory, $HOME/.cache/lgsp-bench-target, or
# LGSP_BENCH_TARGET_DIR) and the bench-person adapter; starts the peers with
# ../shared/peers/start.sh; starts the hub pinned to CPU 1 with one Tokio worker, with a
# service doing the peers' mapping (benches/bench-person.toml.in); checks that the hub
# answers the peers' request with 200 and refuses a bad one with 422; runs
# ../shared/peers/bench.sh with LGSP_URL; and prints every peer and the hub as requests per
# second (median of the rounds) and as a ratio to the axum plain proxy. Stops what it
# started, by process id, on the way out. Set PEERS_DIR to use peers from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PEERS=${PEERS_DIR:-$ROOT/../shared/peers}
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
ROUNDS=${3:-3}
PORT=${LGSP_BENCH_PORT:-18480}
KEY=bench-key-agency-a

if [ ! -x "$PEERS/start.sh" ] || [ ! -x "$PEERS/bench.sh" ]; then
    echo "load: no peers at $PEERS (the shared/peers folder next to this checkout);" \
        "set PEERS_DIR to where start.sh and bench.sh are" >&2
    exit 2
fi
# Peers or a hub left running would answer in place of the ones this run starts, and
# stopping them afterwards would stop someone else's; refuse instead.
for port in 8081 8082 8083 8084 9100 "$PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "load: 127.0.0.1:$port is already in use (peers left running? $PEERS/stop.sh" \
            "stops them; LGSP_BENCH_PORT moves the hub)" >&2
        exit 2
    fi
done

export CARGO_TARGET_DIR=${LGSP_BENCH_TARGET_DIR:-$HOME/.cache/lgsp-bench-target}
bash scripts/setup.sh
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

echo "load: building the hub (release) in $CARGO_TARGET_DIR" >&2
cargo build --release --quiet -p lgsp
BIN=$CARGO_TARGET_DIR/release/lgsp
RUN=$(mktemp -d "${TMPDIR:-/tmp}/lgsp-load.XXXXXX")
"$BIN" adapter build sample-adapters/bench-person --out "$RUN/adapters" \
    --target-dir "$CARGO_TARGET_DIR/wasm" >&2

sed -e "s|@LISTEN@|127.0.0.1:$PORT|" -e "s|@DATA@|$RUN/data|" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@COMPONENT@|$RUN/adapters/bench-person.wasm|" \
    -e "s|@UPSTREAM@|http://127.0.0.1:9100/ingest|" \
    -e "s|@KEY_SHA256@|$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)|" \
    benches/bench-person.toml.in >"$RUN/lgsp.toml"

HUB_PID=
stop() {
    [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null
    "$PEERS/stop.sh" || true
}
trap stop EXIT

"$PEERS/start.sh" >&2
# One worker thread, as every peer under test has one; the whole process on CPU 1.
TOKIO_WORKER_THREADS=1 taskset -c 1 "$BIN" serve --config "$RUN/lgsp.toml" \
    >"$RUN/hub.log" 2>&1 &
HUB_PID=$!

URL=http://127.0.0.1:$PORT/v1/exchange/person.submit
post() { curl -s -o "$RUN/answer" -w '%{http_code}' -X POST "$URL" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "$1"; }
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    kill -0 "$HUB_PID" 2>/dev/null || { cat "$RUN/hub.log" >&2; exit 1; }
    sleep 0.1
done
status=$(post "$(cat "$PEERS/body.json")")
if [ "$status" != 200 ] || [ "$(cat "$RUN/answer")" != '{"accepted":true}' ]; then
    echo "load: the hub answered $status: $(cat "$RUN/answer")" >&2
    exit 1
fi
status=$(post '{"firstName":"","lastName":"Silva","dob":"31/01/1990","nationalId":"12"}')
if [ "$status" != 422 ]; then
    echo "load: a bad person got $status, not 422: $(cat "$RUN/answer")" >&2
    exit 1
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
LGSP_URL=$URL LGSP_HEADER="Authorization: Bearer $KEY" \
    "$PEERS/bench.sh" "$SECONDS_PER_RUN" "$CONNECTIONS" "$ROUNDS" | tee "$RUN/bench.txt"
if ! kill -0 "$HUB_PID" 2>/dev/null; then
    echo "load: the hub exited during the run, so its figures mean nothing; see $RUN/hub.log" >&2
    exit 1
fi
echo "load after:  $(uptime | sed 's/.*load average/load average/')"

# bench.sh prints the name in 26 columns, then "<n> req/s  non200=<n> p50=..us p99=..us".
awk '
    /^round/ { next }
    {
        name = substr($0, 1, 26); sub(/ +$/, "", name)
        split(substr($0, 27), f, " ")
        if (!(name in count)) order[++names] = name
        rate[name, ++count[name]] = f[1]
        for (i = 1; i <= length(f); i++) if (f[i] ~ /^non200=/) { split(f[i], x, "="); bad[name] += x[2] }
    }
    END {
        for (n = 1; n <= names; n++) {
            name = order[n]; k = count[name]
            for (i = 1; i <= k; i++) v[i] = rate[name, i] + 0
            for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            med[name] = (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
        }
        base = med["axum plain proxy"]
        printf "\n%-26s %12s %10s %8s\n", "median of the rounds", "req/s", "x axum", "non200"
        for (n = 1; n <= names; n++) {
            name = order[n]
            printf "%-26s %12.0f %10.2f %8d\n", name, med[name], base ? med[name] / base : 0, bad[name]
        }
    }' "$RUN/bench.txt"
echo "hub log: $RUN/hub.log"
