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

SMTP_DIR="$(mktemp -d /tmp/cipherscale-smtp.XXXXXX)"
SMTP_PID=""

cleanup() {
    # Always stop the servers and delete their data, whatever happened.
    scripts/postgres.sh stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
    if [ -n "$SMTP_PID" ]; then kill $SMTP_PID 2>/dev/null || true; fi
    rm -rf "$SMTP_DIR"
}
trap cleanup EXIT
# Make Ctrl-C / kill also go through the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== Starting PostgreSQL ==" >&2
PG_URL="$(scripts/postgres.sh start "$PG_DIR")"
echo "PostgreSQL URL: $PG_URL"

# A real, independent SMTP server for the mail tests: aiosmtpd from PyPI, writing a Maildir.
echo "== Starting aiosmtpd ==" >&2
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd >&2
fi
SMTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$SMTP_DIR/maildir" >"$SMTP_DIR/log" 2>&1 &
SMTP_PID=$!
for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)" 2>/dev/null && break
    sleep 0.1
done
export CIPHERSCALE_TEST_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
export CIPHERSCALE_TEST_MAILDIR="$SMTP_DIR/maildir"
echo "SMTP sink: $CIPHERSCALE_TEST_SMTP_URL -> $CIPHERSCALE_TEST_MAILDIR"

# The same server with TLS: one requiring STARTTLS, one speaking implicit TLS (smtps), both with a
# throwaway certificate for localhost whose PEM the tests trust explicitly.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$SMTP_DIR/key.pem" -out "$SMTP_DIR/cert.pem" >/dev/null 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
STARTTLS_PORT="$(free_port)"
SMTPS_PORT="$(free_port)"
python3 -m aiosmtpd -n -l "127.0.0.1:$STARTTLS_PORT" --tlscert "$SMTP_DIR/cert.pem" --tlskey "$SMTP_DIR/key.pem" \
    -c aiosmtpd.handlers.Mailbox "$SMTP_DIR/starttls-maildir" >"$SMTP_DIR/starttls.log" 2>&1 &
SMTP_PID="$SMTP_PID $!"
python3 -m aiosmtpd -n -l "127.0.0.1:$SMTPS_PORT" --smtpscert "$SMTP_DIR/cert.pem" --smtpskey "$SMTP_DIR/key.pem" \
    -c aiosmtpd.handlers.Mailbox "$SMTP_DIR/smtps-maildir" >"$SMTP_DIR/smtps.log" 2>&1 &
SMTP_PID="$SMTP_PID $!"
for port in "$STARTTLS_PORT" "$SMTPS_PORT"; do
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.1
    done
done
export CIPHERSCALE_TEST_STARTTLS_URL="smtp://localhost:$STARTTLS_PORT"
export CIPHERSCALE_TEST_STARTTLS_MAILDIR="$SMTP_DIR/starttls-maildir"
export CIPHERSCALE_TEST_SMTPS_URL="smtps://localhost:$SMTPS_PORT"
export CIPHERSCALE_TEST_SMTPS_MAILDIR="$SMTP_DIR/smtps-maildir"
export CIPHERSCALE_TEST_SMTP_CA="$SMTP_DIR/cert.pem"

# The README's tour (run by smoke.py as pasted) uses curl and jq.
if ! command -v jq >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== Installing curl and jq ==" >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl jq; } >&2
    fi
    command -v jq >/dev/null 2>&1 || { echo "jq is needed (apt-get install jq)" >&2; exit 1; }
fi

# Style first: the repository's .swift-format, strict (warnings fail), over every Swift file we wrote.
echo "== swift format lint --strict =="
swift format lint --strict --recursive Sources Tests   # generated files carry swift-format-ignore-file

# The committed generated code must be what the contract generates.
echo "== Generated code matches openapi.yaml =="
scripts/generate-api.sh --check

# Build once; both test runs reuse the build via --skip-build.
echo "== Building =="
swift build --build-tests

status=0

# Runs one black-box suite on SQLite, then on a fresh PostgreSQL database of its own (named by the
# second argument): a failure is reported by name and fails the run, and the suites after it still run.
on_both_databases() {
    local what="$1" database="$2"
    shift 2
    if ! "$@"; then
        echo "!! SQLite $what FAILED"
        status=1
    fi
    psql "$PG_URL" -qc "CREATE DATABASE $database" >/dev/null
    if ! DATABASE_URL="${PG_URL%/*}/$database" "$@"; then
        echo "!! PostgreSQL $what FAILED"
        status=1
    fi
}

echo
echo "== SQLite =="
# Every suite is Swift Testing; --disable-xctest keeps XCTest's empty "Executed 0 tests" line out.
if ! CIPHERSCALE_TEST_DATABASE=sqlite swift test --skip-build --disable-xctest "$@"; then
    echo "!! SQLite tests FAILED"
    status=1
fi

echo
echo "== PostgreSQL =="
if ! CIPHERSCALE_TEST_DATABASE=postgres CIPHERSCALE_TEST_POSTGRES_URL="$PG_URL" \
    swift test --skip-build --disable-xctest "$@"; then
    echo "!! PostgreSQL tests FAILED"
    status=1
fi

echo
echo "== Black-box: the cipherscale binary over a live socket =="
on_both_databases smoke cipherscale_smoke python3 scripts/smoke.py .build/debug/cipherscale

echo
echo "== Crash safety: SIGKILL mid-stream, then SIGTERM =="
on_both_databases "crash suite" cipherscale_crash python3 scripts/crash.py .build/debug/cipherscale --kills 5

echo
echo "== Console in a real browser (headless Chromium + Selenium) =="
# Debian's chromium and its chromedriver (never a driver downloaded by Selenium Manager), and selenium from PyPI.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== Installing chromium and chromium-driver ==" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >&2; then
            echo "!! installing chromium FAILED"
            status=1
        fi
    fi
fi
if ! python3 -c "import selenium" 2>/dev/null; then
    # Without --break-system-packages first (as for aiosmtpd); a system Python that refuses it gets the flag.
    if ! python3 -m pip install --quiet --disable-pip-version-check selenium >&2 \
        && ! python3 -m pip install --quiet --disable-pip-version-check --break-system-packages selenium >&2; then
        echo "!! installing selenium FAILED"
        status=1
    fi
fi
# The SQLite run also refreshes the documentation's screenshots of the users page and of a user.
mkdir -p docs/images
if ! CONSOLE_SCREENSHOTS=docs/images python3 scripts/console_browser.py .build/debug/cipherscale; then
    echo "!! SQLite console FAILED"
    status=1
fi
psql "$PG_URL" -qc "CREATE DATABASE cipherscale_console" >/dev/null
if ! DATABASE_URL="${PG_URL%/*}/cipherscale_console" python3 scripts/console_browser.py .build/debug/cipherscale; then
    echo "!! PostgreSQL console FAILED"
    status=1
fi

echo
echo "== Two server processes on one PostgreSQL =="
psql "$PG_URL" -qc "CREATE DATABASE cipherscale_cluster" >/dev/null
if ! DATABASE_URL="${PG_URL%/*}/cipherscale_cluster" python3 scripts/cluster.py .build/debug/cipherscale; then
    echo "!! two-server suite FAILED"
    status=1
fi

echo
echo "== Tracing: spans over OTLP/HTTP to a receiver, trace ids in the JSON logs =="
on_both_databases tracing cipherscale_tracing python3 scripts/tracing.py .build/debug/cipherscale

echo
echo "== SCIM 2.0 conformance (scim2-tester) =="
if ! python3 -c "import scim2_tester, requests" 2>/dev/null; then
    if ! python3 -m pip install --quiet --disable-pip-version-check scim2-tester requests >&2 \
        && ! python3 -m pip install --quiet --disable-pip-version-check --break-system-packages scim2-tester requests >&2; then
        echo "!! installing scim2-tester FAILED"
        status=1
    fi
fi
on_both_databases "SCIM conformance" cipherscale_scim python3 scripts/scim_conformance.py .build/debug/cipherscale

echo
echo "== Contract fuzzing (schemathesis, bounded) =="
on_both_databases fuzzing cipherscale_fuzz scripts/fuzz.sh .build/debug/cipherscale 100

echo
if [ "$status" -eq 0 ]; then
    echo "== All tests passed (SQLite + PostgreSQL) =="
else
    echo "== Tests FAILED =="
fi
exit "$status"
