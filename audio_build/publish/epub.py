"""EPUB 3 downloads with media overlays: the same localized documents as the pages, read along.

Every sentence of the XHTML carries the id of the page's sentence span; a SMIL overlay pairs it with
its span of the same MP3 the page plays (times from the synthesis). The locale's PLS lexicon goes in
the book and is linked from every content document, so a reading app's own TTS says the terms right.
Books are reproducible: fixed entry order and timestamps, `mimetype` first and stored, modified date
from the content.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from babel import Locale
from babel.dates import format_date
from markupsafe import Markup, escape

from audio_build.audio.captions import clock
from audio_build.content.markup import plain_text, render_inline
from audio_build.content.model import ARTICLE, TERM
from audio_build.content.term_links import Glossary, GlossaryLink, word_pattern
from audio_build.i18n.interface import Interface, UiText
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalBlock, LocalizedDocument
from audio_build.publish.archive import write_zip
from audio_build.publish.pages import make_environment
from audio_build.publish.site import AudioOutput

STYLE = Path(__file__).parent / "templates" / "epub_style.css"
CONTAINER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             b'<rootfiles><rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>'
             b"</rootfiles>\n</container>\n")


@dataclass(frozen=True)
class BookDocument:
    local: LocalizedDocument
    audio: AudioOutput | None
    mp3: Path | None  # the MP3 file to include (the one the page plays)
    ipa: str = ""


class _XhtmlText(UiText):
    """Interface text for XHTML: a fallback carries both lang and xml:lang."""

    def __html__(self) -> Markup:
        text = escape(str.__str__(self))
        if self.fallback:
            return Markup('<span lang="{0}" xml:lang="{0}">{1}</span>').format(self.lang, text)
        return Markup(text)


def _xhtml_ui(ui: Interface) -> dict[str, Callable[..., Any]]:
    def wrap(func: Callable[..., UiText]) -> Callable[..., UiText]:
        def call(*args: Any, **kwargs: Any) -> UiText:
            value = func(*args, **kwargs)
            return _XhtmlText(str.__str__(value), value.lang, value.fallback)
        return call
    return {name: wrap(func) for name, func in ui.functions().items()}


def file_name(kind: str, slug: str) -> str:
    return f"{'article' if kind == ARTICLE else 'term'}-{slug}"


def _clock(seconds: float) -> str:
    return clock(seconds, hour_digits=1)


def _attrs(lang: str, locale: LocaleInfo) -> Markup:
    if lang == locale.tag:
        return Markup("")
    direction = "rtl" if lang.split("-")[0] in {"ar", "he", "fa", "ur"} else "ltr"
    return Markup(' lang="{0}" xml:lang="{0}" dir="{1}"').format(lang, direction)


class Book:
    def __init__(self, *, title: str, site_title: str, locale: LocaleInfo, ui: Interface, publisher: str,
                 documents: Sequence[BookDocument], lexicon: bytes, identifier_seed: str,
                 disclaimer: str, narrator: str = "") -> None:
        self.title = title
        self.site_title = site_title
        self.locale = locale
        self.ui = ui
        self.publisher = publisher
        self.documents = documents
        self.lexicon = lexicon
        self.identifier_seed = identifier_seed
        self.disclaimer = disclaimer
        self.narrator = narrator  # engine and voice of the media overlays' audio
        self.env = make_environment()
        self.in_book = {(d.local.kind, d.local.slug) for d in documents}
        self.glossary = self._glossary()

    # ---------------------------------------------------------------------------------- rendering
    def _resolve(self, href: str) -> str | None:
        for prefix, kind in (("article:", ARTICLE), ("term:", TERM)):
            if href.startswith(prefix):
                slug = href[len(prefix):]
                return f"{file_name(kind, slug)}.xhtml" if (kind, slug) in self.in_book else None
        return href

    def _glossary(self) -> Glossary:
        """Every term in the book (a term's own document starts with it in `linked`)."""
        links = []
        for document in self.documents:
            local = document.local
            if local.kind != TERM:
                continue
            link_words = local.link_words()
            if link_words is None or (pattern := word_pattern(list(link_words))) is None:
                continue
            links.append(GlossaryLink(local.slug, pattern, f"{file_name(TERM, local.slug)}.xhtml", link_words))
        return Glossary.of(links)

    def _block(self, block: LocalBlock, *, sentences: bool = True, glossary: Glossary | None = None,
               linked: set[str] | None = None) -> dict[str, Any]:
        language = block.lang.split("-")[0].lower()
        rendered = render_inline(block.text, language, sentence_prefix=block.id if sentences else None,
                                 resolve_link=self._resolve, glossary=glossary, linked=linked, xhtml=True)
        return {"id": block.id, "kind": block.kind, "level": block.block.level, "html": Markup(rendered.html),
                "attrs": _attrs(block.lang, self.locale)}

    def _list_html(self, items: list[tuple[LocalBlock, dict[str, Any]]]) -> Markup:
        """Nested lists from flat items (depth in `level`), as XHTML."""
        out: list[str] = []
        stack: list[tuple[int, str, str]] = []  # (depth, group, tag)
        for local, view in items:
            depth, group = local.block.level, local.block.group
            tag = "ol" if local.block.ordered else "ul"
            while stack and (stack[-1][0] > depth or (stack[-1][0] == depth and stack[-1][1] != group)):
                out.append(f"</li></{stack.pop()[2]}>")
            if not stack or stack[-1][0] < depth:
                out.append(f"<{tag}>")
                stack.append((depth, group, tag))
            else:
                out.append("</li>")
            out.append(f'<li id="{escape(view["id"])}"{view["attrs"]}>{view["html"]}')
        while stack:
            out.append(f"</li></{stack.pop()[2]}>")
        return Markup("".join(out))

    def _content(self, document: BookDocument) -> bytes:
        local = document.local
        glossary = self.glossary
        linked = {local.slug} if local.kind == TERM else set()  # a term never links itself
        body: list[dict[str, Any]] = []
        pending: list[tuple[LocalBlock, dict[str, Any]]] = []
        for block in local.body:
            view = self._block(block, glossary=None if block.kind == "heading" else glossary, linked=linked)
            if block.kind == "item":
                pending.append((block, view))
                continue
            if pending:
                body.append({"kind": "list", "html": self._list_html(pending)})
                pending = []
            body.append(view)
        if pending:
            body.append({"kind": "list", "html": self._list_html(pending)})
        fields = {f.block.name: f for f in local.fields}

        def field(name: str) -> dict[str, Any] | None:
            block = fields.get(name)
            return self._block(block, sentences=False) if block is not None else None

        term = None
        if local.kind == TERM:
            term = {"respelling": field("respelling"), "part_of_speech": field("part_of_speech"),
                    "definition": field("definition"), "origin": field("origin"),
                    "ipa": document.ipa, "ipa_lang": f"{self.locale.language}-fonipa"}
        related = []
        for kind, slugs in ((TERM, local.document.related_terms), (ARTICLE, local.document.related_articles)):
            for slug in slugs:
                other = next((d.local for d in self.documents if (d.local.kind, d.local.slug) == (kind, slug)), None)
                if other is None:
                    continue
                related.append({"href": f"{file_name(kind, slug)}.xhtml",
                                "label": Markup(render_inline(other.title.text, other.title.lang, xhtml=True).html),
                                "attrs": _attrs(other.title.lang, self.locale)})
        disclaimer = fields.get("disclaimer")
        context = {
            "locale": self.locale,
            "doc": {
                "prefix": "", "is_term": local.kind == TERM, "title_plain": _plain(local.title.text),
                "title": self._block(local.title), "summary": self._block(local.summary, glossary=glossary,
                                                                          linked=linked),
                "term": term, "body": body, "related": related,
                "references": [{"text": r.text, "url": r.url, "lang": r.lang} for r in local.document.references],
                "updated_text": format_date(local.document.updated, format="long", locale=Locale.parse(self.locale.folder)),
                "disclaimer": Markup(self._block(disclaimer, sentences=False)["html"]) if disclaimer is not None
                else self.disclaimer,
                "disclaimer_attrs": _attrs(disclaimer.lang, self.locale) if disclaimer is not None else "",
            },
            **_xhtml_ui(self.ui),
        }
        return self.env.get_template("epub_content.xhtml").render(context).encode("utf-8")

    def _overlay(self, document: BookDocument, name: str) -> bytes | None:
        audio = document.audio
        if audio is None or document.mp3 is None:
            return None
        local = document.local
        order = [b for b in (local.title, local.summary, *local.body)]
        pars = []
        for block in order:
            index = 1
            while f"{block.id}_s{index}" in audio.timings:
                sid = f"{block.id}_s{index}"
                begin, end = audio.timings[sid]
                pars.append(f'<par id="p-{escape(sid)}"><text src="{name}.xhtml#{escape(sid)}"/>'
                            f'<audio src="audio/{name}.mp3" clipBegin="{_clock(begin)}" clipEnd="{_clock(end)}"/></par>')
                index += 1
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
                f'<body>\n<seq id="seq-{name}" epub:textref="{name}.xhtml" epub:type="chapter">\n'
                + "\n".join(pars) + "\n</seq>\n</body>\n</smil>\n").encode("utf-8")

    def _nav(self) -> bytes:
        toc = []
        for document in self.documents:
            local = document.local
            name = file_name(local.kind, local.slug)
            children = [{"href": f"{name}.xhtml#{b.id}", "label": Markup(render_inline(b.text, b.lang, xhtml=True).html),
                         "attrs": _attrs(b.lang, self.locale)} for b in local.body if b.kind == "heading" and b.block.level == 2]
            toc.append({"href": f"{name}.xhtml", "label": Markup(render_inline(local.title.text, local.title.lang,
                                                                                xhtml=True).html),
                        "attrs": _attrs(local.title.lang, self.locale), "children": children})
        first = self.documents[0].local
        context = {"locale": self.locale, "book_title": self.title, "toc": toc,
                   "start_href": f"{file_name(first.kind, first.slug)}.xhtml", **_xhtml_ui(self.ui)}
        return self.env.get_template("epub_nav.xhtml").render(context).encode("utf-8")

    def write(self, target: IO[bytes]) -> None:
        """The EPUB, streamed into `target` (its audio is copied file by file, never held in memory)."""
        updated = max(d.local.document.updated for d in self.documents)
        ui = _xhtml_ui(self.ui)
        title_page = self.env.get_template("epub_title.xhtml").render({
            "locale": self.locale, "book_title": self.title, "site_title": self.site_title,
            "updated_text": format_date(updated, format="long", locale=Locale.parse(self.locale.folder)),
            "publisher": self.publisher, "has_audio": any(d.audio is not None and d.mp3 is not None
                                                          for d in self.documents), **ui}).encode("utf-8")
        files: list[tuple[str, bytes | Path]] = [("OEBPS/title.xhtml", title_page), ("OEBPS/nav.xhtml", self._nav()),
                                                 ("OEBPS/style.css", STYLE.read_bytes()),
                                                 ("OEBPS/pronunciation.pls", self.lexicon)]
        items: list[dict[str, str | None]] = []
        spine: list[str] = []
        overlays: list[dict[str, str]] = []
        total = 0.0
        for document in self.documents:
            local = document.local
            name = file_name(local.kind, local.slug)
            files.append((f"OEBPS/{name}.xhtml", self._content(document)))
            overlay = self._overlay(document, name)
            overlay_id = None
            if overlay is not None and document.audio is not None and document.mp3 is not None:
                overlay_id = f"mo-{name}"
                files.append((f"OEBPS/{name}.smil", overlay))
                files.append((f"OEBPS/audio/{name}.mp3", document.mp3))
                items.append({"id": overlay_id, "href": f"{name}.smil", "type": "application/smil+xml"})
                items.append({"id": f"audio-{name}", "href": f"audio/{name}.mp3", "type": "audio/mpeg"})
                overlays.append({"id": overlay_id, "duration": _clock(document.audio.duration)})
                total += document.audio.duration
            items.append({"id": name, "href": f"{name}.xhtml", "type": "application/xhtml+xml", "overlay": overlay_id})
            spine.append(name)
        summary = self.ui.gettext(
            "This ebook has a table of contents, headings and a logical reading order. Its text is also read "
            "aloud by a computer voice, with each sentence highlighted as it is read. A pronunciation lexicon "
            "helps text-to-speech say medical words correctly. It has no images and no flashing content.") \
            if overlays else self.ui.gettext(
            "This ebook has a table of contents, headings and a logical reading order. A pronunciation lexicon "
            "helps text-to-speech say medical words correctly. It has no images and no flashing content.")
        package = self.env.get_template("epub_package.opf").render({
            "locale": self.locale, "book_title": self.title, "publisher": self.publisher,
            "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.identifier_seed)}",
            "date": updated.isoformat(), "modified": f"{updated.isoformat()}T00:00:00Z",
            "summary": summary, "narrator": self.narrator if overlays else "", "certifier": self.publisher or self.site_title,
            "total_duration": _clock(total), "overlays": overlays, "items": items, "spine": spine,
        }).encode("utf-8")
        files.append(("OEBPS/package.opf", package))
        write_zip(target, [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER),
                           *sorted(files, key=lambda f: f[0])], updated)


def _plain(text: str) -> str:
    return plain_text(text)


def book_documents(local_docs: Mapping[tuple[str, str], LocalizedDocument], audio: Mapping[tuple[str, str], AudioOutput],
                   mp3_files: Mapping[tuple[str, str], Path], ipa: Mapping[str, str],
                   keys: Sequence[tuple[str, str]]) -> list[BookDocument]:
    return [BookDocument(local=local_docs[key], audio=audio.get(key), mp3=mp3_files.get(key),
                         ipa=ipa.get(key[1], "") if key[0] == TERM else "") for key in keys if key in local_docs]


def article_book_keys(article: LocalizedDocument, local_docs: Mapping[tuple[str, str], LocalizedDocument],
                      words: Callable[[LocalizedDocument], list[str]]) -> list[tuple[str, str]]:
    """An article's book: the article, then the glossary entries it names or links."""
    keys = [(ARTICLE, article.slug)]
    text = " ".join(b.text for b in article.blocks)
    for (kind, slug), doc in sorted(local_docs.items()):
        if kind != TERM:
            continue
        pattern = word_pattern(words(doc))
        if slug in article.document.related_terms or (pattern is not None and pattern.search(text)):
            keys.append((TERM, slug))
    return keys
