"""Audio jobs: pure functions of their inputs, run in-process, in a local process pool, or on Dask.

A job is one document in one locale (or one pronunciation-guide clip): synthesize the clips the cache
lacks, assemble, normalize, encode, tag, and store the MP3, captions and sync map in the cache.
Everything a job needs travels inside it (plain dataclasses), so any worker anywhere gives the same
bytes. Each worker process keeps one engine instance per engine kind.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audio_build.audio.assemble import SAMPLE_RATE, Assembled, assemble
from audio_build.audio.captions import sync_json, webvtt
from audio_build.audio.loudness import normalize_once
from audio_build.audio.mp3 import DRAFT_QUALITY, ENCODER_DELAY, Tags, encode_mp3, encode_peak_safe, tag_mp3
from audio_build.cache import Cache, code_version
from audio_build.errors import AudioBuildError, EngineError, EngineUnavailable
from audio_build.speech.engines import Engine, EngineSettings, SpeaksSentences, make_engine
from audio_build.speech.model import Clip, Sentence, Voice

AUDIO_FORMAT_VERSION = code_version("audio/*.py", "run/jobs.py", "cache.py")


PRONUNCIATION = "pronunciation"
DRAFTS = "drafts"  # previews' audio, in the cache folder: `serve` clears it after each full build


@dataclass(frozen=True)
class ClipSpec:
    key: str
    block_id: str
    kind: str
    engine: str
    voice: Voice
    rate: int
    sentences: tuple[Sentence, ...]
    texts: tuple[str, ...]  # the sentences as shown on the page (captions use these words)
    pause_after: float
    sentence_keys: tuple[str, ...] = ()  # each sentence's own cache key, for engines that speak them apart


@dataclass(frozen=True)
class AudioJob:
    name: str  # "<locale>/<slug>", for messages
    source: str  # the source file, for messages
    locale: str
    kind: str  # what it speaks: ARTICLE, TERM, or PRONUNCIATION (a term's pronunciation-guide clip)
    slug: str
    clips: tuple[ClipSpec, ...]
    tags: Tags
    chapter_blocks: tuple[tuple[str, str], ...]  # (heading block id, heading text)
    output_key: str
    cache_dir: str
    settings: EngineSettings
    captions: bool = True


@dataclass(frozen=True)
class AudioResult:
    name: str
    locale: str
    mp3: str | None = None  # path in the cache
    vtt: bytes = b""
    sync: bytes = b""
    size: int = 0
    sha256: str = ""
    duration: float = 0.0
    timings: dict[str, tuple[float, float]] = field(default_factory=dict)
    chapters: tuple[tuple[str, float], ...] = ()
    synthesized: int = 0
    cached: int = 0
    error: str = ""
    unavailable: bool = False


_ENGINES: dict[tuple[str, EngineSettings], Engine] = {}


def engine_for(name: str, settings: EngineSettings) -> Engine:
    """One engine per kind per process (espeak keeps a helper process alive between jobs)."""
    key = (name, settings)
    if key not in _ENGINES:
        if not _ENGINES:  # a pool worker closes its engines when it exits (parents close them after a build)
            multiprocessing.util.Finalize(None, close_engines, exitpriority=10)
        _ENGINES[key] = make_engine(name, settings)
    return _ENGINES[key]


def close_engines() -> None:
    """Close every engine this process made: their helper processes and sessions end with the build."""
    while _ENGINES:
        _, engine = _ENGINES.popitem()
        engine.close()


def outputs_cached(job: AudioJob) -> AudioResult | None:
    cache = Cache(Path(job.cache_dir))
    mp3 = cache.load_file(job.output_key, ".mp3")
    meta_path = cache.load_file(job.output_key, ".meta.json")
    if mp3 is None or meta_path is None:
        return None
    vtt_path = cache.load_file(job.output_key, ".vtt") if job.captions else None
    if job.captions and vtt_path is None:
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    sync_path = cache.load_file(job.output_key, ".json")
    return AudioResult(
        name=job.name, locale=job.locale, mp3=str(mp3), vtt=vtt_path.read_bytes() if vtt_path else b"",
        sync=sync_path.read_bytes() if sync_path else b"", size=meta["size"], sha256=meta["sha256"],
        duration=meta["duration"], timings={k: (v[0], v[1]) for k, v in meta["timings"].items()},
        chapters=tuple((c[0], c[1]) for c in meta["chapters"]), cached=len(job.clips))


def _speak(engine: Engine, spec: ClipSpec, cache: Cache) -> Clip:
    """One block's clip. An engine that speaks each sentence on its own gets only the sentences the cache does
    not hold (an edit of one sentence speaks that one again, not its paragraph); the clip is the same bytes."""
    if not spec.sentence_keys or not isinstance(engine, SpeaksSentences):
        return engine.synthesize(spec.sentences, spec.voice, spec.rate)
    audios = []
    for sentence, key in zip(spec.sentences, spec.sentence_keys, strict=True):
        stored = cache.load_clip(key)
        if stored is not None and stored.sample_rate == engine.output_rate:
            audios.append(stored.samples)
            continue
        audio = engine.speak(sentence, spec.voice, spec.rate)
        if len(audio):
            cache.store_clip(key, Clip(samples=audio, sample_rate=engine.output_rate,
                                       sentence_ends=(len(audio) / engine.output_rate,)))
        audios.append(audio)
    return engine.join(spec.sentences, audios)


def compute_left(job: AudioJob) -> float:
    """Roughly how many seconds of a CPU core the job's engines would spend on what the cache does not hold
    (each sentence's words at the clip's rate, times its engine's `seconds_per_second`); 0 when all is cached."""
    if outputs_cached(job) is not None:
        return 0.0
    cache = Cache(Path(job.cache_dir))
    seconds = 0.0
    for spec in job.clips:
        if cache.clip_path(spec.key).exists():
            continue
        cost = engine_for(spec.engine, job.settings).seconds_per_second
        keys = spec.sentence_keys or ("",) * len(spec.sentences)
        for sentence, key in zip(spec.sentences, keys, strict=True):
            if not (key and cache.clip_path(key).exists()):
                words = sum(len(part.text.split()) for part in sentence.parts)
                seconds += words * 60 / spec.rate * cost
    return seconds


def run_job(job: AudioJob, draft: bool = False) -> AudioResult:
    """Never raises for engine trouble: the result says what failed, so other jobs' work is kept.

    `draft` (previews in `serve`): the clips are the real ones and reach the cache, but the document is
    normalized in one pass and encoded once, fast, outside the cache: the full build makes the real file.
    """
    done = outputs_cached(job)
    if done is not None:
        return done
    cache = Cache(Path(job.cache_dir))
    clips: list[Clip] = []
    failures: list[str] = []
    synthesized = cached = 0
    for spec in job.clips:
        clip = cache.load_clip(spec.key)
        if clip is None:
            try:
                clip = _speak(engine_for(spec.engine, job.settings), spec, cache)
                _check_clip(clip, spec)
            except EngineUnavailable as exc:
                return AudioResult(job.name, job.locale, error=str(exc), unavailable=True,
                                   synthesized=synthesized, cached=cached)
            except EngineError as exc:
                # keep going: every other clip of the job reaches the cache, so a re-run redoes only this one
                first = spec.texts[0] if spec.texts else spec.block_id
                failures.append(f"{job.source}: {job.locale}: could not speak \"{_short(first)}\" "
                                f"({spec.block_id}): {exc}")
                continue
            cache.store_clip(spec.key, clip)
            synthesized += 1
        else:
            cached += 1
        clips.append(clip)
    if failures:
        return AudioResult(job.name, job.locale, synthesized=synthesized, cached=cached,
                           error="\n  ".join(failures))
    try:
        if draft:
            return _finish_draft(job, cache, clips, synthesized, cached)
        return _finish(job, cache, clips, synthesized, cached)
    except AudioBuildError as exc:
        return AudioResult(job.name, job.locale, error=f"{job.source}: {job.locale}: {exc}",
                           synthesized=synthesized, cached=cached)


def _check_clip(clip: Clip, spec: ClipSpec) -> None:
    if clip.sample_rate != SAMPLE_RATE:
        raise EngineError(f"the engine returned {clip.sample_rate} Hz audio, expected {SAMPLE_RATE} Hz")
    if len(clip.samples) < SAMPLE_RATE // 50:
        raise EngineError("the engine returned no audio")
    if len(clip.sentence_ends) != len(spec.sentences):
        raise EngineError("the engine's sentence timings do not match the text")


def _finish(job: AudioJob, cache: Cache, clips: list[Clip], synthesized: int, cached: int) -> AudioResult:
    normalized = assemble(_pieces(job, clips))
    encoded, played = encode_peak_safe(normalized.samples, normalized.sample_rate)
    assembled = normalized.delayed(ENCODER_DELAY / normalized.sample_rate)  # times as players hear them
    starts = {segment.block_id: segment.start for segment in assembled.segments}
    chapter_marks = [(block_id, title, starts[block_id]) for block_id, title in job.chapter_blocks if block_id in starts]
    chapters = []
    for index, (block_id, title, start) in enumerate(chapter_marks):
        end = chapter_marks[index + 1][2] if index + 1 < len(chapter_marks) else played
        chapters.append((block_id, title, start, end))
    mp3 = tag_mp3(encoded, job.tags, chapters)
    timings = {sid: (begin, end) for s in assembled.segments for sid, begin, end, _ in s.sentences}
    mp3_path = cache.store_file(job.output_key, ".mp3", mp3)
    vtt = webvtt(assembled, job.locale) if job.captions else b""
    sync = sync_json(assembled, played) if job.captions else b""
    if job.captions:
        cache.store_file(job.output_key, ".vtt", vtt)
        cache.store_file(job.output_key, ".json", sync)

    meta: dict[str, Any] = {"size": len(mp3), "sha256": hashlib.sha256(mp3).hexdigest(), "duration": played,
            "timings": {k: [round(v[0], 3), round(v[1], 3)] for k, v in timings.items()},
            "chapters": [[c[0], round(c[2], 3)] for c in chapters]}
    cache.store_file(job.output_key, ".meta.json", json.dumps(meta, sort_keys=True).encode())
    return AudioResult(name=job.name, locale=job.locale, mp3=str(mp3_path), vtt=vtt, sync=sync, size=len(mp3),
                       sha256=meta["sha256"], duration=played,
                       timings={k: (v[0], v[1]) for k, v in meta["timings"].items()},
                       chapters=tuple((c[0], c[1]) for c in meta["chapters"]),
                       synthesized=synthesized, cached=cached)


def _finish_draft(job: AudioJob, cache: Cache, clips: list[Clip], synthesized: int, cached: int) -> AudioResult:
    normalized = assemble(_pieces(job, clips), loudness=normalize_once)
    encoded = encode_mp3(normalized.samples, normalized.sample_rate, quality=DRAFT_QUALITY)
    played = (len(normalized.samples) + ENCODER_DELAY) / normalized.sample_rate
    assembled = normalized.delayed(ENCODER_DELAY / normalized.sample_rate)
    mp3 = tag_mp3(encoded, job.tags, [])
    path = cache.root / DRAFTS / f"{job.output_key}.mp3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mp3)
    return AudioResult(name=job.name, locale=job.locale, mp3=str(path), vtt=webvtt(assembled, job.locale) if job.captions
                       else b"", sync=sync_json(assembled, played) if job.captions else b"", size=len(mp3),
                       sha256=hashlib.sha256(mp3).hexdigest(), duration=played, timings=_timings(assembled),
                       synthesized=synthesized, cached=cached)


def _pieces(job: AudioJob, clips: list[Clip]) -> list[tuple[str, str, Clip, float, tuple[str, ...]]]:
    """What assembly takes: each clip with its block, kind, pause after and captioned sentences."""
    return [(spec.block_id, spec.kind, clip, spec.pause_after, spec.texts) for spec, clip in zip(job.clips, clips)]


def _timings(assembled: Assembled) -> dict[str, tuple[float, float]]:
    return {sid: (round(begin, 3), round(end, 3)) for s in assembled.segments for sid, begin, end, _ in s.sentences}


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
