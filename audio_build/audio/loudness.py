"""Loudness per ITU-R BS.1770 and a true-peak limiter: speech at -16 LUFS that never clips.

Loudness uses pyloudnorm's K-weighting filters (designed here as pyloudnorm designs them) with the gated
blocks computed in one vectorized pass; the look-ahead limiter keeps the true peak (peaks between samples
included) under the ceiling. The filtering runs in scipy's compiled loops, reached through `filters`.
"""

from __future__ import annotations

import math

import numpy as np

from audio_build.audio.filters import minimum_filter1d, oversample_4x, sosfilt, uniform_filter1d

TARGET_LUFS = -16.0
# LAME (lameenc and ffmpeg's libmp3lame alike) comes out 0.43 LU quieter after decoding, at every quality
# and bitrate we tried: normalize that much above the target so the MP3 itself measures -16 LUFS.
ENCODER_LOUDNESS_LOSS = 0.43
LOUDNESS_TOLERANCE = 0.4  # LU: well inside the ±1 LU the files must meet, usually reached in one or two rounds
# Ceiling for the true peak before encoding (peaks between samples included): the MP3 encoder adds
# up to about 1 dB on espeak-ng speech; -3 dBTP leaves few places for `encode_peak_safe` to dip.
TRUE_PEAK_CEILING_DB = -3.0
LIMITER_BLOCK = 32  # samples: the limiter works on a 1.5 ms envelope


def _k_weighting(rate: int) -> np.ndarray:
    """The BS.1770 K-weighting filter as second-order sections, designed as pyloudnorm's `Meter` designs it
    (a +4 dB high shelf at 1500 Hz, then a high pass at 38 Hz), with the same operations in the same order
    so the coefficients are bit for bit pyloudnorm's (pyloudnorm imports scipy.signal, 0.7 s, to offer them)."""
    return np.vstack([_rbj_biquad(4.0, 1 / np.sqrt(2), 1500.0, rate, shelf=True),
                      _rbj_biquad(0.0, 0.5, 38.0, rate, shelf=False)])


def _rbj_biquad(gain_db: float, q: float, centre: float, rate: int, shelf: bool) -> np.ndarray:
    """One stage from the RBJ Audio EQ Cookbook, high shelf or high pass, as [b0, b1, b2, a0, a1, a2] / a0."""
    A = 10 ** (gain_db / 40.0)  # the cookbook names its variables so
    w0 = 2.0 * np.pi * (centre / rate)
    alpha = np.sin(w0) / (2.0 * q)
    if shelf:
        b0 = A * ((A + 1) + (A - 1) * np.cos(w0) + 2 * np.sqrt(A) * alpha)
        b1 = -2 * A * ((A - 1) + (A + 1) * np.cos(w0))
        b2 = A * ((A + 1) + (A - 1) * np.cos(w0) - 2 * np.sqrt(A) * alpha)
        a0 = (A + 1) - (A - 1) * np.cos(w0) + 2 * np.sqrt(A) * alpha
        a1 = 2 * ((A - 1) - (A + 1) * np.cos(w0))
        a2 = (A + 1) - (A - 1) * np.cos(w0) - 2 * np.sqrt(A) * alpha
    else:
        b0 = (1 + np.cos(w0)) / 2
        b1 = -(1 + np.cos(w0))
        b2 = (1 + np.cos(w0)) / 2
        a0 = 1 + alpha
        a1 = -2 * np.cos(w0)
        a2 = 1 - alpha
    return np.concatenate([np.array([b0, b1, b2]) / a0, np.array([a0, a1, a2]) / a0])


_K_CACHE: dict[int, np.ndarray] = {}


def _hops(rate: int) -> int:
    return round(0.1 * rate)  # 400 ms gating blocks with 75 % overlap = sums of four 100 ms hops


def _hop_energy(samples: np.ndarray, rate: int, weighted: bool) -> np.ndarray:
    """Energy of every 100 ms hop, K-weighted (BS.1770) or raw."""

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
    oversampled = np.abs(oversample_4x(windows))[:, 4 * context: 4 * (context + block)]
    envelope[candidates] = np.maximum(envelope[candidates], oversampled.max(axis=1))
    return np.asarray(envelope)


def shape(samples: np.ndarray, needed: np.ndarray, rate: int) -> np.ndarray:
    """Apply a smooth gain dip wherever a block `needs` less than unity (in place on block rows).

    Holds the lowest gain a peak needs for 20 ms on both sides, smooths it over 10 ms (never above
    what any peak in reach needs) and ramps linearly between blocks.
    """

    block = LIMITER_BLOCK
    rows_view = samples.reshape(-1, block)
    hold = max(2, int(0.020 * rate / block))
    smooth_width = max(1, min(hold, int(0.010 * rate / block)))
    held = minimum_filter1d(needed, 2 * hold + 1)
    gain_blocks = np.minimum(uniform_filter1d(held, smooth_width), needed)
    following = np.append(gain_blocks[1:], gain_blocks[-1])
    rows = np.flatnonzero((gain_blocks < 1.0) | (following < 1.0))
    ramp = np.arange(block, dtype=np.float64) / block
    curve = gain_blocks[rows, None] + (following - gain_blocks)[rows, None] * ramp[None, :]
    # a ramp between blocks must never lift a peak above what its own block needs
    curve = np.minimum(curve, needed[rows, None])
    rows_view[rows] *= curve.astype(np.float32)
    return samples


def padded(samples: np.ndarray, gain: float = 1.0) -> np.ndarray:
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
    out = padded(samples, gain)
    peaks = (envelope if envelope is not None else quick_peak_envelope(samples)) * gain
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if needed.min() < 1.0:
        shape(out, needed, rate)
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


def normalize_once(samples: np.ndarray, rate: int) -> np.ndarray:
    """One measurement, one gain, one limiter pass: within about half a LU of `normalize`, in a third of its time.

    For previews (`serve`), whose audio the full build replaces seconds later; published files use `normalize`.
    """
    base = samples.astype(np.float32)
    source = integrated_loudness(base, rate)
    if not math.isfinite(source):
        return base
    gain = 10 ** ((TARGET_LUFS + ENCODER_LOUDNESS_LOSS - source) / 20)
    return limit(base, 10 ** (TRUE_PEAK_CEILING_DB / 20), rate, gain=gain)
