#!/usr/bin/env bash
# Measures what a newcomer waits for: clones this repository into a temporary folder, then runs
# `swift run cipherscale` three times, each until GET /health answers, and prints the seconds and
# the number of build steps of each start, and the size of .build/.
#
# Usage: scripts/measure-starts.sh [PORT]   (default 18090; the clone is removed at the end)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PORT="${1:-18090}"
WORK="$(mktemp -d /tmp/cipherscale-starts.XXXXXX)"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
git clone -q . "$WORK/clone"
cd "$WORK/clone"
for start in 1 2 3; do
    began=$(date +%s)
    PORT="$PORT" swift run cipherscale >"$WORK/start$start.log" 2>&1 &
    SERVER=$!
    until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
        kill -0 "$SERVER" 2>/dev/null || { tail -20 "$WORK/start$start.log"; exit 1; }
        sleep 0.5
    done
    echo "start $start: $(($(date +%s) - began)) s to the first answer, $(grep -c '^\[' "$WORK/start$start.log") build steps"
    kill -INT "$SERVER"
    wait "$SERVER" || true
    SERVER=""
done
echo ".build: $(du -sh .build | cut -f1)"
