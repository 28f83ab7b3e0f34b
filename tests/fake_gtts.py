"""A protocol-level stand-in for Google Translate's batchexecute endpoint, so gTTS tests never go online.

It reads the real `f.req` form that gTTS sends, answers in the real reply format (the `)]}'` envelope with
length-prefixed JSON chunks and the base64 MP3 inside the `jQ1olc` entry), and its audio is a real MP3: a
sine tone whose length is proportional to the text, so tests can check decoded durations. What it answers can be
scripted per request number, by rule, or at random with a seed; every request is recorded.

    with FakeGoogle() as server:
        server.script(TOO_MANY, AUDIO)        # request 1 gets 429, request 2 gets audio
        settings = GttsSettings(url=server.url)
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs

import imageio_ffmpeg
from gtts.lang import tts_langs

RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC_ID = "jQ1olc"
SLOW_FACTOR = 1.5  # "slow" audio from the fake is this much longer


@dataclass(frozen=True)
class Reply:
    """What the fake answers to one request."""

    kind: str  # audio | status | hang | garbage | empty | bad_base64 | not_mp3 | reset
    status: int = 200
    retry_after: str | None = None


AUDIO = Reply("audio")
TOO_MANY = Reply("status", 429)
SERVER_ERROR = Reply("status", 500)
UNAVAILABLE = Reply("status", 503)
HANG = Reply("hang")  # say nothing until the client gives up (or the server stops)
GARBAGE = Reply("garbage")  # 200 with an HTML page instead of the envelope
EMPTY = Reply("empty")  # 200 with no body at all
BAD_BASE64 = Reply("bad_base64")  # the right envelope around a payload that is not base64
NOT_MP3 = Reply("not_mp3")  # valid base64 of bytes that are not audio
RESET = Reply("reset")  # close the connection without answering


def too_many(retry_after: str) -> Reply:
    return Reply("status", 429, retry_after=retry_after)


@dataclass(frozen=True)
class Recorded:
    number: int  # 1-based, in arrival order
    time: float  # time.monotonic() on arrival
    path: str
    text: str | None  # from f.req, as Google would read it
    lang: str | None
    slow: bool
    reply: Reply


class FakeGoogle:
    """A ThreadingHTTPServer on 127.0.0.1 (random port) in a background thread; use as a context manager."""

    _mp3_cache: ClassVar[dict[int, bytes]] = {}  # shared by all servers: each tone is encoded once per run
    _mp3_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, seconds_per_char: float = 0.05, hang_seconds: float = 30.0) -> None:
        self.seconds_per_char = seconds_per_char
        self.hang_seconds = hang_seconds
        self.requests: list[Recorded] = []
        self._count = 0
        self._scripted: list[Reply] = []
        self._rules: list[Callable[[Recorded], Reply | None]] = []
        self._flaky: tuple[float, Reply, random.Random] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # ------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()  # ends hanging handlers
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------------------------ behaviour
    def script(self, *replies: Reply) -> None:
        """The next requests, in order, get these replies; after them the rules apply."""
        with self._lock:
            self._scripted.extend(replies)

    def rule(self, decide: Callable[[Recorded], Reply | None]) -> None:
        """`decide(request)` picks a reply (or None to pass); consulted after the script, first rule first.

        The request it sees has its number, text and lang; its `reply` is not chosen yet.
        """
        self._rules.append(decide)

    def flaky(self, probability: float, reply: Reply = TOO_MANY, seed: int = 0) -> None:
        """Answer `reply` with this probability (seeded, so a sequential client sees the same run every time)."""
        self._flaky = (probability, reply, random.Random(seed))

    def expected_duration(self, text: str, slow: bool = False) -> float:
        """Length of the tone the fake returns for one request's text."""
        return self._duration_ms(text, slow) / 1000

    def served(self, kind: str = "audio") -> list[Recorded]:
        return [r for r in self.requests if r.reply.kind == kind]

    def _duration_ms(self, text: str, slow: bool) -> int:
        seconds = max(0.2, len(text) * self.seconds_per_char) * (SLOW_FACTOR if slow else 1.0)
        return round(seconds * 100) * 10

    def _choose(self, request: Recorded) -> Reply:
        with self._lock:
            if self._scripted:
                return self._scripted.pop(0)
            for decide in self._rules:
                reply = decide(request)
                if reply is not None:
                    return reply
            if self._flaky is not None:
                probability, reply, rng = self._flaky
                if rng.random() < probability:
                    return reply
        return AUDIO

    def _record(self, path: str, text: str | None, lang: str | None, slow: bool) -> Recorded:
        with self._lock:
            self._count += 1
            pending = Recorded(self._count, time.monotonic(), path, text, lang, slow, AUDIO)
        recorded = replace(pending, reply=self._choose(pending))
        with self._lock:
            self.requests.append(recorded)
        return recorded

    def mp3(self, text: str, slow: bool = False) -> bytes:
        """A real MP3 (24 kHz mono, 32 kbit/s like Google's): a 440 Hz tone, cached by duration."""
        duration_ms = self._duration_ms(text, slow)
        with self._mp3_lock:
            if duration_ms not in self._mp3_cache:
                command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
                           "-f", "lavfi", "-i", f"sine=frequency=440:duration={duration_ms / 1000}:sample_rate=24000",
                           "-ac", "1", "-b:a", "32k", "-f", "mp3", "pipe:1"]
                self._mp3_cache[duration_ms] = subprocess.run(command, capture_output=True, check=True).stdout
            return self._mp3_cache[duration_ms]


def parse_freq(body: bytes) -> tuple[str, str, bool]:
    """(text, lang, slow) from a batchexecute form, read the way Google reads it; ValueError when malformed."""
    form = parse_qs(body.decode("ascii"), strict_parsing=False)
    (freq,) = form["f.req"]
    rpc: Any = json.loads(freq)
    rpc_id, arguments, _, kind = rpc[0][0]
    if rpc_id != RPC_ID or kind != "generic":
        raise ValueError(f"unknown rpc {rpc_id!r}")
    text, lang, speed, _ = json.loads(arguments)
    if not isinstance(text, str) or not text or not isinstance(lang, str):
        raise ValueError("bad arguments")
    return text, lang, speed is True


def envelope(inner: str | None) -> bytes:
    """The batchexecute reply format: `)]}'`, then length-prefixed JSON chunks, one line each."""
    entry = [["wrb.fr", RPC_ID, inner, None, None, None if inner else [3], "generic"],
             ["di", 38], ["af.httprm", 37, "-3921604873423549071", 9]]
    chunks = [json.dumps(entry, separators=(",", ":")), json.dumps([["e", 4, None, None, 1203]], separators=(",", ":"))]
    body = ")]}'\n"
    for chunk in chunks:
        body += f"\n{len(chunk) + 1}\n{chunk}"
    return (body + "\n").encode()


def _handler_for(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like Google
        disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms ACK stalls

        def log_message(self, *_: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._send(405, b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            text = lang = None
            slow = False
            malformed = self.path != RPC_PATH
            if not malformed:
                try:
                    text, lang, slow = parse_freq(body)
                except (KeyError, ValueError, TypeError, IndexError, UnicodeDecodeError):
                    malformed = True
            request = fake._record(self.path, text, lang, slow)
            if malformed:
                self._send(404 if self.path != RPC_PATH else 400, b"Bad Request")
                return
            assert text is not None
            self._answer(request.reply, text, lang, slow)

        def _answer(self, reply: Reply, text: str, lang: str | None, slow: bool) -> None:
            if reply.kind == "status":
                headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
                self._send(reply.status, b"<html><body>Error</body></html>", headers)
            elif reply.kind == "hang":
                fake._stopping.wait(fake.hang_seconds)
                self.close_connection = True
            elif reply.kind == "reset":
                self.close_connection = True
            elif reply.kind == "garbage":
                self._send(200, b"<!DOCTYPE html><html><body>Our systems have detected unusual traffic</body></html>")
            elif reply.kind == "empty":
                self._send(200, b"")
            elif reply.kind == "bad_base64":
                self._send(200, envelope(json.dumps(["@@not*base64!!"])))
            elif reply.kind == "not_mp3":
                self._send(200, envelope(json.dumps([base64.b64encode(b"this is no audio " * 40).decode()])))
            elif lang not in tts_langs():
                self._send(200, envelope(None))  # what Google sends for a language it cannot speak
            else:
                self._send(200, envelope(json.dumps([base64.b64encode(fake.mp3(text, slow)).decode()])))

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
