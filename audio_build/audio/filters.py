"""The signal filters loudness and true peak need: scipy's own compiled loops, without scipy.signal's import.

Every audio job runs four of scipy's loops: an IIR filter (BS.1770 K-weighting), 4x polyphase
oversampling (true peak) and a running minimum and mean (the limiter's gain curve). Importing
`scipy.signal` or `scipy.ndimage` to reach them costs 0.7 s (they import scipy.stats, scipy.interpolate
and more), longer than a worker takes to narrate a short article, and every build and every fresh
worker paid it before its first clip. The compiled modules load in 15 ms. The wrappers below call them
with exactly the arguments scipy's `sosfilt`, `resample_poly` and `*_filter1d` pass for the inputs this
package uses, so every sample is bit for bit what scipy gives (tests/test_filters.py compares them).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType

import numpy as np

_LOADING = threading.Lock()


def _compiled(name: str) -> ModuleType:
    """Import one of scipy's compiled modules (``scipy.signal._sosfilt``) without running its package's
    ``__init__``: a placeholder stands in for the package while the module loads, and is taken out again,
    so a later ``import scipy.signal`` imports the real package (and reuses this module)."""
    with _LOADING:
        if name in sys.modules:
            return sys.modules[name]
        package = name.rpartition(".")[0]
        if package in sys.modules:
            return importlib.import_module(name)
        spec = importlib.util.find_spec(package)
        if spec is None or spec.submodule_search_locations is None:
            raise ImportError(f"{package} is not installed")
        placeholder = ModuleType(package)
        placeholder.__path__ = list(spec.submodule_search_locations)
        placeholder.__package__ = package
        sys.modules[package] = placeholder
        try:
            return importlib.import_module(name)
        finally:
            if sys.modules.get(package) is placeholder:
                del sys.modules[package]


def sosfilt(sos: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """`scipy.signal.sosfilt(sos, signal)` for a 1-D signal, starting from rest."""
    dtype = np.result_type(sos, signal)
    rows = np.array(np.reshape(signal, (1, -1)), dtype, order="C")  # a copy: filtered in place
    state = np.zeros((1, len(sos), 2), dtype=dtype)
    _compiled("scipy.signal._sosfilt")._sosfilt(np.asarray(sos).astype(dtype, copy=False), rows, state)
    return rows.reshape(-1)


# `scipy.signal.firwin(81, 0.25, window=("kaiser", 5.0))` as float32: the low-pass filter `resample_poly(x, 4, 1)`
# designs for itself and filters float32 samples with. Frozen here because designing it imports scipy.signal;
# tests/test_filters.py checks it is still what scipy designs. Linear phase: the taps are symmetric, half is written.
_HALF_TAPS = np.array([
    -3.5799115e-19, -0.0002826494, -0.00052579195, -0.00047541698, 9.272603e-19, 0.0007316285, 0.0012546327,
    0.0010630798, -1.7472805e-18, -0.0014830129, -0.0024477085, -0.0020065315, 2.8035593e-18, 0.0026512726,
    0.004278789, 0.0034384897, -4.045988e-18, -0.004394791, -0.006995819, -0.0055549713, 5.3912075e-18,
    0.006966729, 0.011012871, 0.008698814, -6.7306396e-18, -0.010855772, -0.017172134, -0.013606373,
    7.943246e-18, 0.017243085, 0.027647432, 0.022320837, -8.911164e-18, -0.030033588, -0.050471105, -0.043494437,
    9.535784e-18, 0.074135706, 0.15836902, 0.22490814, 0.25015914,
], dtype=np.float32)
OVERSAMPLING_TAPS = np.concatenate((_HALF_TAPS, _HALF_TAPS[-2::-1]))


def oversample_4x(rows: np.ndarray) -> np.ndarray:
    """`scipy.signal.resample_poly(rows, 4, 1, axis=1)` for float32 rows: each row at four times its rate."""
    upfirdn = _compiled("scipy.signal._upfirdn_apply")
    up, down, half_len = 4, 1, 40
    taps = OVERSAMPLING_TAPS * np.float32(up)
    count = rows.shape[1]
    wanted = count * up
    pre_pad = down - half_len % down  # resample_poly's padding: the output starts at the centre tap
    pre_remove = (half_len + pre_pad) // down
    post_pad = 0
    while upfirdn._output_len(len(taps) + pre_pad + post_pad, count, up, down) < wanted + pre_remove:
        post_pad += 1
    taps = np.concatenate((np.zeros(pre_pad, np.float32), taps, np.zeros(post_pad, np.float32)))
    padded = np.zeros(len(taps) + (-len(taps) % up), np.float32)
    padded[: len(taps)] = taps
    flipped = np.ascontiguousarray(padded.reshape(-1, up).T[:, ::-1].ravel())
    out = np.zeros((rows.shape[0], upfirdn._output_len(len(taps), count, up, down)), dtype=np.float32)
    upfirdn._apply(np.asarray(rows, np.float32), flipped, out, up, down, 1, upfirdn.mode_enum("constant"), 0)
    return out[:, pre_remove: pre_remove + wanted]


_NEAREST = 0  # scipy.ndimage's code for mode="nearest": the edge value repeats


def minimum_filter1d(values: np.ndarray, size: int) -> np.ndarray:
    """`scipy.ndimage.minimum_filter1d(values, size, mode="nearest")` for a 1-D array."""
    values = np.asarray(values)
    out = np.zeros(values.shape, dtype=values.dtype.name)
    _compiled("scipy.ndimage._nd_image").min_or_max_filter1d(values, size, 0, out, _NEAREST, 0.0, 0, 1)
    return out


def uniform_filter1d(values: np.ndarray, size: int) -> np.ndarray:
    """`scipy.ndimage.uniform_filter1d(values, size, mode="nearest")` for a 1-D real array."""
    values = np.asarray(values)
    out = np.zeros(values.shape, dtype=values.dtype.name)
    _compiled("scipy.ndimage._nd_image").uniform_filter1d(values, size, 0, out, _NEAREST, 0.0, 0)
    return out
