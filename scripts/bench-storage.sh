#!/usr/bin/env bash
# The 1 GiB storage benchmark: upload and download of one 1 GiB object through the daemon, on the
# filesystem and on S3 (ministack), with MB/s and the daemon's peak RSS against its idle RSS.
#
#   scripts/bench-storage.sh [MIB]     # object size in MiB (default 1024)
#
# Uses the release build (.build-release) and the test virtualenv's ministack (run
# scripts/test.sh once first). Results are appended to .venv/run/bench/storage.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MIB=${1:-1024}
OUT=$ROOT/.venv/run/bench
mkdir -p "$OUT"
RESULTS=$OUT/storage.txt
swift build -c release --scratch-path .build-release --product sidecar >/dev/null 2>&1
BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)
WORK=$(mktemp -d /tmp/sidecar-bench-storage.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

BIND_HOST=127.0.0.1 GATEWAY_PORT=48566 AUTH=true SERVICES=s3,iam,sts IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 \
  "$ROOT/.venv/bin/ministack" >"$WORK/ministack.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/48566) 2>/dev/null && break; sleep 0.2; done
read -r KEY SECRET < <("$ROOT/.venv/bin/python" scripts/peers/s3_setup.py http://127.0.0.1:48566 bench-bucket)
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$WORK/object.bin"
SUM=$(sha256sum "$WORK/object.bin" | cut -c1-64)
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status"; }

measure() {
  local name=$1 block=$2
  cat >"$WORK/$name.yaml" <<YAML
listen:
  socket: $WORK/$name.sock
store:
  sqlite: $WORK/$name.db
storage:
  max_upload_bytes: $((MIB * 1024 * 1024 + 1))
$block
YAML
  "$BIN/sidecar" serve --config "$WORK/$name.yaml" --log-level error --watch-interval 0 >/dev/null 2>&1 & local pid=$!
  PIDS+=($pid)
  for _ in $(seq 1 100); do [ -S "$WORK/$name.sock" ] && break; sleep 0.1; done
  local idle; idle=$(kb VmRSS "$pid")
  local up down
  up=$(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$WORK/$name.sock" -H 'Content-Type: application/octet-stream' \
    -X POST -T "$WORK/object.bin" "http://localhost/storage/upload?key=bench/object.bin")
  down=$(curl -s -o "$WORK/$name.out" -w '%{time_total}' --unix-socket "$WORK/$name.sock" "http://localhost/storage/download?key=bench/object.bin")
  local peak; peak=$(kb VmHWM "$pid")
  local check; check=$(sha256sum "$WORK/$name.out" | cut -c1-64)
  rm -f "$WORK/$name.out"
  echo "$name ${MIB} MiB: upload $(awk -v m="$MIB" -v t="$up" 'BEGIN {printf "%.0f", m / t}') MiB/s," \
    "download $(awk -v m="$MIB" -v t="$down" 'BEGIN {printf "%.0f", m / t}') MiB/s," \
    "RSS idle $((idle / 1024)) MiB, peak $((peak / 1024)) MiB (+$(((peak - idle) / 1024)) MiB)," \
    "sha256 $([ "$check" = "$SUM" ] && echo equal || echo DIFFERENT)" | tee -a "$RESULTS"
  kill "$pid"
}

measure filesystem "  provider: filesystem
  filesystem:
    root: $WORK/storage"
measure s3 "  provider: s3
  s3:
    bucket: bench-bucket
    region: us-east-1
    endpoint: http://127.0.0.1:48566
    path_style: true
    access_key_id: $KEY
    secret_access_key: $SECRET"
