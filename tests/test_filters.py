"""audio.filters gives, bit for bit, what scipy's public functions give, without importing scipy.signal."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyloudnorm
import pytest
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, resample_poly, sosfilt

from audio_build.audio import filters, loudness


def speech_like(count: int, seed: int, dtype: type = np.float32) -> np.ndarray:
    """Noise with bursts and silences, so the filters see attacks, decays and zeros."""
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(count) * np.repeat(rng.uniform(0, 1, -(-count // 500)) ** 3, 500)[:count]
    signal[count // 3: count // 3 + 700] = 0.0
    return signal.astype(dtype)


def test_the_frozen_oversampling_taps_are_those_scipy_designs():
    assert np.array_equal(filters.OVERSAMPLING_TAPS, firwin(81, 0.25, window=("kaiser", 5.0)).astype(np.float32))


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100, 48000])
def test_k_weighting_is_pyloudnorms_to_the_bit(rate):
    expected = np.vstack([np.concatenate([stage.b, stage.a]) for stage in pyloudnorm.Meter(rate)._filters.values()])
    assert np.array_equal(loudness._k_weighting(rate), expected)


@pytest.mark.parametrize("seed", range(4))
def test_the_filters_give_scipys_samples_to_the_bit(seed):
    signal = speech_like(22050 + 37 * seed, seed, np.float64)
    sos = loudness._k_weighting(22050)
    assert np.array_equal(filters.sosfilt(sos, signal), sosfilt(sos, signal))
    rows = speech_like(64 * (5 + seed), seed + 10).reshape(5 + seed, 64)
    assert np.array_equal(filters.oversample_4x(rows), resample_poly(rows, 4, 1, axis=1))
    for dtype in (np.float32, np.float64):
        gains = np.minimum(1.0, np.abs(speech_like(3000, seed + 20, dtype)) + 0.2).astype(dtype)
        for size in (1, 2, 7, 41):
            assert np.array_equal(filters.minimum_filter1d(gains, size), minimum_filter1d(gains, size, mode="nearest"))
            assert np.array_equal(filters.uniform_filter1d(gains, size), uniform_filter1d(gains, size, mode="nearest"))


def test_loading_the_filters_leaves_scipy_signal_importable_and_whole():
    code = ("import sys, numpy as np; from audio_build.audio import filters, loudness;"
            "loudness.normalize(np.sin(np.arange(48000) / 7).astype(np.float32), 24000);"
            "assert 'scipy.signal' not in sys.modules and 'scipy.ndimage' not in sys.modules, 'package imported';"
            "import scipy.signal, scipy.ndimage; from scipy.signal import resample_poly, sosfilt;"
            "assert sys.modules['scipy.signal._sosfilt'] is filters._compiled('scipy.signal._sosfilt');"
            "print(scipy.signal.resample_poly(np.ones(8), 2, 1).shape, scipy.ndimage.uniform_filter1d(np.ones(4), 2).sum())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(16,)", "4.0"]
