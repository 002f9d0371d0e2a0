"""The playground's web server: the page's files and a JSON API, on the standard library's
`http.server` (a threaded server, one lock around the one training session).

    GET  /                        the page (static/index.html); /static/NAME: its other files
    GET  /api/state               the whole state: configuration, points, epoch, losses, boundary, ...
    POST /api/reset               a configuration (see config.py) -> the new state
    POST /api/step                {"epochs": n}, 1 <= n <= 1000 -> the new frame (state minus the fixed parts)
    POST /api/upload              {"csv": "x1,x2,label\\n..."} -> the rows read (then reset with "upload")
    POST /api/backprop            {"index": i} -> one SVG per step of backward on training point i
    GET  /api/graph               the SVG of the network's graph and its loss (draw_graph)
    GET  /api/export/weights      the weights (.npz);  GET /api/export/code: the nn.Sequential code (.py)

A bad request gets a 400 response `{"error": ..., "field": ...}` naming the field. Only
the files listed in the static folder at start-up are served (a request names one
of them, never a path), POST bodies must be JSON of at most MAX_BODY bytes, and a
request whose Host header is not this server's own is refused (a web page elsewhere
cannot drive the server through DNS rebinding).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import datasets
from .config import DEFAULTS, FieldError, parse_config, parse_index, parse_step, parse_upload
from .export import CODE_FILE, WEIGHTS_FILE, model_code
from .session import Session

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
MAX_BODY = datasets.MAX_CSV_CHARS * 2 + 4096  # a CSV upload, each character perhaps JSON-escaped
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DEFAULT_PORT = 8765


class HTTPError(Exception):
    """A response other than 200, with a JSON body {"error": message, "field": field}."""

    def __init__(self, status: HTTPStatus, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def static_files(folder: str = STATIC) -> dict:
    """{URL path: file path} of the page's files: "/" is index.html, "/static/NAME" each file."""
    files = {f"/static/{name}": os.path.join(folder, name) for name in sorted(os.listdir(folder))
             if os.path.isfile(os.path.join(folder, name)) and os.path.splitext(name)[1] in CONTENT_TYPES}
    files["/"] = os.path.join(folder, "index.html")
    return files


class Playground:
    """What the handlers share: the session, the last upload, and the lock that serialises them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.upload = None
        self.session = Session(DEFAULTS)

    def reset(self, body) -> dict:
        config = parse_config(body)
        with self.lock:
            self.session = Session(config, self.upload)  # built before it replaces the old one
            return self.session.state()

    def step(self, body) -> dict:
        epochs = parse_step(body)
        with self.lock:
            self.session.train(epochs)
            return self.session.frame()

    def state(self) -> dict:
        with self.lock:
            return self.session.state()

    def upload_csv(self, body) -> dict:
        text = parse_upload(body, datasets.MAX_CSV_CHARS)
        try:
            points, values, rows = datasets.parse_csv(text)
        except datasets.DataError as error:
            raise FieldError("csv", str(error)) from None
        with self.lock:
            self.upload = (points, values, rows)
        return {"rows": len(points), "domain": [-datasets.extent_of(points), datasets.extent_of(points)]}

    def backprop(self, body) -> dict:
        with self.lock:
            index = parse_index(body, len(self.session.points["train"]))
            return {"index": index, "frames": self.session.backprop_frames(index)}

    def graph(self) -> bytes:
        with self.lock:
            return self.session.graph_svg()

    def export(self, what: str) -> bytes:
        with self.lock:
            return self.session.weights_npz() if what == "weights" else model_code(self.session).encode()


class Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    server_version = "glassgrad-playground"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each keep-alive response waits ~40 ms for a delayed ACK
    timeout = 60  # seconds: a client that stops sending (a short body, an idle connection) frees its thread

    def do_GET(self):
        self._respond(self._get)

    def do_POST(self):
        self._respond(self._post)

    def _get(self, path):
        playground = self.server.playground
        if path in self.server.static:
            return self._file(self.server.static[path])
        if path == "/api/state":
            return self._json(playground.state())
        if path == "/api/graph":
            return self._send(HTTPStatus.OK, playground.graph(), "image/svg+xml")
        if path in ("/api/export/weights", "/api/export/code"):
            what = path.rsplit("/", 1)[1]
            name, kind = (WEIGHTS_FILE, "application/octet-stream") if what == "weights" else \
                (CODE_FILE, "text/x-python; charset=utf-8")
            return self._send(HTTPStatus.OK, playground.export(what), kind,
                              {"Content-Disposition": f'attachment; filename="{name}"'})
        raise HTTPError(HTTPStatus.NOT_FOUND, f"no such page: {path}", "path")

    def _post(self, path):
        actions = {"/api/reset": "reset", "/api/step": "step", "/api/upload": "upload_csv",
                   "/api/backprop": "backprop"}
        if path not in actions:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"no such API: POST {path}", "path")
        return self._json(getattr(self.server.playground, actions[path])(self._body()))

    # --- requests and responses --------------------------------------------------------------

    def _respond(self, action):
        try:
            self._check_host()
            action(urlsplit(self.path).path)
        except HTTPError as error:
            self._error(error.status, error.message, error.field)
        except FieldError as error:
            self._error(HTTPStatus.BAD_REQUEST, error.message, error.field)
        except Exception as error:  # noqa: BLE001 (the page gets a JSON error, the terminal a traceback)
            name = type(error).__name__
            if name == "GraphvizNotInstalled":
                self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(error), None)
                return
            traceback.print_exc()
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{name}: {error}", None)

    def _check_host(self):
        host = self.headers.get("Host", "")
        if host not in self.server.allowed_hosts:
            raise HTTPError(HTTPStatus.FORBIDDEN, f"unexpected Host header {host[:100]!r}: open "
                            f"{self.server.url} instead", "Host")

    def _body(self):
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            message = f"send JSON with Content-Type: application/json, not {kind[:60]!r}"
            raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, message, "Content-Type")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length header",
                            "Content-Length")
        if int(length) > MAX_BODY:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body has {int(length):,} bytes, more "
                            f"than the {MAX_BODY:,} allowed", "body")
        raw = self.rfile.read(int(length))
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"malformed JSON: {error}", "body") from None

    def _json(self, record, status=HTTPStatus.OK):
        body = json.dumps(record, separators=(",", ":"), allow_nan=False).encode()
        self._send(status, body, "application/json")

    def _error(self, status, message, field):
        self.close_connection = True  # the request's body may be unread: this connection is done
        self._json({"error": message, "field": field}, status)

    def _file(self, path):
        with open(path, "rb") as file:
            body = file.read()
        kind = CONTENT_TYPES[os.path.splitext(path)[1]]
        self._send(HTTPStatus.OK, body, kind, {"Content-Security-Policy": PAGE_POLICY} if kind.startswith(
            "text/html") else None)

    def _send(self, status, body: bytes, kind: str, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # only failures: the page polls many times a second
        if len(args) > 1 and str(args[1])[:1] not in ("2", "3"):
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class PlaygroundServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer holding the Playground and the page's files."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        super().__init__((host, port), Handler)
        self.playground = Playground()
        self.static = static_files()
        port = self.server_address[1]
        self.url = f"http://{host}:{port}/"
        self.allowed_hosts = {f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"}

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):  # the browser went away mid-response
            return
        super().handle_error(request, client_address)


def serve(port: int = DEFAULT_PORT, open_browser: bool = True, host: str = "127.0.0.1") -> None:
    """Start the playground on host:port (port 0: a free one), print its URL, open the browser
    unless told not to, and serve until Ctrl-C."""
    try:
        server = PlaygroundServer(host, port)
    except OSError as error:
        raise RuntimeError(f"cannot listen on {host}:{port} ({error.strerror or error}); choose another "
                           "port with --port") from None
    print(f"glassgrad playground: {server.url}  (Ctrl-C stops it)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nglassgrad playground: stopped", flush=True)
    finally:
        server.server_close()
