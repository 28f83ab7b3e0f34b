"""`audio-build build`: plan from content hashes, run the stages, publish one atomic generation.

Read top to bottom, this is the whole build: inputs -> localized documents -> audio -> pages ->
downloads -> manifest. Each stage lives in its own module; this one only wires them together.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audio_build import __version__
from audio_build.cache import code_version
from audio_build.config import Config, LocaleConfig
from audio_build.i18n.locales import LocaleInfo
from audio_build.publish import paths
from audio_build.run.workers import map_in_processes


@dataclass
class BuildOptions:
    audio: bool = True
    engine: str | None = None  # overrides every locale's engine
    jobs: int | None = None
    strict: bool = False
    locales: Sequence[str] = ()
    executor: str = "local"
    scheduler: str | None = None
    progress: bool | None = None  # None: only when stderr is a terminal


@dataclass
class BuildSummary:
    locales: list[str] = field(default_factory=list)
    pages: int = 0
    outputs: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    clips_synthesized: int = 0
    clips_cached: int = 0
    audio_seconds: float = 0.0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    nothing_to_do: bool = False
    broken: dict[str, list[str]] = field(default_factory=dict)  # locale -> FILE:LINE problems of its catalogs
    kept_previous: list[str] = field(default_factory=list)  # broken locales whose last good pages stay online


# ----------------------------------------------------------------------------------- input hashing

def _hash_files(paths: Sequence[Path], root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(paths):
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def input_fingerprint(config: Config, options: BuildOptions) -> dict[str, Any]:
    """Every input the build reads, by content hash: equal fingerprints mean nothing to do."""
    files: list[Path] = []
    if config.path is not None:
        files.append(config.path)
    files.extend(config.content_dir.rglob("*.md"))
    for loc in config.locales:
        folder = config.locales_dir / loc.info.folder
        if folder.is_dir():
            files.extend(folder.glob("LC_MESSAGES/*.po"))
            files.extend(folder.glob("*.pls"))
    return {
        "audio-build": __version__,
        "options": {"audio": options.audio, "engine": options.engine, "strict": options.strict,
                    "locales": sorted(options.locales)},
        "files": _hash_files(files, config.root),
        "package": code_version("**/*.py", "publish/templates/*", "publish/static/*"),
    }


# -------------------------------------------------------------------------------------------- build

def selected_locales(config: Config, codes: Sequence[str]) -> list[LocaleConfig]:
    if not codes:
        return list(config.locales)
    chosen = [config.locale(code) for code in codes]
    return chosen


def build(config: Config, options: BuildOptions, log: Callable[[str], None] = lambda m: None) -> BuildSummary:
    from audio_build.publish.output import publish, read_manifest

    started = time.perf_counter()
    summary = BuildSummary()
    fingerprint = input_fingerprint(config, options)
    manifest = read_manifest(config.output_dir)
    if manifest.get("inputs", {}).get("fingerprint") == fingerprint:
        summary.nothing_to_do = True
        summary.outputs = len(manifest.get("outputs", {}))
        summary.kept = summary.outputs
        summary.seconds = time.perf_counter() - started
        return summary

    from audio_build.files import sweep_temp_files

    sweep_temp_files(config.cache_dir)  # temp files a killed build left behind are never read
    outputs, inputs_by_output = _produce(config, options, summary, log, manifest)
    # A build that left a locale out is not the build of these inputs: the next run tries (and reports) again.
    inputs = {"fingerprint": None if summary.broken else fingerprint, "by_output": inputs_by_output}
    result = publish(config.output_dir, outputs, inputs)
    summary.outputs = len(outputs)
    summary.written = result.written
    summary.kept = result.kept
    summary.removed = result.removed
    summary.seconds = time.perf_counter() - started
    return summary


def _produce(config: Config, options: BuildOptions, summary: BuildSummary, log: Callable[[str], None],
             manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from audio_build.content.document import TERM, load_corpus
    from audio_build.content.markup import plain_text
    from audio_build.i18n.extract import SITE_DOMAIN
    from audio_build.i18n.interface import Interface
    from audio_build.i18n.localize import localize
    from audio_build.publish.output import Output
    from audio_build.publish.pages import LocaleSite, SiteRenderer, static_files
    from audio_build.speech.lexicon import lexicon_path, read_lexicon

    corpus = load_corpus(config.content_dir, config.root)
    locales = selected_locales(config, options.locales)
    if config.source.tag not in {loc.tag for loc in locales}:
        locales = [config.locale(config.source.tag), *locales]
    translated = [loc.info for loc in locales if loc.info.tag != config.source.tag]
    domains = [SITE_DOMAIN, *(doc.domain for doc in corpus.documents)]
    tasks = [(config.locales_dir, info, domain) for info in translated for domain in domains]
    loaded = dict(zip([(info.tag, domain) for _, info, domain in tasks],
                      map_in_processes(_strings_of, tasks, options.jobs), strict=True))
    for (tag, _), strings in loaded.items():
        if isinstance(strings, str):
            summary.broken.setdefault(tag, []).append(strings)
    kept = _previous_outputs(config, manifest, [loc for loc in locales if loc.tag in summary.broken])
    summary.kept_previous = sorted({tag for tag, _ in kept.values()}, key=[loc.tag for loc in locales].index)
    locales = [loc for loc in locales if loc.tag not in summary.broken]
    sites: dict[str, LocaleSite] = {}
    for loc in locales:
        info = loc.info
        ui_strings = _usable(loaded.get((info.tag, SITE_DOMAIN), {}))
        docs = {}
        for doc in corpus.documents:
            strings = _usable(loaded.get((info.tag, doc.domain), {}))
            local = localize(doc, info, config.source, strings, config.publish_threshold)
            summary.warnings.extend(local.warnings)
            if local.published:
                docs[(doc.kind, doc.slug)] = local
            else:
                summary.warnings.append(
                    f"{doc.path}: {info.tag}: not published ({local.percent:.0f}% translated, "
                    f"threshold {config.publish_threshold:g}%)")
        lexicon = read_lexicon(lexicon_path(config.locales_dir, info.folder))
        ipa = {doc.slug: found for (kind, _), doc in docs.items() if kind == TERM
               for found in [lexicon.ipa_for(plain_text(doc.title.text))] if found}
        sites[info.tag] = LocaleSite(info=info, ui=Interface(ui_strings, info.tag, config.source.tag, info.language),
                                     docs=docs, audio_available=False, ipa=ipa)
        summary.locales.append(info.tag)

    renderer = SiteRenderer(config.title, config.source, corpus, sites)
    locale_outputs: dict[str, dict[str, Any]] = {tag: {} for tag in sites}
    page_counts: dict[str, int] = {}

    def finish(tag: str) -> None:
        """Downloads and pages of one locale: they depend on no other locale, so they can run early."""
        site, out = sites[tag], locale_outputs[tag]
        if options.audio:
            from audio_build.publish.downloads import add_locale_downloads

            add_locale_downloads(config, corpus, site, out, config.title)
        pages = renderer.render_locale(site)
        for path, data in pages.items():
            out[path] = Output.of_bytes(data)
        page_counts[tag] = len(pages)

    if options.audio:
        _narrate(config, options, locales, sites, locale_outputs, summary, finish)
    else:  # pages only: each locale's pages in a forked worker that already holds every localized site
        global _RENDERING
        _RENDERING = (renderer, sites)
        try:
            rendered = map_in_processes(_pages_of, list(sites), options.jobs, min_tasks=2)
        finally:
            _RENDERING = None
        for tag, pages in zip(sites, rendered, strict=True):
            for path, data in pages.items():
                locale_outputs[tag][path] = Output.of_bytes(data)
            page_counts[tag] = len(pages)

    outputs: dict[str, Any] = {path: output for path, (_, output) in kept.items()}
    for out in locale_outputs.values():
        outputs.update(out)
    for path, data in static_files().items():
        outputs[path] = Output.of_bytes(data)
    path, data = renderer.chooser([config.locale(tag).info for tag in summary.kept_previous],
                                  [loc.tag for loc in config.locales])
    outputs[path] = Output.of_bytes(data)
    summary.pages += sum(page_counts.values()) + 1
    return outputs, {}


def _strings_of(task: tuple[Path, LocaleInfo, str]) -> dict[tuple[str, str | None], str] | str:
    """The translations of one domain in one locale (run in a worker: parsing PO files is CPU-bound).

    A catalog that cannot be read gives its FILE:LINE problem instead: it costs its own locale, not the build.
    """
    from audio_build.errors import CatalogError
    from audio_build.i18n.localize import load_strings

    locales_dir, info, domain = task
    try:
        return load_strings(locales_dir, info, domain)[0]
    except CatalogError as exc:
        return str(exc)


def _usable(strings: dict[tuple[str, str | None], str] | str) -> dict[tuple[str, str | None], str]:
    assert not isinstance(strings, str)  # broken locales were taken out before
    return strings


def _previous_outputs(config: Config, manifest: dict[str, Any],
                      broken: Sequence[LocaleConfig]) -> dict[str, tuple[str, Any]]:
    """The last published files of each broken locale (its folder and its bundle), to publish again as they were.

    Patients keep the last good pages and audio in their language while its catalog is fixed; a locale never
    published before has nothing to keep and is left out of this build.
    """
    from audio_build.publish.output import Output, current_generation

    current = current_generation(config.output_dir)
    published = manifest.get("outputs", {})
    kept: dict[str, tuple[str, Any]] = {}
    if current is None or not isinstance(published, dict):
        return kept
    for loc in broken:
        for path, info in published.items():
            if path.startswith(f"{loc.tag}/") or path == paths.bundle(loc.tag):
                source = current / path
                if source.is_file():
                    kept[path] = (loc.tag, Output.of_file(source, info.get("sha256")))
    return kept


_RENDERING: tuple[Any, dict[str, Any]] | None = None  # what forked page workers render from


def _pages_of(tag: str) -> dict[str, bytes]:
    assert _RENDERING is not None
    renderer, sites = _RENDERING
    pages: dict[str, bytes] = renderer.render_locale(sites[tag])
    return pages


def _narrate(config: Config, options: BuildOptions, locales: list[LocaleConfig], sites: dict[str, Any],
             locale_outputs: dict[str, dict[str, Any]], summary: BuildSummary,
             finish: Callable[[str], None]) -> None:
    """Run the audio jobs; as soon as a locale's audio is done, hand it to `finish` (in a thread when
    building in parallel, so EPUBs, bundles and pages overlap with the audio of other locales)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from audio_build.errors import AudioBuildError
    from audio_build.run import narration
    from audio_build.run.jobs import AudioJob, AudioResult

    plan = narration.plan(config, locales, {tag: site.docs for tag, site in sites.items()}, options.engine,
                          title=lambda tag: str(sites[tag].ui.pgettext("site title", config.title)))
    narration.check_strict(plan, options.strict)
    summary.warnings.extend(plan.warnings)
    pending = {tag: sum(1 for job in plan.jobs if job.locale == tag) for tag in sites}
    done: dict[str, list[tuple[AudioJob, AudioResult]]] = {tag: [] for tag in sites}
    errors: list[str] = []
    parallel = (options.jobs or os.cpu_count() or 1) > 1 or options.executor == "dask"
    finisher = ThreadPoolExecutor(max_workers=1) if parallel else None
    finishing: list[Future[None]] = []

    def locale_ready(tag: str) -> None:
        voice = plan.voices.get(tag)
        results = done[tag]
        failed = [r.error for _, r in results if r.error and not r.unavailable]
        if failed:
            errors.extend(failed)
            return
        unavailable = next((r.error for _, r in results if r.unavailable), "")
        if unavailable:
            if options.strict:
                errors.append(f"--strict: no audio for {tag}: {unavailable}")
                return
            summary.warnings.append(f"{tag}: no audio: {unavailable}")
        sites[tag].audio_available = bool(voice and voice.voice) and not unavailable
        sites[tag].voice = voice.label if voice and sites[tag].audio_available else ""
        if not unavailable:
            for job, result in results:
                summary.audio_seconds += result.duration
                _attach(sites[tag], locale_outputs[tag], job, result)
        if finisher is None:
            finish(tag)
        else:
            finishing.append(finisher.submit(finish, tag))

    def on_result(job: AudioJob, result: AudioResult) -> None:
        summary.clips_synthesized += result.synthesized
        summary.clips_cached += result.cached
        done[job.locale].append((job, result))
        pending[job.locale] -= 1
        if pending[job.locale] == 0:
            locale_ready(job.locale)

    for tag, count in pending.items():
        if count == 0:
            locale_ready(tag)  # no voice: its pages need no audio to wait for
    try:
        narration.run(plan.jobs, options.jobs, options.executor, options.scheduler, options.progress,
                      on_result=on_result)
        for future in finishing:
            future.result()
    finally:
        if finisher is not None:
            finisher.shutdown(wait=True)
    if errors:
        raise AudioBuildError("audio failed (finished clips are kept in the cache; run the build again to retry "
                              "only what failed):\n  " + "\n  ".join(errors[:10]))


def _attach(site: Any, out: dict[str, Any], job: Any, result: Any) -> None:
    """Put one finished audio job's files into its locale's outputs and pages."""
    from audio_build.publish import paths
    from audio_build.publish.output import Output
    from audio_build.publish.pages import AudioOutput

    if result.mp3 is None:
        return
    kind, slug = _job_document(job.name)
    if kind == "pronunciation":
        clip_path = paths.term_clip(job.locale, slug)
        out[clip_path] = Output.of_file(Path(result.mp3), result.sha256)
        site.term_clips[slug] = clip_path
        return
    mp3 = paths.doc_audio(job.locale, kind, slug, "mp3")
    vtt = paths.doc_audio(job.locale, kind, slug, "vtt")
    sync = paths.doc_audio(job.locale, kind, slug, "json")
    out[mp3] = Output.of_file(Path(result.mp3), result.sha256)
    out[vtt] = Output.of_bytes(result.vtt)
    out[sync] = Output.of_bytes(result.sync)
    site.audio[(kind, slug)] = AudioOutput(mp3=mp3, vtt=vtt, size=result.size, duration=result.duration,
                                           timings=result.timings, chapters=result.chapters)


def _job_document(name: str) -> tuple[str, str]:
    """'es/slug' -> (article, slug); 'es/glossary/slug' -> (term, slug); 'es/pronunciation/slug'."""
    from audio_build.content.document import ARTICLE, TERM

    parts = name.split("/")
    if len(parts) == 2:
        return ARTICLE, parts[1]
    return (TERM if parts[1] == "glossary" else "pronunciation"), parts[2]


def print_summary(summary: BuildSummary, stream: Any = sys.stderr) -> None:
    if summary.nothing_to_do:
        print(f"nothing to do: {summary.outputs} outputs are up to date ({summary.seconds:.2f} s)", file=stream)
        return
    minutes = summary.audio_seconds / 60
    print(f"built {len(summary.locales)} locales, {summary.pages} pages, {summary.outputs} files "
          f"({summary.written} written, {summary.kept} unchanged, {summary.removed} removed); "
          f"clips: {summary.clips_synthesized} synthesized, {summary.clips_cached} cached; "
          f"{minutes:.1f} min of audio; {summary.seconds:.1f} s", file=stream)
