"""Assembly: one document's clips, in order, with the pauses between blocks -> float samples at -16 LUFS,
and where every block and sentence sits in them (from the engine's own clip and sentence lengths).

A numpy concatenation of int16 clips: pydub was dropped from the pipeline because it only wrapped these
bytes, and its own concatenation copies the whole track once per segment (0.8 s for a 5-minute article).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from audio_build.audio.loudness import normalize
from audio_build.speech.model import Clip

SAMPLE_RATE = 22050
LEAD_IN = 0.25  # seconds of silence before the first word


@dataclass(frozen=True)
class Segment:
    """A clip placed in the document: which block, where it starts, its sentences' spans."""

    block_id: str
    kind: str
    start: float
    end: float
    sentences: tuple[tuple[str, float, float, str], ...]  # (sentence id, begin, end, text)


@dataclass(frozen=True)
class Assembled:
    samples: np.ndarray  # float32, mono, normalized
    sample_rate: int
    segments: tuple[Segment, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def delayed(self, seconds: float) -> Assembled:
        """The same audio with every time moved later: where a player hears each sentence in the MP3."""
        return Assembled(self.samples, self.sample_rate, tuple(
            Segment(s.block_id, s.kind, s.start + seconds, s.end + seconds,
                    tuple((sid, b + seconds, e + seconds, text) for sid, b, e, text in s.sentences))
            for s in self.segments))


def assemble(pieces: Sequence[tuple[str, str, Clip, float, Sequence[str]]], rate: int = SAMPLE_RATE,
             loudness: Callable[[np.ndarray, int], np.ndarray] | None = None) -> Assembled:
    """Concatenate (block id, kind, clip, pause after, sentence texts) with silences, keeping every span.

    `loudness` brings the samples to -16 LUFS: `loudness.normalize` unless a preview passes its one-pass kind.
    """
    chunks: list[bytes] = []
    segments: list[Segment] = []
    position = 0  # in samples
    lead = int(LEAD_IN * rate)
    chunks.append(b"\x00\x00" * lead)
    position += lead
    for block_id, kind, clip, pause, texts in pieces:
        if clip.sample_rate != rate:
            raise ValueError(f"clip for {block_id} is {clip.sample_rate} Hz, expected {rate} Hz")
        start = position
        chunks.append(np.ascontiguousarray(clip.samples, dtype="<i2").tobytes())
        position += len(clip.samples)
        spans = []
        begin = start / rate
        for (sentence_id, text), end in zip(texts_with_ids(block_id, texts), clip.sentence_ends):
            stop = start / rate + end
            spans.append((sentence_id, begin, stop, text))
            begin = stop
        segments.append(Segment(block_id, kind, start / rate, position / rate, tuple(spans)))
        silence = round(pause * rate)
        chunks.append(b"\x00\x00" * silence)
        position += silence
    samples = np.frombuffer(b"".join(chunks), dtype="<i2").astype(np.float32) / 32768.0
    return Assembled((loudness or normalize)(samples, rate), rate, tuple(segments))


def texts_with_ids(block_id: str, texts: Sequence[str]) -> list[tuple[str, str]]:
    return [(f"{block_id}_s{n}", text) for n, text in enumerate(texts, start=1)]
