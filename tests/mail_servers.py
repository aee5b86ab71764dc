"""Stand-ins for the services e-mail goes to, started by the tests on 127.0.0.1: a real SMTP
server (aiosmtpd) that keeps what it is given, and a small HTTP server that answers like GOV.UK
Notify's API (the real one is not reachable from tests)."""

import json
import threading
import time
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from institute.devservices import _free_port


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for recipients, message in self.messages if address in recipients]

    def wait_for(self, address: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for recipients, message in self.messages:
                if address in recipients:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no e-mail reached {address}")


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=_free_port())

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port


class FakeNotify:
    """Answers POST /v2/notifications/email and GET /v2/notifications/<id> as Notify does.
    `replies` is a list of (status code, JSON) the next requests get, in order; after that
    every send is accepted. `requests` keeps (method, path, headers, JSON body)."""

    def __init__(self):
        self.requests = []
        self.replies = []
        self.statuses = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802  (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(("POST", self.path, dict(self.headers), body))
                if fake.replies:
                    self._answer(*fake.replies.pop(0))
                    return
                notification_id = str(uuid.uuid4())
                fake.statuses[notification_id] = "sending"
                self._answer(
                    201,
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "content": {"subject": body["personalisation"]["subject"], "body": ""},
                        "template": {"id": body["template_id"], "version": 1, "uri": ""},
                        "uri": f"/v2/notifications/{notification_id}",
                    },
                )

            def do_GET(self):  # noqa: N802
                fake.requests.append(("GET", self.path, dict(self.headers), None))
                notification_id = self.path.rsplit("/", 1)[-1]
                if notification_id not in fake.statuses:
                    self._answer(404, {"errors": [{"error": "NoResultFound"}]})
                    return
                self._answer(200, {"id": notification_id, "status": fake.statuses[notification_id]})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
