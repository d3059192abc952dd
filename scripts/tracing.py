#!/usr/bin/env python3
"""Traces reach an OTLP/HTTP receiver, continue the caller's trace, and appear in the JSON logs.

Usage: scripts/tracing.py BINARY  (DATABASE_URL set: that database, else SQLite in a temporary folder)

Runs a small OTLP/HTTP receiver (it decodes the protobuf export requests itself, with no library),
starts the server with OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, sends requests with a W3C
`traceparent`, and checks that:
- each request is a server span named by its route template (never a raw id), child of the sent span;
- the database statements are client spans in the same trace, under the request's span;
- the invitation mail a request queued is delivered in a span of that request's trace, and carries
  that span's `traceparent` as a header;
- the access log line (LOG_FORMAT=json) carries the same trace id;
- a request without `traceparent` starts a trace of its own.
"""
import atexit
import gzip
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live  # noqa: E402
from live import Checks, free_port  # noqa: E402

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="cipherscale-tracing-")
atexit.register(shutil.rmtree, work, True)
check = Checks()


# --- protobuf wire format, just enough for ExportTraceServiceRequest ---

def fields(data):
    """Yields (field number, wire type, value) of one protobuf message."""
    i = 0

    def varint():
        nonlocal i
        shift = result = 0
        while True:
            byte = data[i]
            i += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, wire, varint()
        elif wire == 1:
            yield number, wire, data[i:i + 8]
            i += 8
        elif wire == 2:
            length = varint()
            yield number, wire, data[i:i + length]
            i += length
        elif wire == 5:
            yield number, wire, data[i:i + 4]
            i += 4
        else:
            raise ValueError(f"wire type {wire}")


def spans_of(request):
    """The spans of an ExportTraceServiceRequest: resource_spans(1) > scope_spans(2) > spans(2)."""
    spans = []
    for number, _, resource_spans in fields(request):
        if number != 1:
            continue
        for number, _, scope_spans in fields(resource_spans):
            if number != 2:
                continue
            for number, _, raw in fields(scope_spans):
                if number != 2:
                    continue
                span = {"attributes": {}}
                for n, _, value in fields(raw):
                    if n == 1:
                        span["trace_id"] = value.hex()
                    elif n == 2:
                        span["span_id"] = value.hex()
                    elif n == 4:
                        span["parent_span_id"] = value.hex()
                    elif n == 5:
                        span["name"] = value.decode()
                    elif n == 6:
                        span["kind"] = value  # 2 server, 3 client
                    elif n == 9:
                        key = text = None
                        for kn, _, kv in fields(value):
                            if kn == 1:
                                key = kv.decode()
                            elif kn == 2:
                                for an, _, av in fields(kv):
                                    text = av.decode() if an == 1 else av
                        span["attributes"][key] = text
                spans.append(span)
    return spans


received = []
content_types = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        content_types.append((self.path, self.headers.get("Content-Type")))
        received.extend(spans_of(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()

port = free_port()
env = dict(os.environ, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{receiver.server_port}", OTEL_BSP_SCHEDULE_DELAY="100",
           LOG_FORMAT="json", LOG_REQUESTS="1", LOG_LEVEL="info", RATE_LIMIT="0", MAIL_DIR=os.path.join(work, "mail"),
           MAIL_POLL_MS="100")
env.pop("SMTP_URL", None)
env.setdefault("DATABASE_URL", "sqlite://" + os.path.join(work, "directory.sqlite"))
log = open(os.path.join(work, "server.log"), "w+")
server = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=work, stdout=log, stderr=log)


def call(method, path, key=None, body=None, headers=None):
    status, _, body = live.call(port, method, path, key, body, headers)
    return status, body


def spans_until(predicate, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = [span for span in list(received) if predicate(span)]
        if found:
            return found
        time.sleep(0.1)
    return []


try:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if call("GET", "/ready")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    log.seek(0)
    key = next((line.strip() for line in log.read().splitlines() if line.strip().startswith("csk_")), None)
    check("the server starts with tracing on and prints the first tenant's key", key is not None)

    trace, parent = secrets.token_hex(16), secrets.token_hex(8)
    status, page = call("GET", "/tenants/users?limit=1", key, headers={"traceparent": f"00-{trace}-{parent}-01"})
    check("a traced request is answered as usual", status == 200, str(status))
    servers = spans_until(lambda s: s.get("trace_id") == trace and s.get("kind") == 2)
    check("the request is a server span in the caller's trace", len(servers) == 1, str(servers))
    request_span = servers[0] if servers else {}
    check("its parent is the caller's span", request_span.get("parent_span_id") == parent, str(request_span))
    check("it is named by its route", request_span.get("name") == "/tenants/users", str(request_span.get("name")))
    statements = [s for s in received if s.get("trace_id") == trace and s.get("kind") == 3]
    check("its database statements are client spans of the same trace", len(statements) >= 1, str(len(statements)))
    check("each statement span is a child of the request's span",
          statements and all(s.get("parent_span_id") == request_span.get("span_id") for s in statements),
          str([(s.get("name"), s.get("parent_span_id")) for s in statements]))
    check("statement spans are named by their operation and say the database",
          statements and all(s.get("name") in ("SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "WITH") for s in statements)
          and all(s["attributes"].get("db.system.name") in ("sqlite", "postgresql") for s in statements),
          str([(s.get("name"), s["attributes"].get("db.system.name")) for s in statements]))
    check("spans arrive as OTLP/HTTP protobuf on /v1/traces",
          content_types and all(path == "/v1/traces" and kind == "application/x-protobuf" for path, kind in content_types), str(content_types))

    user = page["data"][0]["id"] if status == 200 and page.get("data") else ""
    call("GET", f"/tenants/users/{user}", key)
    named = spans_until(lambda s: s.get("kind") == 2 and s.get("name", "").startswith("/tenants/users/"))
    check("a request without traceparent is traced under its route template, no raw id",
          named and all(user not in s["name"] for s in named) and named[0].get("trace_id") != trace
          and not named[0].get("parent_span_id"), str([(s.get("name"), s.get("parent_span_id")) for s in named]))

    mail_trace = secrets.token_hex(16)
    created = call("POST", "/tenants/users", key, {"email": "traced@tracing.example", "groups": []},
                   headers={"traceparent": f"00-{mail_trace}-{secrets.token_hex(8)}-01"})
    check("a traced create is answered 201", created[0] == 201, str(created[0]))
    deliveries = spans_until(lambda s: s.get("trace_id") == mail_trace and s.get("name") == "mail deliver")
    check("the invitation's delivery is a span in the trace of the request that queued it", len(deliveries) == 1,
          str([(s.get("name"), s.get("kind")) for s in received if s.get("trace_id") == mail_trace]))
    mail_dir = env["MAIL_DIR"]
    written = [open(os.path.join(mail_dir, name)).read() for name in os.listdir(mail_dir)
               if name.startswith("traced@tracing.example") and name.endswith(".eml")] if os.path.isdir(mail_dir) else []
    header = next((line for text in written for line in text.splitlines() if line.lower().startswith("traceparent:")), "")
    check("the message carries its delivery span's traceparent",
          deliveries and header == f"Traceparent: 00-{mail_trace}-{deliveries[0]['span_id']}-01", f"{header!r} {len(written)} files")

    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/tenants/users" and line.get("method") == "GET"]
    check("the JSON access line carries the trace id", access and access[0].get("trace_id") == trace, str(access[:1]))
    check("every JSON access line has time, level, message, request id, route, status and duration",
          access and all(k in access[0] for k in ("time", "level", "message", "request_id", "route", "status", "duration_ms")),
          str(access[:1]))
finally:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    receiver.shutdown()

status = check.summary("tracing")
if check.failed:
    log.seek(0)
    print("--- server log (last lines) ---")
    print("".join(log.readlines()[-30:]))
sys.exit(status)
