"""Benchmark instrumentation, loaded by every Python process of a build when this folder is on PYTHONPATH.

With AUDIO_BUILD_RAW_TIMES=<folder> set, it times ONNX Runtime's `InferenceSession.run` (the raw inference of
the neural engines, Piper and Kokoro) in whichever process calls it, and writes the total to
<folder>/<pid>.json when that process exits. The cold-build floor counts these seconds as the neural engines'
raw synthesis: only the model, not their phonemizers, so the floor is if anything too low (never flattering).
onnxruntime is wrapped when something imports it, so processes that never do (pages, the espeak-ng helper)
pay nothing.
"""

from __future__ import annotations

import atexit
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

FOLDER = os.environ.get("AUDIO_BUILD_RAW_TIMES")
_totals = {"onnx_run_seconds": 0.0, "onnx_run_calls": 0}


def _dump() -> None:
    if _totals["onnx_run_calls"]:
        Path(FOLDER, f"{os.getpid()}.json").write_text(json.dumps(_totals))  # type: ignore[arg-type]


def _wrap(module: Any) -> None:
    original = module.InferenceSession.run

    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _totals["onnx_run_seconds"] += time.perf_counter() - began
            _totals["onnx_run_calls"] += 1

    module.InferenceSession.run = run
    atexit.register(_dump)
    try:
        import multiprocessing.util

        multiprocessing.util.Finalize(None, _dump, exitpriority=1)  # pool workers leave through os._exit
    except ImportError:
        pass


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        _wrap(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "onnxruntime":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if FOLDER:
    import importlib.util

    sys.meta_path.insert(0, _Finder())
