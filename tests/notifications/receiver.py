"""A webhook receiver on 127.0.0.1 for tests: records requests, verifies them."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications.services.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    webhook_signature_verify,
)


@dataclass
class Received:
    event_id: str
    event_type: str
    body: bytes
    signature: str
    status: int

    @property
    def document(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with `failures` first (e.g. [500, 500, 500]), then 200."""

    failures: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    status = receiver.failures.pop(0) if receiver.failures else 200
                    receiver.requests.append(
                        Received(
                            event_id=self.headers.get(EVENT_ID_HEADER, ""),
                            event_type=self.headers.get(EVENT_TYPE_HEADER, ""),
                            body=body,
                            signature=self.headers.get(SIGNATURE_HEADER, ""),
                            status=status,
                        )
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def succeeded(self, event_type: str | None = None) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.status == 200
                and (event_type is None or r.event_type == event_type)
            ]

    def all_verified(self, secret: str) -> bool:
        with self._lock:
            return all(
                webhook_signature_verify(secret=secret, body=r.body, header=r.signature)
                for r in self.requests
            )
