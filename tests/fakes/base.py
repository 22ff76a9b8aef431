"""A real HTTP server on 127.0.0.1 for tests: routes, recorded requests, switchable faults."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
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
    connection: int = 0  # the client's port: requests on one kept-alive connection share it

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    # The headers, then a byte every `TRICKLE_SECONDS` until the client goes away: a body that
    # never ends, which defeats any per-read timeout and any size cap.
    endless: bool = False
    drop: bool = False  # close the connection without answering at all

    @classmethod
    def json(cls, payload: object, status: int = 200, **headers: str) -> Response:
        return cls(
            status, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers}
        )


Handler = Callable[[Request], Response]
TRICKLE_SECONDS = 0.2


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client dropping a kept-alive connection (a reset as it exits) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeServer:
    """Serves `handle(request)` on an ephemeral port; the socket is bound before `start` returns.

    Subclasses implement `handle`. Every request is kept in `requests`; `faults` holds responses
    served (first in, first out) before the normal handler, to script 429s, 500s, slow answers,
    dropped connections and bodies that never end; a fault given a `path` waits for a request
    whose path contains it.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[tuple[str | None, Response]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # ends any endless body still trickling
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
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
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fail_next(self, *responses: Response, path: str | None = None) -> None:
        """Serve `responses` to the next requests (only those whose path contains `path`)."""
        with self._lock:
            self.faults.extend((path, response) for response in responses)

    def fail_always(
        self, response: Response, *, path: str | None = None, times: int = 1000
    ) -> None:
        """A fault that lasts: the next `times` matching requests get `response`."""
        self.fail_next(*([response] * times), path=path)

    def heal(self) -> None:
        """The fault is gone: every scripted fault still waiting is dropped."""
        with self._lock:
            self.faults.clear()

    def requests_to(self, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            fault = None
            for i, (path, response) in enumerate(self.faults):
                if path is None or path in request.path:
                    fault = response
                    del self.faults[i]
                    break
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
                    connection=self.client_address[1],
                )
                response = fake._dispatch(request)
                if response.delay:
                    time.sleep(response.delay)
                request.answered_at = time.monotonic()
                if response.drop:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if response.endless:
                    self._trickle(response.body)
                    return
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                # The client may have given up (timeout tests): nothing to do then.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(response.body)

            def _trickle(self, start: bytes) -> None:
                """A chunked body (no length to check against a cap) that never ends: `start`,
                then a byte every `TRICKLE_SECONDS` until the client or the server goes away."""
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    if start:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(start), start))
                    while not fake._stopping.wait(TRICKLE_SECONDS):
                        self.wfile.write(b"1\r\n \r\n")
                        self.wfile.flush()

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler
