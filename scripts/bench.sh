#!/usr/bin/env bash
# The performance harness: builds a release binary and the bare Hummingbird server of bench/bare
# (the framework's floor), seeds (or reuses) a 1M-user tenant, and runs wrk (16 connections,
# BENCH_SECONDS each) through every scenario, each against a fresh server process. Prints one table
# (requests/s, latency, and each row as a share of the bare floor and of /health) and writes it as
# JSON and Markdown under bench/results/.
#
#   BENCH_ONLY=scenario,scenario: run only those scenarios (e.g. to compare two binaries on one row).
#   BENCH_PERF=scenario,scenario: record those scenarios with `perf` (99 Hz, call graphs) and keep a
#   text summary of the top frames in bench/results/perf-<label>-<scenario>.txt.
#
# Usage: scripts/bench.sh [sqlite|postgres]
#   BENCH_USERS (default 1000000), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 16)
#   BENCH_BIN: measure this binary instead of building the tree's (e.g. an earlier commit's release
#   build, to compare two versions on one dataset in one sitting); BENCH_LABEL names its results
#   (default: the database's name).
#   The dataset is kept in bench/work/<database>/ and reused while BENCH_USERS is unchanged;
#   BENCH_WORK names another folder (a copy of the dataset for a binary whose migrations differ).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DB="${1:-sqlite}"
USERS="${BENCH_USERS:-1000000}"
SECONDS_PER="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
case "$DB" in sqlite|postgres) ;; *) echo "usage: scripts/bench.sh [sqlite|postgres]" >&2; exit 2 ;; esac
if ! command -v swift >/dev/null 2>&1 && [ -d /opt/swift/usr/bin ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

if ! command -v wrk >/dev/null 2>&1; then
    echo "== Installing wrk ==" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
    fi
    command -v wrk >/dev/null 2>&1 || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
fi

if [ -n "${BENCH_BIN:-}" ]; then
    BIN="$(cd "$(dirname "$BENCH_BIN")" && pwd)/$(basename "$BENCH_BIN")"
else
    BIN="$(swift build -c release --show-bin-path)/cipherscale"
fi
# One build of every product (the server, the bare floor of bench/bare): building them one
# `--product` at a time makes SwiftPM switch plans and recompile Hummingbird each time.
echo "== Building the release binaries ==" >&2
swift build -c release >&2
BARE_BIN="$(swift build -c release --show-bin-path)/cipherscale-bare"
LABEL="${BENCH_LABEL:-$DB}"

WORK="${BENCH_WORK:-$PWD/bench/work/$DB}"
mkdir -p "$WORK" bench/results
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ "$DB" = postgres ]; then scripts/postgres.sh stop "$WORK/pg" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [ "$DB" = postgres ]; then
    mkdir -p "$WORK/pg"
    export DATABASE_URL="$(scripts/postgres.sh start "$WORK/pg")"
else
    export DATABASE_URL="sqlite://$WORK/bench.sqlite"
fi
export LOG_LEVEL=warning INVITATION_RATE_LIMIT=0 RATE_LIMIT=0 MAIL_DIR="$WORK/mail"

SEED="$WORK/seed-$USERS.json"
if [ ! -s "$SEED" ]; then
    echo "== Seeding $USERS users ($DB) ==" >&2
    rm -f "$WORK"/seed-*.json "$WORK"/bench.sqlite*
    if [ "$DB" = postgres ]; then
        psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
    fi
    started=$(date +%s.%N)
    "$BIN" seed --users "$USERS" --tenants 3 --json > "$SEED.tmp"
    ended=$(date +%s.%N)
    python3 - "$SEED.tmp" "$started" "$ended" > "$SEED" <<'PY'
import json, sys
seed = json.load(open(sys.argv[1]))
seed["seedSeconds"] = round(float(sys.argv[3]) - float(sys.argv[2]), 1)
print(json.dumps(seed))
PY
    rm -f "$SEED.tmp"
fi
KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apiKey"])' "$SEED")"
SEED_SECONDS="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("seedSeconds", ""))' "$SEED")"

# A reused dataset may predate the latest migrations (new indexes over a million rows take a while):
# apply them before the clock starts.
"$BIN" migrate >>"$WORK/server.log" 2>&1

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PEAK_RSS_KB=0
# Each scenario gets a fresh server process, so a slow scenario's backlog cannot starve the next one;
# the peak RSS reported is the largest of all of them.
start_server() {
    if [ "${BARE:-}" = 1 ]; then
        PORT="$PORT" "$BARE_BIN" >>"$WORK/server.log" 2>&1 &
    else
        # SERVER_ENV: settings of this scenario's server only (METRICS=off, an OTLP endpoint, ...).
        env ${SERVER_ENV:-} "$BIN" serve --port "$PORT" >>"$WORK/server.log" 2>&1 &
    fi
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
        sleep 0.2
    done
}
stop_server() {
    local rss
    rss="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
    if [ "${rss:-0}" -gt "$PEAK_RSS_KB" ]; then PEAK_RSS_KB="$rss"; fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
start_server

# Inputs for the scenarios: user ids from random pages, search fragments, the largest group, a role,
# and a fresh group of the benchmark's own for join/leave.
python3 - "$PORT" "$KEY" "$WORK" <<'PY'
import json, random, sys, time, urllib.request
port, key, work = sys.argv[1], sys.argv[2], sys.argv[3]
def call(method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"apikey": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")
total = call("GET", "/tenants/users?limit=1")["total"]
ids = []
for _ in range(20):
    page = call("GET", f"/tenants/users?limit=100&offset={random.randint(0, max(0, min(total - 100, 1_000_000)))}")
    ids += [user["id"] for user in page["data"] if not user["isOwner"]]
open(f"{work}/ids.txt", "w").write("\n".join(ids) + "\n")
# Cursors of pages about 900,000 users deep (each read once here with an offset), for the keyset walk.
cursors = []
for step in range(20):
    page = call("GET", f"/tenants/users?offset={max(0, min(total - 20, 900_000) + step * 50 - 1000)}")
    if page.get("nextCursor"):
        cursors.append(page["nextCursor"])
open(f"{work}/cursors.txt", "w").write("\n".join(cursors) + "\n")
open(f"{work}/fragments.txt", "w").write("\n".join(["ada", "chen", "mart", "smith", "ander", "kowal", "ibrah", "tanak", "silva", "wagn"]) + "\n")
groups = call("GET", "/tenants/groups?limit=100")["data"]
largest = max(groups, key=lambda group: group["userCount"])
roles = {role["type"]: role["id"] for role in call("GET", "/tenants/roles")}
own = call("POST", "/tenants/groups", {"name": f"Bench {int(time.time())}", "roles": []})
json.dump({"total": total, "largestGroup": largest["id"], "largestGroupUsers": largest["userCount"],
           "role": roles["BASIC"], "benchGroup": own["id"]}, open(f"{work}/inputs.json", "w"))
PY
input() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/inputs.json" "$1"; }
export BENCH_KEY="$KEY" BENCH_IDS="$WORK/ids.txt" BENCH_CURSORS="$WORK/cursors.txt" BENCH_FRAGMENTS="$WORK/fragments.txt" BENCH_ROLE="$(input role)"

# Mail that earlier runs queued (every create queues an invitation) would be delivered by each
# scenario's server process in the background, competing with the scenario for the CPU and the disk:
# set it aside, so only the create scenarios write mail, and only their own.
discard_mail_backlog() {
    local sql="DELETE FROM outbox_messages WHERE status = 'queued'"
    if [ "$DB" = postgres ]; then
        psql "$DATABASE_URL" -qc "$sql" >/dev/null
    else
        python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=60); c.execute(sys.argv[2]); c.commit()' "$WORK/bench.sqlite" "$sql"
    fi
}

RESULTS="$WORK/results.txt"
: > "$RESULTS"
# run NAME SCENARIO GROUP [KEY]: one row. AS=another_scenario sends that scenario's requests (a
# variant row: the same requests to a server started with SERVER_ENV).
run() {
    local name="$1" scenario="$2" group="$3" key="${4:-$KEY}" requests="${AS:-$2}"
    if [ -n "${BENCH_ONLY:-}" ] && [[ ",$BENCH_ONLY," != *",$scenario,"* ]]; then return; fi
    echo "== $name ==" >&2
    stop_server
    discard_mail_backlog
    start_server
    BENCH_KEY="$key" BENCH_SCENARIO="$requests" BENCH_GROUP="$group" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER}s" --timeout 10s --latency \
        -s bench/lua/scenario.lua "http://127.0.0.1:$PORT" > "$WORK/wrk-$scenario.txt" 2>&1 || true
    local line
    line="$(grep BENCH_RESULT "$WORK/wrk-$scenario.txt" || echo "BENCH_RESULT requests=0 duration_us=1 p50_us=0 p99_us=0 errors=0 non2xx=0")"
    # This scenario's server process: its peak resident memory so far (VmHWM).
    local rss
    rss="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
    echo "$scenario|$name|$line rss_kb=${rss:-0}" >> "$RESULTS"
    if [[ ",${BENCH_PERF:-}," == *",$scenario,"* ]] && command -v perf >/dev/null 2>&1; then
        # A second, profiled pass on a fresh process: the table above keeps the unprofiled numbers.
        stop_server
        discard_mail_backlog
        start_server
        perf record -F 499 -g -p "$SERVER_PID" -o "$WORK/perf-$scenario.data" -- sleep "$SECONDS_PER" >/dev/null 2>&1 &
        local perf_pid=$!
        BENCH_KEY="$key" BENCH_SCENARIO="$requests" BENCH_GROUP="$group" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER}s" --timeout 10s \
            -s bench/lua/scenario.lua "http://127.0.0.1:$PORT" > /dev/null 2>&1 || true
        wait "$perf_pid" || true
        python3 bench/perf-summary.py "$WORK/perf-$scenario.data" "$name ($LABEL, $(date -u +%Y-%m-%dT%H:%M:%SZ))" \
            > "bench/results/perf-$LABEL-$scenario.txt" 2>/dev/null || true
        rm -f "$WORK/perf-$scenario.data"
    fi
}
BARE=1 run "bare Hummingbird: static route" bare_static ""
BARE=1 run "bare Hummingbird: encode a user" bare_user ""
run "a 404 through every middleware (no database)" not_found ""
run "GET /health (one SELECT 1)" health ""
run "get one user by id" get_user ""
# What observability costs: the same get-user requests with metrics off (they are on in every other
# row), with every span exported over OTLP/HTTP to a receiver on this machine, and (PostgreSQL) with
# the per-key limit on, kept in this process or in the database for every process.
AS=get_user SERVER_ENV="METRICS=off" run "get one user, METRICS=off" get_user_unmetered ""
OTLP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 bench/otlp-sink.py "$OTLP_PORT" &
OTLP_PID=$!
AS=get_user SERVER_ENV="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_PORT" \
    run "get one user, traced (spans over OTLP/HTTP to a local receiver)" get_user_traced ""
kill "$OTLP_PID" 2>/dev/null || true
if [ "$DB" = postgres ]; then
    AS=get_user SERVER_ENV="RATE_LIMIT=1000000" run "get one user, per-key limit in the process" get_user_limited ""
    AS=get_user SERVER_ENV="RATE_LIMIT=1000000 RATE_LIMIT_SCOPE=cluster" \
        run "get one user, per-key limit in PostgreSQL (RATE_LIMIT_SCOPE=cluster)" get_user_cluster_limited ""
fi
run "list, default page with total" list_default ""
run "list, filter[status][eq]=active, first page" list_active ""
run "list, limit 100, sort=-lastConnection" list_sorted ""
run "list, search a fragment, limit 20" search ""
run "list, filter groups.id (largest group), sort=email, limit 50" group_filter "$(input largestGroup)"
run "list, deep page offset 900,000" deep_page ""
run "list, deep page after= a cursor 900,000 in" deep_cursor ""
run "PATCH roles on random users" patch_roles ""
run "join and leave a group" join_leave "$(input benchGroup)"
run "create 100 users in one call (their mail written as files meanwhile)" create_100 ""
run "create one user per call (their mail written as files meanwhile)" create_1 ""
# Refusals of two kinds of bad key (every answer is a 401, counted under errors): their latencies
# should not differ, so a client cannot tell a key prefix that exists from one that does not.
KNOWN_PREFIX="$(echo "$KEY" | cut -d_ -f2)"
RANDOM_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
RANDOM_PREFIX="$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
run "refuse a wrong secret (401)" refuse_wrong_secret "" "csk_${KNOWN_PREFIX}_${RANDOM_SECRET}"
run "refuse an unknown prefix (401)" refuse_unknown_prefix "" "csk_${RANDOM_PREFIX}_${RANDOM_SECRET}"
stop_server
RSS_KB="$PEAK_RSS_KB"

python3 - "$RESULTS" "$DB" "$USERS" "$RSS_KB" "$SECONDS_PER" "$CONNECTIONS" "$SEED_SECONDS" "$WORK/inputs.json" "$LABEL" <<'PY'
import json, os, platform, subprocess, sys, time
results, db, users, rss_kb, seconds, connections, seed_seconds, inputs, label = sys.argv[1:10]
inputs = json.load(open(inputs))
rows = []
for line in open(results):
    scenario, name, raw = line.rstrip("\n").split("|", 2)
    fields = dict(part.split("=") for part in raw.split()[1:])
    duration = int(fields["duration_us"]) / 1e6
    requests = int(fields["requests"])
    rows.append({"scenario": scenario, "name": name, "requestsPerSecond": round(requests / duration, 1),
                 "p50Ms": round(int(fields["p50_us"]) / 1000, 2), "p99Ms": round(int(fields["p99_us"]) / 1000, 2),
                 "errors": int(fields["errors"]), "requests": requests,
                 "peakRssMB": round(int(fields.get("rss_kb", 0)) / 1024, 1)})
by_scenario = {row["scenario"]: row for row in rows}
bare = (by_scenario.get("bare_static") or rows[0])["requestsPerSecond"] or 1
health = (by_scenario.get("health") or rows[0])["requestsPerSecond"] or 1
for row in rows:
    row["fractionOfBare"] = round(row["requestsPerSecond"] / bare, 4)
    row["fractionOfHealth"] = round(row["requestsPerSecond"] / health, 4)
    if row["scenario"] == "create_100":
        row["usersPerSecond"] = round(row["requestsPerSecond"] * 100, 1)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
report = {"database": db, "users": int(users), "seedSeconds": float(seed_seconds) if seed_seconds else None,
          "largestGroupUsers": inputs["largestGroupUsers"], "peakRssMB": round(int(rss_kb) / 1024, 1),
          "secondsPerScenario": int(seconds), "connections": int(connections), "machine": f"{cpu}, 2 cores",
          "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "scenarios": rows}
lines = [f"Database: {db}; {int(users):,} users in the tenant (+3 tenants of 1,000); wrk {connections} connections, {seconds} s per scenario; "
         f"peak server RSS {report['peakRssMB']} MB" + (f"; seeded in {seed_seconds} s" if seed_seconds else "") + ".",
         "", "| scenario | requests/s | p50 ms | p99 ms | errors | of bare | of /health | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
def share(value):
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"
for row in rows:
    extra = f" ({row['usersPerSecond']:,.0f} users/s)" if "usersPerSecond" in row else ""
    lines.append(f"| {row['name']} | {row['requestsPerSecond']:,.0f}{extra} | {row['p50Ms']} | {row['p99Ms']} | {row['errors']} "
                 f"| {share(row['fractionOfBare'])} | {share(row['fractionOfHealth'])} | {row['peakRssMB']} |")
table = "\n".join(lines)
print(table)
stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
# A partial run (BENCH_ONLY) keeps only its dated copy: "-latest" stays the last full table.
partial = bool(os.environ.get("BENCH_ONLY"))
for name in ([] if partial else [f"{label}-latest"]) + [f"{label}{'-partial' if partial else ''}-{stamp}"]:
    json.dump(report, open(f"bench/results/{name}.json", "w"), indent=2)
    open(f"bench/results/{name}.md", "w").write(table + "\n")
PY
