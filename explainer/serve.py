"""``render.py serve``: the build folder over HTTP on 127.0.0.1, for the watch page.

* byte ranges (``206 Partial Content``), so every browser can seek in the MP4;
* nothing outside the build folder: a request whose decoded path has a ``..`` (or a
  hidden ``.name``) component is refused with 403, and a symlink that leads out is
  treated as missing;
* ``/__events``: server-sent events that report the build's version (the newest mtime
  of ``manifest.json`` and the pages) once it has been still for a moment, so a page
  reloads itself when a render finishes (``render.py watch`` + ``serve`` is a live
  preview); ``/__version`` reports the same as JSON.

The pure parts (:func:`resolve`, :func:`parse_range`, :func:`build_version`) are
unit-tested; :func:`serve` wires them to :class:`http.server.ThreadingHTTPServer`.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import os
import re
import signal
import threading
import time
import urllib.parse
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import UserError
from .page import pages_in, write_pages
from .project import Project
from .settings import QUALITIES

CHUNK = 256 * 1024
POLL = 0.4  # seconds between looks at the build's version
SETTLE = 0.8  # a version must hold this long before pages are told (the render is done)
PING = 15.0  # a comment line this often keeps proxies and browsers from timing out
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wav": "audio/wav",
}


RANGE = re.compile(r"^bytes\s*=\s*(\d*)\s*-\s*(\d*)$", re.IGNORECASE)  # one range only


class Refused(Exception):
    """A request path that points outside the build folder."""


def resolve(root: Path, target: str) -> Path | None:
    """The file a request target names inside ``root``; ``None`` if there is none.

    Raises :class:`Refused` for paths that try to leave ``root`` (``..``, also
    percent-encoded) or name hidden files.

    >>> resolve(Path("/srv"), "/../etc/passwd")
    Traceback (most recent call last):
    ...
    explainer.serve.Refused: /../etc/passwd
    """
    path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
    if "\x00" in path or "\\" in path:
        raise Refused(target)
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") for p in parts):  # "..", ".", ".git", ...
        raise Refused(target)
    candidate = root.joinpath(*parts)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    if not real.is_relative_to(root.resolve()) or not real.is_file():
        return None
    return real


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The byte range (first, last, inclusive) a ``Range`` header asks for.

    ``None`` means "send the whole file" (no header, another unit, several ranges or
    a malformed one, which RFC 9110 lets a server ignore). Raises ``ValueError`` for
    a range that starts past the end (416).

    >>> parse_range("bytes=0-99", 1000), parse_range("bytes=900-", 1000)
    ((0, 99), (900, 999))
    >>> parse_range("bytes=-100", 1000), parse_range("bytes=990-2000", 1000)
    ((900, 999), (990, 999))
    >>> parse_range("bytes=0-1,5-9", 1000) is None, parse_range("items=1-2", 1000) is None
    (True, True)
    """
    match = RANGE.match(header.strip()) if header else None
    if not match:
        return None
    first_text, last_text = match.groups()
    if not first_text:  # a suffix: the last N bytes
        if not last_text:
            return None
        count = int(last_text)
        if count == 0:
            raise ValueError("an empty suffix range")
        return max(0, size - count), size - 1
    first = int(first_text)
    if first >= size:
        raise ValueError(f"range starts at {first}, the file has {size} bytes")
    last = min(int(last_text), size - 1) if last_text else size - 1
    if last < first:
        return None
    return first, last


def build_version(root: Path) -> str:
    """The newest mtime (ns) of the manifest and the pages: it changes when a render ends."""
    newest = 0
    for path in [root / "manifest.json", *root.glob("*.html")]:
        try:
            newest = max(newest, path.stat().st_mtime_ns)
        except FileNotFoundError:
            continue
    return str(newest)


class BuildHandler(BaseHTTPRequestHandler):
    """Serves one build folder (``self.root``); GET and HEAD only."""

    protocol_version = "HTTP/1.1"
    server_version = "nanochat-explained"
    sys_version = ""

    def __init__(self, *args, root: Path, stopping: threading.Event, quiet: bool, **kwargs):
        self.root = root
        self.stopping = stopping
        self.quiet = quiet
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.quiet:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def do_GET(self) -> None:
        self.respond(head=False)

    # -- responses

    def plain(self, status: HTTPStatus, text: str, head: bool = False, **headers: str) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def respond(self, head: bool) -> None:
        route = urllib.parse.urlsplit(self.path).path
        if route == "/__events":
            return self.events()
        if route == "/__version":
            body = json.dumps({"version": build_version(self.root)}).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return None
        try:
            path = resolve(self.root, self.path)
        except Refused:
            return self.plain(HTTPStatus.FORBIDDEN, "outside the build folder", head)
        if path is None:
            if route in ("", "/"):
                return self.plain(
                    HTTPStatus.NOT_FOUND,
                    "no index.html yet: render every chapter (render.py) or open a chapter page",
                    head,
                )
            return self.plain(HTTPStatus.NOT_FOUND, "not found", head)
        return self.file(path, head)

    def file(self, path: Path, head: bool) -> None:
        stat = path.stat()
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        wanted: tuple[int, int] | None = None
        if_range = self.headers.get("If-Range")
        if if_range is None or if_range == etag or _same_date(if_range, stat.st_mtime):
            try:
                wanted = parse_range(self.headers.get("Range"), size)
            except ValueError:
                return self.plain(
                    HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "range not satisfiable",
                    head,
                    Content_Range=f"bytes */{size}",
                )
        first, last = wanted if wanted else (0, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if wanted else HTTPStatus.OK)
        kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        self.send_header("Content-Type", kind or "application/octet-stream")
        self.send_header("Content-Length", str(max(0, last - first + 1)))
        self.send_header("Accept-Ranges", "bytes")
        if wanted:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # renders replace files in place
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if head or size == 0:
            return
        try:
            with path.open("rb") as handle:
                handle.seek(first)
                left = last - first + 1
                while left > 0:
                    chunk = handle.read(min(CHUNK, left))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser moved on (it often does when seeking)

    def events(self) -> None:
        """Server-sent events: ``event: build`` with the version, whenever it settles."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        sent = None
        seen, seen_at = build_version(self.root), time.monotonic()
        last_write = 0.0
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not self.stopping.is_set():
                now = time.monotonic()
                version = build_version(self.root)
                if version != seen:
                    seen, seen_at = version, now
                if seen != sent and (sent is None or now - seen_at >= SETTLE):
                    self.wfile.write(f"event: build\ndata: {seen}\n\n".encode())
                    self.wfile.flush()
                    sent, last_write = seen, now
                elif now - last_write >= PING:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
                    last_write = now
                self.stopping.wait(POLL)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _same_date(value: str, mtime: float) -> bool:
    try:
        return int(parsedate_to_datetime(value).timestamp()) == int(mtime)
    except (TypeError, ValueError):
        return False


class BuildServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second `serve` on the same port must fail, not share it

    def __init__(self, root: Path, port: int, quiet: bool = False) -> None:
        self.root = root
        self.stopping = threading.Event()
        handler = partial(BuildHandler, root=root, stopping=self.stopping, quiet=quiet)
        super().__init__(("127.0.0.1", port), handler)

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser closing a connection mid-response is normal
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def choose_build(project: Project, quality: str | None, configured: str) -> tuple[str, Path]:
    """The build folder to serve: ``quality`` if given; otherwise the configured quality
    if it has been rendered, else the most recently rendered one."""
    if quality is not None:
        if quality not in QUALITIES:
            raise UserError(f"quality '{quality}' is unknown; choose one of {', '.join(QUALITIES)}")
        return quality, project.build_dir(quality)
    rendered = [
        (project.build_dir(q) / "manifest.json", q)
        for q in QUALITIES
        if (project.build_dir(q) / "manifest.json").exists()
    ]
    if not rendered or any(q == configured for _, q in rendered):
        return configured, project.build_dir(configured)
    newest = max(rendered, key=lambda item: item[0].stat().st_mtime_ns)[1]
    return newest, project.build_dir(newest)


def open_server(root: Path, port: int, quiet: bool = False) -> BuildServer:
    try:
        return BuildServer(root, port, quiet)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} is in use; stop what uses it or choose another "
                f"(render.py serve --port {port + 1})"
            ) from None
        if error.errno == errno.EACCES:
            raise UserError(f"port {port} needs privileges; choose one above 1023") from None
        raise UserError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None


def serve(project: Project, quality: str | None, configured: str, port: int) -> int:
    """Serve a build folder until Ctrl-C."""
    if not 0 <= port <= 65535:
        raise UserError(f"port {port} is out of range (1024 to 65535)")
    name, root = choose_build(project, quality, configured)
    if (root / "manifest.json").exists():
        write_pages(root)  # a render from before the page existed, or a changed page design
    pages = pages_in(root)
    if not pages:
        raise UserError(
            f"{os.path.relpath(root)} has no render yet; run 'uv run render.py --quality {name}' "
            f"(or one chapter: 'uv run render.py 1 --quality {name}') first"
        )
    server = open_server(root, port)
    print(f"serving {os.path.relpath(root)} at {server.url} (Ctrl-C stops)", flush=True)
    for page in pages:
        print(f"  {server.url}{'' if page.name == 'index.html' else page.name}", flush=True)
    print("pages reload themselves when a render finishes", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # `kill` stops it as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, terminate)
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        server.stop()
    return 0
