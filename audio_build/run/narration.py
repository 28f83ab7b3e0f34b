"""Narration: plan the audio of every published document and run the jobs on an executor.

Planning happens in the parent (engines resolve voices, render engine input, report versions, so
every clip has its content key before any work starts); the jobs themselves run wherever the
executor puts them: in this process, in a local process pool, or on a Dask cluster.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from audio_build.audio.assemble import SAMPLE_RATE
from audio_build.audio.mp3 import MP3_BITRATE, MP3_QUALITY, Tags
from audio_build.cache import key_of
from audio_build.config import Config, LocaleConfig
from audio_build.content.markup import plain_text
from audio_build.content.model import ARTICLE, TERM
from audio_build.errors import AudioBuildError, EngineError
from audio_build.i18n.locales import ISO_639_2
from audio_build.i18n.localize import LocalizedDocument
from audio_build.publish import paths
from audio_build.run.jobs import (
    AUDIO_FORMAT_VERSION,
    PRONUNCIATION,
    AudioJob,
    AudioResult,
    ClipSpec,
    engine_for,
    run_job,
)
from audio_build.run.options import JOB_MODULES
from audio_build.speech.engines import Engine, EngineSettings, SpeaksSentences
from audio_build.speech.lexicon import Lexicon, lexicon_path, read_lexicon
from audio_build.speech.model import Voice
from audio_build.speech.script import Utterance, script, term_guide
from audio_build.workers import process_pool


@dataclass
class LocaleVoice:
    engine_name: str
    engine: Engine | None
    voice: Voice | None  # None: this locale has no audio
    fallback_voice: Voice | None  # speaks blocks left in the source language
    version: str = ""
    reason: str = ""  # why there is no audio
    passed_over: str = ""  # engines listed first that could not load here, and why (a warning, not an error)
    # When the locale's engine has no voice for the source language (Kokoro has no English), the source
    # locale's own engine speaks the blocks left untranslated: English words are never read by a Spanish model.
    fallback: LocaleVoice | None = None

    def speaker(self, lang: str, locale_tag: str) -> tuple[str, Engine, Voice]:
        """Who reads a block in `lang`: the locale's voice, or the voice for text left in the source language."""
        assert self.engine is not None and self.voice is not None
        if lang == locale_tag:
            return self.engine_name, self.engine, self.voice
        if self.fallback is not None and self.fallback.engine is not None and self.fallback.voice is not None:
            return self.fallback.engine_name, self.fallback.engine, self.fallback.voice
        return self.engine_name, self.engine, self.fallback_voice or self.voice

    @property
    def label(self) -> str:
        """The engine and voice as pages and ebooks name them ("Piper, en_US-joe-medium"), or "" without audio."""
        if self.voice is None:
            return ""
        return f"{ENGINE_TITLES.get(self.engine_name, self.engine_name)}, {self.voice.name}"


# How the engines call themselves; shown to listeners beside the voice's own name.
ENGINE_TITLES = {"espeak": "eSpeak NG", "piper": "Piper", "gtts": "Google Translate text-to-speech",
                 "kokoro": "Kokoro"}


@dataclass
class Plan:
    jobs: list[AudioJob] = field(default_factory=list)
    voices: dict[str, LocaleVoice] = field(default_factory=dict)
    lexicons: dict[str, Lexicon] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def resolve_voice(config: Config, loc: LocaleConfig, engine_override: str | None) -> LocaleVoice:
    """The first engine of the locale's list that loads here and has a voice for it (`--engine` forces one).

    The locale's `voice` is meant for the first engine it lists; a fallback speaks with its own voice.
    """
    names = (engine_override,) if engine_override else loc.engines
    reasons: list[str] = []
    failures: list[str] = []
    for position, name in enumerate(names):
        if name == "none":
            return LocaleVoice(name, None, None, None, reason="audio is switched off for this locale")
        requested = loc.voice if position == 0 and name == loc.engines[0] else None  # meant for its first engine
        try:
            engine = engine_for(name, EngineSettings.of(config))
            voice = engine.voice_for(loc.info, requested)
            if voice is None:
                reasons.append(f"the {name} engine has no voice for {loc.info.english_name} ({loc.tag})")
                continue
            version = engine.version(voice)
            fallback = engine.voice_for(config.source) if loc.tag != config.source.tag else voice
        except EngineError as exc:  # not installed, no network, a voice file that cannot load
            reasons.append(str(exc))
            failures.append(f"{name}: {exc}")
            continue
        chosen = LocaleVoice(name, engine, voice, fallback or voice, version, passed_over="; ".join(failures))
        source = next((other for other in config.locales if other.tag == config.source.tag), None)
        if fallback is None and source is not None and loc.tag != source.tag:
            source_voice = resolve_voice(config, source, engine_override)
            chosen.fallback = source_voice if source_voice.voice is not None else None
        return chosen
    return LocaleVoice(names[-1], None, None, None, reason="; ".join(reasons))


def _clip_specs(utterances: Sequence[Utterance], lv: LocaleVoice, rate: int, locale_tag: str) -> tuple[ClipSpec, ...]:
    assert lv.engine is not None and lv.voice is not None
    specs = []
    for utterance in utterances:
        engine_name, engine, voice = lv.speaker(utterance.lang, locale_tag)
        speed = max(80, round(rate * utterance.rate_factor))
        rendered = [engine.render(s, voice) for s in utterance.sentences]
        version = lv.version if voice == lv.voice else engine.version(voice)
        key = key_of("clip", engine_name, version, voice.name, speed, rendered)
        sentence_keys = tuple(key_of("sentence", engine_name, version, voice.name, speed, text) for text in rendered) \
            if isinstance(engine, SpeaksSentences) and len(rendered) > 1 else ()
        specs.append(ClipSpec(key=key, block_id=utterance.block_id, kind=utterance.kind, engine=engine_name,
                              voice=voice, rate=speed, sentences=utterance.sentences, texts=utterance.texts,
                              pause_after=utterance.pause_after, sentence_keys=sentence_keys))
    return tuple(specs)


def _output_key(specs: Sequence[ClipSpec], tags: Tags, chapters: Sequence[tuple[str, str]], captions: bool) -> str:
    return key_of("audio", AUDIO_FORMAT_VERSION, SAMPLE_RATE, MP3_BITRATE, MP3_QUALITY, captions,
                  [(s.key, s.block_id, s.kind, s.pause_after, s.texts) for s in specs], tags.__dict__, list(chapters))


def plan(config: Config, locales: Sequence[LocaleConfig], docs: Mapping[str, Mapping[tuple[str, str], LocalizedDocument]],
         engine_override: str | None, title: Callable[[str], str]) -> Plan:
    result = Plan()
    settings = EngineSettings.of(config)
    for loc in locales:
        lv = resolve_voice(config, loc, engine_override)
        result.voices[loc.tag] = lv
        if lv.voice is None:
            result.warnings.append(f"{loc.tag}: no audio: {lv.reason}")
            continue
        if lv.passed_over:
            result.warnings.append(f"{loc.tag}: spoken by {lv.label} because {lv.passed_over}")
        lexicons = {tag: read_lexicon(lexicon_path(config.locales_dir, folder))
                    for tag, folder in ((loc.tag, loc.info.folder), (config.source.tag, config.source.folder))}
        result.lexicons[loc.tag] = lexicons[loc.tag]
        language = ISO_639_2.get(loc.info.language, "und")
        voice_note = f"Read by a computer voice ({lv.version.split(';')[0]}, voice {lv.voice.name})."
        for (kind, slug), doc in sorted(docs[loc.tag].items()):
            utterances = script(doc, lexicons)
            specs = _clip_specs(utterances, lv, loc.rate, loc.tag)
            chapters = tuple((b.id, plain_text(b.text)) for b in doc.body if b.kind == "heading")
            tags = Tags(title=plain_text(doc.title.text), language=language, publisher=config.publisher,
                        voice_note=voice_note, album=title(loc.tag), date=doc.document.updated.isoformat())
            result.jobs.append(AudioJob(name=f"{loc.tag}/{slug}" if kind == ARTICLE else f"{loc.tag}/glossary/{slug}",
                                        source=doc.document.path, locale=loc.tag, kind=kind, slug=slug,
                                        clips=specs, tags=tags,
                                        chapter_blocks=chapters, output_key=_output_key(specs, tags, chapters, True),
                                        cache_dir=str(config.cache_dir), settings=settings))
            if kind == TERM:
                guide = term_guide(doc, lexicons[loc.tag])
                guide_specs = _clip_specs(guide, lv, loc.rate, loc.tag)
                guide_tags = Tags(title=plain_text(doc.title.text), language=language, publisher=config.publisher,
                                  voice_note=voice_note, album=title(loc.tag))
                result.jobs.append(AudioJob(name=f"{loc.tag}/pronunciation/{slug}", source=doc.document.path,
                                            locale=loc.tag, kind=PRONUNCIATION, slug=slug, clips=guide_specs, tags=guide_tags, chapter_blocks=(),
                                            output_key=_output_key(guide_specs, guide_tags, (), False),
                                            cache_dir=str(config.cache_dir), settings=settings, captions=False))
    return result


# ---------------------------------------------------------------------------------------- executors

class Progress:
    """One line on stderr when it is a terminal: jobs and clips done, minutes of audio, ETA."""

    def __init__(self, total_jobs: int, total_clips: int, enabled: bool | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total_jobs = total_jobs
        self.total_clips = total_clips
        self.jobs = self.clips = 0
        self.seconds = 0.0
        self.started = time.monotonic()

    def update(self, result: AudioResult, clips: int) -> None:
        self.jobs += 1
        self.clips += clips
        self.seconds += result.duration
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.jobs * (self.total_jobs - self.jobs) if self.jobs else 0
        width = 24
        filled = int(width * self.jobs / max(self.total_jobs, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.clips}/{self.total_clips} clips, "
                         f"{self.seconds / 60:.1f} min of audio, ETA {eta:.0f} s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.total_jobs:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run(jobs: Sequence[AudioJob], workers: int | None, executor: str = "local", scheduler: str | None = None,
        progress: bool | None = None,
        on_result: Callable[[AudioJob, AudioResult], None] | None = None,
        pool: ProcessPoolExecutor | None = None) -> list[AudioResult]:
    """Run every job; `on_result` hears about each as it finishes; results come back in job order.

    `pool`: a local pool already at work (`pool_with_side_work`); without one, the jobs run on Dask, in a
    pool of their own, or in this process (one worker, or a single job).
    """
    bar = Progress(len(jobs), sum(len(j.clips) for j in jobs), progress)

    def report(job: AudioJob, result: AudioResult) -> None:
        bar.update(result, len(job.clips))
        if on_result is not None:
            on_result(job, result)

    try:
        if pool is not None:
            return _run_on(pool, jobs, report)
        if executor == "dask":
            from audio_build.run.distributed import run_on_dask
            return run_on_dask(jobs, scheduler, workers, report)
        count = workers or os.cpu_count() or 1
        if count <= 1 or len(jobs) <= 1:
            results = []
            for job in jobs:
                result = run_job(job)
                report(job, result)
                results.append(result)
            return results
        with _worker_pool(min(count, len(jobs))) as own_pool:
            return _run_on(own_pool, jobs, report)
    finally:
        bar.close()


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    return process_pool(workers, "forkserver", preload=JOB_MODULES)


@dataclass
class SideWork:
    """A local worker pool already making the side work, and one future per task (in the order given)."""

    pool: ProcessPoolExecutor | None = None
    futures: list[Future[object]] = field(default_factory=list)


@contextlib.contextmanager
def pool_with_side_work(workers: int | None,
                        side_work: Sequence[tuple[Callable[[Any], object], Any]]) -> Iterator[SideWork]:
    """A local worker pool already making `side_work` (function, argument pairs: the handouts, which need no
    audio), started before the audio is planned so the first worker is busy while this process plans; no
    pool when there is no side work. A task's future says when it ended: a stage that needs its files waits
    for it instead of making them a second time, and makes again (and reports) only what failed. Leaving
    early (an error) cancels what has not started. Leaving normally does not wait for the workers to exit
    (they have nothing left to do; their exits overlap the publishing, and the interpreter joins them last)."""
    if not side_work:
        yield SideWork()
        return
    pool = _worker_pool(workers or os.cpu_count() or 1)  # workers start as tasks come (forkserver)
    try:
        yield SideWork(pool, [pool.submit(function, argument) for function, argument in side_work])
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=False)


def job_order(jobs: Sequence[AudioJob]) -> list[int]:
    """Indices of `jobs` in the order to start them: one locale after another, the locale with the most to say
    first, and within a locale the longest jobs first.

    A locale's downloads and pages are made as soon as its last job ends, so finishing locales one by one
    overlaps that work with the audio of the next (all at once would leave it all for the end); the lightest
    locale's shortest jobs come last and keep every worker busy to the end.
    """
    sizes = [sum(len(spec.sentences) for spec in job.clips) for job in jobs]
    per_locale: dict[str, int] = {}
    for job, size in zip(jobs, sizes, strict=True):
        per_locale[job.locale] = per_locale.get(job.locale, 0) + size
    return sorted(range(len(jobs)), key=lambda i: (-per_locale[jobs[i].locale], jobs[i].locale, -sizes[i], i))


def _run_on(pool: ProcessPoolExecutor, jobs: Sequence[AudioJob],
            report: Callable[[AudioJob, AudioResult], None]) -> list[AudioResult]:
    ordered: list[AudioResult | None] = [None] * len(jobs)
    futures = {pool.submit(run_job, jobs[i]): i for i in job_order(jobs)}
    for future in as_completed(futures):
        index = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - a dead worker fails its job, not the build's other work
            job = jobs[index]
            result = AudioResult(job.name, job.locale, error=f"{job.source}: {job.locale}: worker failed: {exc}")
        ordered[index] = result
        report(jobs[index], result)
    return [r for r in ordered if r is not None]


def check_strict(plan_: Plan, strict: bool) -> None:
    if strict:
        missing = [f"{tag}: {lv.reason}" for tag, lv in plan_.voices.items() if lv.voice is None]
        if missing:
            raise AudioBuildError("--strict: no audio for " + "; ".join(missing))


__all__ = ["EngineError", "Plan", "paths", "plan", "resolve_voice", "run"]
