#!/usr/bin/env python3
"""Two server processes on one PostgreSQL behave as one service.

Usage: DATABASE_URL=postgres://.../EMPTY_DATABASE scripts/cluster.py BINARY

Starts two servers at once on an empty database, then a client alternating between them checks that
migrations ran once and one first tenant (one printed key) was made, that mail jobs are delivered
once, that an Idempotency-Key replays across processes, that If-Match conflicts hold across
processes, and that a key revoked by a third process (the command line) is refused by both on the
next request, and that with RATE_LIMIT_SCOPE=cluster the two allow a key's limit once, not twice.
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import Checks, call, free_port  # noqa: E402

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="cipherscale-cluster-")
atexit.register(shutil.rmtree, work, True)
mail_dir = os.path.join(work, "mail")
# 20 requests a second per key, bursts of 40, kept in PostgreSQL for both processes.
env = dict(os.environ, LOG_LEVEL="info", RATE_LIMIT="20", RATE_LIMIT_SCOPE="cluster", INVITATION_RATE_LIMIT="0", MAIL_DIR=mail_dir, MAIL_POLL_MS="100")
env.pop("SMTP_URL", None)
if not env.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("cluster.py needs DATABASE_URL=postgres://... of an empty database")
check = Checks()


ports = [free_port(), free_port()]
logs = [open(os.path.join(work, f"server{i}.log"), "w+") for i in range(2)]
servers = [subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=work, stdout=log, stderr=log)
           for port, log in zip(ports, logs)]


def stop():
    for server in servers:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


try:
    for port in ports:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if call(port, "GET", "/ready")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
    exited = [index for index, server in enumerate(servers) if server.poll() is not None]
    check("both servers start and are ready", not exited and all(call(port, "GET", "/ready")[0] == 200 for port in ports),
          f"exited: {exited}")
    if exited:
        for index in exited:
            print(f"--- server {index} exited with {servers[index].returncode}; its log ---")
            print(open(logs[index].name).read()[-3000:])
        raise SystemExit(1)
    time.sleep(0.5)
    output = "".join(open(log.name).read() for log in logs)
    keys = [line.strip() for line in output.splitlines() if line.strip().startswith("csk_")]
    check("one first tenant: one key printed between the two", len(keys) == 1, f"{len(keys)} keys")
    applied = [line for line in output.splitlines() if "applied migration" in line]
    names = [line.split("migration=")[1].split()[0] for line in applied if "migration=" in line]
    check("each migration applied once", len(names) == len(set(names)) and len(names) >= 10, f"{len(names)} lines, {len(set(names))} names")
    key = keys[0] if keys else ""
    a, b = ports

    # Mail jobs: twenty users created alternately through both; each invitation goes out once.
    emails = [f"member{i}@cluster.example" for i in range(20)]
    statuses = [call(ports[i % 2], "POST", "/tenants/users", key, {"email": email, "groups": []})[0] for i, email in enumerate(emails)]
    check("users are created through either server", statuses == [201] * 20, str(statuses))
    deadline = time.time() + 30
    while time.time() < deadline:
        files = [name for name in os.listdir(mail_dir) if name.endswith(".eml")] if os.path.isdir(mail_dir) else []
        if len(files) >= 20:
            break
        time.sleep(0.2)
    time.sleep(2)  # a second delivery, if any, would land by now
    files = [name for name in os.listdir(mail_dir) if name.endswith(".eml")] if os.path.isdir(mail_dir) else []
    recipients = [name.split("_")[0] for name in files]
    check("every invitation is delivered exactly once across the two", sorted(recipients) == sorted(emails),
          f"{len(files)} files for {len(set(recipients))} recipients")

    # Idempotency-Key: stored by one process, replayed by the other.
    body = {"email": "once@cluster.example", "groups": []}
    first = call(a, "POST", "/tenants/users", key, body, {"Idempotency-Key": "cluster-1"})
    again = call(b, "POST", "/tenants/users", key, body, {"Idempotency-Key": "cluster-1"})
    check("an Idempotency-Key replays across processes", first[0] == 201 and again[0] == 201 and again[2] == first[2]
          and again[1].get("Idempotent-Replayed") == "true", f"{first[0]} {again[0]} {again[1].get('Idempotent-Replayed')}")
    other = call(b, "POST", "/tenants/users", key, {"email": "other@cluster.example", "groups": []}, {"Idempotency-Key": "cluster-1"})
    check("the same key with another body is 422 on the other process", other[0] == 422, str(other[0]))

    # If-Match: a version read from one process is stale on the other once changed.
    user = first[2]["id"] if first[0] == 201 else ""
    status, headers, _ = call(a, "GET", f"/tenants/users/{user}", key)
    etag = headers.get("ETag")
    changed = call(b, "PUT", f"/tenants/users/{user}", key, {"firstName": "Una"}, {"If-Match": etag})
    stale = call(a, "PUT", f"/tenants/users/{user}", key, {"firstName": "Dos"}, {"If-Match": etag})
    check("If-Match holds across processes (200, then 412 for the stale tag)", changed[0] == 200 and stale[0] == 412,
          f"{changed[0]} {stale[0]}")

    # A key revoked by the command line (a third process) is refused by both on the next request.
    tenant_line = next((line for line in output.splitlines() if line.startswith("Created the first tenant ")), "")
    tenant_id = tenant_line.split()[4] if tenant_line else ""
    made = subprocess.run([binary, "apikeys", "create", "--tenant", tenant_id, "--json"], env=env, cwd=work, capture_output=True, text=True)
    second = json.loads(made.stdout) if made.returncode == 0 else {}
    usable = [call(port, "GET", "/tenants/users?limit=1", second.get("apiKey"))[0] for port in ports]
    check("a key made by the command line works on both", usable == [200, 200], f"{made.stderr[:200]} {usable}")
    revoked = subprocess.run([binary, "apikeys", "revoke", second.get("id", "")], env=env, cwd=work, capture_output=True, text=True)
    refused = [call(port, "GET", "/tenants/users?limit=1", second.get("apiKey"))[0] for port in ports]
    check("once revoked, both refuse it on the next request", revoked.returncode == 0 and refused == [401, 401], f"{revoked.stderr[:200]} {refused}")

    # RATE_LIMIT_SCOPE=cluster: one bucket for both processes. After a pause that fills it (40), a
    # burst alternating between them gets 40 plus what 20 a second refills meanwhile; two buckets
    # of their own would have let through at least 80.
    time.sleep(2.5)
    started = time.time()
    burst = [call(ports[i % 2], "GET", "/tenants/users?limit=1", key) for i in range(120)]
    elapsed = time.time() - started
    granted = sum(1 for status, _, _ in burst if status == 200)
    check("the cluster scope allows the limit once across both processes",
          40 <= granted <= 40 + 20 * elapsed + 1, f"{granted} granted in {elapsed:.2f} s")
    refused = [headers for status, headers, _ in burst if status == 429]
    check("refusals are 429 with Retry-After", refused and all(h.get("Retry-After", "").isdigit() for h in refused),
          str(refused[:1]))
    remaining = [int(headers.get("RateLimit-Remaining", "-1")) for _, headers, _ in burst[:10]]
    check("RateLimit-Remaining counts down across the two processes", remaining == sorted(remaining, reverse=True)
          and remaining[0] > remaining[-1] >= 0, str(remaining))
finally:
    stop()
    for log in logs:
        log.close()

status = check.summary("cluster")
if check.failed or any(server.returncode not in (0, None) for server in servers):
    for index in range(2):
        print(f"--- server {index} log (last lines) ---")
        print("".join(open(os.path.join(work, f"server{index}.log")).readlines()[-20:]))
sys.exit(status)
