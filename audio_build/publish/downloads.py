"""Downloads: an EPUB per article, an EPUB per locale with everything, and an offline ZIP per locale.

Each download is built into the cache under a key of everything that shapes its bytes, so rebuilding an
unchanged one costs a hash, and a large library's bundles are streamed to disk, never held in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from jinja2 import Environment, PackageLoader, StrictUndefined

from audio_build.cache import Cache, code_version, key_of
from audio_build.config import Config
from audio_build.content.model import ARTICLE, TERM, Corpus
from audio_build.i18n.interface import plain
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalizedDocument
from audio_build.publish import paths
from audio_build.publish.archive import write_zip
from audio_build.publish.epub import Book, article_book_keys, book_documents
from audio_build.publish.handouts import HandoutRenderer, HandoutSettings, check_fonts, handout_paths
from audio_build.publish.output import Output
from audio_build.publish.pages import DEFAULT_DISCLAIMER, SiteRenderer, static_files
from audio_build.publish.site import Download, LocaleSite
from audio_build.speech.lexicon import EMPTY, Lexicon, lexicon_path, read_lexicon, serialize

DOWNLOADS_CODE = code_version("publish/downloads.py", "publish/epub.py", "publish/archive.py", "content/markup.py",
                              "content/term_links.py",
                              "publish/templates/epub_*", "publish/templates/bundle_*")
HANDOUTS_CODE = code_version("publish/handouts.py", "publish/blocks.py", "publish/templates/handout*",
                             "publish/templates/_blocks.html")


def _words(doc: LocalizedDocument) -> list[str]:
    field = doc.field("link_words")
    return [w.strip() for w in (field.text if field else doc.title.text).split(",") if w.strip()]


def _lexicon_bytes(config: Config, site: LocaleSite) -> bytes:
    lexicon = read_lexicon(lexicon_path(config.locales_dir, site.info.folder))
    if lexicon is EMPTY:
        lexicon = Lexicon(language=site.info.tag, lexemes=())
    return serialize(lexicon)


def _cached_file(cache: Cache, key: str, suffix: str, write: Callable[[IO[bytes]], object]) -> Path:
    """The cached output of `key`, or `write` streams it into the cache."""
    found = cache.load_file(key, suffix)
    if found is not None:
        return found
    return cache.store_written(key, suffix, write)


class _Books:
    """The ebooks of one locale: everything a book needs that does not change from book to book."""

    def __init__(self, config: Config, site: LocaleSite, outputs: Mapping[str, Output], cache: Cache,
                 title: str) -> None:
        self.config = config
        self.site = site
        self.outputs = outputs
        self.cache = cache
        self.title = title
        self.lexicon = _lexicon_bytes(config, site)
        self.media: dict[tuple[str, str], Path] = {}
        for key, audio in site.audio.items():
            output = outputs.get(audio.mp3)
            if output is not None and output.source is not None:
                self.media[key] = output.source
        self.site_title = plain(site.ui.pgettext("site title", config.title))
        self.disclaimer = plain(site.ui.gettext(DEFAULT_DISCLAIMER))
        self.ui_state = site.ui.translations()  # the interface words a book shows: part of its key

    def book(self, keys: list[tuple[str, str]], book_title: str, seed: str) -> Path:
        site, tag = self.site, self.site.info.tag
        documents = book_documents(site.docs, site.audio, self.media, site.ipa, keys)
        key = key_of("epub", DOWNLOADS_CODE, tag, seed, book_title, self.site_title, self.config.publisher,
                     self.disclaimer, site.voice, [repr(d.local) for d in documents], [repr(d.audio) for d in documents],
                     [self.outputs[site.audio[(d.local.kind, d.local.slug)].mp3].sha256 if d.mp3 else ""
                      for d in documents], hashlib.sha256(self.lexicon).hexdigest(), self.ui_state)
        return _cached_file(self.cache, key, ".epub", Book(
            title=book_title, site_title=self.site_title, locale=site.info, ui=site.ui,
            publisher=self.config.publisher, documents=documents, lexicon=self.lexicon,
            identifier_seed=f"audio-build:{self.title}:{tag}:{seed}", disclaimer=self.disclaimer,
            narrator=site.voice).write)


@dataclass(frozen=True)
class Downloads:
    """One locale's downloads: the files, and what its pages link (per document and for the whole locale)."""

    files: Mapping[str, Output] = field(default_factory=dict)
    per_doc: Mapping[tuple[str, str], tuple[Download, ...]] = field(default_factory=dict)
    for_locale: tuple[Download, ...] = ()


def locale_downloads(config: Config, corpus: Corpus, site: LocaleSite, audio_files: Mapping[str, Output],
                     title: str) -> Downloads:
    """One locale's ebooks and offline bundle, made from its site model and its audio files."""
    if not site.docs:
        return Downloads()
    cache = Cache(config.cache_dir)
    tag = site.info.tag
    files: dict[str, Output] = {}
    per_doc: dict[tuple[str, str], tuple[Download, ...]] = {}
    books = _Books(config, site, audio_files, cache, title)
    for (kind, slug), doc in sorted(site.docs.items()):
        if kind != ARTICLE:
            continue
        path = paths.doc_audio(tag, kind, slug, "epub")
        files[path] = Output.of_file(books.book(article_book_keys(doc, site.docs, _words), plain(doc.title.text), slug))
        per_doc[(kind, slug)] = (Download(path, "epub", files[path].size, tag),)
    everything = [k for k in sorted(site.docs) if k[0] == ARTICLE] + [k for k in sorted(site.docs) if k[0] == TERM]
    collection = paths.locale_epub(tag)
    files[collection] = Output.of_file(books.book(everything, books.site_title, "all"))
    books_only = (Download(collection, "epub", files[collection].size, tag),)
    if config.handouts:
        files.update(_handouts(config, corpus, site, title))
        for key in sorted(site.docs):
            standard, large = handout_paths(tag, *key)
            per_doc[key] = (*per_doc.get(key, ()), Download(standard, "pdf", files[standard].size, tag),
                            Download(large, "pdf-large", files[large].size, tag))
    # The bundle's pages link the books but not the bundle itself.
    offline = dataclasses.replace(site, downloads=per_doc, locale_downloads=books_only)
    bundle_path = paths.bundle(tag)
    files[bundle_path] = Output.of_file(_bundle(config, corpus, offline, {**audio_files, **files}, cache))
    return Downloads(files, per_doc, (*books_only, Download(bundle_path, "zip", files[bundle_path].size, tag)))


def _handouts(config: Config, corpus: Corpus, site: LocaleSite, title: str) -> dict[str, Output]:
    """The standard and large-print PDF of every published document by site path, made again only when its
    inputs change."""
    batch = HandoutBatch(config.cache_dir, _handout_settings(config), site, config.source, corpus, title,
                         tuple(sorted(site.docs)))
    return {path: Output.of_file(found) for path, found in make_handouts(batch).items()}


def _handout_settings(config: Config) -> HandoutSettings:
    return HandoutSettings(paper=config.handout_paper, base_url=config.site_url, publisher=config.publisher)


@dataclass(frozen=True)
class HandoutBatch:
    """Some documents' handouts in one locale: a task a worker process can do while others make audio.

    Handouts read only the localized text (never the audio), so the build makes them in its worker pool
    from the start, and the locale's downloads then find them in the cache.
    """

    cache_dir: Path
    settings: HandoutSettings
    site: LocaleSite
    source: LocaleInfo
    corpus: Corpus
    title: str
    keys: tuple[tuple[str, str], ...]


def handout_batches(config: Config, corpus: Corpus, site: LocaleSite, title: str, size: int) -> list[HandoutBatch]:
    """Batches of the documents whose handouts are not in the cache yet (an incremental build sends none)."""
    settings, cache = _handout_settings(config), Cache(config.cache_dir)
    state = site.ui.translations()
    keys = [key for key in sorted(site.docs)
            if any(not cache.file_path(_handout_key(site, key, large, settings, title, state), ".pdf").exists()
                   for large in (False, True))]
    return [HandoutBatch(config.cache_dir, settings, site, config.source, corpus, title, tuple(keys[i:i + size]))
            for i in range(0, len(keys), size)]


def _handout_key(site: LocaleSite, key: tuple[str, str], large: bool, settings: HandoutSettings, title: str,
                 state: Sequence[object]) -> str:
    kind, slug = key
    return key_of("handout", HANDOUTS_CODE, site.info.tag, kind, slug, large, settings.__dict__, title,
                  repr(site.docs[key]), site.ipa.get(slug, ""), state)


def make_handouts(batch: HandoutBatch) -> dict[str, Path]:
    """The batch's PDFs by site path, from the cache or rendered into it."""
    site = batch.site
    check_fonts(site.info)
    cache = Cache(batch.cache_dir)
    state = site.ui.translations()
    renderer = HandoutRenderer(site, {site.info.tag: site}, batch.source, batch.corpus, batch.title, batch.settings)
    made: dict[str, Path] = {}
    for kind, slug in batch.keys:
        doc = site.docs[(kind, slug)]
        for path, large in zip(handout_paths(site.info.tag, kind, slug), (False, True), strict=True):
            key = _handout_key(site, (kind, slug), large, batch.settings, batch.title, state)

            def write_pdf(handle: IO[bytes], d: LocalizedDocument = doc, lg: bool = large) -> None:
                handle.write(renderer.pdf(d, lg))

            made[path] = _cached_file(cache, key, ".pdf", write_pdf)
    return made


def handout_tasks(batches: Sequence[HandoutBatch], per_task: int) -> list[tuple[HandoutBatch, ...]]:
    """Consecutive batches (of any locales) packed into tasks of at most `per_task` documents, in order."""
    tasks: list[list[HandoutBatch]] = []
    for batch in batches:
        if tasks and sum(len(b.keys) for b in tasks[-1]) + len(batch.keys) <= per_task:
            tasks[-1].append(batch)
        else:
            tasks.append([batch])
    return [tuple(task) for task in tasks]


def make_handout_batches(batches: Sequence[HandoutBatch]) -> None:
    """Several batches in one worker (one WeasyPrint load), for the cache: the downloads read them from there."""
    for batch in batches:
        make_handouts(batch)


def _text_environment() -> Environment:
    env = Environment(loader=PackageLoader("audio_build.publish", "templates"), autoescape=False, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["plain"] = plain
    return env


def _bundle(config: Config, corpus: Corpus, site: LocaleSite, outputs: Mapping[str, Output], cache: Cache) -> Path:
    """One locale, offline: its pages (without links to other languages), media, books, a README."""
    tag = site.info.tag
    renderer = SiteRenderer(config.title, config.source, corpus, {tag: site}, bundle_tag=tag)
    pages = renderer.render_locale(site)
    ui = site.ui.functions()
    site_title = site.ui.pgettext("site title", config.title)
    disclaimer = site.ui.gettext(DEFAULT_DISCLAIMER)
    index = renderer.env.get_template("bundle_index.html").render(
        locale=site.info, site_title=site_title, start_href=paths.locale_index(tag), disclaimer=disclaimer,
        **ui).encode("utf-8")
    readme = _text_environment().get_template("bundle_readme.txt").render(
        locale=site.info, site_title=plain(site_title), disclaimer=plain(disclaimer),
        audio_available=site.audio_available, **ui).encode("utf-8")
    entries: list[tuple[str, bytes | Path]] = [("index.html", index), ("README.txt", readme)]
    entries += sorted(static_files().items())
    media = {rel: out for rel, out in outputs.items() if rel.startswith(f"{tag}/") and rel not in pages}
    for rel in sorted(set(pages) | set(media)):
        if rel in pages:
            entries.append((rel, pages[rel]))
        else:
            out = media[rel]
            entries.append((rel, out.source if out.source is not None else (out.data or b"")))
    digest = key_of("bundle", DOWNLOADS_CODE, [(name, hashlib.sha256(data).hexdigest() if isinstance(data, bytes)
                                               else outputs[name].sha256) for name, data in entries])
    updated = max(doc.document.updated for doc in site.docs.values())
    return _cached_file(cache, digest, ".zip", lambda handle: write_zip(handle, entries, updated))
