#!/usr/bin/env bash
# Benchmarks of the daemon's own cost, run side by side on this machine in one go.
#
#   scripts/bench.sh [SECONDS]     # seconds per measurement (default 15)
#
# Builds release binaries (in .build-release), starts the daemon on the shipped defaults in a
# temporary directory, and measures with sidecar-loadgen (HdrHistogram percentiles; open-loop
# runs measure from each request's scheduled time). Prints one line per run and writes
# .venv/run/bench/results.txt. Nothing here is a pass/fail test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_RUN=${1:-15}
OUT=$ROOT/.venv/run/bench
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"

echo "==> release build (.build-release)"
swift build -c release --scratch-path .build-release --product sidecar >/dev/null
swift build -c release --scratch-path .build-release --product sidecar-loadgen >/dev/null
BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)

WORK=$(mktemp -d /tmp/sidecar-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/sidecar.yaml" <<YAML
listen:
  socket: $WORK/sidecar.sock
store:
  sqlite: $WORK/sidecar.db
email:
  provider: console
  from: "Acme <noreply@acme.test>"
  console:
    include_bodies: false
YAML
"$BIN/sidecar" serve --config "$WORK/sidecar.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 &
DAEMON=$!
PIDS+=($DAEMON)
for _ in $(seq 1 100); do [ -S "$WORK/sidecar.sock" ] && break; sleep 0.1; done

load() { "$BIN/sidecar-loadgen" --unix "$WORK/sidecar.sock" -d "$SECONDS_PER_RUN" "$@" | tee -a "$RESULTS"; }
SEND='{"to": "a@example.com", "subject": "Hi", "text": "Hello"}'
status() { awk -v k="$1" '$1 == k":" {print $2, $3}' "/proc/$DAEMON/status"; }

echo "==> daemon memory at idle: RssAnon $(status RssAnon), VmRSS $(status VmRSS)" | tee -a "$RESULTS"
CPU0=$(awk '{print $14 + $15}' "/proc/$DAEMON/stat")

echo "==> /healthz, closed loop"
for c in 1 16 64; do load --path /healthz -c "$c" --label "healthz c=$c"; done
echo "==> daemon memory after 64 connections: RssAnon $(status RssAnon), VmRSS $(status VmRSS)" | tee -a "$RESULTS"

echo "==> /email/send (console), open loop at 1,000 req/s: without, then with a reload every 100 ms"
load --path /email/send --method POST --body "$SEND" -c 16 --rate 1000 --label "send 1000/s, no reload"
( while true; do curl -s --unix-socket "$WORK/sidecar.sock" -X POST http://localhost/config/reload >/dev/null; sleep 0.1; done ) &
RELOADER=$!
PIDS+=($RELOADER)
load --path /email/send --method POST --body "$SEND" -c 16 --rate 1000 --label "send 1000/s, reload every 100 ms"
kill "$RELOADER" 2>/dev/null || true
RELOADS=$(curl -s --unix-socket "$WORK/sidecar.sock" http://localhost/metrics | awk '/^sidecar_config_reloads_total\{outcome="ok"\}/ {print $2}')
echo "reloads applied during the run: ${RELOADS:-0}" | tee -a "$RESULTS"

CPU1=$(awk '{print $14 + $15}' "/proc/$DAEMON/stat")
TICKS=$(getconf CLK_TCK)
echo "==> daemon CPU seconds in all: $(awk -v a="$CPU0" -v b="$CPU1" -v t="$TICKS" 'BEGIN {printf "%.2f", (b - a) / t}')" | tee -a "$RESULTS"
echo "results in $RESULTS"
