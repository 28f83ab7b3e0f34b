"""MP3 files: lameenc in process, a decoded true peak kept under -1 dBTP, ID3v2.4 tags and chapters (mutagen)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import lameenc
import numpy as np
import soundfile
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TLAN, TPUB, CTOCFlags

from audio_build.audio.loudness import LIMITER_BLOCK, padded, peak_envelope, shape

DECODED_PEAK_CEILING_DB = -1.2  # the decoded MP3's true peak stays under this (the limit is -1 dBTP)
ENCODER_DELAY = 1105  # samples lameenc's MP3s decode late (576 encoder + 529 decoder), measured
MP3_BITRATE = 64
MP3_QUALITY = 5  # LAME -q: 2 is slowest; 5 is transparent for speech at this bitrate
DRAFT_QUALITY = 7  # previews only: twice as fast as 5, replaced by the full build's file seconds later


def encode_mp3(samples: np.ndarray, rate: int, quality: int = MP3_QUALITY) -> bytes:

    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(quality)
    return bytes(encoder.encode(pcm) + encoder.flush())


def decode_mp3(data: bytes) -> np.ndarray:
    """Float samples of an MP3, as players decode it: libsndfile's mpg123 in this process (soundfile).

    Same samples as ffmpeg's decoder to 2e-5, encoder delay included, three times faster than
    starting ffmpeg for every document.
    """


    samples, _ = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return np.asarray(samples if samples.ndim == 1 else samples.mean(axis=1), dtype=np.float32)


def encode_peak_safe(samples: np.ndarray, rate: int) -> tuple[bytes, float]:
    """Encode, decode, and where the encoder pushed a peak over -1 dBTP, dip those spots and encode again.

    MP3 quantization lifts some peaks by up to 2 dB, unpredictably and only in a few places; a local
    dip there keeps every decoded peak under the limit without making the rest of the speech quieter.
    Returns the MP3 and how long it plays (decoded), which captions and ebooks must fit within.
    """
    ceiling = 10 ** (DECODED_PEAK_CEILING_DB / 20)
    current = padded(samples)
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
        shape(current, needed, rate)
    return mp3, played


@dataclass(frozen=True)
class Tags:
    title: str
    language: str  # ISO 639-2 code for TLAN
    publisher: str
    voice_note: str  # says the voice is synthetic, and which engine
    album: str = ""
    date: str = ""


def tag_mp3(mp3: bytes, tags: Tags, chapters: Sequence[tuple[str, str, float, float]]) -> bytes:
    """ID3v2.4: title, language, publisher, synthetic-voice note, CHAP per section and a CTOC."""

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
