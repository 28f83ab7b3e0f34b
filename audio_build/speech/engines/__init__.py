"""Speech engines behind one small interface.

An engine turns the sentences of one block into one `Clip`: 16-bit mono samples plus the end time of
every sentence, taken from the engine itself (never estimated). Engines are chosen per locale in
audio-build.toml or with --engine; `FACTORIES` below maps each name of `config.ENGINES` to its maker.

- `espeak`: the offline default (espeak-ng through espeakng-loader, in a helper process); Tagalog,
  which it has no voice for, is spoken by its Indonesian voice through `tagalog.py`.
- `gtts`: Google's voices for users with network access (throttled, retried, never half-written).
- `piper`: offline neural voices: the bundled English one (installed by `make run`, the default for
  English) or any Piper `.onnx` voice a publisher supplies per locale.
- `kokoro`: Kokoro-82M (int8 ONNX) fed espeak-ng's IPA, for es, fr, pt, it and hi (this project's default
  for es, fr and pt-BR, chosen by the intelligibility benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, Self, runtime_checkable

import numpy as np

from audio_build.config import ENGINES, Config, GttsSettings
from audio_build.errors import EngineError
from audio_build.i18n.locales import LocaleInfo
from audio_build.speech.model import Clip, Part, Sentence, Voice


def join_sentences(engine: str, sentences: Sequence[Sentence], audios: Sequence[np.ndarray], pause: float,
                   rate: int) -> Clip:
    """One block's clip from each sentence's own int16 audio, with `pause` seconds between sentences.

    Every sentence end is a sample count of real audio (the pause counted in the sentence before it), so
    captions and highlighting follow what was synthesized, never an estimate.
    """
    silence = np.zeros(round(pause * rate), dtype=np.int16)
    pieces: list[np.ndarray] = []
    ends: list[int] = []
    total = 0
    for index, audio in enumerate(audios):
        pieces.append(audio)
        total += len(audio)
        if index < len(audios) - 1:
            pieces.append(silence)
            total += len(silence)
        ends.append(total)
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    if not np.any(samples):
        first = sentences[0].id if sentences else "(no sentences)"
        raise EngineError(f"{engine} produced no audio for the block of sentence {first}")
    return Clip(samples=samples, sample_rate=rate, sentence_ends=tuple(end / rate for end in ends))


class Engine(Protocol):
    name: str
    # Seconds of one CPU core per second of speech, measured on the 2-core bench machine: `serve` lets a quick
    # draft voice speak a preview first when the locale's own engine would keep a translator waiting.
    seconds_per_second: float

    def version(self, voice: Voice | None = None) -> str:
        """Changes whenever the same input could sound different in this voice (part of every cache key)."""

    def voice_for(self, locale: LocaleInfo, requested: str | None = None) -> Voice | None:
        """The voice that speaks this locale, or None when the engine has none."""

    def render(self, sentence: Sentence, voice: Voice | None = None) -> str:
        """The exact engine input for one sentence in this voice (what the cache key hashes)."""

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice, rate: int) -> Clip:
        """Speak one block; raise EngineError with a clear sentence when it cannot."""

    def close(self) -> None:
        """Release helper processes or sessions."""


@runtime_checkable
class SpeaksSentences(Protocol):
    """An engine that speaks each sentence of a block on its own (no state or prosody carried across them),
    so a block's clip is its sentences' audio joined: the build caches each sentence too, and an edit speaks
    again only the sentences it changed. `join(sentences, [speak(s) ...])` is exactly `synthesize(sentences)`."""

    output_rate: int

    def speak(self, sentence: Sentence, voice: Voice, rate: int) -> np.ndarray:
        """One sentence's int16 samples at `output_rate`; raise EngineError with a clear sentence when it cannot."""

    def join(self, sentences: Sequence[Sentence], audios: Sequence[np.ndarray]) -> Clip:
        """One block's clip from each sentence's audio."""


class ClosingEngine:
    """Every engine is a context manager: `with make_engine(...) as engine:` closes its helper processes."""

    def close(self) -> None:
        """Release helper processes or sessions."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()


class SentenceEngine(ClosingEngine):
    """Base of the engines that speak each sentence on its own (`SpeaksSentences`): a block is its sentences'
    audio joined with `sentence_pause` seconds between them, so `synthesize` is `join` over `speak`."""

    name: str
    output_rate: int
    sentence_pause: float

    def speak(self, sentence: Sentence, voice: Voice, rate: int) -> np.ndarray:
        raise NotImplementedError

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice, rate: int) -> Clip:
        return self.join(sentences, [self.speak(sentence, voice, rate) for sentence in sentences])

    def join(self, sentences: Sequence[Sentence], audios: Sequence[np.ndarray]) -> Clip:
        return join_sentences(self.name, sentences, audios, self.sentence_pause, self.output_rate)


@dataclass(frozen=True)
class EngineSettings:
    """What it takes to make an engine in any process (plain, hashable, picklable for workers and Dask)."""

    gtts: GttsSettings = field(default_factory=GttsSettings)
    espeak_timeout: float = 60.0
    piper_voice: str | None = None
    cache_dir: str = ".audio-build-cache"  # where the Kokoro model is assembled once

    @classmethod
    def of(cls, config: Config) -> EngineSettings:
        return cls(gtts=config.gtts, espeak_timeout=config.espeak_timeout, piper_voice=config.piper_voice,
                   cache_dir=str(config.cache_dir))


def _espeak(settings: EngineSettings) -> Engine:
    from audio_build.speech.engines.espeak import EspeakEngine
    return EspeakEngine(timeout=settings.espeak_timeout)


def _gtts(settings: EngineSettings) -> Engine:
    from audio_build.speech.engines.gtts_engine import GttsEngine
    return GttsEngine(settings.gtts)


def _piper(settings: EngineSettings) -> Engine:
    from audio_build.speech.engines.piper import PiperEngine
    return PiperEngine(settings.piper_voice)


def _kokoro(settings: EngineSettings) -> Engine:
    from audio_build.speech.engines.kokoro import KokoroEngine
    return KokoroEngine(settings.cache_dir, timeout=settings.espeak_timeout)


# The registry: each engine name of the configuration (config.ENGINES, also the CLI's choices) -> its factory.
# Modules are imported only when their engine is made, so an optional engine's packages stay optional.
FACTORIES: dict[str, Callable[[EngineSettings], Engine]] = {
    "espeak": _espeak, "gtts": _gtts, "piper": _piper, "kokoro": _kokoro,
}
assert set(FACTORIES) == set(ENGINES) - {"none"}, "every configurable engine needs a factory"


def make_engine(name: str, settings: EngineSettings) -> Engine:
    """The only place an engine is made (the build, the workers and the tests all come here)."""
    factory = FACTORIES.get(name)
    if factory is None:
        raise EngineError(f"unknown speech engine '{name}' (choose {', '.join(FACTORIES)})")
    return factory(settings)


__all__ = ["Clip", "Engine", "EngineError", "EngineSettings", "Part", "Sentence", "SentenceEngine", "SpeaksSentences",
           "Voice", "make_engine"]
