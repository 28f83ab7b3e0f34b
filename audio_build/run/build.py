"""`audio-build build`: plan from content hashes, run the stages, publish one atomic generation.

Read top to bottom, this is the whole build: inputs -> localized documents -> audio -> pages ->
downloads -> manifest. Each stage lives in its own module; this one only wires them together.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audio_build.config import Config, LocaleConfig
from audio_build.content.markup import plain_text
from audio_build.content.model import TERM, Corpus
from audio_build.content.parse import load_corpus
from audio_build.errors import AudioBuildError, CatalogError
from audio_build.files import sweep_temp_files
from audio_build.i18n.extract import SITE_DOMAIN
from audio_build.i18n.interface import Interface
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import load_strings, localize
from audio_build.publish import paths
from audio_build.publish.downloads import (
    handout_batches,
    handout_tasks,
    locale_downloads,
    make_handout_batches,
)
from audio_build.publish.output import Output, current_generation, publish
from audio_build.publish.pages import SiteRenderer, static_files
from audio_build.publish.site import AudioOutput, LocaleSite
from audio_build.run import narration
from audio_build.run.jobs import PRONUNCIATION, AudioJob, AudioResult, close_engines
from audio_build.run.options import (
    BuildOptions,
    PublishedState,
    published_state,
    start_workers,
    up_to_date_message,
)
from audio_build.speech.lexicon import lexicon_path, read_lexicon
from audio_build.workers import map_in_processes, map_with_context


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
    kept_unselected: list[str] = field(default_factory=list)  # locales left out with -l, kept as published
    # What was published, for `serve` to preview the next edit from (run/preview.py).
    corpus: Corpus | None = None
    sites: dict[str, LocaleSite] = field(default_factory=dict)  # locales built now, with audio and downloads
    strings: dict[tuple[str, str], dict[tuple[str, str | None], str]] = field(default_factory=dict)


# -------------------------------------------------------------------------------------------- build

def build(config: Config, options: BuildOptions, published: PublishedState | None = None) -> BuildSummary:
    """`published`: the state `published_state` read (the CLI reads it before importing this module)."""
    started = time.perf_counter()
    summary = BuildSummary()
    published = published or published_state(config, options)
    manifest = published.manifest
    if not options.force and published.up_to_date:
        summary.nothing_to_do = True
        summary.outputs = published.outputs
        summary.kept = summary.outputs
        summary.seconds = time.perf_counter() - started
        return summary

    start_workers(options)
    sweep_temp_files(config.cache_dir)  # temp files a killed build left behind are never read
    outputs = _produce(config, options, summary, manifest)
    # A build that left a locale out is not the build of these inputs: the next run tries (and reports) again.
    result = publish(config.output_dir, outputs, {"fingerprint": None if summary.broken else published.fingerprint})
    summary.outputs = len(outputs)
    summary.written = result.written
    summary.kept = result.kept
    summary.removed = result.removed
    summary.seconds = time.perf_counter() - started
    return summary


def _produce(config: Config, options: BuildOptions, summary: BuildSummary,
             manifest: dict[str, Any]) -> dict[str, Output]:
    """Every file of the new generation: the locales built now, and the last published files of the others."""
    corpus = load_corpus(config.content_dir, config.root)
    wanted = {config.source.tag} | {loc.tag for loc in config.selected(options.locales)}
    loaded = _load_strings(config, corpus, options.jobs)
    unreadable = {tag for (tag, _), strings in loaded.items() if isinstance(strings, str)}
    for (tag, _), strings in loaded.items():
        if isinstance(strings, str) and tag in wanted:  # a locale left out with -l is not this build's error
            summary.broken.setdefault(tag, []).append(strings)
    # Locales not rebuilt now (broken catalogs, or left out with -l) keep their last published files.
    resting = [loc for loc in config.locales if loc.tag in unreadable or loc.tag not in wanted]
    kept = _previous_outputs(config, manifest, resting)
    kept_tags = {tag for tag, _ in kept.values()}
    summary.kept_previous = [loc.tag for loc in config.locales if loc.tag in summary.broken and loc.tag in kept_tags]
    summary.kept_unselected = [loc.tag for loc in config.locales if loc.tag not in wanted and loc.tag in kept_tags]
    # Every locale that will be online, localized: the language switcher links each one's pages.
    online = [loc for loc in config.locales if loc.tag not in unreadable and (loc.tag in wanted or loc.tag in kept_tags)]
    sites = {loc.tag: localized_site(config, corpus, loc, loaded, summary, warn=loc.tag in wanted) for loc in online}
    summary.corpus = corpus
    summary.strings = {key: strings for key, strings in loaded.items() if not isinstance(strings, str)}
    building = [loc for loc in online if loc.tag in wanted]
    summary.locales.extend(loc.tag for loc in building)
    renderer = SiteRenderer(config.title, config.source, corpus, sites)

    if options.audio and config.handouts and not config.site_url and building:
        summary.warnings.append("handouts are printed without a QR code: set url in [site] to the address the "
                                "site is published at, so patients can scan a handout to listen")
    if options.audio:
        built = _narrate(config, options, corpus, renderer, building, sites, summary)
    else:  # pages only: each locale's pages in a forked worker that inherits every localized site
        tags = [loc.tag for loc in building]
        built = dict(zip(tags, map_with_context(_pages_of, (renderer, sites), tags, options.jobs, min_tasks=2),
                         strict=True))
        summary.sites = {tag: sites[tag] for tag in tags}
    outputs: dict[str, Output] = {path: output for path, (_, output) in kept.items()}
    for tag in sites:
        if tag in built:
            pages, files = built[tag]
            summary.pages += len(pages)
            outputs.update(files)
            outputs.update({path: Output.of_bytes(data) for path, data in pages.items()})
    outputs.update({path: Output.of_bytes(data) for path, data in static_files().items()})
    path, data = renderer.chooser([loc.info for loc in config.locales if loc.tag in kept_tags and loc.tag not in sites],
                                  [loc.tag for loc in config.locales])
    outputs[path] = Output.of_bytes(data)
    summary.pages += 1
    return outputs


def _load_strings(config: Config, corpus: Corpus,
                  jobs: int | None) -> dict[tuple[str, str], dict[tuple[str, str | None], str] | str]:
    """Every translated locale's strings per domain, parsed in worker processes (CPU-bound)."""
    translated = [loc.info for loc in config.locales if loc.tag != config.source.tag]
    domains = [SITE_DOMAIN, *(doc.domain for doc in corpus.documents)]
    tasks = [(config.locales_dir, info, domain) for info in translated for domain in domains]
    return dict(zip([(info.tag, domain) for _, info, domain in tasks], map_in_processes(_strings_of, tasks, jobs),
                    strict=True))


def localized_site(config: Config, corpus: Corpus, loc: LocaleConfig,
                   loaded: Mapping[tuple[str, str], dict[tuple[str, str | None], str] | str], summary: BuildSummary,
                   warn: bool) -> LocaleSite:
    """One locale's site model before audio: its published documents, interface words and term IPA."""
    info = loc.info
    docs = {}
    for doc in corpus.documents:
        local = localize(doc, info, config.source, _usable(loaded.get((info.tag, doc.domain), {})),
                         config.publish_threshold)
        if warn:
            summary.warnings.extend(local.warnings)
        if local.published:
            docs[(doc.kind, doc.slug)] = local
        elif warn:
            summary.warnings.append(f"{doc.path}: {info.tag}: not published ({local.percent:.0f}% translated, "
                                    f"threshold {config.publish_threshold:g}%)")
    lexicon = read_lexicon(lexicon_path(config.locales_dir, info.folder))
    ipa = {doc.slug: found for (kind, _), doc in docs.items() if kind == TERM
           for found in [lexicon.ipa_for(plain_text(doc.title.text))] if found}
    ui = Interface(_usable(loaded.get((info.tag, SITE_DOMAIN), {})), info.tag, config.source.tag, info.language)
    return LocaleSite(info=info, ui=ui, docs=docs, audio_available=False, ipa=ipa)


def _strings_of(task: tuple[Path, LocaleInfo, str]) -> dict[tuple[str, str | None], str] | str:
    """The translations of one domain in one locale (run in a worker: parsing PO files is CPU-bound).

    A catalog that cannot be read gives its FILE:LINE problem instead: it costs its own locale, not the build.
    """
    locales_dir, info, domain = task
    try:
        return load_strings(locales_dir, info, domain)
    except CatalogError as exc:
        return str(exc)


def _usable(strings: dict[tuple[str, str | None], str] | str) -> dict[tuple[str, str | None], str]:
    assert not isinstance(strings, str)  # broken locales were taken out before
    return strings


def _previous_outputs(config: Config, manifest: dict[str, Any],
                      resting: Sequence[LocaleConfig]) -> dict[str, tuple[str, Output]]:
    """The last published files of each locale not rebuilt now (its folder and its bundle), to publish again.

    Patients keep the last good pages and audio in their language while its catalog is fixed, and a
    one-locale build (`-l es`) does not unpublish the others; a locale never published has nothing to keep.
    """
    current = current_generation(config.output_dir)
    published = manifest.get("outputs", {})
    kept: dict[str, tuple[str, Output]] = {}
    if current is None or not isinstance(published, dict):
        return kept
    for loc in resting:
        for path, info in published.items():
            if path.startswith(f"{loc.tag}/") or path == paths.bundle(loc.tag):
                source = current / path
                if source.is_file():
                    kept[path] = (loc.tag, Output.of_file(source, info.get("sha256")))
    return kept


def _pages_of(shared: tuple[SiteRenderer, dict[str, LocaleSite]], tag: str) -> LocaleBuilt:
    renderer, sites = shared
    return renderer.render_locale(sites[tag]), {}


LocaleBuilt = tuple[dict[str, bytes], dict[str, Output]]  # one locale's pages, and its audio and download files


def _narrate(config: Config, options: BuildOptions, corpus: Corpus, renderer: SiteRenderer,
             building: list[LocaleConfig], sites: dict[str, LocaleSite], summary: BuildSummary) -> dict[str, LocaleBuilt]:
    """Run the audio jobs; as soon as a locale's audio is done, make its downloads and pages (in a thread
    when building in parallel, so EPUBs, bundles and pages overlap with the audio of other locales).

    The handouts need no audio: in a local pool, the first worker starts on them while the audio is planned,
    and a locale's downloads wait for its handout tasks rather than render the same PDFs a second time.
    """
    work = _handout_work(config, corpus, building, sites, options)
    with narration.pool_with_side_work(options.jobs, work) as side:
        handouts = {loc.tag: [future for (_, task), future in zip(work, side.futures, strict=True)
                              if any(batch.site.info.tag == loc.tag for batch in task)] for loc in building}
        return _narrate_on(side.pool, config, options, corpus, renderer, building, sites, summary, handouts)


def _narrate_on(pool: ProcessPoolExecutor | None, config: Config, options: BuildOptions, corpus: Corpus,
                renderer: SiteRenderer, building: list[LocaleConfig], sites: dict[str, LocaleSite],
                summary: BuildSummary, handouts: Mapping[str, Sequence[Future[object]]]) -> dict[str, LocaleBuilt]:
    plan = narration.plan(config, building, {loc.tag: sites[loc.tag].docs for loc in building}, options.engine,
                          title=lambda tag: str(sites[tag].ui.pgettext("site title", config.title)))
    narration.check_strict(plan, options.strict)
    summary.warnings.extend(plan.warnings)
    tags = [loc.tag for loc in building]
    pending = {tag: sum(1 for job in plan.jobs if job.locale == tag) for tag in tags}
    done: dict[str, list[tuple[AudioJob, AudioResult]]] = {tag: [] for tag in tags}
    errors: list[str] = []
    finisher = ThreadPoolExecutor(max_workers=1) if options.local_pool or options.executor == "dask" else None
    finishing: dict[str, Future[LocaleBuilt]] = {}
    built: dict[str, LocaleBuilt] = {}

    def finish(site: LocaleSite, audio_files: dict[str, Output]) -> LocaleBuilt:
        """Downloads and pages of one locale: they depend on no other locale, so they can run early."""
        wait(handouts.get(site.info.tag, ()))  # a task that failed is made again (and its error said) below
        downloads = locale_downloads(config, corpus, site, audio_files, config.title)
        final = replace(site, downloads=downloads.per_doc, locale_downloads=downloads.for_locale)
        summary.sites[site.info.tag] = final
        return renderer.render_locale(final), {**audio_files, **downloads.files}

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
        available = bool(voice and voice.voice) and not unavailable
        audio = LocaleAudio.of(tag, [] if unavailable else results)
        summary.audio_seconds += sum(result.duration for _, result in ([] if unavailable else results))
        site = replace(sites[tag], audio_available=available, voice=voice.label if voice and available else "",
                       audio=audio.documents, term_clips=audio.term_clips)
        if finisher is None:
            built[tag] = finish(site, audio.files)
        else:
            finishing[tag] = finisher.submit(finish, site, audio.files)

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
                      on_result=on_result, pool=pool)
        for tag, future in finishing.items():
            built[tag] = future.result()
    finally:
        if finisher is not None:
            finisher.shutdown(wait=True)
        if not options.keep_engines:
            close_engines()
    if errors:
        raise AudioBuildError("audio failed (finished clips are kept in the cache; run the build again to retry "
                              "only what failed):\n  " + "\n  ".join(errors[:10]))
    return built


# A worker pays about half a second to load WeasyPrint before its first handout: a small build's handouts
# (every locale's) go to one worker while the others start on audio; a large build's spread in tasks this big.
HANDOUTS_PER_TASK = 32


def _handout_work(config: Config, corpus: Corpus, building: list[LocaleConfig], sites: dict[str, LocaleSite],
                  options: BuildOptions) -> list[tuple[Any, Any]]:
    """Every building locale's handouts as tasks for the audio workers (they read no audio), so they are made
    in parallel with it instead of one after another when each locale's downloads are assembled."""
    if not config.handouts or not options.local_pool:
        return []
    batches = [batch for loc in building
               for batch in handout_batches(config, corpus, sites[loc.tag], config.title, HANDOUTS_PER_TASK)]
    return [(make_handout_batches, task) for task in handout_tasks(batches, HANDOUTS_PER_TASK)]


@dataclass(frozen=True)
class LocaleAudio:
    """One locale's finished audio: its files by site path, and what its pages and books link."""

    files: dict[str, Output]
    documents: dict[tuple[str, str], AudioOutput]
    term_clips: dict[str, str]

    @classmethod
    def of(cls, tag: str, results: Sequence[tuple[AudioJob, AudioResult]]) -> LocaleAudio:
        files: dict[str, Output] = {}
        documents: dict[tuple[str, str], AudioOutput] = {}
        term_clips: dict[str, str] = {}
        for job, result in results:
            if result.mp3 is None:
                continue
            if job.kind == PRONUNCIATION:
                clip_path = paths.term_clip(tag, job.slug)
                files[clip_path] = Output.of_file(Path(result.mp3), result.sha256)
                term_clips[job.slug] = clip_path
                continue
            mp3, vtt, sync = (paths.doc_audio(tag, job.kind, job.slug, ext) for ext in ("mp3", "vtt", "json"))
            files[mp3] = Output.of_file(Path(result.mp3), result.sha256)
            files[vtt] = Output.of_bytes(result.vtt)
            files[sync] = Output.of_bytes(result.sync)
            documents[(job.kind, job.slug)] = AudioOutput(mp3=mp3, vtt=vtt, size=result.size,
                                                          duration=result.duration, timings=result.timings,
                                                          chapters=result.chapters)
        return cls(files, documents, term_clips)


def print_summary(summary: BuildSummary, stream: Any = None) -> None:
    stream = stream or sys.stderr  # looked up at call time: Click's test runner swaps it
    if summary.nothing_to_do:
        print(up_to_date_message(summary.outputs, summary.seconds), file=stream)
        return
    minutes = summary.audio_seconds / 60
    print(f"built {len(summary.locales)} locales, {summary.pages} pages, {summary.outputs} files "
          f"({summary.written} written, {summary.kept} unchanged, {summary.removed} removed); "
          f"clips: {summary.clips_synthesized} synthesized, {summary.clips_cached} cached; "
          f"{minutes:.1f} min of audio; {summary.seconds:.1f} s", file=stream)
    if summary.kept_unselected:
        print(f"kept as last published (not selected with -l): {', '.join(summary.kept_unselected)}", file=stream)
