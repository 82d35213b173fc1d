"""A local stand-in for GOV.UK Notify's API: records each email request and answers with
``FakeNotify.status``. The ``fake_notify`` fixture points NOTIFY_BASE_URL at it and sets a
key and template, so the outbox sends through Notify. Use it from a test module as
``fake_notify = notify_fake.fixture``."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest


class FakeNotify(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeNotify.received.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization", ""),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(FakeNotify.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": str(uuid.uuid4()), "content": {}, "template": {}}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fixture(settings):
    FakeNotify.received = []
    FakeNotify.status = 201
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_API_KEY = f"test_key-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.ENCOMPASS_NOTIFY_TEMPLATE_ID = str(uuid.uuid4())
    yield FakeNotify
    server.shutdown()
    server.server_close()
