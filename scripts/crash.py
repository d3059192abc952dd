#!/usr/bin/env python3
"""Crash safety of the real `cipherscale` binary: SIGKILL mid-stream, and a graceful SIGTERM.

Part 1 (SIGKILL): client threads stream batch creates (100 users each) and role changes at a
running server, which is killed with SIGKILL at random moments (each aimed at a batch in flight)
and restarted on the same database and MAIL_DIR, --kills times. After a clean restart the script
proves that
  - every acknowledged (2xx) batch is present, with the ids its answer gave;
  - every batch sent, answered or not, is applied completely or not at all;
  - every user's direct roles are those of their last acknowledged change, or of a later change
    whose answer was lost in a kill (each user has at most one change in flight at a time, and
    each change sets an absolute set of roles, so this is the only sound expectation);
  - the invitation outbox sends exactly one message per created user, none for anyone else.
Part 2 (SIGTERM, on the last restarted server, right after the stream): ten batch creates are
sent on already-accepted connections, then SIGTERM. Checks: each is answered in full with 201;
new connections are refused (or answered 503, or closed unanswered) within 5 s - the ones made
before the server has handled the signal must be served in full; the process exits 0 within 10 s
with nothing logged at error level; the mail worker stops (whole batches are still queued at exit)
instead of draining the outbox first; every acknowledged request
is present after the restart (checked with part 1).

Runs on the database named by DATABASE_URL (a fresh SQLite file when unset); it works in a tenant
of its own, so the database need not be empty. Prints one summary line of figures, then
'N passed, N failed', and exits non-zero on any failure.

Usage: scripts/crash.py path/to/cipherscale [--kills N] [--seed S]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

parser = argparse.ArgumentParser(description="SIGKILL/SIGTERM crash test of the cipherscale binary.")
parser.add_argument("binary")
parser.add_argument("--kills", type=int, default=5, help="SIGKILLs during the stream (default 5)")
parser.add_argument("--seed", type=int, default=None, help="random seed (kill timing, role picks)")
arguments = parser.parse_args()

seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
rng = random.Random(seed)
binary = os.path.abspath(arguments.binary)
work = tempfile.mkdtemp(prefix="cipherscale-crash-")
mail_dir = os.path.join(work, "mail")
log_path = os.path.join(work, "server.log")
env = dict(os.environ)
env.setdefault("DATABASE_URL", "sqlite://" + os.path.join(work, "crash.sqlite"))
# A short mail lease: messages claimed by a killed worker are retried 2 s later, not 2 minutes.
env.update(LOG_LEVEL="warning", MAIL_DIR=mail_dir, MAIL_POLL_MS="50", MAIL_LEASE_MS="2000", RATE_LIMIT="0", INVITATION_RATE_LIMIT="0")
env.pop("SMTP_URL", None)
database_kind = "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"

BATCH_SIZE = 100
BATCH_THREADS = 2
BATCH_PAUSE = 0.4  # seconds between a thread's batches: keeps the outbox (about 250 messages/s) in reach
ROLE_THREADS = 2
ROLE_TYPES = ("BILLING", "AUDITOR", "SUPPORT")
# Absolute targets, consecutive ones always different, so a lost acknowledgement shows.
TARGETS = (frozenset({"BILLING"}), frozenset(), frozenset({"AUDITOR", "SUPPORT"}), frozenset({"BILLING", "SUPPORT"}),
           frozenset({"AUDITOR"}))
domain = f"r{os.getpid()}t{int(time.time())}.crash.example"

passed = failed = 0
failures_shown = {}


def check(name, condition, detail=""):
    """Counts one check; prints at most 5 failures per check name."""
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        failures_shown[name] = failures_shown.get(name, 0) + 1
        if failures_shown[name] <= 5:
            print(f"FAIL {name} {detail}", flush=True)
        elif failures_shown[name] == 6:
            print(f"FAIL {name} (further failures of this check not shown)", flush=True)


def note(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoAnswer(Exception):
    """The request got no complete answer: refused, reset, or cut mid-body."""


def call(method, path, body=None, key=None, port=None, timeout=60):
    """One request on a fresh connection. Answers (status, parsed body); raises NoAnswer."""
    connection = http.client.HTTPConnection("127.0.0.1", port or server.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", "Connection": "close"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if key:
            headers["apikey"] = key
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise NoAnswer(f"{type(error).__name__}: {error}") from None
        return response.status, parse(raw)
    finally:
        connection.close()


def parse(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw


def cli(*args):
    out = subprocess.run([binary, *args], env=env, cwd=work, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        fatal(f"cipherscale {' '.join(args)} failed: {out.stderr}")
    return out.stdout


class Server:
    """The server process; each start picks a new port (clients read `port` on every request)."""

    def __init__(self):
        self.process = None
        self.port = None
        self.log_offset = 0

    def start(self):
        self.port = free_port()
        self.log_offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        log = open(log_path, "a")
        self.process = subprocess.Popen([binary, "serve"], env=dict(env, PORT=str(self.port)), cwd=work, stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                fatal(f"the server exited with {self.process.returncode} while starting")
            try:
                if call("GET", "/health", timeout=5)[0] == 200:
                    return
            except NoAnswer:
                pass
            time.sleep(0.05)
        fatal("the server did not answer /health within 60 s")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=30)

    def log_since_start(self):
        with open(log_path, errors="replace") as handle:
            handle.seek(self.log_offset)
            return handle.read()


server = Server()


def fatal(message):
    print(f"FATAL {message}", flush=True)
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
    if os.path.exists(log_path):
        with open(log_path, errors="replace") as handle:
            print("--- last lines of the server log ---\n" + "".join(handle.readlines()[-30:]))
    print(f"crash ({database_kind}): {passed} passed, {failed + 1} failed (seed {seed}, files in {work})")
    os._exit(1)


def eml_names():
    if not os.path.isdir(mail_dir):
        return []
    return [name for name in os.listdir(mail_dir) if name.endswith(".eml") and not name.startswith(".")]


def eml_count():
    return len(eml_names())


def batch_body(emails):
    return [{"email": email, "groups": []} for email in emails]


# ---------------------------------------------------------------------------------------------
# Setup: a tenant of our own.
tenant = json.loads(cli("tenants", "create", "--name", f"Crash {domain}", "--owner-email", f"owner@{domain}", "--json"))
key = tenant["apiKey"]
note(f"{database_kind}: tenant {tenant['tenantId']}, emails @{domain}, seed {seed}, files in {work}")
server.start()
status, roles = call("GET", "/tenants/roles", key=key)
role_ids = {role["type"]: role["id"] for role in roles} if status == 200 else {}
if not all(kind in role_ids for kind in ROLE_TYPES):
    fatal(f"GET /tenants/roles answered {status} {roles}")

# Shared state of the stream, guarded by `lock`.
lock = threading.Lock()
up = threading.Event()  # set while the server is running; clients wait on it
stop = threading.Event()
batches = []  # {"n", "phase", "emails", "outcome": ack|error|noanswer, "ids", "detail"}
pools = [[] for _ in range(ROLE_THREADS)]  # user ids each role thread owns
histories = {}  # user id -> [{"target", "outcome"}] in send order
error_answers = []
next_batch = [0]
batches_in_flight = [0]


def send_batch(phase):
    with lock:
        n = next_batch[0]
        next_batch[0] += 1
    emails = [f"b{n}-u{i:03d}@{domain}" for i in range(BATCH_SIZE)]
    record = {"n": n, "phase": phase, "emails": emails, "outcome": None, "ids": None, "detail": ""}
    with lock:
        batches.append(record)
    return record


def settle_batch(record, status, body):
    """Records an answered batch create; answers whether it was acknowledged."""
    if 200 <= status < 300:
        record["outcome"] = "ack"
        shaped = isinstance(body, list) and [user.get("email") for user in body] == record["emails"]
        check("a 201 batch answer lists the 100 users in request order", status == 201 and shaped, f"batch {record['n']}: {str(body)[:200]}")
        record["ids"] = {user["email"]: user["id"] for user in body} if shaped else {}
        return shaped
    record["outcome"] = "error"
    record["detail"] = f"{status} {str(body)[:200]}"
    with lock:
        error_answers.append(f"POST batch {record['n']}: {record['detail']}")
    return False


def batch_worker():
    while not stop.is_set():
        up.wait()
        if stop.is_set():
            break
        record = send_batch("kill")
        with lock:
            batches_in_flight[0] += 1
        try:
            status, body = call("POST", "/tenants/users", batch_body(record["emails"]), key=key)
        except NoAnswer as error:
            record["outcome"] = "noanswer"
            record["detail"] = str(error)
            time.sleep(0.05)
            continue
        finally:
            with lock:
                batches_in_flight[0] -= 1
        if settle_batch(record, status, body):
            with lock:
                for index, email in enumerate(record["emails"]):
                    user_id = record["ids"][email]
                    histories[user_id] = []
                    pools[index % ROLE_THREADS].append(user_id)
        stop.wait(BATCH_PAUSE)


def role_worker(number):
    local = random.Random(seed * 31 + number)
    while not stop.is_set():
        up.wait()
        if stop.is_set():
            break
        with lock:
            pool = pools[number]
            if not pool:
                user_id = None
            elif local.random() < 0.5:
                user_id = local.choice(pool[:10])  # a few hot users get many changes
            else:
                user_id = local.choice(pool)
        if user_id is None:
            time.sleep(0.02)
            continue
        history = histories[user_id]  # only this thread touches this user's history
        target = TARGETS[len(history) % len(TARGETS)]
        record = {"target": target, "outcome": None}
        history.append(record)
        body = {"addedRoles": [role_ids[kind] for kind in sorted(target)],
                "removedRoles": [role_ids[kind] for kind in ROLE_TYPES if kind not in target]}
        try:
            status, answer = call("PATCH", f"/tenants/users/{user_id}/roles", body, key=key)
        except NoAnswer:
            record["outcome"] = "noanswer"
            time.sleep(0.05)
            continue
        if 200 <= status < 300:
            record["outcome"] = "ack"
            shown = {role.get("type") for role in answer.get("roles", [])} & set(ROLE_TYPES) if isinstance(answer, dict) else None
            check("a 200 role change answer shows the requested roles", status == 200 and shown == target,
                  f"user {user_id}: wanted {sorted(target)}, answer {status} {shown}")
        else:
            record["outcome"] = "error"
            with lock:
                error_answers.append(f"PATCH roles {user_id}: {status} {str(answer)[:200]}")


# ---------------------------------------------------------------------------------------------
# Part 1: the stream, with SIGKILLs at random moments.
started = time.time()
threads = [threading.Thread(target=batch_worker, daemon=True) for _ in range(BATCH_THREADS)]
threads += [threading.Thread(target=role_worker, args=(number,), daemon=True) for number in range(ROLE_THREADS)]
up.set()
for thread in threads:
    thread.start()
kills = 0
for _ in range(arguments.kills):
    time.sleep(rng.uniform(0.5, 2.5))
    # Aim at a batch in flight: kill 0-100 ms after one was sent (a batch takes tens of ms).
    waited = time.time()
    while batches_in_flight[0] == 0 and time.time() - waited < 2:
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.1))
    up.clear()  # no new requests; those in flight stay in flight until the kill
    server.kill()
    kills += 1
    server.start()
    up.set()
time.sleep(rng.uniform(0.5, 1.5))
stop.set()
up.set()
for thread in threads:
    thread.join(timeout=120)
    if thread.is_alive():
        fatal("a client thread did not finish within 120 s")
note(f"stream done: {kills} kills, {len(batches)} batches sent in {time.time() - started:.1f} s")

# ---------------------------------------------------------------------------------------------
# Part 2: SIGTERM with requests in flight, on the server that is running now.
IN_FLIGHT = 10
connections = []
for _ in range(IN_FLIGHT):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", "/health")  # the server has accepted this connection
    response = connection.getresponse()
    response.read()
    check("a keep-alive connection is open before SIGTERM", response.status == 200 and not response.will_close)
    connections.append(connection)
sent = threading.Barrier(IN_FLIGHT + 1)


def in_flight_request(connection):
    record = send_batch("sigterm")
    body = json.dumps(batch_body(record["emails"])).encode()
    try:
        connection.request("POST", "/tenants/users", body=body, headers={"Content-Type": "application/json", "apikey": key})
    except OSError as error:
        record["outcome"] = "noanswer"
        record["detail"] = f"send failed: {error}"
        sent.wait()
        return
    sent.wait()
    try:
        response = connection.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as error:
        record["outcome"] = "noanswer"
        record["detail"] = f"{type(error).__name__}: {error}"
        return
    settle_batch(record, response.status, parse(raw))


workers = [threading.Thread(target=in_flight_request, args=(connection,), daemon=True) for connection in connections]
for worker in workers:
    worker.start()
sent.wait()
terminated = server.process
term_log_offset = server.log_offset
messages_at_term = eml_count()
backlog_at_term = sum(len(r["emails"]) for r in batches if r["phase"] == "kill" and r["outcome"] == "ack") - messages_at_term
terminated.send_signal(signal.SIGTERM)
term_sent = time.time()
# New connections after SIGTERM, one after the other, until one is not served: the server may take a
# moment to handle the signal, so the first few can still be served normally (each must be served
# in full); after that, a new connection must be refused, answered 503, or closed unanswered.
probes = []  # (seconds after SIGTERM, outcome)
while time.time() - term_sent < 5:
    at = time.time() - term_sent
    try:
        status, _ = call("GET", "/health", port=server.port, timeout=30)
        probes.append((at, f"answered {status}"))
        if status != 200:
            break
    except NoAnswer as error:
        probes.append((at, "refused" if "ConnectionRefused" in str(error) else f"closed unanswered ({error})"))
        break
    time.sleep(0.02)
served_after_term = sum(1 for _, outcome in probes if outcome == "answered 200")
refusal = probes[-1] if probes and probes[-1][1] != "answered 200" else None
check("SIGTERM: within 5 s a new connection is refused (or answered 503, or closed unanswered)",
      refusal is not None and (refusal[1] in ("refused", "answered 503") or refusal[1].startswith("closed unanswered")),
      f"probes: {[(round(at, 2), outcome) for at, outcome in probes][-5:]}")
try:
    code = terminated.wait(timeout=60)
except subprocess.TimeoutExpired:
    code = None
    terminated.kill()
    terminated.wait(timeout=30)
exit_seconds = time.time() - term_sent
messages_after_term = eml_count() - messages_at_term
check("SIGTERM: the process exits with code 0 within 10 s", code == 0 and exit_seconds <= 10, f"exit {code} after {exit_seconds:.1f} s")
for worker in workers:
    worker.join(timeout=60)
term_records = [record for record in batches if record["phase"] == "sigterm"]
# The mail worker finishes the batch it holds and stops: it does not drain the outbox first. How many
# batches go out before the signal is handled depends on load, so the check is structural: at exit
# whole batches must still be queued (a worker that drained would leave none), with a generous cap.
queued_at_exit = backlog_at_term + sum(len(r["emails"]) for r in term_records if r["outcome"] == "ack") - messages_after_term
check("SIGTERM: the mail worker stops instead of draining the outbox (whole batches left queued, at most 1,000 sent)",
      queued_at_exit >= 100 and messages_after_term <= 1000,
      f"{messages_after_term} messages written between SIGTERM and exit ({exit_seconds:.1f} s), about {queued_at_exit} left queued")
for record in term_records:
    check("SIGTERM: a request in flight is answered in full with 201", record["outcome"] == "ack" and record["ids"],
          f"batch {record['n']}: {record['outcome']} {record['detail']}")
with open(log_path, errors="replace") as handle:
    handle.seek(term_log_offset)
    shutdown_log = [line for line in handle.read().splitlines() if " error " in line or " critical " in line]
check("SIGTERM: nothing logged at error level by the stopping server", not shutdown_log, "\n".join(shutdown_log[:5]))
term_acked = sum(1 for record in term_records if record["outcome"] == "ack")
refusal_text = f"{refusal[1]} at {refusal[0]:.2f} s" if refusal else "never refused"
term_summary = (f"SIGTERM: {term_acked}/{len(term_records)} in-flight requests answered 201; new connections: {served_after_term} served, "
                f"then {refusal_text}; exit {code} after {exit_seconds:.1f} s; outbox backlog about {backlog_at_term} at SIGTERM, "
                f"{messages_after_term} messages written after it")
note(term_summary)

# ---------------------------------------------------------------------------------------------
# Verification after a restart.
server.start()
users = {}  # email -> user
offset = 0
while True:
    status, page = call("GET", f"/tenants/users?limit=100&offset={offset}&sort=email", key=key)
    if status != 200:
        fatal(f"listing users answered {status} {page}")
    for user in page["data"]:
        check("no email is listed twice", user["email"].lower() not in users, user["email"])
        users[user["email"].lower()] = user
    offset += len(page["data"])
    if not page["hasNext"] or not page["data"]:
        break
check("the listing's total matches the users listed", page["total"] == len(users), f"total {page['total']}, listed {len(users)}")

sent_emails = set()
acked_batches = landed_unacked = half_applied = 0
for record in batches:
    emails = [email.lower() for email in record["emails"]]
    sent_emails.update(emails)
    present = sum(1 for email in emails if email in users)
    check("a batch is applied completely or not at all", present in (0, len(emails)),
          f"batch {record['n']} ({record['phase']}, {record['outcome']}): {present} of {len(emails)} users present")
    half_applied += present not in (0, len(emails))
    if record["outcome"] == "ack":
        acked_batches += 1
        ids_match = all(users.get(email.lower(), {}).get("id") == user_id for email, user_id in record["ids"].items())
        check("an acknowledged batch is present with the ids its answer gave", present == len(emails) and ids_match,
              f"batch {record['n']} ({record['phase']}): {present} present, ids match: {ids_match}")
    elif present:
        landed_unacked += 1
strangers = [email for email in users if email not in sent_emails and email != f"owner@{domain}"]
check("every user in the tenant comes from a batch that was sent", not strangers, str(strangers[:5]))
created = [email for email in users if email != f"owner@{domain}"]

# Roles: the last acknowledged change, or a later one whose answer was lost.
by_id = {user["id"]: user for user in users.values()}
role_changes_acked = role_users = 0
for user_id, history in histories.items():
    if not history:
        continue
    role_users += 1
    allowed = {frozenset()}
    for record in history:
        if record["outcome"] == "ack":
            role_changes_acked += 1
            allowed = {record["target"]}
        else:
            allowed.add(record["target"])
    user = by_id.get(user_id)
    final = frozenset(role["type"] for role in user["roles"]) & frozenset(ROLE_TYPES) if user else None
    check("a user's roles are those of their last acknowledged change (or a later unanswered one)", final in allowed,
          f"user {user_id}: has {sorted(final) if final is not None else 'no user'}, allowed {[sorted(a) for a in allowed]}, "
          f"history {[(sorted(r['target']), r['outcome']) for r in history]}")
# The listing shows effective roles; the direct ones must agree for the users that were changed.
sample = rng.sample(sorted(uid for uid, h in histories.items() if h), min(50, role_users))
for user_id in sample:
    status, direct = call("GET", f"/tenants/users/{user_id}/roles?rolesOnly=true", key=key)
    listed = frozenset(role["type"] for role in by_id[user_id]["roles"]) & frozenset(ROLE_TYPES) if user_id in by_id else None
    check("a user's direct roles agree with the roles listed", status == 200 and frozenset(r["type"] for r in direct) == listed,
          f"user {user_id}: {status} {direct if status != 200 else sorted(r['type'] for r in direct)} vs {listed}")

# The outbox: exactly one message per created user, none for anyone else.
recipients = {}  # file name -> recipient; files are replaced atomically and only by the same message


def read_recipients():
    for name in eml_names():
        if name in recipients:
            continue
        with open(os.path.join(mail_dir, name), errors="replace") as handle:
            head = handle.read(4096)
        to = next((line[4:].strip().strip("<>").lower() for line in head.splitlines() if line.startswith("To: ")), None)
        recipients[name] = to
    counts = {}
    for to in recipients.values():
        counts[to] = counts.get(to, 0) + 1
    return counts


mail_started = time.time()
counts = read_recipients()
while time.time() - mail_started < 60 and not all(email in counts for email in created):
    time.sleep(0.5)
    counts = read_recipients()
note(f"messages for {sum(1 for email in created if email in counts)} of {len(created)} users after {time.time() - mail_started:.1f} s")


def invitation_state(email):
    status, invitation = call("GET", f"/tenants/users/{users[email]['id']}/invitation", key=key)
    delivery = invitation.get("delivery", {}) if status == 200 and isinstance(invitation, dict) else {}
    return email, status, delivery


# Every invitation reports `sent` (a message claimed by a killed worker is retried after the lease).
undelivered = {}
pending = list(created)
with ThreadPoolExecutor(max_workers=8) as pool:
    while pending:
        undelivered = {email: (status, delivery) for email, status, delivery in pool.map(invitation_state, pending)
                       if not (status == 200 and delivery.get("status") == "sent")}
        pending = sorted(undelivered)
        note(f"invitations checked, {len(pending)} not yet sent ({time.time() - mail_started:.1f} s)")
        if not pending or time.time() - mail_started > 90:
            break
        time.sleep(0.5)
for email, (status, delivery) in undelivered.items():
    check("every created user's invitation reports delivery sent (within 90 s)", False, f"{email}: {status} {delivery}")
passed += len(created) - len(undelivered)
time.sleep(0.5)  # ten poll intervals more: room for a duplicate to show up
counts = read_recipients()
ours = {to: n for to, n in counts.items() if to and to.endswith("@" + domain)}
missing = [email for email in created if email not in ours]
check("every created user gets a message", not missing, f"{len(missing)} missing, e.g. {missing[:3]}")
duplicates = {to: n for to, n in ours.items() if n != 1}
check("no user gets more than one message", not duplicates, str(list(duplicates.items())[:5]))
unknown = [to for to in ours if to not in users]
check("no message goes to someone who is not a user", not unknown, str(unknown[:5]))
note(f"outbox settled {time.time() - mail_started:.1f} s after the restart")
server.process.send_signal(signal.SIGTERM)
check("the final server stops cleanly on SIGTERM", server.process.wait(timeout=30) == 0)

kill_batches = [record for record in batches if record["phase"] == "kill"]
unanswered = sum(1 for record in kill_batches if record["outcome"] == "noanswer")
role_changes_sent = sum(len(history) for history in histories.values())
check("no request was answered with an error (4xx/5xx)", not error_answers, "; ".join(error_answers[:5]))
print(f"crash ({database_kind}): {kills} kills survived; {len(kill_batches)} batches sent, "
      f"{sum(1 for r in kill_batches if r['outcome'] == 'ack')} acknowledged, {unanswered} unanswered "
      f"({landed_unacked} of those landed), {half_applied} half-applied; {len(created)} users checked; "
      f"{role_changes_sent} role changes sent, {role_changes_acked} acknowledged, on {role_users} users checked; "
      f"{sum(ours.values())} messages checked; {term_summary}; {time.time() - started:.0f} s", flush=True)
print(f"crash ({database_kind}): {passed} passed, {failed} failed (seed {seed}{'' if not failed else ', files in ' + work})")
if not failed:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
