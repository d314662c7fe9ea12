#!/usr/bin/env bash
# The project's one test command: sets up everything on a fresh machine that has only a Swift
# toolchain and Python, runs the whole suite, and stops what it started.
#
#   scripts/test.sh            # everything
#   scripts/test.sh --filter X # passes its arguments on to `swift test`
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
RUN=$ROOT/.venv/run
PIDS=()

log() { printf '==> %s\n' "$*"; }

stop_peers() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
}
trap stop_peers EXIT

# start_peer NAME PORT COMMAND… — starts a peer on 127.0.0.1:PORT, logs to .venv/run/NAME.log,
# waits until the port accepts connections, and records the PID so it is stopped at exit.
start_peer() {
  local name=$1 port=$2
  shift 2
  "$@" >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do
    if "$VENV/bin/python" -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))"; then
      log "peer $name up on 127.0.0.1:$port (pid $!)"
      return 0
    fi
    sleep 0.2
  done
  echo "peer $name did not start; its log:" >&2
  cat "$RUN/$name.log" >&2
  return 1
}

log "Python virtualenv for the test peers (.venv)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
mkdir -p "$RUN"

log "OpenAPI description (docs/openapi.yaml) is valid OpenAPI 3.1"
"$VENV/bin/openapi-spec-validator" docs/openapi.yaml

log "OpenAPI description covers every route the server registers"
"$VENV/bin/python" scripts/check_openapi_routes.py docs/openapi.yaml Sources/SidecarServer

# Peers, each on its own port, passed to the tests through SIDECAR_TEST_* variables. With
# SIDECAR_REQUIRE_PEERS=1 a test whose peer is missing fails instead of being skipped.
export SIDECAR_REQUIRE_PEERS=1
start_peer fake-resend 47025 "$VENV/bin/python" scripts/peers/fake_resend.py --port 47025
export SIDECAR_TEST_RESEND_URL=http://127.0.0.1:47025
start_peer fake-sendgrid 47026 "$VENV/bin/python" scripts/peers/fake_sendgrid.py --port 47026
export SIDECAR_TEST_SENDGRID_URL=http://127.0.0.1:47026
start_peer smtp 47027 "$VENV/bin/python" scripts/peers/smtp_server.py \
  --starttls-port 47587 --implicit-port 47465 --control-port 47027 --cert-dir "$RUN"
export SIDECAR_TEST_SMTP_CONTROL_URL=http://127.0.0.1:47027 SIDECAR_TEST_SMTP_STARTTLS_PORT=47587
export SIDECAR_TEST_SMTP_IMPLICIT_PORT=47465 SIDECAR_TEST_SMTP_CA_FILE=$RUN/smtp-cert.pem
start_peer localstripe 47028 "$VENV/bin/python" scripts/peers/localstripe_server.py --port 47028
start_peer fake-stripe 47029 "$VENV/bin/python" scripts/peers/fake_stripe.py --port 47029 \
  --localstripe http://127.0.0.1:47028
export SIDECAR_TEST_STRIPE_URL=http://127.0.0.1:47029 SIDECAR_TEST_LOCALSTRIPE_URL=http://127.0.0.1:47028
log "fake Stripe checked with Stripe's own Python SDK"
"$VENV/bin/python" scripts/peers/check_fake_stripe.py http://127.0.0.1:47029

export SIDECAR_TEST_PYTHON=$VENV/bin/python SIDECAR_TEST_PEER_SCRIPTS=$ROOT/scripts/peers

log "storage peers: ministack (S3 and R2), gcp-storage-emulator (GCS), a fake Google token endpoint"
start_peer ministack 47566 env BIND_HOST=127.0.0.1 GATEWAY_PORT=47566 AUTH=true SERVICES=s3,iam,sts \
  IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 "$VENV/bin/ministack"
read -r S3_KEY_ID S3_SECRET < <("$VENV/bin/python" scripts/peers/s3_setup.py http://127.0.0.1:47566 sidecar-s3 sidecar-r2@auto)
export SIDECAR_TEST_S3_ENDPOINT=http://127.0.0.1:47566 SIDECAR_TEST_S3_ACCESS_KEY_ID=$S3_KEY_ID SIDECAR_TEST_S3_SECRET_ACCESS_KEY=$S3_SECRET
start_peer gcs-emulator 47023 "$VENV/bin/gcp-storage-emulator" start -H 127.0.0.1 --port 47023 --in-memory --default-bucket sidecar-gcs
start_peer gcs-token 47024 "$VENV/bin/python" scripts/peers/gcs_token_server.py 47024 "$RUN/gcs-service-account.json"
export SIDECAR_TEST_GCS_ENDPOINT=http://127.0.0.1:47023 SIDECAR_TEST_GCS_CREDENTIALS=$RUN/gcs-service-account.json \
  SIDECAR_TEST_GCS_TOKEN_STATS=http://127.0.0.1:47024/stats SIDECAR_TEST_GCS_EMULATOR_LOG=$RUN/gcs-emulator.log

# Webhook tests run the vendors' signing libraries (stripe, svix, cryptography) and the app-side
# receiver (scripts/peers/webhook_app.py, checking deliveries with standardwebhooks) with SIDECAR_TEST_PYTHON.

log "swift build (the project's own code must build without warnings)"
swift build --build-tests 2>&1 | tee "$RUN/build.log" | grep -E '^(/.*: )?(error|warning):|Compiling|Build' | grep -vE 'Compiling|\[' || true
if grep -E "^$ROOT/(Sources|Tests)/.*: warning:" "$RUN/build.log"; then
  echo "the project's own code has build warnings (above)" >&2
  exit 1
fi
if grep -qE 'error:' "$RUN/build.log" && ! grep -q 'Build complete' "$RUN/build.log"; then
  cat "$RUN/build.log" | grep -E 'error' >&2
  exit 1
fi

log "swift test"
swift test --skip-build "$@"
