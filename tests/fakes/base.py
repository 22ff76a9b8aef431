"""A real HTTP server on 127.0.0.1 for tests: routes, recorded requests, switchable faults."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.monotonic)  # time.monotonic() clock
    answered_at: float | None = None  # when the answer started to go out (after any delay)

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering

    @classmethod
    def json(cls, payload: object, status: int = 200, **headers: str) -> Response:
        return cls(
            status, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers}
        )


Handler = Callable[[Request], Response]


class FakeServer:
    """Serves `handle(request)` on an ephemeral port; the socket is bound before `start` returns.

    Subclasses implement `handle`. Every request is kept in `requests`; `faults` holds responses
    served (first in, first out) before the normal handler, to script 429s, 500s and slow answers.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Response] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the serve loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fail_next(self, *responses: Response) -> None:
        with self._lock:
            self.faults.extend(responses)

    def requests_to(self, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            fault = self.faults.pop(0) if self.faults else None
        return fault if fault is not None else self.handle(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                response = fake._dispatch(request)
                if response.delay:
                    time.sleep(response.delay)
                request.answered_at = time.monotonic()
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                # The client may have given up (timeout tests): nothing to do then.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(response.body)

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler
