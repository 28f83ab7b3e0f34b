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
LOUDNESS_TOLERANCE = 0.4  # LU: well inside the ±1 LU the files must meet, usually reached in one or two rounds
# Ceiling for the true peak before encoding (peaks between samples included): the MP3 encoder adds
# up to about 1 dB on espeak-ng speech; -3 dBTP leaves few places for `encode_peak_safe` to dip.
TRUE_PEAK_CEILING_DB = -3.0
LIMITER_BLOCK = 32  # samples: the limiter works on a 1.5 ms envelope
DECODED_PEAK_CEILING_DB = -1.2  # the decoded MP3's true peak stays under this (the limit is -1 dBTP)
ENCODER_DELAY = 1105  # samples lameenc's MP3s decode late (576 encoder + 529 decoder), measured
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

    def delayed(self, seconds: float) -> Assembled:
        """The same audio with every time moved later: where a player hears each sentence in the MP3."""
        return Assembled(self.samples, self.sample_rate, tuple(
            Segment(s.block_id, s.kind, s.start + seconds, s.end + seconds,
                    tuple((sid, b + seconds, e + seconds, text) for sid, b, e, text in s.sentences))
            for s in self.segments))


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


def _hops(rate: int) -> int:
    return round(0.1 * rate)  # 400 ms gating blocks with 75 % overlap = sums of four 100 ms hops


def _hop_energy(samples: np.ndarray, rate: int, weighted: bool) -> np.ndarray:
    """Energy of every 100 ms hop, K-weighted (BS.1770) or raw."""
    from scipy.signal import sosfilt

    hop = _hops(rate)
    hops = len(samples) // hop
    signal = samples[: hops * hop]
    if weighted:
        if rate not in _K_CACHE:
            _K_CACHE[rate] = _k_weighting(rate)
        signal = sosfilt(_K_CACHE[rate], np.asarray(signal, dtype=np.float64))
    rows = signal.reshape(hops, hop)
    return np.asarray(np.einsum("ij,ij->i", rows, rows), dtype=np.float64)


def _gated(energy: np.ndarray, rate: int) -> float:
    """BS.1770-4 gating over hop energies: absolute gate -70 LUFS, relative gate -10 LU."""
    if len(energy) < 4:
        return -math.inf
    z = (energy[:-3] + energy[1:-2] + energy[2:-1] + energy[3:]) / (4 * _hops(rate))
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10.0 * np.log10(z)
    gated = z[loudness >= -70.0]
    if gated.size == 0:
        return -math.inf
    relative = -0.691 + 10.0 * np.log10(gated.mean()) - 10.0
    final = z[(loudness > relative) & (loudness > -70.0)]
    return float(-0.691 + 10.0 * np.log10(final.mean())) if final.size else -math.inf


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 integrated loudness (LUFS): pyloudnorm's filters and gating, in one vectorized pass."""
    return _gated(_hop_energy(samples, rate, weighted=True), rate)


def true_peak_db(samples: np.ndarray) -> float:
    """Peak of the 4x oversampled signal (BS.1770 true peak), in dBTP."""
    from scipy.signal import resample_poly

    if len(samples) == 0:
        return -math.inf
    peak = float(np.max(np.abs(resample_poly(np.asarray(samples, dtype=np.float64), 4, 1))))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def quick_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Peak of each limiter block including the half-way points between samples (cubic estimate).

    Cheap enough to run on every document; it misses part of the overshoot of very high frequencies,
    which the exact check after encoding (`peak_envelope`) then catches.
    """
    block = LIMITER_BLOCK
    count = -(-len(samples) // block)
    padded = np.zeros(count * block + 3, dtype=np.float32)
    padded[1: len(samples) + 1] = samples
    between = (9.0 * (padded[1:-2] + padded[2:-1]) - (padded[:-3] + padded[3:])) * np.float32(1 / 16)
    on = padded[1:-2]
    peaks = np.maximum(np.maximum(on, -on), np.maximum(between, -between))
    return np.asarray(peaks[: count * block].reshape(count, block).max(axis=1))


def peak_envelope(samples: np.ndarray, within_db: float = 12.0) -> np.ndarray:
    """True peak (BS.1770: 4x oversampled) of each limiter block, for the blocks that matter.

    Blocks whose sample peak is within `within_db` of the loudest are oversampled (with 16 samples of
    context on each side, all in one vectorized call); quieter blocks keep their sample peak, which no
    gain the limiter considers can lift to the ceiling.
    """
    from scipy.signal import resample_poly

    block = LIMITER_BLOCK
    count = -(-len(samples) // block)
    padded = np.zeros((count + 2) * block, dtype=np.float32)
    padded[block: block + len(samples)] = samples
    rows = padded.reshape(count + 2, block)[1:-1]
    envelope = np.maximum(rows.max(axis=1), -rows.min(axis=1))
    loudest = float(envelope.max(initial=0.0))
    if loudest <= 0.0:
        return np.asarray(envelope)
    candidates = np.flatnonzero(envelope >= loudest * 10 ** (-within_db / 20))
    context = block // 2
    starts = (candidates + 1) * block - context
    windows = padded[starts[:, None] + np.arange(block + 2 * context)[None, :]]
    oversampled = np.abs(resample_poly(windows, 4, 1, axis=1))[:, 4 * context: 4 * (context + block)]
    envelope[candidates] = np.maximum(envelope[candidates], oversampled.max(axis=1))
    return np.asarray(envelope)


def _shape(samples: np.ndarray, needed: np.ndarray, rate: int) -> np.ndarray:
    """Apply a smooth gain dip wherever a block `needs` less than unity (in place on block rows).

    Holds the lowest gain a peak needs for 20 ms on both sides, smooths it over 10 ms (never above
    what any peak in reach needs) and ramps linearly between blocks.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    block = LIMITER_BLOCK
    rows_view = samples.reshape(-1, block)
    hold = max(2, int(0.020 * rate / block))
    smooth_width = max(1, min(hold, int(0.010 * rate / block)))
    held = minimum_filter1d(needed, size=2 * hold + 1, mode="nearest")
    gain_blocks = np.minimum(uniform_filter1d(held, size=smooth_width, mode="nearest"), needed)
    following = np.append(gain_blocks[1:], gain_blocks[-1])
    rows = np.flatnonzero((gain_blocks < 1.0) | (following < 1.0))
    ramp = np.arange(block, dtype=np.float64) / block
    curve = gain_blocks[rows, None] + (following - gain_blocks)[rows, None] * ramp[None, :]
    # a ramp between blocks must never lift a peak above what its own block needs
    curve = np.minimum(curve, needed[rows, None])
    rows_view[rows] *= curve.astype(np.float32)
    return samples


def _padded(samples: np.ndarray, gain: float = 1.0) -> np.ndarray:
    block = LIMITER_BLOCK
    count = -(-len(samples) // block)
    out = np.empty(count * block, dtype=np.float32)
    np.multiply(samples, np.float32(gain), out=out[: len(samples)], casting="unsafe")
    out[len(samples):] = 0.0
    return out


def limit(samples: np.ndarray, ceiling: float, rate: int, gain: float = 1.0,
          envelope: np.ndarray | None = None) -> np.ndarray:
    """Look-ahead peak limiter: the gain dips smoothly around each peak instead of clipping it.

    Works on the block envelope (`quick_peak_envelope`, which scales with the gain, so callers trying
    several gains pass it once).
    """
    out = _padded(samples, gain)
    peaks = (envelope if envelope is not None else quick_peak_envelope(samples)) * gain
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if needed.min() < 1.0:
        _shape(out, needed, rate)
    return out[: len(samples)]


def normalize(samples: np.ndarray, rate: int) -> np.ndarray:
    """Bring speech to -16 LUFS integrated with the limiter holding peaks under the ceiling.

    Limiting takes some loudness away (more for peaky voices), so the gain is searched (secant
    method). Each try estimates the loudness without filtering again: the K-weighted hop energies
    of the input, scaled hop by hop by how much the limiter changed the raw energy. One exact
    measurement at the end checks the result and corrects what the estimate missed.
    """
    ceiling = 10 ** (TRUE_PEAK_CEILING_DB / 20)
    target = TARGET_LUFS + ENCODER_LOUDNESS_LOSS
    base = samples.astype(np.float32)
    weighted = _hop_energy(base, rate, weighted=True)
    source = _gated(weighted, rate)
    if not math.isfinite(source):
        return base
    raw = _hop_energy(base, rate, weighted=False)
    safe_raw = np.where(raw > 0, raw, 1.0)
    envelope = quick_peak_envelope(base)

    def attempt(gain_db: float) -> tuple[np.ndarray, float]:
        out = limit(base, ceiling, rate, gain=10 ** (gain_db / 20), envelope=envelope)
        change = np.where(raw > 0, _hop_energy(out, rate, weighted=False) / safe_raw, 10 ** (gain_db / 10))
        return out, _gated(weighted * change, rate)

    # 1. search the gain on the cheap estimate (secant method)
    gain = target - source
    out, estimate = attempt(gain)
    used_gain, tried = gain, [(gain, estimate)]
    for _ in range(4):
        if abs(estimate - target) <= LOUDNESS_TOLERANCE / 2:
            break
        if len(tried) == 1:
            gain = gain + (target - estimate)
        else:
            (g0, l0), (g1, l1) = tried[-2], tried[-1]
            gain = g1 + (target - l1) / max((l1 - l0) / (g1 - g0) if g1 != g0 else 1.0, 0.1)
        out, estimate = attempt(gain)
        used_gain = gain
        tried.append((gain, estimate))
    # 2. exact measurements: the estimate is close, not exact, for peaky voices
    measured = integrated_loudness(out, rate)
    for _ in range(3):
        if not math.isfinite(measured):
            break
        correction = target - measured
        if abs(correction) <= LOUDNESS_TOLERANCE:
            break
        if correction < 0:  # quieter never needs the limiter again: the result is exact
            return (out * np.float32(10 ** (correction / 20))).astype(np.float32)
        used_gain += correction * 1.5  # the limiter eats part of any increase
        out = limit(base, ceiling, rate, gain=10 ** (used_gain / 20), envelope=envelope)
        measured = integrated_loudness(out, rate)
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


def decode_mp3(data: bytes) -> np.ndarray:
    """Float samples of an MP3, as players decode it: libsndfile's mpg123 in this process (soundfile).

    Same samples as ffmpeg's decoder to 2e-5, encoder delay included, three times faster than
    starting ffmpeg for every document.
    """
    import io

    import soundfile

    samples, _ = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return np.asarray(samples if samples.ndim == 1 else samples.mean(axis=1), dtype=np.float32)


def encode_peak_safe(samples: np.ndarray, rate: int) -> tuple[bytes, float]:
    """Encode, decode, and where the encoder pushed a peak over -1 dBTP, dip those spots and encode again.

    MP3 quantization lifts some peaks by up to 2 dB, unpredictably and only in a few places; a local
    dip there keeps every decoded peak under the limit without making the rest of the speech quieter.
    Returns the MP3 and how long it plays (decoded), which captions and ebooks must fit within.
    """
    ceiling = 10 ** (DECODED_PEAK_CEILING_DB / 20)
    current = _padded(samples)
    mp3, played = b"", 0.0
    for _ in range(4):
        mp3 = encode_mp3(current[: len(samples)], rate)
        full = decode_mp3(mp3)
        played = len(full) / rate
        decoded = full[ENCODER_DELAY: ENCODER_DELAY + len(samples)]
        peaks = peak_envelope(decoded, within_db=float(20 * np.log10(max(np.abs(decoded).max(initial=0.0), 1e-9)
                                                                      / ceiling)) + 3.0)
        if peaks.max(initial=0.0) <= ceiling:
            return mp3, played
        needed = np.ones(len(current) // LIMITER_BLOCK)
        needed[: len(peaks)] = np.minimum(1.0, 0.9 * ceiling / np.maximum(peaks, 1e-12))
        _shape(current, needed, rate)
    return mp3, played


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


def sync_map(assembled: Assembled, duration: float | None = None) -> dict[str, object]:
    return {
        "duration": round(assembled.duration if duration is None else duration, 3),
        "blocks": {s.block_id: [round(s.start, 3), round(s.end, 3)] for s in assembled.segments},
        "sentences": {sid: [round(b, 3), round(e, 3)] for s in assembled.segments for sid, b, e, _ in s.sentences},
    }


def sync_json(assembled: Assembled, duration: float | None = None) -> bytes:
    return (json.dumps(sync_map(assembled, duration), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
