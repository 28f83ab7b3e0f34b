"""`audio-build serve`: a local preview for authors and translators.

Serves only the output folder, on 127.0.0.1 by default, with the right MIME types and HTTP range
requests (so audio seeking works); refuses any path that tries to leave the folder, encoded or not.
A watcher rebuilds when a source file, catalog, lexicon or the config changes; while it builds, the
previous site keeps being served (builds switch the site atomically).
"""

from __future__ import annotations

import posixpath
import re
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MIME_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".mp3": "audio/mpeg", ".vtt": "text/vtt; charset=utf-8",
    ".epub": "application/epub+zip", ".pls": "application/pls+xml", ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8", ".xml": "application/xml", ".png": "image/png", ".svg": "image/svg+xml",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def resolve_request_path(root: Path, raw_path: str) -> Path | None:
    """The file a URL path names inside `root`, or None when it is outside, hidden or malformed."""
    path = urllib.parse.urlsplit(raw_path).path
    if "\x00" in path or "\\" in path:
        return None
    decoded = urllib.parse.unquote(path, errors="strict") if "%" in path else path
    if "%" in decoded or "\x00" in decoded or "\\" in decoded:  # double encoding: refuse, never decode twice
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    normalized = posixpath.normpath("/" + "/".join(parts))
    base = root.resolve()
    candidate = (base / normalized.lstrip("/")).resolve()
    if candidate != base and base not in candidate.parents:
        return None  # a symlink pointing out of the site
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def make_handler(output_dir: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "audio-build"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _refuse(self, status: HTTPStatus) -> None:
            body = f"{status.value} {status.phrase}\n".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _serve(self, head: bool) -> None:
            try:
                path = resolve_request_path(output_dir, self.path)
            except UnicodeDecodeError:
                path = None
            if path is None:
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            size = path.stat().st_size
            start, end = 0, size - 1
            status = HTTPStatus.OK
            header = self.headers.get("Range")
            if header:
                match = _RANGE.match(header.strip())
                if not match or (not match.group(1) and not match.group(2)):
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.end_headers()
                    return
                if match.group(1):
                    start = int(match.group(1))
                    end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
                else:  # suffix range: the last N bytes
                    start = max(0, size - int(match.group(2)))
                if start > end or start >= size:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.end_headers()
                    return
                status = HTTPStatus.PARTIAL_CONTENT
            self.send_response(status)
            self.send_header("Content-Type", MIME_TYPES.get(path.suffix.lower(), "application/octet-stream"))
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            if status == HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            if head:
                return
            with path.open("rb") as handle:
                handle.seek(start)
                remaining = end - start + 1
                while remaining > 0:
                    chunk = handle.read(min(1 << 16, remaining))
                    if not chunk:
                        break
                    try:
                        self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    remaining -= len(chunk)

    return Handler


WATCHED_SUFFIXES = frozenset({".md", ".po", ".pls", ".toml"})


def watched_state(paths: list[Path]) -> dict[str, tuple[int, int]]:
    state = {}
    for root in paths:
        if root.is_file():
            candidates = [root]
        elif root.is_dir():
            candidates = [p for p in root.rglob("*") if p.suffix in WATCHED_SUFFIXES]
        else:
            candidates = []
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def changed_between(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[Path]:
    return {Path(path) for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def watch(paths: list[Path], on_change: Callable[[set[Path]], None], stop: threading.Event, step_ms: int = 50,
          since: dict[str, tuple[int, int]] | None = None) -> None:
    """Hand each batch of saved source files to `on_change`, about `step_ms` after the editor's last write.

    Kernel file events (inotify, through watchfiles) instead of polling: a save is seen in milliseconds
    however many files the project has, and an editor's write-rename-chmod sequence arrives as one batch.
    Set WATCHFILES_FORCE_POLLING=1 where events do not arrive (some network and container filesystems).
    `since` is the state the last build started from: an edit saved while that build ran is still new.
    """
    import watchfiles

    if since is not None:
        missed = changed_between(since, watched_state(paths))
        if missed:
            on_change(missed)
    existing = [path for path in paths if path.exists()]
    for changes in watchfiles.watch(*existing, watch_filter=lambda _change, path: Path(path).suffix in WATCHED_SUFFIXES,
                                    stop_event=stop, step=step_ms, raise_interrupt=False):
        if changes:
            on_change({Path(path) for _, path in changes})


def make_server(output_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(output_dir))
    server.daemon_threads = True
    return server


def address_of(server: ThreadingHTTPServer) -> str:
    host, port = server.socket.getsockname()[:2]
    return f"http://{host}:{port}/"


