"""The preview loop of `audio-build serve`: the edited page first, then its audio, then the whole build.

A full build after every save makes a translator wait for every locale's pages, ebooks, bundles and
handouts before seeing one changed sentence. Between saves, `serve` keeps what the last complete build
made in memory (`Published`); when a catalog or a content file is saved it publishes three times:

1. text: the changed documents' pages (and their locale's home, glossary and pronunciation pages),
   rendered from the saved files, everything else as last published. A changed document's player is left
   out until its audio is ready, so no page ever plays audio of older words;
2. audio: the audio jobs of the changed documents only, in this process, with the engines kept warm; their
   pages again, now with the new audio and read-along timings;
3. the full build, which is what a `build` would publish (ebooks, bundles, handouts, every page).

Steps 1 and 2 are previews: they are published without syncing the disk and never recorded as the build
of these inputs, so step 3 always runs. Anything step 1 or 2 cannot judge on its own (a document added or
removed, a catalog that does not parse, the configuration) goes straight to step 3, which reports it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from audio_build.config import Config
from audio_build.content.model import TERM, Corpus
from audio_build.content.parse import load_corpus
from audio_build.errors import AudioBuildError, CatalogError
from audio_build.i18n.extract import SITE_DOMAIN
from audio_build.i18n.interface import Interface
from audio_build.i18n.localize import load_strings
from audio_build.publish.output import Output, current_generation, publish, read_manifest
from audio_build.publish.pages import SiteRenderer
from audio_build.publish.site import LocaleSite
from audio_build.run import narration
from audio_build.run.build import BuildSummary, LocaleAudio, localized_site
from audio_build.run.jobs import DRAFTS, PRONUNCIATION, compute_left, run_job

DocKey = tuple[str, str]  # (kind, slug)
Strings = dict[tuple[str, str | None], str]


@dataclass
class Published:
    """What the last complete build published, kept by `serve` between saves."""

    corpus: Corpus
    sites: dict[str, LocaleSite]  # every locale built, with its audio and downloads
    strings: dict[tuple[str, str], Strings]  # (locale tag, domain) -> usable translations

    @classmethod
    def of(cls, summary: BuildSummary) -> Published | None:
        if summary.corpus is None or not summary.sites:
            return None
        return cls(summary.corpus, dict(summary.sites), dict(summary.strings))


@dataclass
class Draft:
    """One preview step's result: the sites as shown now, and which documents each locale re-rendered."""

    sites: dict[str, LocaleSite]
    changed: dict[str, set[DocKey]]  # locale tag -> documents whose words changed
    lists_changed: set[str] = field(default_factory=set)  # locales whose home/glossary lists must be re-rendered
    interface_changed: set[str] = field(default_factory=set)  # locales whose site.po changed: every page
    corpus: Corpus | None = None


def affected_locales(config: Config, changed: Iterable[Path]) -> set[str] | None:
    """The locales whose pages the saved files can change; None when only a full build can tell."""
    folders = {loc.info.folder: loc.tag for loc in config.locales}
    everyone = {loc.tag for loc in config.locales}
    tags: set[str] = set()
    for path in changed:
        path = path.resolve()
        if config.path is not None and path == config.path.resolve():
            return None
        if _inside(path, config.content_dir):
            tags |= everyone  # a source sentence changes every locale that shows or falls back to it
            continue
        if _inside(path, config.locales_dir):
            relative = path.relative_to(config.locales_dir.resolve()).parts
            if len(relative) >= 2 and relative[0] in folders:
                tags.add(folders[relative[0]])
            elif path.suffix == ".pot":
                continue  # templates are for translators' tools; the build reads catalogs
            else:
                return None
    return tags


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def text_step(config: Config, last: Published, changed_paths: Iterable[Path]) -> Draft | None:
    """Step 1: localize the affected locales again from the saved files; None when a full build must decide."""
    changed_paths = [p.resolve() for p in changed_paths]
    tags = affected_locales(config, changed_paths)
    if tags is None:
        return None
    try:
        corpus = load_corpus(config.content_dir, config.root)
    except AudioBuildError:
        return None  # the full build names the file and line
    if [(d.kind, d.slug) for d in corpus.documents] != [(d.kind, d.slug) for d in last.corpus.documents]:
        return None
    strings = dict(last.strings)
    interface_changed: set[str] = set()
    for loc in config.locales:
        if loc.tag not in tags or loc.tag == config.source.tag:
            continue
        for domain in (SITE_DOMAIN, *(doc.domain for doc in corpus.documents)):
            path = (config.locales_dir / loc.info.folder / "LC_MESSAGES" / f"{domain}.po").resolve()
            if path not in changed_paths and (loc.tag, domain) in strings:
                continue
            try:
                strings[(loc.tag, domain)] = load_strings(config.locales_dir, loc.info, domain)
            except CatalogError:
                return None
            if domain == SITE_DOMAIN:
                interface_changed.add(loc.tag)
    sites = dict(last.sites)
    changed: dict[str, set[DocKey]] = {}
    lists_changed: set[str] = set()
    for loc in config.locales:
        old = last.sites.get(loc.tag)
        if loc.tag not in tags or old is None:
            continue
        fresh = localized_site(config, corpus, loc, strings, BuildSummary(), warn=False)
        if fresh.docs.keys() != old.docs.keys():
            return None  # a document published or unpublished: every locale's switcher changes
        differs = {key for key, doc in fresh.docs.items() if doc != old.docs[key]}
        if not differs and loc.tag not in interface_changed:
            continue
        if any(fresh.docs[key].title != old.docs[key].title or fresh.docs[key].summary != old.docs[key].summary
               for key in differs):
            lists_changed.add(loc.tag)
        sites[loc.tag] = replace(
            old, docs=fresh.docs, ui=fresh.ui, ipa=fresh.ipa,
            audio={key: audio for key, audio in old.audio.items() if key not in differs},
            downloads={key: files for key, files in old.downloads.items() if key not in differs},
            term_clips={slug: clip for slug, clip in old.term_clips.items() if (TERM, slug) not in differs})
        changed[loc.tag] = differs
    return Draft(sites, changed, lists_changed, interface_changed, corpus)


# A locale whose own voice would compute longer than this before a preview's audio is ready (Kokoro speaks a
# long sentence in about 6 s on a 2-core server) is first heard in eSpeak NG's voice, marked as a draft.
DRAFT_VOICE_AFTER = 1.0  # seconds of synthesis
DRAFT_ENGINE = "espeak"
DRAFT_VOICE_NOTE = "a draft for this preview"  # after the draft voice's name on the page


def audio_steps(config: Config, draft: Draft, engine: str | None) -> Iterator[tuple[str, Draft, dict[str, Output]]]:
    """Step 2, a locale at a time (the source language first, since its edits reach every locale): the
    changed documents' audio jobs in this process, as drafts; yields the sites with that locale's new audio.

    When the locale's own engine would take long, a draft voice speaks the documents first (yielded before
    the locale's voice, and named as a draft on the page), so a translator hears the edit within seconds.
    """
    order = sorted((loc for loc in config.locales if draft.changed.get(loc.tag)),
                   key=lambda loc: loc.tag != config.source.tag)
    for loc in order:
        docs = {loc.tag: {key: draft.sites[loc.tag].docs[key] for key in sorted(draft.changed[loc.tag])}}
        ui = draft.sites[loc.tag].ui

        def site_title(_tag: str, ui: Interface = ui) -> str:
            return str(ui.pgettext("site title", config.title))

        plan = narration.plan(config, [loc], docs, engine, title=site_title)
        own = plan.voices[loc.tag]
        if own.engine_name != DRAFT_ENGINE and sum(compute_left(job) for job in plan.jobs) > DRAFT_VOICE_AFTER:
            quick = narration.plan(config, [loc], docs, DRAFT_ENGINE, title=site_title)
            if quick.voices[loc.tag].voice is not None:
                # Before the own voice, not beside it: on two cores, computing both at once made the draft
                # wait (2.4 s instead of 1.5 s) and brought the own voice no sooner.
                label = f"{quick.voices[loc.tag].label}: {DRAFT_VOICE_NOTE}, until {own.label} is ready"
                yield loc.tag, *_spoken(loc.tag, draft, quick, label)
        draft, files = _spoken(loc.tag, draft, plan)
        yield loc.tag, draft, files


def _spoken(tag: str, draft: Draft, plan: narration.Plan, voice: str | None = None) -> tuple[Draft, dict[str, Output]]:
    """The draft with the plan's audio (its jobs run here, as drafts); `voice` names a draft voice on the pages."""
    pairs = [(job, run_job(job, draft=True)) for job in plan.jobs]
    failed = [result.error for _, result in pairs if result.error]
    if failed:
        raise AudioBuildError("\n  ".join(failed))
    audio = LocaleAudio.of(tag, pairs)
    site = draft.sites[tag]
    site = replace(site, audio={**site.audio, **audio.documents}, term_clips={**site.term_clips, **audio.term_clips},
                   voice=site.voice if voice is None else voice)
    lists = draft.lists_changed | ({tag} if any(job.kind == PRONUNCIATION for job, _ in pairs) else set())
    # the pronunciation page plays the terms' clips
    return replace(draft, sites={**draft.sites, tag: site}, lists_changed=lists), audio.files


def pages_of(config: Config, draft: Draft, only: set[str] | None = None) -> dict[str, bytes]:
    """The pages a draft changes: its documents in every locale that changed (or `only` these), and their lists."""
    assert draft.corpus is not None
    renderer = SiteRenderer(config.title, config.source, draft.corpus, draft.sites)
    pages: dict[str, bytes] = {}
    for tag in (set(draft.changed) | draft.interface_changed) & (only if only is not None else set(draft.sites)):
        site = draft.sites[tag]
        if tag in draft.interface_changed:
            pages.update(renderer.render_locale(site))
            continue
        for key in sorted(draft.changed.get(tag, ())):
            path, data = renderer.document(site, site.docs[key])
            pages[path] = data
        if tag in draft.lists_changed:
            for path, data in (renderer.locale_index(site), renderer.glossary(site), renderer.pronunciation(site)):
                pages[path] = data
    return pages


def publish_draft(config: Config, pages: dict[str, bytes], files: dict[str, Output]) -> None:
    """The last published site with these pages and files replaced: a preview, not recorded as a build."""
    current = current_generation(config.output_dir)
    if current is None:
        return
    outputs = {path: Output(source=current / path, sha256=str(info.get("sha256", "")), size=int(info.get("size", 0)))
               for path, info in read_manifest(config.output_dir).get("outputs", {}).items()}
    outputs.update(files)
    outputs.update({path: Output.of_bytes(data) for path, data in pages.items()})
    publish(config.output_dir, outputs, {"fingerprint": None, "preview": True}, durable=False)


@dataclass
class Previewer:
    """Holds the last complete build between saves and runs the three steps for each save."""

    config: Config
    full_build: Callable[[bool], BuildSummary | None]  # runs and reports a full build; True: even if up to date
    audio: bool = True
    engine: str | None = None
    report: Callable[[str], None] = print
    last: Published | None = None
    unbuilt: set[Path] = field(default_factory=set)  # saved since `last`: previews compare against it

    def preview(self, paths: Iterable[Path]) -> None:
        """Steps 1 and 2 for everything saved since the last full build (a later save keeps an earlier one's
        words in the preview even when the full build between them was skipped)."""
        self.unbuilt |= {Path(p) for p in paths}
        if self.last is not None:
            self._preview(sorted(self.unbuilt))

    def build(self) -> None:
        summary = self.full_build(self.last is None)
        self.unbuilt.clear()
        shutil.rmtree(self.config.cache_dir / DRAFTS, ignore_errors=True)  # published drafts are hard links
        if summary is not None and summary.nothing_to_do:
            return  # the site is what `last` describes
        self.last = Published.of(summary) if summary is not None and not summary.broken else None

    def saved(self, paths: Iterable[Path]) -> None:
        self.preview(paths)
        self.build()

    def _preview(self, paths: list[Path]) -> None:
        assert self.last is not None
        draft = text_step(self.config, self.last, paths)
        if draft is None or not (draft.changed or draft.interface_changed):
            return
        publish_draft(self.config, pages_of(self.config, draft), {})
        self.report(f"preview: {sum(len(v) for v in draft.changed.values())} changed page(s) published; "
                    "making their audio")
        if not self.audio or not any(draft.changed.values()):
            return
        try:
            for tag, with_audio, files in audio_steps(self.config, draft, self.engine):
                publish_draft(self.config, pages_of(self.config, with_audio, {tag}), files)
        except AudioBuildError as exc:
            self.report(f"preview: no audio yet ({exc}); the full build follows")
            return
        self.report("preview: audio of the changed pages published; building everything else")
