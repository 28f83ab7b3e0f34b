"""Web pages: localized documents -> HTML, rendered with Jinja2 (autoescape on) from package templates.

Pure: everything a page shows comes in as data (`LocaleSite`), and `SiteRenderer.render_locale` returns
{relative path: bytes}. Writing files is the build's job.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.units import format_unit
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from audio_build.content.markup import render_inline
from audio_build.content.model import ARTICLE, TERM, Corpus, Reference
from audio_build.content.term_links import Glossary
from audio_build.i18n.interface import N_, direction, plain
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalizedDocument
from audio_build.publish import paths
from audio_build.publish.blocks import (
    BlockRenderer,
    BlockView,
    GlossaryTerm,
    body_tree,
    glossary_terms,
    language_of,
)
from audio_build.publish.site import Download, LocaleSite

STATIC_FILES = ("site.css", "read-along.js")
STATIC_SOURCE = Path(__file__).parent / "static"


# ------------------------------------------------------------------------------------------ helpers

@lru_cache(maxsize=1)
def make_environment() -> Environment:
    """One environment per process: templates compile once, however many locales and books render."""
    env = Environment(loader=PackageLoader("audio_build.publish", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["plain"] = plain
    env.globals["direction"] = direction
    return env


def _size_text(size: int, locale: Locale) -> str:
    if size >= 1_000_000:
        return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short", locale=locale)
    return format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=locale)


def _babel(info: LocaleInfo) -> Locale:
    return Locale.parse(info.folder)


# ------------------------------------------------------------------------------------------- pages

class SiteRenderer:
    def __init__(self, title: str, source: LocaleInfo, corpus: Corpus, sites: Mapping[str, LocaleSite],
                 *, bundle_tag: str | None = None) -> None:
        self.title = title
        self.source = source
        self.corpus = corpus
        self.sites = sites
        self.env = make_environment()
        self.bundle_tag = bundle_tag  # rendering for an offline bundle: no links to other languages
        self.linked_from = _linked_from(corpus)
        self.glossaries: dict[str, _LocaleGlossary] = {}  # per locale tag

    def _common(self, site: LocaleSite, page_path: str, page_title: str, page_kind: str,
                alternates_for: tuple[str, str] | None, description: str = "") -> dict[str, Any]:
        ui = site.ui
        tag = site.info.tag
        root = paths.root_prefix(page_path)
        switcher = []
        alternates = []
        if self.bundle_tag is None:
            for other in self.sites.values():
                if alternates_for is None:
                    target = paths.locale_index(other.info.tag)
                elif alternates_for[0] in ("glossary", "pronunciation"):
                    target = (paths.glossary_page(other.info.tag) if alternates_for[0] == "glossary"
                              else paths.pronunciation_page(other.info.tag))
                elif alternates_for in other.docs:
                    target = paths.doc_page(other.info.tag, *alternates_for)
                else:
                    continue
                href = paths.relative(page_path, target)
                switcher.append({"tag": other.info.tag, "href": href, "name": other.info.native_name,
                                 "current": other.info.tag == tag})
                if other.info.tag != tag:
                    alternates.append({"tag": other.info.tag, "href": href})
        nav = [
            {"href": paths.relative(page_path, paths.locale_index(tag)), "label": ui.gettext("Home"),
             "current": page_kind == "home"},
            {"href": paths.relative(page_path, paths.glossary_page(tag)), "label": ui.gettext("Glossary"),
             "current": page_kind == "glossary"},
            {"href": paths.relative(page_path, paths.pronunciation_page(tag)),
             "label": ui.gettext("Pronunciation guide"), "current": page_kind == "pronunciation"},
        ]
        site_title = ui.pgettext("site title", self.title)
        return {
            "locale": site.info, "root": root, "page_title": page_title, "site_title": site_title,
            "page_kind": page_kind, "switcher": switcher if len(switcher) > 1 else [], "alternates": alternates,
            "nav": nav, "home_href": paths.relative(page_path, paths.locale_index(tag)),
            "description": description, "has_script": False,
            "disclaimer": ui.gettext(DEFAULT_DISCLAIMER), "disclaimer_lang": None, "disclaimer_dir": None,
            **ui.functions(),
        }

    def no_audio_text(self, site: LocaleSite) -> str:
        return site.ui.gettext("Audio is not available in {language} yet. You can still read every page.",
                               language=site.info.native_name)

    # ---- documents
    def document(self, site: LocaleSite, doc: LocalizedDocument) -> tuple[str, bytes]:
        tag = site.info.tag
        page_path = paths.doc_page(tag, doc.kind, doc.slug)
        glossary = self.glossaries.get(tag)
        if glossary is None or glossary.docs is not site.docs:
            glossary = self.glossaries[tag] = _LocaleGlossary(site.docs, glossary_terms(site))
        renderer = BlockRenderer(site, self.sites, self.source, self.corpus, page_path, terms=glossary.terms,
                                 linked={doc.slug} if doc.kind == TERM else None)  # a term never links itself
        audio = site.audio.get((doc.kind, doc.slug))
        timings = audio.timings if audio else None
        link_terms = glossary.links_for(renderer)
        locale = _babel(site.info)

        title = renderer.block(doc.title, timings=timings)
        summary = renderer.block(doc.summary, timings=timings, link_terms=link_terms)
        body_views = [(b, renderer.block(b, timings=timings, link_terms=link_terms if b.kind != "heading" else None))
                      for b in doc.body]
        fields = {f.block.name: f for f in doc.fields}

        def field_view(name: str, linked: bool = False) -> BlockView | None:
            block = fields.get(name)
            if block is None:
                return None
            return renderer.block(block, link_terms=link_terms if linked else None, sentences=False)

        term = None
        if doc.kind == TERM:
            term = {
                "respelling": field_view("respelling"),
                "part_of_speech": field_view("part_of_speech"),
                "definition": field_view("definition"),
                "origin": field_view("origin"),
                "ipa": site.ipa.get(doc.slug, ""),
                "ipa_lang": f"{site.info.language}-fonipa",
                "clip": paths.relative(page_path, site.term_clips[doc.slug]) if doc.slug in site.term_clips else None,
            }
        audio_view = None
        if audio is not None:
            chapters = []
            heading_titles = {b.id: v for b, v in body_views if b.kind == "heading"}
            for block_id, start in audio.chapters:
                view = heading_titles.get(block_id)
                if view is not None:
                    chapters.append({"id": block_id, "start": start, "title": Markup(_strip_spans(view.html)),
                                     "lang": view.lang, "dir": view.dir})
            audio_view = {
                "mp3": paths.relative(page_path, audio.mp3), "vtt": paths.relative(page_path, audio.vtt),
                "lang": tag, "language_name": site.info.native_name,
                "size_text": _size_text(audio.size, locale),
                "duration_text": format_timedelta(dt.timedelta(seconds=audio.duration), locale=locale,
                                                  threshold=1.5),
                "chapters": chapters, "voice": site.voice,
            }
        related_terms = [self._doc_link(site, renderer, TERM, s) for s in doc.document.related_terms]
        related_articles = [self._doc_link(site, renderer, ARTICLE, s) for s in doc.document.related_articles]
        for other in self.linked_from.get((doc.kind, doc.slug), ()):  # the other side of every "related" link
            if doc.kind == ARTICLE and other not in doc.document.related_terms:
                related_terms.append(self._doc_link(site, renderer, TERM, other))
            if doc.kind == TERM and other not in doc.document.related_articles:
                related_articles.append(self._doc_link(site, renderer, ARTICLE, other))
        downloads = [self._download_view(site, page_path, d) for d in site.downloads.get((doc.kind, doc.slug), [])]

        context = self._common(site, page_path, plain(_strip_tags(title.html)), "article" if doc.kind == ARTICLE
                               else "term", (doc.kind, doc.slug), description=_strip_tags(summary.html))
        disclaimer = fields.get("disclaimer")
        if disclaimer is not None:
            context["disclaimer"] = Markup(renderer.block(disclaimer, sentences=False).html)
            context["disclaimer_lang"] = disclaimer.lang if disclaimer.lang != tag else None
            context["disclaimer_dir"] = direction(disclaimer.lang) if disclaimer.lang != tag else None
        context["has_script"] = audio is not None
        context["page"] = {
            "title": title, "summary": summary, "body": body_tree(body_views),
            "category": field_view("category"), "term": term,
            "updated_iso": doc.document.updated.isoformat(),
            "updated_text": format_date(doc.document.updated, format="long", locale=locale),
            "audio": audio_view, "no_audio_text": self.no_audio_text(site),
            "related_terms": [r for r in related_terms if r], "related_articles": [r for r in related_articles if r],
            "references": [self._reference(r) for r in doc.document.references],
            "downloads": downloads,
        }
        return page_path, self._render("article.html", context)

    def _doc_link(self, site: LocaleSite, renderer: BlockRenderer, kind: str, slug: str) -> dict[str, Any] | None:
        local = site.docs.get((kind, slug))
        if local is not None:
            label, lang = local.title.text, local.title.lang
        else:
            source_doc = self.corpus.article(slug) if kind == ARTICLE else self.corpus.term(slug)
            if source_doc is None:
                return None
            label, lang = source_doc.title.text, self.source.tag
        html = render_inline(label, language_of(lang)).html
        return {"href": renderer.link_target(kind, slug), "label": Markup(html), "lang": lang,
                "dir": direction(lang)}

    @staticmethod
    def _reference(ref: Reference) -> dict[str, Any]:
        return {"text": ref.text, "url": ref.url, "lang": ref.lang}

    def _download_view(self, site: LocaleSite, page_path: str, download: Download) -> dict[str, Any]:
        ui = site.ui
        size = _size_text(download.size, _babel(site.info))
        labels = {
            "epub": ("application/epub+zip",
                     ui.gettext("Download as an ebook with audio (EPUB, {language}, {size})",
                                language=site.info.native_name, size=size)),
            "zip": ("application/zip",
                    ui.gettext("Download everything for offline use (ZIP, {language}, {size})",
                               language=site.info.native_name, size=size)),
            "mp3": ("audio/mpeg", ui.gettext("Download the audio (MP3, {size})", size=size)),
            "pdf": ("application/pdf", ui.gettext("Printable handout (PDF, {language}, {size})",
                                                  language=site.info.native_name, size=size)),
            "pdf-large": ("application/pdf", ui.gettext("Large-print handout (PDF, {language}, {size})",
                                                        language=site.info.native_name, size=size)),
        }
        mime, label = labels[download.kind]
        return {"href": paths.relative(page_path, download.path), "type": mime, "lang": download.lang,
                "label": label}

    # ---- lists
    def _entry(self, site: LocaleSite, page_path: str, doc: LocalizedDocument) -> dict[str, Any]:
        summary_html = render_inline(doc.summary.text, language_of(doc.summary.lang)).html
        title_html = render_inline(doc.title.text, language_of(doc.title.lang)).html
        entry: dict[str, Any] = {
            "href": paths.relative(page_path, paths.doc_page(site.info.tag, doc.kind, doc.slug)),
            "title": Markup(title_html), "title_plain": _strip_tags(title_html), "lang": doc.title.lang,
            "summary": Markup(summary_html), "summary_lang": doc.summary.lang,
        }
        if doc.kind == TERM:
            respelling = doc.field("respelling")
            definition = doc.field("definition")
            entry.update({
                "respelling": Markup(render_inline(respelling.text, language_of(respelling.lang)).html)
                if respelling else "",
                "respelling_lang": respelling.lang if respelling else site.info.tag,
                "definition": Markup(render_inline(definition.text, language_of(definition.lang)).html)
                if definition else "",
                "definition_lang": definition.lang if definition else site.info.tag,
                "ipa": site.ipa.get(doc.slug, ""), "ipa_lang": f"{site.info.language}-fonipa",
                "clip": paths.relative(page_path, site.term_clips[doc.slug]) if doc.slug in site.term_clips else None,
            })
        return entry

    def _sorted(self, site: LocaleSite, kind: str) -> list[LocalizedDocument]:
        docs = [d for (k, _), d in site.docs.items() if k == kind]
        collator_key = _collation_key(site.info)
        return sorted(docs, key=lambda d: collator_key(_strip_tags(render_inline(d.title.text, "x").html)))

    def locale_index(self, site: LocaleSite) -> tuple[str, bytes]:
        tag = site.info.tag
        page_path = paths.locale_index(tag)
        context = self._common(site, page_path, plain(site.ui.gettext("Home")), "home", None)
        context["page_title"] = plain(site.ui.gettext("Home"))
        context.update({
            "articles": [self._entry(site, page_path, d) for d in self._sorted(site, ARTICLE)],
            "terms": [self._entry(site, page_path, d) for d in self._sorted(site, TERM)],
            "glossary_href": paths.relative(page_path, paths.glossary_page(tag)),
            "pronunciation_href": paths.relative(page_path, paths.pronunciation_page(tag)),
            "audio_available": site.audio_available, "no_audio_text": self.no_audio_text(site),
            "downloads": [self._download_view(site, page_path, d) for d in site.locale_downloads],
        })
        return page_path, self._render("index.html", context)

    def glossary(self, site: LocaleSite) -> tuple[str, bytes]:
        page_path = paths.glossary_page(site.info.tag)
        context = self._common(site, page_path, plain(site.ui.gettext("Glossary")), "glossary", ("glossary", ""))
        context["terms"] = [self._entry(site, page_path, d) for d in self._sorted(site, TERM)]
        return page_path, self._render("glossary.html", context)

    def pronunciation(self, site: LocaleSite) -> tuple[str, bytes]:
        page_path = paths.pronunciation_page(site.info.tag)
        context = self._common(site, page_path, plain(site.ui.gettext("Pronunciation guide")), "pronunciation",
                               ("pronunciation", ""))
        context["terms"] = [self._entry(site, page_path, d) for d in self._sorted(site, TERM)]
        context["audio_available"] = site.audio_available
        context["no_audio_text"] = self.no_audio_text(site)
        return page_path, self._render("pronunciation.html", context)

    def chooser(self, kept: Sequence[LocaleInfo] = (), order: Sequence[str] = ()) -> tuple[str, bytes]:
        """The language chooser: every locale built now, and `kept` ones whose last good pages stay online."""
        source_site = next((s for s in self.sites.values() if s.info.tag == self.source.tag),
                           next(iter(self.sites.values())))
        infos = [s.info for s in self.sites.values()] + list(kept)
        if order:
            infos.sort(key=lambda info: order.index(info.tag) if info.tag in order else len(order))
        languages = [{"tag": info.tag, "href": paths.locale_index(info.tag), "name": info.native_name,
                      "english_name": info.english_name, "direction": info.direction} for info in infos]
        ui = source_site.ui
        context = {"locale": source_site.info, "languages": languages,
                   "site_title": ui.pgettext("site title", self.title),
                   "disclaimer": ui.gettext(DEFAULT_DISCLAIMER), **ui.functions()}
        return "index.html", self._render("chooser.html", context)

    def _render(self, name: str, context: dict[str, Any]) -> bytes:
        return self.env.get_template(name).render(context).encode("utf-8")

    def render_locale(self, site: LocaleSite) -> dict[str, bytes]:
        pages: dict[str, bytes] = {}
        for doc in site.docs.values():
            path, data = self.document(site, doc)
            pages[path] = data
        for path, data in (self.locale_index(site), self.glossary(site), self.pronunciation(site)):
            pages[path] = data
        return pages


@dataclass
class _LocaleGlossary:
    """The glossary terms one locale's pages link, and the links made from them so far."""

    docs: Mapping[tuple[str, str], LocalizedDocument]  # what they were made from
    terms: tuple[GlossaryTerm, ...]
    links: dict[str, Glossary] = field(default_factory=dict)
    holds_a_term: dict[str, bool] = field(default_factory=dict)  # per folder: is some term's page inside it?

    def links_for(self, renderer: BlockRenderer) -> Glossary:
        """A page's glossary links, made once for all pages in sibling folders: a link from folder/page
        is "../" + the link from the folder's parent, for every target outside the folder."""
        folder = posixpath.dirname(renderer.page_path)
        if folder not in self.holds_a_term:  # asked once per folder, not once per page
            self.holds_a_term[folder] = any(term.target.startswith(folder + "/") for term in self.terms)
        if self.holds_a_term[folder]:
            return renderer.glossary()
        key = posixpath.dirname(folder)
        if key not in self.links:
            self.links[key] = renderer.glossary()
        return self.links[key]


def _linked_from(corpus: Corpus) -> dict[tuple[str, str], list[str]]:
    """(kind, slug) -> the documents of the other kind that list it as related, in corpus order."""
    found: dict[tuple[str, str], list[str]] = {}
    for other in corpus.documents:
        targets = ((ARTICLE, other.related_articles) if other.kind == TERM else (TERM, other.related_terms))
        for slug in dict.fromkeys(targets[1]):
            found.setdefault((targets[0], slug), []).append(other.slug)
    return found


DEFAULT_DISCLAIMER = N_("The information on this site should not be used as a substitute for professional medical "
                        "care or advice. Contact a health care provider if you have questions about your health.")


def _strip_tags(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", str(html)))


def _strip_spans(html: str) -> str:
    return re.sub(r"</?span[^>]*>", "", str(html))


def _collation_key(info: LocaleInfo) -> Callable[[str], Any]:
    return lambda text: unicodedata.normalize("NFKD", text).casefold()


def static_files() -> dict[str, bytes]:
    return {f"{paths.STATIC_DIR}/{name}": (STATIC_SOURCE / name).read_bytes() for name in STATIC_FILES}
