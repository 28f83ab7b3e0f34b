"""Fault injection for the test suite, outside the package: with this folder on PYTHONPATH, every Python
process of a build (the CLI, the fork server, pool workers) registers a test engine under the name
"espeak" whose helper is `faulty_espeak_host.py`. The fault is chosen by AUDIO_BUILD_TEST_FAULT, which
only that helper reads (see its docstring); production code reads no test switch.
"""

from __future__ import annotations

from pathlib import Path

from audio_build.speech.engines import FACTORIES, EngineSettings
from audio_build.speech.engines.espeak import EspeakEngine

HOST = Path(__file__).with_name("faulty_espeak_host.py")


class FaultyEspeakEngine(EspeakEngine):
    host_command = (str(HOST),)


def _faulty_espeak(settings: EngineSettings) -> EspeakEngine:
    return FaultyEspeakEngine(timeout=settings.espeak_timeout)


FACTORIES["espeak"] = _faulty_espeak
