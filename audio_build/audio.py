"""Audio assembly: clips -> one normalized, tagged MP3 per document, with captions and a sync map.

pydub holds the assembled speech; loudness is measured per ITU-R BS.1770 (pyloudnorm's K-weighting
filters, gated blocks computed in one vectorized pass) and brought to -16 LUFS with a look-ahead
limiter keeping true peak under -1 dBTP; lameenc encodes in-process; mutagen writes ID3v2.4 tags and
chapters. Every time in the captions and the sync map comes from the engine's clip and sentence
lengths, never from an estimate.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engines import Clip

TARGET_LUFS = -16.0
# LAME (lameenc and ffmpeg's libmp3lame alike) comes out 0.43 LU quieter after decoding, at every quality
# and bitrate we tried: normalize that much above the target so the MP3 itself measures -16 LUFS.
ENCODER_LOUDNESS_LOSS = 0.43
LOUDNESS_TOLERANCE = 0.2  # LU: well inside the ±1 LU the files must meet, reached in two or three rounds
# Sample-peak ceiling before encoding: MP3 encoding and inter-sample peaks add up to about 1.2 dB,
# measured on decoded files; -3 dB keeps the decoded true peak under -1 dBTP with room to spare.
TRUE_PEAK_CEILING_DB = -3.0
SAMPLE_RATE = 22050
MP3_BITRATE = 64
MP3_QUALITY = 5  # LAME -q: 2 is slowest; 5 is transparent for speech at this bitrate
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


def _pydub() -> Any:
    """pydub, pointed at the ffmpeg that imageio-ffmpeg ships (no system ffmpeg needed)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydub warns about ffmpeg and audioop at import time
        import pydub
    import imageio_ffmpeg

    pydub.AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    return pydub


def assemble(pieces: Sequence[tuple[str, str, Clip, float, Sequence[str]]], rate: int = SAMPLE_RATE) -> Assembled:
    """Concatenate (block id, kind, clip, pause after, sentence texts) with pydub, keeping every span."""
    AudioSegment = _pydub().AudioSegment

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
    speech = AudioSegment(data=b"".join(chunks), sample_width=2, frame_rate=rate, channels=1)
    samples = np.frombuffer(speech.raw_data, dtype="<i2").astype(np.float32) / 32768.0
    return Assembled(normalize(samples, rate), rate, tuple(segments))


def texts_with_ids(block_id: str, texts: Sequence[str]) -> list[tuple[str, str]]:
    return [(f"{block_id}_s{n}", text) for n, text in enumerate(texts, start=1)]


# ------------------------------------------------------------------------------------------ loudness

def _k_weighting(rate: int) -> np.ndarray:
    """The BS.1770 K-weighting filter as second-order sections, from pyloudnorm's own filter design."""
    import pyloudnorm

    stages = pyloudnorm.Meter(rate)._filters.values()
    return np.vstack([np.concatenate([stage.b, stage.a]) for stage in stages])


_K_CACHE: dict[int, np.ndarray] = {}


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 integrated loudness (LUFS): pyloudnorm's filters and gating, in one vectorized pass."""
    from scipy.signal import sosfilt

    if rate not in _K_CACHE:
        _K_CACHE[rate] = _k_weighting(rate)
    hop = round(0.1 * rate)  # 400 ms blocks with 75 % overlap = sums of four 100 ms hops
    hops = len(samples) // hop
    if hops < 4:
        return -math.inf
    filtered = sosfilt(_K_CACHE[rate], np.asarray(samples[: hops * hop], dtype=np.float64))
    energy = np.square(filtered).reshape(hops, hop).sum(axis=1)
    z = (energy[:-3] + energy[1:-2] + energy[2:-1] + energy[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10.0 * np.log10(z)
    gated = z[loudness >= -70.0]
    if gated.size == 0:
        return -math.inf
    relative = -0.691 + 10.0 * np.log10(gated.mean()) - 10.0
    final = z[(loudness > relative) & (loudness > -70.0)]
    return float(-0.691 + 10.0 * np.log10(final.mean())) if final.size else -math.inf


def true_peak_db(samples: np.ndarray) -> float:
    """Peak of the 4x oversampled signal (BS.1770 true peak), in dBTP."""
    from scipy.signal import resample_poly

    if len(samples) == 0:
        return -math.inf
    peak = float(np.max(np.abs(resample_poly(np.asarray(samples, dtype=np.float64), 4, 1))))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit(samples: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """Look-ahead peak limiter: the gain dips smoothly around each peak instead of clipping it.

    Works on a 1.5 ms block envelope: hold the lowest gain a peak needs for 20 ms on both sides,
    smooth it over 10 ms (never above what any peak in reach needs), interpolate back to samples.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    block = 32
    count = -(-len(samples) // block)
    envelope = np.pad(np.abs(samples), (0, count * block - len(samples))).reshape(count, block).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if needed.min() >= 1.0:
        return samples
    hold = max(2, int(0.020 * rate / block))
    smooth_width = max(1, min(hold, int(0.010 * rate / block)))
    held = minimum_filter1d(needed, size=2 * hold + 1, mode="nearest")
    gain_blocks = np.minimum(uniform_filter1d(held, size=smooth_width, mode="nearest"), needed)
    following = np.append(gain_blocks[1:], gain_blocks[-1])
    rows = np.flatnonzero((gain_blocks < 1.0) | (following < 1.0))
    ramp = np.arange(block, dtype=np.float64) / block
    curve = gain_blocks[rows, None] + (following - gain_blocks)[rows, None] * ramp[None, :]
    # a ramp between blocks must never lift a peak sample above what its own block needs
    curve = np.minimum(curve, needed[rows, None])
    out = np.pad(samples.astype(np.float32), (0, count * block - len(samples))).reshape(count, block)
    out[rows] *= curve.astype(np.float32)
    return out.reshape(-1)[: len(samples)]


def normalize(samples: np.ndarray, rate: int) -> np.ndarray:
    """Bring speech to -16 LUFS integrated with the limiter holding peaks under the ceiling.

    Limiting takes some loudness away (more for peaky voices), so the gain is found by the secant
    method on f(gain) = loudness(limit(samples * gain)): two or three rounds reach 0.1 LU.
    """
    ceiling = 10 ** (TRUE_PEAK_CEILING_DB / 20)
    target = TARGET_LUFS + ENCODER_LOUDNESS_LOSS
    source = integrated_loudness(samples, rate)
    if not math.isfinite(source):
        return samples.astype(np.float32)
    base = samples.astype(np.float32)

    def attempt(gain_db: float) -> tuple[np.ndarray, float]:
        out = limit((base * 10 ** (gain_db / 20)).astype(np.float32), ceiling, rate)
        return out, integrated_loudness(out, rate)

    previous_gain = target - source
    out, loudness = attempt(previous_gain)
    if abs(loudness - target) <= LOUDNESS_TOLERANCE:
        return out
    gain = previous_gain + (target - loudness)
    previous_loudness = loudness
    for _ in range(3):
        out, loudness = attempt(gain)
        if abs(loudness - target) <= LOUDNESS_TOLERANCE or loudness == previous_loudness:
            break
        slope = (loudness - previous_loudness) / (gain - previous_gain)
        previous_gain, previous_loudness = gain, loudness
        gain = gain + (target - loudness) / max(slope, 0.1)
    return out


# -------------------------------------------------------------------------------------------- encode

def encode_mp3(samples: np.ndarray, rate: int) -> bytes:
    import lameenc

    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(MP3_QUALITY)
    return bytes(encoder.encode(pcm) + encoder.flush())


@dataclass(frozen=True)
class Tags:
    title: str
    language: str  # ISO 639-2 code for TLAN
    publisher: str
    voice_note: str  # says the voice is synthetic, and which engine
    album: str = ""
    date: str = ""


# ISO 639-2/T codes for TLAN; Babel has no 639-2 table, and the set of languages is small.
ISO_639_2 = {"en": "eng", "es": "spa", "zh": "zho", "vi": "vie", "ko": "kor", "tl": "tgl", "ru": "rus", "ar": "ara",
             "ht": "hat", "fr": "fra", "pt": "por", "de": "deu", "it": "ita", "ja": "jpn", "hi": "hin", "fa": "fas",
             "pl": "pol", "uk": "ukr", "so": "som", "am": "amh", "ne": "nep", "bn": "ben", "ur": "urd", "yue": "yue"}


def tag_mp3(mp3: bytes, tags: Tags, chapters: Sequence[tuple[str, str, float, float]]) -> bytes:
    """ID3v2.4: title, language, publisher, synthetic-voice note, CHAP per section and a CTOC."""
    from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TLAN, TPUB, CTOCFlags

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TLAN(encoding=3, text=tags.language))
    if tags.publisher:
        id3.add(TPUB(encoding=3, text=tags.publisher))
    if tags.album:
        id3.add(TALB(encoding=3, text=tags.album))
    if tags.date:
        id3.add(TDRC(encoding=3, text=tags.date))
    id3.add(COMM(encoding=3, lang=tags.language, desc="voice", text=tags.voice_note))
    element_ids = []
    for index, (chapter_id, title, start, end) in enumerate(chapters):
        element_id = f"ch{index}"
        element_ids.append(element_id)
        id3.add(CHAP(element_id=element_id, start_time=int(start * 1000), end_time=int(end * 1000),
                     start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                     sub_frames=[TIT2(encoding=3, text=title)]))
    if element_ids:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=element_ids,
                     sub_frames=[TIT2(encoding=3, text=tags.title)]))
    buffer = io.BytesIO()
    id3.save(buffer, v2_version=4, padding=lambda info: 0)
    return buffer.getvalue() + mp3


# ------------------------------------------------------------------------------------ captions, sync

def clock(seconds: float, hour_digits: int = 2) -> str:
    """h:mm:ss.fff, as WebVTT (two hour digits) and SMIL/EPUB (any) write times."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:0{hour_digits}d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    return " ".join(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split())


def webvtt(assembled: Assembled, language: str) -> bytes:
    """One cue per sentence, timed from the synthesis; cue ids are the page's sentence ids."""
    lines = ["WEBVTT", f"Language: {language}", ""]
    for segment in assembled.segments:
        for sentence_id, begin, end, text in segment.sentences:
            if end <= begin:
                continue
            lines.extend([sentence_id, f"{clock(begin)} --> {clock(end)}", _vtt_text(text), ""])
    return ("\n".join(lines)).encode("utf-8")


def sync_map(assembled: Assembled) -> dict[str, object]:
    return {
        "duration": round(assembled.duration, 3),
        "blocks": {s.block_id: [round(s.start, 3), round(s.end, 3)] for s in assembled.segments},
        "sentences": {sid: [round(b, 3), round(e, 3)] for s in assembled.segments for sid, b, e, _ in s.sentences},
    }


def sync_json(assembled: Assembled) -> bytes:
    return (json.dumps(sync_map(assembled), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
