"""Voice trials: which engine, voice, rate and text rule makes a locale clearest? (ASR round trip.)

    .venv/bin/python benchmarks/voice_trials.py --site site -l fr --trial espeak:fr-fr:160 --trial espeak:fr-fr:140

Each trial synthesizes the same sentences (the first N captioned sentences of at least 25 characters in the
published site, each with the locale's lexicon applied, exactly as the build would) straight from the engine,
one sentence per clip, and scores them with the same recognizer and normalization as
`audio-build stats --intelligibility`. It skips loudness and MP3 encoding, so its figures are for
comparing trials with each other; the published figure is the benchmark's (benchmarks/intelligibility.py).

A trial is ENGINE:VOICE:RATE[:RULES], RULES a '+'-joined list of names from TRIAL_RULES, or `raw` (a voice
borrowed for another language reads the text as its own language, without the converter), e.g.
`espeak:id:160:raw` or `piper:en_US-joe-medium:160`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from audio_build.config import Config, find_config, load_config
from audio_build.reports.intelligibility import (
    DEFAULT_MIN_CHARS,
    Recognizer,
    normalize,
    read_webvtt,
    recordings,
    score_sentence,
    whisper_language,
)
from audio_build.run.jobs import engine_for
from audio_build.speech.engines import Engine, EngineSettings
from audio_build.speech.lexicon import EMPTY, apply, lexicon_path, read_lexicon
from audio_build.speech.model import Sentence, Voice
from audio_build.speech.normalize import speakable

TRIAL_RULES: dict[str, Callable[[str], str]] = {
    "none": lambda text: text,
}


def sentences_of(site: Path, tag: str, count: int) -> list[str]:
    language = whisper_language(tag)
    texts: list[str] = []
    for recording in recordings(site, [tag]):
        for cue in read_webvtt(recording.vtt.read_text(encoding="utf-8")):
            if len(normalize(cue.text, language)) >= DEFAULT_MIN_CHARS and cue.text not in texts:
                texts.append(cue.text)
            if len(texts) >= count:
                return texts
    return texts


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    audio = samples.astype(np.float32) / 32768.0
    if rate == 16000:
        return audio
    from math import gcd

    common = gcd(rate, 16000)
    out: np.ndarray = resample_poly(audio, 16000 // common, rate // common).astype(np.float32)
    return out


def trial(config: Config, tag: str, spec: str, texts: Sequence[str], recognizer: Recognizer,
          show: int) -> tuple[float, list[tuple[float, str, str]]]:
    engine_name, voice_name, rate_text, *rest = spec.split(":")
    names = rest[0].split("+") if rest else ["none"]
    rules = [TRIAL_RULES[name] for name in names if name != "raw"]
    engine: Engine = engine_for(engine_name, EngineSettings.of(config))
    loc = config.locale(tag)
    lexicon_file = lexicon_path(config.locales_dir, loc.info.folder)
    lexicon = read_lexicon(lexicon_file) if lexicon_file.is_file() else EMPTY
    # "raw": the voice reads the text as its own language (no converter for a borrowed voice)
    voice = (Voice(engine_name, voice_name, voice_name if "raw" in names else tag) if voice_name
             else engine.voice_for(loc.info))
    assert voice is not None, f"{engine_name} has no voice for {tag}"
    language = whisper_language(tag)
    chars = errors = 0
    rows: list[tuple[float, str, str]] = []
    for index, text in enumerate(texts):
        spoken = speakable(text, loc.info.language)
        for rule in rules:
            spoken = rule(spoken)
        sentence = Sentence(id=f"t{index}", parts=apply(spoken, lexicon))
        clip = engine.synthesize([sentence], voice, int(rate_text))
        heard = recognizer.transcribe(to_16k(clip.samples, clip.sample_rate), language)
        n, e, _, _ = score_sentence(text, heard, language)
        chars += n
        errors += e
        rows.append((e / n if n else 0.0, text, heard))
    rows.sort(key=lambda r: -r[0])
    return (errors / chars if chars else 0.0), rows[:show]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("-l", "--locale", required=True)
    parser.add_argument("--trial", action="append", required=True)
    parser.add_argument("-n", "--sentences", type=int, default=10)
    parser.add_argument("--show", type=int, default=0, help="worst sentences to print per trial")
    args = parser.parse_args(argv)
    config = load_config(find_config(Path.cwd()))
    texts = sentences_of(args.site, config.locale(args.locale).tag, args.sentences)
    recognizer = Recognizer(config.cache_dir)
    for spec in args.trial:
        cer, worst = trial(config, config.locale(args.locale).tag, spec, texts, recognizer, args.show)
        print(f"{args.locale}\t{spec}\t{len(texts)} sentences\tCER {cer:.3f}", flush=True)
        for value, text, heard in worst:
            print(f"    {value:.2f} {text!r} -> {heard!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
