"""Intelligibility benchmark: can a listener understand each locale's audio, with each engine on this machine?

    .venv/bin/python benchmarks/intelligibility.py                  # every sentence (~40 min on 2 cores)
    .venv/bin/python benchmarks/intelligibility.py --per-document 10 # the first 10 of each document (~10 min)
    .venv/bin/python benchmarks/intelligibility.py --site site       # score an existing build, build nothing

It builds the project as `make run` does (the default engine mix) into a scratch folder with the real console
script, then builds each locale again with every other engine that has a voice for it here (Piper has voices
only where one is bundled or configured; gTTS needs Google's servers and is measured only with `--engine gtts`
on a machine with network). Each build is scored by the same code as `audio-build stats --intelligibility`
(audio_build/intelligibility.py: Whisper base through faster-whisper, int8, language forced, beam 5,
temperature 0, no timestamps, no conditioning; CER/WER after NFKC, case folding and dropping punctuation,
each sentence's errors capped at its length, pooled per locale; sentences under 25 characters left out).

Besides the pooled figure over every published document, the table gives the reference figure of issue 16
(the first 10 sentences of the `--reference` article, default `fluoroscopy`) beside the figure measured on
2026-12-01 before the voices were tuned, so the change is visible in one run.

Results: Markdown on stdout, benchmarks/results/intelligibility-<date>.json (every sentence with what was
heard) and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CLI = REPO / ".venv" / "bin" / "audio-build"
sys.path.insert(0, str(REPO))

from audio_build.config import Config, load_config
from audio_build.reports.intelligibility import LocaleScore, Recognizer, SentenceScore, measure
from audio_build.run.narration import resolve_voice

# Issue 16's table (default offline build, espeak-ng everywhere, 2026-12-01; tl had no offline audio).
BEFORE = {"en": 0.094, "es": 0.103, "pt-BR": 0.309, "ht": 0.472, "vi": 0.476, "fr": 0.581, "ru": 0.636,
          "ko": 0.730, "zh-Hans": 0.783, "ar": 0.787, "tl": None}
OFFLINE_ENGINES = ("piper", "espeak")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(out: Path, locales: Sequence[str], engine: str | None) -> None:
    command = [str(CLI), "build", "-C", str(REPO), "-q", "--out", str(out)]
    command += [arg for tag in locales for arg in ("-l", tag)]
    if engine:
        command += ["--engine", engine]
    log(" ".join(command[1:]))
    subprocess.run(command, check=True)


def other_engines(config: Config, locales: Sequence[str], wanted: Sequence[str]) -> dict[str, list[str]]:
    """For each engine that is not a locale's default here but has a voice for it: the locales to build."""
    plan: dict[str, list[str]] = {}
    for tag in locales:
        loc = config.locale(tag)
        default = resolve_voice(config, loc, None)
        for engine in wanted:
            if engine == default.engine_name and default.voice is not None:
                continue
            alternative = resolve_voice(config, loc, engine)
            if alternative.voice is not None:
                plan.setdefault(engine, []).append(tag)
    return plan


def reference_cer(score: LocaleScore, article: str, count: int) -> float | None:
    """Issue 16's figure: the first `count` scored sentences of the article's MP3 (not its glossary entry)."""
    picked = [s for s in score.sentences if s.document == f"{score.locale}/{article}/{article}.{score.locale}.mp3"]
    picked = picked[:count]
    chars = sum(s.chars for s in picked)
    return sum(s.char_errors for s in picked) / chars if chars else None


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def markdown(rows: list[dict[str, Any]], environment: dict[str, Any]) -> str:
    lines = [(f"Intelligibility, {environment['date'][:10]}, {environment['cpus']} CPUs {environment['machine']}, "
              f"Whisper base int8 ({environment['sample']}). CER/WER: lower is better."), "",
             ("| locale | engine: voice | default | sentences | CER | WER | first 10 of reference | before (issue 16) "
              "| change | worst sentence (CER: text → heard) |"),
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        change = ""
        if row["default"] and row["before"] is not None and row["reference_cer"] is not None:
            change = f"{(row['reference_cer'] - row['before']) / row['before'] * 100:+.0f}%"
        worst = row["worst"][0] if row["worst"] else None
        worst_text = (f"{worst['cer']:.2f}: {worst['text']} → {worst['heard']}".replace("|", "/") if worst else "")
        lines.append(f"| {row['locale']} | {row['voice'] or row['engine']} | {'yes' if row['default'] else ''} "
                     f"| {row['sentences']} | {fmt(row['cer'])} | {fmt(row['wer'])} | {fmt(row['reference_cer'])} "
                     f"| {fmt(row['before']) if row['default'] else ''} | {change} | {worst_text} |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="score this existing build (its engines only); build nothing")
    parser.add_argument("-l", "--locale", action="append", dest="locales", help="only this locale (repeatable)")
    parser.add_argument("--engine", action="append", dest="engines",
                        help=f"engines to compare (repeatable; default: {', '.join(OFFLINE_ENGINES)})")
    parser.add_argument("--per-document", type=int, default=None, metavar="N",
                        help="score the first N sentences of each document (default: all)")
    parser.add_argument("--reference", default="fluoroscopy", help="article of the first-10 reference figure")
    parser.add_argument("--worst", type=int, default=5, help="worst sentences kept per locale in the JSON")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--keep", action="store_true", help="keep the scratch builds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = load_config(REPO / "audio-build.toml")
    locales = [config.locale(tag).tag for tag in args.locales] if args.locales else [loc.tag for loc in config.locales]
    started = time.perf_counter()
    environment: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "machine": platform.machine(), "loadavg_start": Path("/proc/loadavg").read_text().strip(),
        "sample": f"first {args.per_document} sentences per document" if args.per_document else "every sentence",
        "reference": args.reference,
    }
    work = Path(tempfile.mkdtemp(prefix="audio-build-asr-"))
    sites: list[tuple[str | None, Path, list[str]]] = []
    try:
        if args.site:
            sites.append((None, args.site, locales))
        else:
            default_site = work / "default"
            build(default_site, locales, None)
            sites.append((None, default_site, locales))
            for name, tags in other_engines(config, locales, args.engines or OFFLINE_ENGINES).items():
                site = work / name
                build(site, tags, name)
                sites.append((name, site, tags))
        recognizer = Recognizer(config.cache_dir)
        rows: list[dict[str, Any]] = []
        sentences: list[dict[str, Any]] = []
        for engine, site, tags in sites:
            def progress(score: SentenceScore, engine: str | None = engine) -> None:
                sentences.append({"engine": engine or "default", "locale": score.locale, "document": score.document,
                                  "cue": score.cue, "chars": score.chars, "char_errors": score.char_errors,
                                  "words": score.words, "word_errors": score.word_errors,
                                  "text": score.reference, "heard": score.heard})

            log(f"scoring {site.name}: {', '.join(tags)}")
            result = measure(site, tags, recognizer, per_document=args.per_document, on_sentence=progress)
            for score in result.locales:
                reference = reference_cer(score, args.reference, 10)
                rows.append({"locale": score.locale, "engine": engine or "default", "voice": score.voice,
                             "default": engine is None, "sentences": len(score.sentences), "cer": score.cer,
                             "wer": score.wer, "reference_cer": reference, "before": BEFORE.get(score.locale),
                             "worst": score.as_dict(args.worst)["worst"]})
                log(f"{score.locale} {score.voice}: CER {fmt(score.cer)} (first 10 of {args.reference}: "
                    f"{fmt(reference)})")
            for tag in result.missing:
                rows.append({"locale": tag, "engine": engine or "default", "voice": "no captioned audio",
                             "default": engine is None, "sentences": 0, "cer": None, "wer": None,
                             "reference_cer": None, "before": BEFORE.get(tag), "worst": []})
        order = {tag: index for index, tag in enumerate(locales)}
        rows.sort(key=lambda r: (order[r["locale"]], not r["default"], r["engine"]))
        environment["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
        environment["seconds"] = round(time.perf_counter() - started, 1)
        report = markdown(rows, environment)
        args.out.mkdir(parents=True, exist_ok=True)
        stamp = dt.date.today().isoformat()
        suffix = f"-sample{args.per_document}" if args.per_document else ""
        (args.out / f"intelligibility-{stamp}{suffix}.json").write_text(
            json.dumps({"environment": environment, "rows": rows, "sentences": sentences}, indent=1,
                       ensure_ascii=False) + "\n", encoding="utf-8")
        (args.out / f"intelligibility-{stamp}{suffix}.md").write_text(report + "\n", encoding="utf-8")
        print(report)
        log(f"done in {environment['seconds'] / 60:.1f} min")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
