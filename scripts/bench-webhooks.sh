#!/usr/bin/env bash
# Webhook intake throughput with durable SQLite commits, and delivery latency to a local app.
#
#   scripts/bench-webhooks.sh [SECONDS]    # seconds per measurement (default 10)
#
# sidecar-loadgen posts Standard Webhooks events (a unique, correctly signed webhook-id each) to the
# webhook listener: first with no delivery target (intake only), then delivering every event to
# the floor server standing in for the app. Results go to .venv/run/bench/webhooks.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN_SECONDS=${1:-10}
OUT=$ROOT/.venv/run/bench
mkdir -p "$OUT"
RESULTS=$OUT/webhooks.txt
: >"$RESULTS"
for product in sidecar sidecar-loadgen sidecar-bench-server; do
  swift build -c release --scratch-path .build-release --product "$product" >/dev/null 2>&1
done
BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)
WORK=$(mktemp -d /tmp/sidecar-bench-webhooks.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
"$BIN/sidecar-bench-server" --mode floor --unix "$WORK/app.sock" & PIDS+=($!)

# run NAME PORT DELIVERY-YAML LOADGEN-ARGS… (one loadgen run per argument string)
run() {
  local name=$1 port=$2 delivery=$3
  shift 3
  cat >"$WORK/$name.yaml" <<YAML
listen:
  socket: $WORK/$name.sock
webhooks_listen: 127.0.0.1:$port
store:
  sqlite: $WORK/$name.db
webhooks:
$delivery
  sources:
    bench:
      scheme: standard
      secret: $SECRET
YAML
  "$BIN/sidecar" serve --config "$WORK/$name.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 & local pid=$!
  PIDS+=($pid)
  for _ in $(seq 1 100); do [ -S "$WORK/$name.sock" ] && break; sleep 0.1; done
  for args in "$@"; do
    # shellcheck disable=SC2086
    "$BIN/sidecar-loadgen" --tcp "127.0.0.1:$port" --path /webhooks/bench --method POST \
      --body '{"type": "bench.event", "data": {"n": 1}}' --webhook-secret "$SECRET" -d "$RUN_SECONDS" \
      --label "$name $args" $args | tee -a "$RESULTS"
  done
  sleep 2
  curl -s --unix-socket "$WORK/$name.sock" http://localhost/metrics >"$WORK/$name.metrics"
  "$ROOT/.venv/bin/python" - "$WORK/$name.metrics" <<'PY' | tee -a "$RESULTS"
import re, sys
buckets, count = [], 0
for line in open(sys.argv[1]):
    m = re.match(r'sidecar_webhooks_delivery_latency_seconds_bucket\{.*le="([^"]+)"\} (\S+)', line)
    if m:
        buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
    m = re.match(r'sidecar_webhooks_(\w+)_total(\{[^}]*\})? (\S+)', line)
    if m and m.group(1) in ("received", "delivered", "failed"):
        print(f"  {m.group(1)}: {int(float(m.group(3)))}")
if buckets and buckets[-1][1] > 0:
    total = buckets[-1][1]
    for q in (0.5, 0.99):
        print(f"  delivery latency p{int(q * 100)} ≤ {next(le for le, n in buckets if n >= q * total)} s")
PY
  kill "$pid"
}

# Intake alone, as fast as 16 and 64 connections go.
run intake 47911 "  max_attempts: 8" "-c 16" "-c 64"
# Delivering every event to the app while 1,000 events/s arrive (below capacity, so the latency is
# the pipeline's, not a backlog's).
run delivered 47912 "  deliver_to: unix://$WORK/app.sock:/hooks
  signing_secret: $SECRET" "-c 16 --rate 1000"
echo "results in $RESULTS"
