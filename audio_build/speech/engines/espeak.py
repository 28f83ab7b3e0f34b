"""The offline default engine: espeak-ng (installed by pip through espeakng-loader).

The library runs in a helper process (`espeak_host`); this side speaks its small protocol, resolves
voices, renders lexicon phonemes as `[[...]]` and turns the engine's own sentence events into
sentence end times.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from audio_build.cache import code_version
from audio_build.errors import EngineError
from audio_build.i18n.locales import LocaleInfo
from audio_build.speech.engines import ClosingEngine, tagalog
from audio_build.speech.model import Clip, Sentence, Voice

PROTOCOL = "1"
_CODE = code_version("speech/engines/espeak.py", "speech/engines/espeak_host.py")[:12]
EVENT_WORD, EVENT_SENTENCE = 1, 2
# Which regional voice speaks a bare language tag for this project's readers (US residents).
PREFERRED = {"en": "en-us", "es": "es-419", "zh": "cmn", "pt": "pt-br", "fr": "fr-fr", "vi": "vi"}
# Languages espeak-ng has no voice for, spoken by a related voice through a converter of our own that turns
# their text into that voice's phonemes (language -> (voice, converter)).
BORROWED: dict[str, tuple[str, Callable[[str], str]]] = {
    "tl": (tagalog.VOICE, tagalog.phonemes),
    "fil": (tagalog.VOICE, tagalog.phonemes),
}


def sanitize(text: str) -> str:
    """Text from a catalog must never become engine markup: `[[`/`]]` would switch to phoneme input."""
    return text.replace("[", "(").replace("]", ")").replace("\x00", " ")


class EspeakEngine(ClosingEngine):
    name = "espeak"
    seconds_per_second = 0.01  # formant synthesis (0.001 measured, plus the fork per clip)
    # Run with this Python as a script, not with -m: importing the package on the way (numpy, the engine
    # registry) tripled the helper's start, which every build and every worker waits for. -P keeps this
    # folder off sys.path (its piper.py and kokoro.py would stand in for the packages of those names).
    host_command: tuple[str, ...] = ("-P", str(Path(__file__).with_name("espeak_host.py")))

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._version = ""
        self._voices: list[dict[str, Any]] | None = None

    # ---------------------------------------------------------------------------------- helper process
    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the helper process
        self._process = subprocess.Popen([sys.executable, *self.host_command],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        ready = self._read_header()
        self._version = str(ready.get("version", ""))
        return self._process

    def _host_error(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""

    def _read_header(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            detail = self._host_error()
            self._process = None
            raise EngineError("the espeak-ng helper process stopped" + (f": {detail}" if detail else ""))
        header: dict[str, Any] = json.loads(line)
        return header

    def _request(self, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write((json.dumps(request) + "\n").encode())
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            self._process = None
            raise EngineError("the espeak-ng helper process stopped unexpectedly") from None
        header = self._read_header()
        payload = b""
        if header.get("ok") and "samples" in header:
            payload = process.stdout.read(int(header["samples"]) * 2)
        return header, payload

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            try:
                assert self._process.stdin is not None
                self._process.stdin.write(b'{"op": "quit"}\n')
                self._process.stdin.flush()
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
        self._process = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown may have torn down subprocess
            self.close()

    # --------------------------------------------------------------------------------------- engine
    def version(self, voice: Voice | None = None) -> str:
        self._start()
        return f"espeak-ng {self._version}; protocol {PROTOCOL}; code {_CODE}"

    def voices(self) -> list[dict[str, Any]]:
        if self._voices is None:
            header, _ = self._request({"op": "voices"})
            self._voices = list(header.get("voices", []))
        return self._voices

    def voice_for(self, locale: LocaleInfo, requested: str | None = None) -> Voice | None:
        if requested:
            return Voice(self.name, requested, locale.tag)
        wanted = [locale.tag.lower()]
        preferred = PREFERRED.get(locale.language)
        if preferred and locale.tag.lower() == locale.language:
            wanted.insert(0, preferred)
        if locale.language == "zh":
            wanted.insert(0, "cmn")
        wanted.append(locale.language)
        best: tuple[int, int, str] | None = None
        for voice in self.voices():
            identifier = str(voice["identifier"])
            file_name = identifier.rsplit("/", 1)[-1].lower()
            for rank, code in enumerate(wanted):
                for priority, language in voice["languages"]:
                    if language.lower() == code or file_name == code:
                        candidate = (rank, int(priority), file_name)
                        if best is None or candidate < best:
                            best = candidate
        if best:
            return Voice(self.name, best[2], locale.tag)
        if locale.language in BORROWED:
            return Voice(self.name, BORROWED[locale.language][0], locale.tag)
        return None

    def _converter(self, voice: Voice | None) -> Callable[[str], str] | None:
        """The text-to-phonemes converter when this voice speaks a language it was not made for."""
        if voice is None:
            return None
        borrowed = BORROWED.get(voice.language.split("-")[0].lower())
        return borrowed[1] if borrowed and borrowed[0] == voice.name else None

    def render(self, sentence: Sentence, voice: Voice | None = None) -> str:
        convert = self._converter(voice)
        pieces = []
        for part in sentence.parts:
            if part.espeak:
                pieces.append(f" [[{part.espeak}]] ")  # spaced: espeak misreads "([[" next to brackets
            elif convert is not None:
                pieces.append(f" {convert(part.alias or part.text)} ")  # keep word boundaries between parts
            elif part.alias:
                pieces.append(sanitize(part.alias))
            else:
                pieces.append(sanitize(part.text))
        return " ".join("".join(pieces).split())

    def phonemes(self, text: str, voice: Voice, *, ipa: bool = False, phoneme_input: bool = True,
                 tie: str = "") -> str:
        """espeak_TextToPhonemes on exactly what would be spoken (tests; Kokoro's phonemizer, with a tie)."""
        header, _ = self._request({"op": "phonemes", "voice": voice.name, "text": text, "ipa": ipa,
                                   "phoneme_input": phoneme_input, "tie": tie, "timeout": self.timeout})
        if not header.get("ok"):
            raise EngineError(str(header.get("error")))
        return str(header["phonemes"])

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice, rate: int) -> Clip:
        texts = [self.render(s, voice) for s in sentences]
        starts = []
        position = 0
        for text in texts:
            starts.append(position)
            position += len(text) + 1
        request = {"op": "synth", "voice": voice.name, "rate": rate, "text": " ".join(texts), "phonemes": True,
                   "timeout": self.timeout}
        header, payload = self._request(request)
        if not header.get("ok"):
            raise EngineError(f"espeak-ng: {header.get('error')}")
        samples = np.frombuffer(payload, dtype="<i2").astype(np.int16)
        if len(samples) == 0:
            raise EngineError("espeak-ng produced no audio")
        rate_hz = int(header["rate"])
        ends = _sentence_ends(starts, [list(e) for e in header.get("events", [])], len(samples))
        return Clip(samples=samples, sample_rate=rate_hz, sentence_ends=tuple(e / rate_hz for e in ends))


def _sentence_ends(starts: list[int], events: list[list[int]], total: int) -> list[int]:
    """Sample index where each sentence ends = where the engine began the next one (its own events)."""
    sentence_events = {e[1] - 1: e[3] for e in events if e[0] == EVENT_SENTENCE}
    word_events = sorted((e[1] - 1, e[3]) for e in events if e[0] == EVENT_WORD)
    ends: list[int] = []
    for start in starts[1:]:
        sample = None
        for offset in (0, 1, -1, 2):
            if start + offset in sentence_events:
                sample = sentence_events[start + offset]
                break
        if sample is None:
            following = [s for pos, s in word_events if pos >= start]
            sample = following[0] if following else total
        previous = ends[-1] if ends else 0
        ends.append(min(max(sample, previous), total))
    ends.append(total)
    return ends
