#!/usr/bin/env bash
# Contract fuzzing: schemathesis against the served /openapi.yaml and a live server, with a valid
# admin API key, every operation, and the checks that matter here (no 5xx, documented status codes,
# right content types, answers that match the schema).
#
# Usage: scripts/fuzz.sh BINARY [MAX_EXAMPLES]   (DATABASE_URL picks the database; default: a fresh SQLite file)
# scripts/test.sh runs a bounded pass; run it by hand with a larger MAX_EXAMPLES (e.g. 500) for a long one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BINARY="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
MAX_EXAMPLES="${2:-25}"
WORK="$(mktemp -d /tmp/cipherscale-fuzz.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check schemathesis >&2
fi
export DATABASE_URL="${DATABASE_URL:-sqlite://$WORK/fuzz.sqlite}"
export LOG_LEVEL=error INVITATION_RATE_LIMIT=0 RATE_LIMIT=0 MAIL_DIR="$WORK/mail"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

KEY="$(cd "$WORK" && "$BINARY" tenants create --name "Fuzz tenant" --owner-email owner@fuzz.example --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["apiKey"])')"
(cd "$WORK" && exec "$BINARY" serve --port "$PORT") &
SERVER_PID=$!
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
    sleep 0.1
done

schemathesis run "http://127.0.0.1:$PORT/openapi.yaml" \
    --header "apikey: $KEY" \
    --max-examples "$MAX_EXAMPLES" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --seed "${FUZZ_SEED:-1}" --no-color
