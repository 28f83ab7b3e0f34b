"""Printable handouts: one accessible PDF (PDF/UA-1) per document and locale, and a large-print one, with a QR
code that opens the same page and its audio in the same language.

WeasyPrint renders them from the same localized documents as the pages (title, date, the summary box, every
section, term pronunciation, references, the disclaimer). Fonts are named, never left to chance: each
script has a Noto family (installed by `make run`), and a locale whose font is missing stops the build with
the package to install.
"""

from __future__ import annotations

import ctypes.util
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from markupsafe import Markup

from audio_build.errors import AudioBuildError
from audio_build.i18n.interface import plain
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalizedDocument
from audio_build.publish import paths
from audio_build.publish.blocks import BlockRenderer, BlockView, body_tree
from audio_build.publish.pages import DEFAULT_DISCLAIMER, make_environment
from audio_build.publish.site import LocaleSite

TEMPLATES = Path(__file__).parent / "templates"
PAPER_SIZES = {"letter": "letter", "a4": "A4"}
LARGE_SUFFIX = "large.pdf"
# The font family for each script (by language), then Noto Sans for Latin text quoted inside it (references,
# text left in English). Debian package that installs each, named in the error when one is missing. Arabic
# uses Noto Naskh: with Noto Sans Arabic, WeasyPrint 70 maps the lam-alef ligature to no text, so a screen
# reader or a copy of the text loses letters ("العجات" for "العلاجات").
SCRIPT_FONTS = {"ar": "Noto Naskh Arabic", "fa": "Noto Naskh Arabic", "ur": "Noto Naskh Arabic",
                "zh": "Noto Sans CJK SC", "ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR",
                "hi": "Noto Sans Devanagari", "ne": "Noto Sans Devanagari", "bn": "Noto Sans Bengali",
                "am": "Noto Sans Ethiopic", "he": "Noto Sans Hebrew"}
LATIN_FONT = "Noto Sans"
FONT_PACKAGES = {"Noto Sans CJK SC": "fonts-noto-cjk", "Noto Sans CJK JP": "fonts-noto-cjk",
                 "Noto Sans CJK KR": "fonts-noto-cjk"}


@dataclass(frozen=True)
class HandoutSettings:
    paper: str = "letter"  # "letter" or "a4"
    base_url: str | None = None  # the published site's address: without it, no QR code
    publisher: str = ""


def handout_paths(tag: str, kind: str, slug: str) -> tuple[str, str]:
    """The standard and the large-print handout of a document."""
    return paths.doc_audio(tag, kind, slug, "pdf"), paths.doc_audio(tag, kind, slug, LARGE_SUFFIX)


def font_families(language: str) -> list[str]:
    script_font = SCRIPT_FONTS.get(language)
    return [script_font, LATIN_FONT] if script_font else [LATIN_FONT]


@cache
def _installed(family: str) -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise AudioBuildError("handouts need fontconfig's fc-list to find their fonts: install the 'fontconfig' "
                              "package (make run does)")
    found = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def check_fonts(info: LocaleInfo) -> None:
    """Fail with the package to install when a locale's script has no font (never print tofu boxes)."""
    for family in font_families(info.language):
        if not _installed(family):
            package = FONT_PACKAGES.get(family, "fonts-noto-core")
            raise AudioBuildError(f"no font for {info.english_name} ({info.tag}) handouts: '{family}' is not "
                                  f"installed (Debian/Ubuntu: apt install {package}; make run installs it)")


def qr_data_uri(url: str) -> str:
    """An SVG QR code (error correction M, so a creased or smudged print still scans)."""
    import segno  # with urllib.request, ssl and http.client: 0.03 s every build would pay before its first job
    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4, dark="#000", light="#fff"))


def _strip_links(html: str) -> Markup:
    return Markup(re.sub(r"</?a\b[^>]*>", "", html))


def _printable(view: BlockView) -> BlockView:
    return BlockView(id=view.id, kind=view.kind, html=_strip_links(view.html), lang=view.lang, dir=view.dir,
                     level=view.level, ordered=view.ordered)


class HandoutRenderer:
    """The handouts of one locale: HTML from its site model, then PDF/UA through WeasyPrint."""

    def __init__(self, site: LocaleSite, sites: Mapping[str, LocaleSite], source: LocaleInfo, corpus: Any,
                 site_title: str, settings: HandoutSettings) -> None:
        self.site = site
        self.sites = sites
        self.source = source
        self.corpus = corpus
        self.site_title = site_title
        self.settings = settings
        self.env = make_environment()
        # The package's own stylesheet (trusted), with the configured paper size.
        self.css = f"@page {{ size: {PAPER_SIZES[settings.paper]}; }}\n" + (TEMPLATES / "handout.css").read_text(
            encoding="utf-8")
        self._fonts: Any = None  # one WeasyPrint FontConfiguration for the locale's handouts (made with the first)
        self._sheet: Any = None  # the stylesheet parsed once, not once per PDF from a <style> element

    def url_of(self, doc: LocalizedDocument) -> str | None:
        base = self.settings.base_url
        if not base:
            return None
        return base.rstrip("/") + "/" + paths.doc_page(self.site.info.tag, doc.kind, doc.slug).removesuffix("index.html")

    def html(self, doc: LocalizedDocument, large: bool) -> str:
        site, ui = self.site, self.site.ui
        page_path = paths.doc_page(site.info.tag, doc.kind, doc.slug)
        renderer = BlockRenderer(site, self.sites, self.source, self.corpus, page_path)

        def view(block: Any) -> BlockView:
            return _printable(renderer.block(block, sentences=False))

        fields = {f.block.name: f for f in doc.fields}
        term: dict[str, Any] | None = None
        if doc.kind == "term":
            term = {name: view(fields[name]) if name in fields else None
                    for name in ("respelling", "part_of_speech", "definition", "origin")}
            term.update({"ipa": site.ipa.get(doc.slug, ""), "ipa_lang": f"{site.info.language}-fonipa"})
        url = self.url_of(doc)
        language = site.info.native_name
        title = view(doc.title)
        summary = view(doc.summary)
        locale = Locale.parse(site.info.folder)
        return self.env.get_template("handout.html").render(
            locale=site.info, large=large,
            fonts=", ".join(f'"{family}"' for family in font_families(site.info.language)) + ", sans-serif",
            title=title, title_plain=plain(title.html), summary=summary, summary_plain=plain(summary.html),
            site_title=ui.pgettext("site title", self.site_title), category=view(fields["category"])
            if "category" in fields else None, term=term,
            body=body_tree((b, view(b)) for b in doc.body),
            updated_iso=doc.document.updated.isoformat(),
            updated_text=format_date(doc.document.updated, format="long", locale=locale),
            references=[{"text": r.text, "url": r.url, "lang": r.lang} for r in doc.document.references],
            publisher=self.settings.publisher,
            qr=qr_data_uri(url) if url else None,
            qr_alt=ui.gettext("QR code that opens this page and its audio in {language}", language=language),
            scan_text=ui.gettext("Scan to listen in {language}", language=language),
            disclaimer=ui.gettext(DEFAULT_DISCLAIMER), disclaimer_lang=ui.gettext(DEFAULT_DISCLAIMER).lang,
            **ui.functions())

    def pdf(self, doc: LocalizedDocument, large: bool) -> bytes:
        html = self.html(doc, large)
        identifier = f"audio-build:{self.site.info.tag}:{doc.kind}:{doc.slug}:{'large' if large else 'standard'}"
        CSS, HTML, FontConfiguration = _weasyprint()

        if self._sheet is None:
            # Left out, WeasyPrint makes a new one for every PDF: a fifth of a handout's time (12 of 60 ms).
            fonts = FontConfiguration()
            # Parsed once per locale instead of from each document's <style> (2.5 ms of a handout's 59; the same bytes).
            self._sheet = CSS(string=self.css, font_config=fonts)
            self._fonts = fonts
        with _lang_on_passages():
            data: bytes = HTML(string=html).write_pdf(stylesheets=[self._sheet], pdf_variant="pdf/ua-1",
                                                      pdf_identifier=identifier.encode(), uncompressed_pdf=False,
                                                      font_config=self._fonts)
        return data


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint's CSS, HTML and FontConfiguration, imported once per process (a quarter of a second: only
    processes that print pay it), with the quick library lookup around that one import."""
    with _libraries_found_by_ldconfig():
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    return CSS, HTML, FontConfiguration


@contextmanager
def _libraries_found_by_ldconfig() -> Iterator[None]:
    """While WeasyPrint is imported, a library name cffi cannot open is looked up in ldconfig's cache only.

    WeasyPrint 70 tries each of its seven libraries under up to six platforms' names (Windows' first), and
    cffi asks `ctypes.util.find_library` about every name it cannot open; on Linux each miss then runs gcc and
    ld: 15 misses, 0.12 s of the import's 0.36 s and 0.1 CPU-s in those tools, in every process that prints.
    Hits come from ldconfig's cache either way; a name it does not know falls through to the names WeasyPrint
    tries next ("libpango-1.0.so.0"), which dlopen opens directly. Other platforms keep the lookup as it is.
    """
    by_ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)  # CPython's own first step on Linux
    if by_ldconfig is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = by_ldconfig
    try:
        yield
    finally:
        ctypes.util.find_library = original


@contextmanager
def _lang_on_passages() -> Iterator[None]:
    """WeasyPrint 70 writes /Lang only on the document; PDF/UA wants it on every passage in another language.

    While rendering, its structure-tree builder is wrapped so each element made from an HTML element with a
    `lang` attribute (a reference, text left in English) carries that language. Pinned to weasyprint==70.0;
    tests/test_handouts.py fails if a later version changes what this relies on.
    """
    from weasyprint.pdf import tags as weasyprint_tags

    original = weasyprint_tags._build_box_tree

    def build_with_lang(box: Any, parent: Any, *args: Any) -> Any:
        element_lang = None
        if getattr(box, "element", None) is not None and getattr(box, "element_tag", None) not in ("html", "body"):
            element_lang = box.element.get("lang")
        for element in original(box, parent, *args):
            if element_lang and "Lang" not in element:
                element["Lang"] = weasyprint_tags.pydyf.String(element_lang)
            yield element

    weasyprint_tags._build_box_tree = build_with_lang
    try:
        yield
    finally:
        weasyprint_tags._build_box_tree = original

