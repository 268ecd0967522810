#!/usr/bin/env bash
# Load-test a freshly started local API against the already-built default database.
#
#   scripts/load.sh                                  # 20 clients for 10 s, tenant 1
#   LOAD_CLIENTS=50 LOAD_SECONDS=30 TENANT_ID=2 scripts/load.sh
#   scripts/load.sh --campaign-id 3 --json           # extra arguments go to scripts/load_test.py
#
# It starts `telesales-reports serve` on a free loopback port in the background, gets a token with
# `telesales-reports token`, runs scripts/load_test.py (loopback only, stops by itself), then stops
# the server. Build the default database first if needed: `telesales-reports demo` (or generate + build).
# Exit status: that of load_test.py (0 = no errors, 1 = errors), or 3 when the server is not usable.
set -euo pipefail
cd "$(dirname "$0")/.."

CLI=.venv/bin/telesales-reports
PY=.venv/bin/python
TENANT_ID="${TENANT_ID:-1}"
CLIENTS="${LOAD_CLIENTS:-20}"
DURATION="${LOAD_SECONDS:-10}"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT/api/telesales/reports"
SERVER_LOG="$(mktemp -t telesales-load-server.XXXXXX.log)"

"$CLI" serve --host 127.0.0.1 --port "$PORT" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT INT TERM

TOKEN="$("$CLI" token --tenant-id "$TENANT_ID" | tail -n 1)"

# Wait (at most 60 s) until the server answers, and check that the database is built.
if ! "$PY" - "$BASE" "$TOKEN" "$SERVER_PID" <<'PY'
import os, sys, time, urllib.error, urllib.request

base, token, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(f"{base}/openapi.json", timeout=5).read()
        break
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("the server exited before answering")
        if time.monotonic() > deadline:
            sys.exit("the server did not answer within 60 s")
        time.sleep(0.5)
request = urllib.request.Request(
    f"{base}/dashboard?date_from=2026-01-01&date_to=2026-01-02", headers={"Authorization": f"Bearer {token}"}
)
try:
    urllib.request.urlopen(request, timeout=30).read()
except urllib.error.HTTPError as exc:
    if exc.code == 503:
        sys.exit("the database answers 503: build it first (telesales-reports demo, or generate + build)")
    sys.exit(f"unexpected answer {exc.code}: {exc.read()[:200]!r}")
PY
then
    echo "server log: $SERVER_LOG" >&2
    exit 3
fi

echo "load test: $CLIENTS clients for $DURATION s against $BASE (tenant $TENANT_ID)"
set +e
"$PY" scripts/load_test.py --url "$BASE" --token "$TOKEN" --clients "$CLIENTS" --seconds "$DURATION" \
    --tenant-id "$TENANT_ID" "$@"
status=$?
set -e
[ "$status" -eq 0 ] || echo "server log: $SERVER_LOG" >&2
exit "$status"
