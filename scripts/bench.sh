#!/usr/bin/env bash
# Benchmarks of the daemon's own cost, run side by side on this machine in one go.
#
#   scripts/bench.sh [SECONDS]     # seconds per measurement (default 10)
#
# Builds release binaries (in .build-release) and measures, with the project's load generator
# (sidecar-loadgen: HTTP/1.1 keep-alive, HdrHistogram percentiles; open-loop runs measure from
# each request's scheduled time), in one run:
#   floor   — a minimal NIO server on a Unix socket answering fixed JSON
#   direct  — the fast Resend-shaped fake vendor called directly over loopback TCP
#   daemon  — the daemon's /email/send over its socket → the same fake vendor
#   daemon1 — the same on one event-loop thread (SIDECAR_EVENT_LOOP_THREADS=1), as nginx's one worker
#   nginx   — nginx on a Unix socket proxying to the same fake vendor (installed if missing)
#   console — the daemon's /email/send with console email, /healthz, a 64 KiB filesystem upload
# at 1,000 and 5,000 req/s and closed-loop with 1, 16 and 64 connections; then console sends
# with and without a reload every 100 ms; plus the daemon's memory and CPU per 1,000 requests.
# Prints one line per run and writes .venv/run/bench/results.txt. Nothing here is pass/fail.
# Micro-benchmarks of single hot pieces are separate: swift package --package-path Benchmarks benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN_SECONDS=${1:-10}
OUT=$ROOT/.venv/run/bench
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"
log() { echo "==> $*" | tee -a "$RESULTS"; }

if ! command -v nginx >/dev/null; then
  echo "==> installing nginx (Debian package)"
  apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null
fi

echo "==> release build (.build-release)"
for product in sidecar sidecar-loadgen sidecar-bench-server; do
  swift build -c release --scratch-path .build-release --product "$product" 2>&1 | grep -E "error|Compiling sidecar" || true
done
BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)

WORK=$(mktemp -d /tmp/sidecar-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_socket() { for _ in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "no socket $1" >&2; exit 1; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; exit 1; }

# The reference servers.
VENDOR_PORT=47901
"$BIN/sidecar-bench-server" --mode floor --unix "$WORK/floor.sock" & PIDS+=($!)
"$BIN/sidecar-bench-server" --mode resend --port "$VENDOR_PORT" & PIDS+=($!)
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  upstream vendor { server 127.0.0.1:$VENDOR_PORT; keepalive 64; }
  server {
    listen unix:$WORK/nginx.sock;
    location / { proxy_pass http://vendor; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' & PIDS+=($!)

# Daemon A sends through the fake vendor; daemon B runs the offline defaults.
cat >"$WORK/vendor.yaml" <<YAML
listen:
  socket: $WORK/daemon.sock
store:
  sqlite: $WORK/vendor.db
email:
  provider: resend
  from: "Acme <noreply@acme.test>"
  resend:
    api_key: re_benchmark
    base_url: http://127.0.0.1:$VENDOR_PORT
YAML
cat >"$WORK/console.yaml" <<YAML
listen:
  socket: $WORK/console.sock
store:
  sqlite: $WORK/console.db
email:
  provider: console
  from: "Acme <noreply@acme.test>"
  console:
    include_bodies: false
storage:
  provider: filesystem
  filesystem:
    root: $WORK/storage
YAML
"$BIN/sidecar" serve --config "$WORK/vendor.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 & DAEMON=$!; PIDS+=($DAEMON)
# Daemon A1: daemon A's configuration on one event-loop thread (nginx above runs one worker).
sed -e "s|$WORK/daemon.sock|$WORK/daemon1.sock|" -e "s|$WORK/vendor.db|$WORK/vendor1.db|" "$WORK/vendor.yaml" >"$WORK/vendor1.yaml"
SIDECAR_EVENT_LOOP_THREADS=1 "$BIN/sidecar" serve --config "$WORK/vendor1.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 & DAEMON1=$!; PIDS+=($DAEMON1)
"$BIN/sidecar" serve --config "$WORK/console.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 & CONSOLE=$!; PIDS+=($CONSOLE)
wait_socket "$WORK/floor.sock"; wait_socket "$WORK/nginx.sock"; wait_socket "$WORK/daemon.sock"; wait_socket "$WORK/daemon1.sock"; wait_socket "$WORK/console.sock"
wait_port "$VENDOR_PORT"

SEND='{"to": "a@example.com", "subject": "Hi", "text": "Hello"}'
head -c 65536 /dev/urandom >"$WORK/64k.bin"
status() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

log "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
log "daemon idle: RssAnon $(status RssAnon "$DAEMON") kB, VmRSS $(status VmRSS "$DAEMON") kB"

# run LABEL TARGET-ARGS… — one measurement; the daemon's CPU per 1,000 requests when it is in the path.
run() {
  local label=$1; shift
  local before after line requests pid=$DAEMON
  case $label in daemon1*) pid=$DAEMON1;; esac
  before=$(cpu_ticks "$pid")
  line=$("$BIN/sidecar-loadgen" -d "$RUN_SECONDS" --label "$label" "$@")
  after=$(cpu_ticks "$pid")
  requests=$(echo "$line" | grep -oE '[0-9]+ requests' | awk '{print $1}')
  case $label in daemon*) line="$line | daemon CPU $(awk -v a="$before" -v b="$after" -v t="$TICKS" -v n="$requests" 'BEGIN {printf "%.3f", (b - a) / t / n * 1000}') s per 1k req";; esac
  echo "$line" | tee -a "$RESULTS"
}

FLOOR=(--unix "$WORK/floor.sock" --path /email/send --method POST --body "$SEND")
DIRECT=(--tcp "127.0.0.1:$VENDOR_PORT" --path /emails --method POST --body "$SEND")
VIA_DAEMON=(--unix "$WORK/daemon.sock" --path /email/send --method POST --body "$SEND")
VIA_DAEMON1=(--unix "$WORK/daemon1.sock" --path /email/send --method POST --body "$SEND")
VIA_NGINX=(--unix "$WORK/nginx.sock" --path /emails --method POST --body "$SEND")

for rate in 1000 5000; do
  log "open loop at $rate req/s, 16 connections"
  run "floor   $rate/s" "${FLOOR[@]}" -c 16 --rate "$rate"
  run "direct  $rate/s" "${DIRECT[@]}" -c 16 --rate "$rate"
  run "daemon  $rate/s" "${VIA_DAEMON[@]}" -c 16 --rate "$rate"
  run "daemon1 $rate/s" "${VIA_DAEMON1[@]}" -c 16 --rate "$rate"
  run "nginx   $rate/s" "${VIA_NGINX[@]}" -c 16 --rate "$rate"
done
for c in 1 16 64; do
  log "closed loop, $c connection(s)"
  run "floor   c=$c" "${FLOOR[@]}" -c "$c"
  run "direct  c=$c" "${DIRECT[@]}" -c "$c"
  run "daemon  c=$c" "${VIA_DAEMON[@]}" -c "$c"
  run "daemon1 c=$c" "${VIA_DAEMON1[@]}" -c "$c"
  run "nginx   c=$c" "${VIA_NGINX[@]}" -c "$c"
done
log "daemon after 64 connections: RssAnon $(status RssAnon "$DAEMON") kB, VmRSS $(status VmRSS "$DAEMON") kB"

log "offline providers (daemon B), 16 connections, 1000 req/s"
run "console send" --unix "$WORK/console.sock" --path /email/send --method POST --body "$SEND" -c 16 --rate 1000
run "healthz" --unix "$WORK/console.sock" --path /healthz -c 16 --rate 1000
run "upload 64 KiB" --unix "$WORK/console.sock" --path "/storage/upload?key=bench/object.bin" --method POST \
  --body-file "$WORK/64k.bin" --content-type application/octet-stream -c 16 --rate 1000

log "console send at 1000 req/s without, then with a reload every 100 ms"
run "no reload" --unix "$WORK/console.sock" --path /email/send --method POST --body "$SEND" -c 16 --rate 1000
# The reloads come from a second generator on its own connection: 10 per second, no process spawns.
"$BIN/sidecar-loadgen" --unix "$WORK/console.sock" --path /config/reload --method POST -c 1 --rate 10 \
  -d "$((RUN_SECONDS + 2))" --warmup 0 --label "reloads" >"$OUT/reloads.txt" & RELOADER=$!; PIDS+=($RELOADER)
run "reload every 100 ms" --unix "$WORK/console.sock" --path /email/send --method POST --body "$SEND" -c 16 --rate 1000
wait "$RELOADER" || true
tee -a "$RESULTS" <"$OUT/reloads.txt"
echo "results in $RESULTS"
