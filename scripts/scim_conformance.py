#!/usr/bin/env python3
"""SCIM 2.0 conformance: runs scim2-tester (PyPI) against a live server, every check it has for
what the ServiceProviderConfig declares (discovery, create, read, list, attributes, .search, replace,
delete, PATCH add/replace/remove on Users and Groups), and fails on any ERROR.

Usage: scripts/scim_conformance.py BINARY   (DATABASE_URL picks the database; default: a fresh SQLite file)

scim2-tester has no command line and its HTTP engine needs a package this machine does not have, so
this script gives it a small client over `requests`. One adaptation, and why: the tester fills
`userName` with a random UUID, while this service's userName is the user's email address (and
refuses anything else with 400 invalidValue), so generated userNames are `<uuid>@example.com`.
No check is skipped or ignored.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter

import requests
from scim2_client import BaseSyncSCIMClient, RequestNetworkException
from scim2_tester import Status, check_server
import scim2_tester.filling as filling

binary = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="cipherscale-scim-")
atexit.register(shutil.rmtree, work, True)
env = dict(os.environ)
env.setdefault("DATABASE_URL", "sqlite://" + os.path.join(work, "scim.sqlite"))
env.update(LOG_LEVEL="error", RATE_LIMIT="0", INVITATION_RATE_LIMIT="0", MAIL_DIR=os.path.join(work, "mail"))
env.pop("SMTP_URL", None)


class RequestsClient(BaseSyncSCIMClient):
    """scim2-client over `requests`, sending bodies as application/scim+json with a bearer key."""

    def __init__(self, base_url, token, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/scim+json"})

    def _parse_json(self, response):
        return response.json()

    def request(self, method, url, json=None, **kwargs):
        full = url if url.startswith(("http://", "https://")) else f"{self.base_url}/{url.lstrip('/')}"
        if json is not None:
            import json as encoder
            kwargs["data"] = encoder.dumps(json).encode()
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Content-Type": "application/scim+json"}
        try:
            return self.session.request(method, full, timeout=30, **kwargs)
        except requests.RequestException as exc:
            error = RequestNetworkException()
            error.add_note(str(exc))
            raise error from exc


def main():
    created = subprocess.run(
        [binary, "tenants", "create", "--name", "SCIM conformance", "--owner-email", "owner@scim.example", "--json"],
        env=env, cwd=work, capture_output=True, text=True, check=True)
    key = __import__("json").loads(created.stdout)["apiKey"]
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        generate = filling.get_random_example_value
        filling.get_random_example_value = lambda path: (
            f"{uuid.uuid4()}@example.com" if str(path) == "userName" else generate(path))
        started = time.time()
        results = check_server(RequestsClient(f"http://127.0.0.1:{port}/scim/v2", key))
        failed = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
        for result in results:
            print(f"{result.status.name:8} {result.resource_type or '-':6} {result.title}: {result.reason or ''}")
        counts = Counter(r.status.name for r in results)
        print(f"scim2-tester: {dict(counts)} in {time.time() - started:.1f} s")
        if not any(r.resource_type for r in results):
            print("!! no resource check ran (discovery failed?)")
            return 1
        return 1 if failed or not results else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
