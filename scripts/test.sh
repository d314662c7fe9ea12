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

# Peers of later vendor families are started here with start_peer, each on its own port, and
# passed to the tests through SIDECAR_TEST_* environment variables.
export SIDECAR_REQUIRE_PEERS=1

# Webhook tests run the vendors' signing libraries (stripe, svix, cryptography) and the app-side
# receiver (scripts/peers/webhook_app.py, checking deliveries with standardwebhooks) with this Python.
export SIDECAR_TEST_PYTHON="$VENV/bin/python"

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
