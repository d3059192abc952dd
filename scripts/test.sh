#!/usr/bin/env bash
# Run the full test suite twice: once against SQLite and once against a
# throwaway PostgreSQL cluster (started/stopped by scripts/postgres.sh).
#
# Usage: scripts/test.sh [extra `swift test` args, e.g. --filter FooTests]
#
# Exit status is non-zero if either run fails; both runs always happen.
set -euo pipefail

# Always work from the repository root (the parent of this script's folder).
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Make the toolchain in /opt/swift usable when it is not on PATH yet.
if ! command -v swift >/dev/null 2>&1 && [ -d /opt/swift/usr/bin ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

# Throwaway PostgreSQL cluster in a fresh temp dir.
PG_DIR="$(mktemp -d /tmp/cipherscale-pg.XXXXXX)"

cleanup() {
    # Always stop the server and delete its data, whatever happened.
    scripts/postgres.sh stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT
# Make Ctrl-C / kill also go through the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== Starting PostgreSQL ==" >&2
PG_URL="$(scripts/postgres.sh start "$PG_DIR")"
echo "PostgreSQL URL: $PG_URL"

# Build once; both test runs reuse the build via --skip-build.
echo "== Building =="
swift build --build-tests

status=0

echo
echo "== SQLite =="
if ! CIPHERSCALE_TEST_DATABASE=sqlite swift test --skip-build "$@"; then
    echo "!! SQLite tests FAILED"
    status=1
fi

echo
echo "== PostgreSQL =="
if ! CIPHERSCALE_TEST_DATABASE=postgres CIPHERSCALE_TEST_POSTGRES_URL="$PG_URL" \
    swift test --skip-build "$@"; then
    echo "!! PostgreSQL tests FAILED"
    status=1
fi

echo
echo "== Black-box: the cipherscale binary over a live socket =="
if ! python3 scripts/smoke.py .build/debug/cipherscale; then
    echo "!! SQLite smoke FAILED"
    status=1
fi
SMOKE_URL="${PG_URL%/*}/cipherscale_smoke"
psql "$PG_URL" -qc "CREATE DATABASE cipherscale_smoke" >/dev/null
if ! DATABASE_URL="$SMOKE_URL" python3 scripts/smoke.py .build/debug/cipherscale; then
    echo "!! PostgreSQL smoke FAILED"
    status=1
fi

echo
if [ "$status" -eq 0 ]; then
    echo "== All tests passed (SQLite + PostgreSQL) =="
else
    echo "== Tests FAILED =="
fi
exit "$status"
