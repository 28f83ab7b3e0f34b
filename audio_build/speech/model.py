"""What speech is made of: sentences in parts (with pronunciations), voices, and the clips engines return.

Plain data shared by the lexicon, the scripts, the engines, the cache and the audio assembly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Part:
    """A run of one sentence: plain text, or a lexicon word with its pronunciations."""

    text: str
    ipa: str | None = None
    espeak: str | None = None  # espeak-ng phoneme codes, e.g. "flU'r0sk@pi"
    alias: str | None = None  # a respelling any engine can read


@dataclass(frozen=True)
class Sentence:
    id: str  # "<block id>_s<n>": the same id as the page's span and the caption cue
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)


@dataclass(frozen=True)
class Voice:
    engine: str
    name: str  # engine-specific voice id: "en-us", "cmn", "pt-br"; gTTS "pt|com.br"
    language: str  # BCP 47 tag of the locale it speaks


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray  # int16, mono
    sample_rate: int
    sentence_ends: tuple[float, ...]  # seconds from the clip start; one per input sentence

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate
