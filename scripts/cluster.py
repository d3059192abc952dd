#!/usr/bin/env python3
"""Two server processes on one PostgreSQL behave as one service.

Usage: DATABASE_URL=postgres://.../EMPTY_DATABASE scripts/cluster.py BINARY

Starts two servers at once on an empty database, then a client alternating between them checks that
migrations ran once and one first tenant (one printed key) was made, that mail jobs are delivered
once, that an Idempotency-Key replays across processes, that If-Match conflicts hold across
processes, and that a key revoked by a third process (the command line) is refused by both on the
next request.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="cipherscale-cluster-")
atexit.register(shutil.rmtree, work, True)
mail_dir = os.path.join(work, "mail")
env = dict(os.environ, LOG_LEVEL="info", RATE_LIMIT="0", INVITATION_RATE_LIMIT="0", MAIL_DIR=mail_dir, MAIL_POLL_MS="100")
env.pop("SMTP_URL", None)
if not env.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("cluster.py needs DATABASE_URL=postgres://... of an empty database")
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, key=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("apikey", key)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else None


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
finally:
    stop()
    for log in logs:
        log.close()

print(f"cluster: {passed} passed, {failed} failed")
if failed or any(server.returncode not in (0, None) for server in servers):
    for index in range(2):
        print(f"--- server {index} log (last lines) ---")
        print("".join(open(os.path.join(work, f"server{index}.log")).readlines()[-20:]))
sys.exit(1 if failed else 0)
