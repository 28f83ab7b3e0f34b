"""The gTTS engine against a protocol-level fake of Google's endpoint: nothing here reaches the internet."""

from __future__ import annotations

import itertools
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from audio_build.config import Config, GttsSettings
from audio_build.errors import EngineError, EngineUnavailable
from audio_build.i18n.locales import locale_info
from audio_build.speech.engines import EngineSettings
from audio_build.speech.engines import make_engine as registered_engine
from audio_build.speech.engines.gtts_engine import MAX_RETRY_AFTER, GttsEngine, Throttle
from audio_build.speech.model import Clip, Part, Sentence
from tests.fake_gtts import (
    AUDIO,
    BAD_BASE64,
    EMPTY,
    GARBAGE,
    HANG,
    NOT_MP3,
    RESET,
    SERVER_ERROR,
    TOO_MANY,
    UNAVAILABLE,
    FakeGoogle,
    Reply,
    too_many,
)

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE")
FAST = GttsSettings(requests_per_second=1000.0, timeout=2.0, retries=3, backoff=0.001)


class FakeClock:
    """time.monotonic and time.sleep for the engine: sleeping only moves this clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment, and any name lookup other than the loopback fails like a machine offline."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (tests are offline)")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture
def server() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_engine(server: FakeGoogle) -> Iterator[Any]:
    engines: list[GttsEngine] = []

    def make(clock: FakeClock | None = None, **settings: Any) -> GttsEngine:
        chosen = replace(FAST, **{"url": server.url, **settings})
        if clock is None:
            engine = GttsEngine(chosen, rng=random.Random(0))
        else:
            engine = GttsEngine(chosen, clock=clock, sleep=clock.sleep, rng=random.Random(0))
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def sentences(*texts: str) -> list[Sentence]:
    return [Sentence(id=f"b1_s{n}", parts=(Part(text),)) for n, text in enumerate(texts, 1)]


def speak(engine: GttsEngine, *texts: str, locale: str = "en", rate: int = 165) -> Clip:
    voice = engine.voice_for(locale_info(locale))
    assert voice is not None
    return engine.synthesize(sentences(*texts), voice, rate)


def sentence_durations(clip: Clip) -> list[float]:
    return [end - start for start, end in itertools.pairwise([0.0, *clip.sentence_ends])]


def assert_close(measured: float, expected: float) -> None:
    """Within 3%, plus up to three 24 ms MP3 frames (audio is padded to whole frames)."""
    assert abs(measured - expected) <= 0.03 * expected + 0.072, (measured, expected)


# ------------------------------------------------------------------------------------------- replies
def test_each_sentence_is_fetched_decoded_and_timed_from_its_own_audio(server: FakeGoogle, make_engine: Any) -> None:
    texts = ("Wash your hands.", "Take one tablet every morning with food.", "Call your doctor if the pain returns.")
    clip = speak(make_engine(), *texts)

    assert clip.sample_rate == 22050 and clip.samples.dtype.name == "int16"
    assert len(clip.sentence_ends) == len(texts)
    assert list(clip.sentence_ends) == sorted(set(clip.sentence_ends))
    assert clip.sentence_ends[-1] == pytest.approx(clip.duration)
    for measured, text in zip(sentence_durations(clip), texts, strict=True):
        assert_close(measured, server.expected_duration(text))
    assert [(r.text, r.lang, r.slow) for r in server.requests] == [(t, "en", False) for t in texts]
    assert abs(clip.samples).max() > 1000  # the tone, not silence


def test_a_sentence_longer_than_100_characters_is_one_sequence_of_requests(server: FakeGoogle,
                                                                          make_engine: Any) -> None:
    long = ("Before the test, do not eat or drink anything for eight hours, and take your usual medicines with "
            "a small sip of water unless your doctor told you otherwise.")
    clip = speak(make_engine(), "First.", long)

    parts = [r.text or "" for r in server.requests[1:]]
    assert len(parts) >= 2 and all(len(p) <= 100 for p in parts)
    assert len(clip.sentence_ends) == 2
    assert_close(sentence_durations(clip)[1], sum(server.expected_duration(p) for p in parts))


def test_a_slow_rate_asks_for_slow_speech(server: FakeGoogle, make_engine: Any) -> None:
    engine = make_engine()
    normal = speak(engine, "Breathe in slowly.", rate=165)
    slow = speak(engine, "Breathe in slowly.", rate=100)
    assert [r.slow for r in server.requests] == [False, True]
    assert slow.duration > normal.duration * 1.3


def test_a_sentence_with_nothing_to_say_lasts_zero_seconds(server: FakeGoogle, make_engine: Any) -> None:
    engine = make_engine()
    clip = speak(engine, "Rest.", "…", "Drink water.")
    assert len(server.requests) == 2
    assert clip.sentence_ends[0] == clip.sentence_ends[1] < clip.sentence_ends[2]
    with pytest.raises(EngineError, match="nothing to speak"):
        speak(engine, "...", "\x00")


@pytest.mark.parametrize("first", [TOO_MANY, SERVER_ERROR, UNAVAILABLE, RESET], ids=lambda r: str(r.status or r.kind))
def test_a_passing_failure_is_retried_after_backoff(server: FakeGoogle, make_engine: Any, clock: FakeClock,
                                                    first: Reply) -> None:
    server.script(first, first, AUDIO)
    clip = speak(make_engine(clock, backoff=0.5), "Keep the wound dry.")

    assert [r.reply for r in server.requests] == [first, first, AUDIO]
    backoffs = [s for s in clock.sleeps if s >= 0.4]
    assert len(backoffs) == 2
    assert 0.5 <= backoffs[0] <= 0.55 and 1.0 <= backoffs[1] <= 1.1  # backoff * 2**attempt, +10% jitter at most
    assert_close(clip.duration, server.expected_duration("Keep the wound dry."))


def test_retry_after_is_honoured_and_bounded(server: FakeGoogle, make_engine: Any, clock: FakeClock) -> None:
    server.script(too_many("3"), too_many("86400"), AUDIO)
    speak(make_engine(clock, backoff=0.01), "Keep the wound dry.")
    waits = [s for s in clock.sleeps if s > 0.1]
    assert waits == [pytest.approx(3.0), pytest.approx(MAX_RETRY_AFTER)]


def test_too_many_requests_until_retries_run_out(server: FakeGoogle, make_engine: Any) -> None:
    server.rule(lambda request: TOO_MANY)
    with pytest.raises(EngineError, match=r"HTTP 429 .*\(4 attempts\).*requests_per_second"):
        speak(make_engine(retries=3), "Keep the wound dry.")
    assert len(server.requests) == 4


def test_server_errors_until_retries_run_out(server: FakeGoogle, make_engine: Any) -> None:
    server.rule(lambda request: UNAVAILABLE)
    with pytest.raises(EngineError, match=r"HTTP 503 .*\(3 attempts\)"):
        speak(make_engine(retries=2), "Keep the wound dry.")


def test_a_client_error_is_not_retried(make_engine: Any, server: FakeGoogle) -> None:
    server.rule(lambda request: Reply("status", 403))
    with pytest.raises(EngineError, match="HTTP 403"):
        speak(make_engine(), "Keep the wound dry.")
    assert len(server.requests) == 1


def test_a_hang_times_out_and_the_retry_succeeds(server: FakeGoogle, make_engine: Any) -> None:
    server.script(HANG, AUDIO)
    started = time.monotonic()
    clip = speak(make_engine(timeout=0.3), "Keep the wound dry.")
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 2 and clip.duration > 0


def test_a_server_that_always_hangs_fails_in_bounded_time(server: FakeGoogle, make_engine: Any) -> None:
    server.rule(lambda request: HANG)
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"^gTTS could not reach .*no reply within 0.2 s, 3 attempts"):
        speak(make_engine(timeout=0.2, retries=2), "Keep the wound dry.")
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 3


@pytest.mark.parametrize(("reply", "message"), [
    (GARBAGE, "held no audio"),
    (EMPTY, "empty reply"),
    (BAD_BASE64, "not valid base64"),
    (NOT_MP3, "ffmpeg cannot decode"),
], ids=lambda value: getattr(value, "kind", ""))
def test_an_invalid_reply_is_an_error_without_a_retry(server: FakeGoogle, make_engine: Any, reply: Reply,
                                                              message: str) -> None:
    server.script(AUDIO, reply)
    with pytest.raises(EngineError, match=message):
        speak(make_engine(), "The first sentence is fine.", "The second one is not.")
    assert len(server.requests) == 2  # a broken reply is not a passing failure: no retry


# ------------------------------------------------------------------------------------------ throttle
def test_throttle_spaces_requests_on_an_injected_clock(clock: FakeClock) -> None:
    throttle = Throttle(4.0, clock, clock.sleep)
    starts = []
    for _ in range(5):
        throttle.wait()
        starts.append(clock.now)
    assert starts == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])


def test_engine_requests_take_at_least_n_minus_one_over_rate(server: FakeGoogle, make_engine: Any) -> None:
    texts = [f"Sentence number {n}." for n in range(6)]
    started = time.monotonic()
    speak(make_engine(requests_per_second=20.0), *texts)
    assert time.monotonic() - started >= 5 / 20
    arrivals = [r.time for r in server.requests]
    assert arrivals[-1] - arrivals[0] >= 5 / 20 - 0.02


def test_retries_are_throttled_too(server: FakeGoogle, make_engine: Any, clock: FakeClock) -> None:
    server.script(TOO_MANY, AUDIO)
    speak(make_engine(clock, requests_per_second=2.0, backoff=0.0), "One.", "Two.")
    assert clock.now >= 2 * 0.5  # three requests, two intervals of 1/rps


# ---------------------------------------------------------------------------------- voices and text
@pytest.mark.parametrize(("tag", "voice"), [
    ("en", "en|com"), ("es", "es|com.mx"), ("zh-Hans", "zh-CN|com"), ("vi", "vi|com"), ("ko", "ko|com"),
    ("ru", "ru|com"), ("ar", "ar|com"), ("fr", "fr|fr"), ("pt-BR", "pt|com.br"), ("tl", "tl|com"),
])
def test_locales_map_to_a_language_and_an_accent(make_engine: Any, tag: str, voice: str) -> None:
    found = make_engine().voice_for(locale_info(tag))
    assert found is not None and (found.engine, found.name, found.language) == ("gtts", voice, tag)


def test_a_language_gtts_lacks_has_no_voice(make_engine: Any) -> None:
    assert make_engine().voice_for(locale_info("ht")) is None


def test_a_requested_voice_overrides_and_is_checked(make_engine: Any) -> None:
    engine = make_engine()
    assert engine.voice_for(locale_info("en"), "en|co.uk").name == "en|co.uk"
    assert engine.voice_for(locale_info("es"), "es").name == "es|com"  # a bare language: google.com
    for bad in ("klingon", "en|evil.example/x?"):
        with pytest.raises(EngineError, match="not a gTTS voice"):
            engine.voice_for(locale_info("en"), bad)


def test_pt_br_reaches_the_server_as_pt(server: FakeGoogle, make_engine: Any) -> None:
    speak(make_engine(), "Tome um comprimido por dia.", locale="pt-BR")
    assert [(r.lang, r.text) for r in server.requests] == [("pt", "Tome um comprimido por dia.")]


def test_the_accent_picks_the_google_host() -> None:
    engine = GttsEngine(replace(FAST, retries=1))  # no url: the real host, which the offline fixture cannot resolve
    with pytest.raises(EngineUnavailable, match=r"^gTTS could not reach https://translate\.google\.com\.br "
                                          r"\(DNS lookup failed, 1 attempt\) — use --engine espeak"):
        speak(engine, "Tome um comprimido por dia.", locale="pt-BR")
    engine.close()


def test_render_uses_aliases_and_strips_what_is_not_speech(make_engine: Any) -> None:
    engine = make_engine()
    sentence = Sentence("b_s1", (Part("Your "), Part("fluoroscopy", espeak="flU@r'0sk@pi", alias="floor-OSS-copy"),
                                  Part(" is\x00 at\t9\u00ad:00\u202e.\n\x07")))
    assert engine.render(sentence) == "Your floor-OSS-copy is at 9:00."
    assert engine.render(Sentence("b_s2", (Part("می\u200cخواهم"),))) == "می\u200cخواهم"  # ZWNJ is spelling


def test_unreachable_server_names_the_cause(make_engine: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = make_engine(url=f"http://127.0.0.1:{port}", retries=2)
    with pytest.raises(EngineError) as caught:
        speak(engine, "Keep the wound dry.")
    assert str(caught.value).startswith(f"gTTS could not reach http://127.0.0.1:{port} (connection refused")
    assert str(caught.value).endswith("use --engine espeak or build where the network is available.")


def test_version_and_factory(server: FakeGoogle) -> None:
    engine = registered_engine("gtts", EngineSettings.of(Config(root=Path("."), gtts=replace(FAST, url=server.url))))
    assert isinstance(engine, GttsEngine)
    assert engine.version().startswith("gtts 2.5.4; protocol ")
    engine.close()


# -------------------------------------------------------------------------------------------- soak
def test_soak_500_sentences_with_20_percent_429s(server: FakeGoogle, make_engine: Any) -> None:
    server.flaky(0.2, TOO_MANY, seed=7)
    engine = make_engine(requests_per_second=10_000.0, retries=10, backoff=0.0005)
    voice = engine.voice_for(locale_info("en"))
    lengths = [20 + 8 * (n % 10) for n in range(500)]  # ten tone lengths, 1.0 s to 4.6 s
    texts = [f"Sentence {n}, ".ljust(length, "a") for n, length in enumerate(lengths)]

    started = time.monotonic()
    for block in range(50):
        chunk = texts[block * 10:(block + 1) * 10]
        clip = engine.synthesize(sentences(*chunk), voice, 165)
        assert len(clip.sentence_ends) == 10
        for measured, text in zip(sentence_durations(clip), chunk, strict=True):
            assert_close(measured, server.expected_duration(text))
    elapsed = time.monotonic() - started

    served = server.served("audio")
    assert [r.text for r in served] == texts  # every sentence answered once, in order: nothing lost
    refused = len(server.served("status"))
    assert 0.15 < refused / len(server.requests) < 0.25
    assert elapsed < 30, elapsed
