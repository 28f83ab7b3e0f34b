"""Google's voices through gTTS, for users with network access.

gTTS still does the protocol work: its text pre-processing, its 100-character tokenizing and its
batchexecute form (`gTTS.get_bodies()`, its public way to get the requests without sending them). This module
sends those bodies itself because `gTTS.stream()` opens a new session per request, turns TLS verification
off, never retries and hides why a request failed (every failure is one `gTTSError`). Here each request is
throttled, timed out, retried with backoff on 429/5xx/timeouts/resets, and its reply checked before use.

Every sentence is fetched and decoded on its own, so its end time is measured from its own audio. A block
either comes back whole or raises `EngineError`: nothing is written to disk and nothing partial is returned.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import math
import random
import re
import socket
import ssl
import subprocess
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import gtts
import imageio_ffmpeg
import numpy as np
import requests
from gtts.lang import tts_langs

from audio_build.config import GttsSettings
from audio_build.errors import EngineError, EngineUnavailable
from audio_build.i18n.locales import LocaleInfo
from audio_build.speech.engines import ClosingEngine
from audio_build.speech.model import Clip, Sentence, Voice

PROTOCOL = "1"
SAMPLE_RATE = 22050
RPC_PATH = "_/TranslateWebserverUi/data/batchexecute"
# The audio inside a batchexecute reply, found exactly as gtts/tts.py 2.5.4 finds it.
AUDIO_PATTERN = re.compile(r'jQ1olc","\[\\"(.*)\\"]')
# gTTS has two speeds only: "slow" is used for rates a listener asked to be clearly slower than normal speech.
SLOW_BELOW_WPM = 120
MAX_RETRY_AFTER = 60.0  # seconds: a server asking for longer fails the build soon rather than stalling it
JITTER = 0.1  # up to +10% on each backoff, so parallel builds do not retry in lockstep
DECODE_TIMEOUT = 60.0
# (gTTS language, Google host tld) for this project's readers (US residents); the tld picks the accent.
ACCENTS = {
    "en": ("en", "com"),
    "es": ("es", "com.mx"),  # Latin American Spanish for US Hispanic readers
    "zh": ("zh-CN", "com"),
    "zh-Hans": ("zh-CN", "com"),  # Mandarin
    "zh-Hant": ("zh-TW", "com"),
    "fr": ("fr", "fr"),
    "pt": ("pt", "com.br"),
    "pt-BR": ("pt", "com.br"),
    "pt-PT": ("pt", "pt"),
    "fil": ("tl", "com"),
}
_TLD = re.compile(r"^[a-z]{2,3}(?:\.[a-z]{2,3})?$")
_KEPT_FORMAT_CHARS = {"\u200c", "\u200d"}  # ZWNJ/ZWJ change how Persian and Indic words are spelled


def sanitize(text: str) -> str:
    """Only speech text goes to Google: control characters become spaces, invisible format marks go."""
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf" and char not in _KEPT_FORMAT_CHARS:
            continue
        cleaned.append(" " if category in ("Cc", "Cs", "Co", "Cn") else char)
    return " ".join("".join(cleaned).split())


def parse_voice(name: str) -> tuple[str, str]:
    """"pt|com.br" -> ("pt", "com.br"); a bare language uses google.com. The tld goes into a URL: check it."""
    language, _, tld = name.partition("|")
    tld = tld or "com"
    if language not in tts_langs() or not _TLD.match(tld):
        raise EngineError(f"'{name}' is not a gTTS voice (expected a gTTS language with an optional Google "
                          f"domain for the accent, like 'pt|com.br')")
    return language, tld


class Throttle:
    """At most `per_second` request starts per second: each caller reserves the next slot, then waits for it."""

    def __init__(self, per_second: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


class _Retryable(Exception):
    """One failed attempt worth repeating; `unreachable` separates network failures from HTTP answers."""

    def __init__(self, reason: str, *, unreachable: bool, status: int = 0, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable
        self.status = status
        self.retry_after = retry_after


class GttsEngine(ClosingEngine):
    name = "gtts"
    seconds_per_second = 0.3  # a round trip to Google per sentence, throttled (depends on the network)

    def __init__(self, settings: GttsSettings | None = None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        self.settings = settings or GttsSettings()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._throttle = Throttle(self.settings.requests_per_second, clock, sleep)
        self._session = requests.Session()
        # A test server on 127.0.0.1 must never be reached through a proxy from the environment.
        self._session.trust_env = self.settings.url is None
        self._ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()

    def close(self) -> None:
        self._session.close()

    # --------------------------------------------------------------------------------------- engine
    def version(self, voice: Voice | None = None) -> str:
        return f"gtts {gtts.__version__}; protocol {PROTOCOL}"

    def voice_for(self, locale: LocaleInfo, requested: str | None = None) -> Voice | None:
        if requested:
            language, tld = parse_voice(requested)
            return Voice(self.name, f"{language}|{tld}", locale.tag)
        accent = ACCENTS.get(locale.tag) or ACCENTS.get(locale.language)
        if accent is None and locale.language in tts_langs():
            accent = (locale.language, "com")
        return Voice(self.name, "|".join(accent), locale.tag) if accent else None

    def render(self, sentence: Sentence, voice: Voice | None = None) -> str:
        """Aliases replace lexicon words (gTTS takes no phonemes)."""
        return sanitize("".join(part.alias or part.text for part in sentence.parts))

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice, rate: int) -> Clip:
        language, tld = parse_voice(voice.name)
        slow = rate < SLOW_BELOW_WPM
        pieces = [self._speak(self.render(sentence), language, tld, slow) for sentence in sentences]
        ends: list[float] = []
        total = 0
        for samples in pieces:
            total += len(samples)
            ends.append(total / SAMPLE_RATE)
        if total == 0:
            raise EngineError("gTTS was given nothing to speak in this block (only punctuation or blank text)")
        return Clip(samples=np.concatenate(pieces), sample_rate=SAMPLE_RATE, sentence_ends=tuple(ends))

    # ------------------------------------------------------------------------------------- requests
    def _base_url(self, tld: str) -> str:
        return (self.settings.url or f"https://translate.google.{tld}").rstrip("/")

    def _speak(self, text: str, language: str, tld: str, slow: bool) -> np.ndarray:
        """One sentence: gTTS may split it into several requests; their audio is joined in order."""
        if not text:
            return np.zeros(0, dtype=np.int16)
        try:
            bodies = gtts.gTTS(text, tld=tld, lang=language, slow=slow, lang_check=False).get_bodies()
        except AssertionError:  # gTTS found only punctuation: a sentence with nothing to say lasts 0 s
            return np.zeros(0, dtype=np.int16)
        audio = [self._decode(self._fetch(body, language, tld)) for body in bodies]
        return np.concatenate(audio) if audio else np.zeros(0, dtype=np.int16)  # python -O skips that assert

    def _fetch(self, body: str, language: str, tld: str) -> bytes:
        """POST one gTTS request body, retrying what may pass; return the MP3 from a checked reply."""
        base = self._base_url(tld)
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            self._throttle.wait()
            try:
                response = self._session.post(f"{base}/{RPC_PATH}", data=body, headers=gtts.gTTS.GOOGLE_TTS_HEADERS,
                                              timeout=self.settings.timeout)
                return _audio_from(_checked(response, language, base))
            except _Retryable as failure:
                last = failure
            except requests.ReadTimeout:
                last = _Retryable(f"no reply within {self.settings.timeout:g} s", unreachable=True)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                last = _Retryable(_network_reason(exc), unreachable=True)
                if last.reason == "DNS lookup failed":  # offline: waiting will not help, say so at once
                    break
            except requests.RequestException as exc:
                raise EngineError(f"gTTS could not send its request to {base}: {exc}") from None
            if attempt + 1 < attempts:
                delay = self.settings.backoff * 2**attempt * (1 + JITTER * self._rng.random())
                self._sleep(max(delay, last.retry_after))
        tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
        if last.unreachable:
            raise EngineUnavailable(f"gTTS could not reach {base} ({last.reason}, {tries}) — use --engine espeak or "
                              f"build where the network is available.")
        if last.status == 429:
            raise EngineError(f"Google Translate kept refusing gTTS with HTTP 429 Too Many Requests ({tries}) — "
                              f"lower requests_per_second in [engines.gtts] or build again later.")
        raise EngineError(f"Google Translate kept failing with {last.reason} ({tries}) — build again later "
                          f"or use --engine espeak.")

    def _decode(self, mp3: bytes) -> np.ndarray:
        """MP3 -> 16-bit mono PCM at SAMPLE_RATE through an ffmpeg pipe (no temporary files)."""
        command = [self._ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "mp3", "-i", "pipe:0",
                   "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
        try:
            done = subprocess.run(command, input=mp3, capture_output=True, timeout=DECODE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"ffmpeg took more than {DECODE_TIMEOUT:g} s to decode gTTS audio") from None
        if done.returncode != 0 or not done.stdout:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineError("gTTS returned audio that ffmpeg cannot decode"
                              + (f" ({detail[-1]})" if detail else ""))
        return np.frombuffer(done.stdout, dtype="<i2").astype(np.int16)


def _checked(response: requests.Response, language: str, base: str) -> requests.Response:
    """Pass a 200; turn 429 and 5xx into a retryable failure; anything else is final."""
    status = response.status_code
    if status == 200:
        return response
    reason = f"HTTP {status} {response.reason or ''}".strip()
    if status == 429 or status >= 500:
        raise _Retryable(reason, unreachable=False, status=status,
                         retry_after=_retry_after(response.headers.get("Retry-After")))
    raise EngineError(f"Google Translate answered {reason} to gTTS for language '{language}' at {base} "
                      f"(the voice or tld may be wrong, or the protocol changed since gTTS {gtts.__version__}).")


def _audio_from(response: requests.Response) -> bytes:
    """The MP3 inside a 200 reply, or EngineError: an empty, foreign or broken reply is never audio."""
    text = response.content.decode("utf-8", "replace")
    if not text.strip():
        raise EngineError("Google Translate sent gTTS an empty reply")
    match = AUDIO_PATTERN.search(text)
    if match is None:
        raise EngineError("Google Translate's reply held no audio (an unsupported language, or the protocol "
                          f"changed since gTTS {gtts.__version__})")
    try:
        mp3 = base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError):
        raise EngineError("the audio in Google Translate's reply is not valid base64") from None
    if not mp3:
        raise EngineError("Google Translate's reply held an empty audio stream")
    return mp3


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (a number or an HTTP date), capped at MAX_RETRY_AFTER; 0 if absent."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 0.0
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) if math.isfinite(seconds) else 0.0


def _network_reason(exc: BaseException) -> str:
    """The root cause under requests' and urllib3's wrappers, in a few words a user can act on."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        error = pending.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, socket.gaierror) or type(error).__name__ == "NameResolutionError":
            return "DNS lookup failed"
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, http.client.RemoteDisconnected):
            return "connection closed without a reply"
        if isinstance(error, ConnectionResetError):
            return "connection reset"
        if isinstance(error, ssl.SSLError):
            return f"TLS error: {error.reason or error}"
        if isinstance(error, TimeoutError):
            return "connection timed out"
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
        nested = [*error.args, getattr(error, "reason", None), error.__cause__, error.__context__]
        pending.extend(item for item in nested if isinstance(item, BaseException))
    return type(exc).__name__
