#!/usr/bin/env bash
# Contract fuzzing: schemathesis against the served /openapi.yaml and a live server, with a valid
# admin API key, every operation, and schemathesis' default checks (all of them: no 5xx, documented
# status codes, headers and content types, schema-conformant answers, valid requests accepted and
# invalid ones refused, unsupported methods, missing headers, deleted resources gone, ...).
#
# Two adjustments, each because the check cannot know something the contract cannot put in a schema;
# neither lets a request the document calls valid be refused for its shape:
# - positive_data_acceptance also expects 412 and 422 for valid data. 412: a generated If-Match
#   names no current ETag, and RFC 9110 13.1.1 requires 412 when the precondition is false. 422: a
#   generated body names ids (groups, roles, users) that do not exist in the tenant, which the
#   schema cannot know (as 404 for a path id, which the check already allows), and generated
#   Idempotency-Keys repeat across requests, which the Idempotency-Key draft answers with 422.
# - scripts/fuzz_hooks.py drops a positive_data_acceptance failure only when the 400 names nothing but
#   a rule the document states in words because OpenAPI cannot state it: an `after` cursor the server
#   never issued, rolesOnly and groupsOnly both true, the group named in neither or differently in
#   query and body, both role lists empty, one email twice in a batch (in any case), a NUL inside a
#   free-form object. The summary counts what it dropped ("Filtered: N (dropped by `filter_failure`)").
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
    python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5' >&2
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

cat > "$WORK/schemathesis.toml" <<'TOML'
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
TOML
SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}" \
    schemathesis --config-file "$WORK/schemathesis.toml" run "http://127.0.0.1:$PORT/openapi.yaml" \
    --header "apikey: $KEY" \
    --max-examples "$MAX_EXAMPLES" \
    --seed "${FUZZ_SEED:-1}" --no-color
