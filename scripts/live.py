"""What the scripts that drive a live server share: counted checks, a free port, one JSON call."""
import json
import socket
import urllib.error
import urllib.request


class Checks:
    """Counts checks and prints each failure with its detail."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, condition, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")

    def summary(self, suite):
        print(f"{suite}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, key=None, body=None, headers=None, timeout=30):
    """One request to the server on `port`: (status, headers, body). The body is decoded when the
    answer says it is JSON (and is), else it is the raw bytes; an empty body is None."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("apikey", key)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), _decoded(response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), _decoded(error.read(), error.headers)


def _decoded(raw, headers):
    if not raw:
        return None
    if "json" in (headers.get("Content-Type") or ""):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
