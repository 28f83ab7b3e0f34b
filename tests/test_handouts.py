"""Printable handouts: every published document in every locale as a PDF/UA file and a large-print one, read
back with independent tools (pypdf and pdfplumber for text and sizes, pikepdf for the structure, zxing-cpp
for the QR code)."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pypdfium2
import pytest
import zxingcpp

from audio_build.publish import handouts
from tests.conftest import SITE_URL, Project
from tests.helpers import parse_vtt

pytestmark = pytest.mark.slow

LOCALES = ("en", "es", "zh-Hans", "vi", "ko", "tl", "ru", "ar", "ht", "fr", "pt-BR")
DOCUMENTS = (("article", "fluoroscopy"), ("term", "fluoroscopy"))
RTL = {"ar"}


def _folder(tag: str, kind: str, slug: str) -> str:
    return f"{tag}/{slug}" if kind == "article" else f"{tag}/glossary/{slug}"


def _pdfs(site: Path, tag: str, kind: str, slug: str) -> tuple[Path, Path]:
    folder = site / _folder(tag, kind, slug)
    return folder / f"{slug}.{tag}.pdf", folder / f"{slug}.{tag}.large.pdf"


def _squeeze(text: str) -> str:
    """Compare text, not layout: NFKC (Arabic presentation forms), no spaces, line breaks or direction marks."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\u00ad\u200b-\u200f\u2066-\u2069\u061c\u0640•]+", "", text)  # bullets are layout


def test_every_published_document_has_both_handouts_linked_from_its_page(built_site: Path) -> None:
    for tag in LOCALES:
        for kind, slug in DOCUMENTS:
            standard, large = _pdfs(built_site, tag, kind, slug)
            assert standard.stat().st_size > 5000 and large.stat().st_size > 5000, (tag, kind)
            page = (built_site / _folder(tag, kind, slug) / "index.html").read_text(encoding="utf-8")
            for pdf in (standard, large):
                assert f'href="{pdf.name}" type="application/pdf" hreflang="{tag}" download' in page, (tag, pdf.name)
        bundle = zipfile.ZipFile(built_site / "downloads" / f"{tag}.zip")
        assert f"{tag}/fluoroscopy/fluoroscopy.{tag}.large.pdf" in bundle.namelist()


@pytest.mark.parametrize("tag", LOCALES)
def test_the_text_holds_every_sentence_in_reading_order(built_site: Path, tag: str) -> None:
    for kind, slug in DOCUMENTS:
        for pdf in _pdfs(built_site, tag, kind, slug):
            reader = pypdf.PdfReader(pdf)
            pages = [page.extract_text() for page in reader.pages]
            count = len(pages)  # (an RTL extraction writes "4 / 1" for page 1 of 4)
            assert all(re.search(rf"^\s*({n} / {count}|{count} / {n})\s*$", text, re.MULTILINE)
                       for n, text in enumerate(pages, 1)), pages
            # the page numbers ("2 / 4") are page furniture, not the document's text
            text = "\n".join(re.sub(r"^\s*\d+ / \d+\s*$", "", page, flags=re.MULTILINE) for page in pages)
            assert "(cid:" not in text and "\ufffd" not in text, f"{pdf.name}: a glyph without its character"
            flat, position = _squeeze(text), 0
            lines = [_squeeze(line) for line in text.splitlines()]
            vtt = built_site / _folder(tag, kind, slug) / f"{slug}.{tag}.vtt"
            cues = [text for _, _, _, text in parse_vtt(vtt.read_text(encoding="utf-8"))]
            assert len(cues) > 5
            for cue in cues:
                if tag in RTL:
                    # pypdf gives Arabic words in logical order, but like every extractor it can misplace a
                    # bracketed run within a line: require each word, in logical order, and the sentences in order.
                    words = [_squeeze(w) for w in re.findall(r"\w+", cue) if len(w) > 1]
                    assert all(word in flat for word in words), f"{pdf.name}: {cue!r}"
                    line = next((n for n in range(position, len(lines)) if words[0] in lines[n]), None)
                    assert line is not None, f"{pdf.name}: out of order: {cue!r}"
                    position = line  # sentences in order, line by line
                    continue
                found = flat.find(_squeeze(cue), position)
                assert found >= 0, f"{pdf.name}: missing or out of order: {cue!r}"
                position = found + len(_squeeze(cue))


@pytest.mark.parametrize("tag", LOCALES)
def test_no_glyph_is_missing(built_site: Path, tag: str) -> None:
    for kind, slug in DOCUMENTS:
        for path in _pdfs(built_site, tag, kind, slug):
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    texts = {char["text"] for char in page.chars}
                    assert not {t for t in texts if t.startswith("(cid:") or t in ("", "\ufffd")}, path.name


def _struct_elements(root: pikepdf.Object) -> list[pikepdf.Dictionary]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append(node)
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif isinstance(kids, pikepdf.Dictionary):
                stack.append(kids)
    return found


@pytest.mark.parametrize("tag", LOCALES)
def test_pdf_ua_structure_language_title_fonts_and_alternative_text(built_site: Path, tag: str) -> None:
    for kind, slug in DOCUMENTS:
        for path in _pdfs(built_site, tag, kind, slug):
            with pikepdf.open(path) as pdf:
                root = pdf.Root
                assert bool(root.MarkInfo.Marked) is True
                assert str(root.Lang) == tag
                assert bool(root.ViewerPreferences.DisplayDocTitle) is True
                assert str(pdf.docinfo.Title).strip()
                elements = _struct_elements(root.StructTreeRoot)
                kinds = Counter(str(e.S) for e in elements)
                assert kinds["/H1"] == 1 and kinds["/H2"] >= 2 and kinds["/P"] >= 3, (path.name, kinds)
                if kind == "article":
                    assert kinds["/L"] >= 1 and kinds["/LI"] >= 3, (path.name, kinds)
                figures = [e for e in elements if str(e.S) == "/Figure"]
                assert len(figures) == 1 and str(figures[0].get("/Alt", "")).strip(), path.name
                if kind == "article" and tag != "en":  # references stay in English inside a translated handout
                    assert any(str(e.get("/Lang", "")) == "en" for e in elements), path.name
                for page in pdf.pages:
                    for font in page.Resources.Font.values():
                        descendants = font.get("/DescendantFonts")
                        described = descendants[0] if descendants is not None else font
                        descriptor = described.FontDescriptor
                        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                            (path.name, str(font.get("/BaseFont")))


@pytest.mark.parametrize("tag", LOCALES)
def test_the_qr_code_opens_the_same_page_in_the_same_language(built_site: Path, tag: str) -> None:
    for kind, slug in DOCUMENTS:
        for path in _pdfs(built_site, tag, kind, slug):
            document = pypdfium2.PdfDocument(str(path))
            found = []
            for index in range(len(document)):
                image = document[index].render(scale=2.5).to_pil()
                found += [result.text for result in zxingcpp.read_barcodes(image)]
            assert found == [f"{SITE_URL}{_folder(tag, kind, slug)}/"], (path.name, found)


@pytest.mark.parametrize("tag", ("en", "ar", "zh-Hans", "vi"))
def test_body_text_is_12_pt_and_18_pt_in_large_print(built_site: Path, tag: str) -> None:
    for kind, slug in DOCUMENTS:
        for path, minimum in zip(_pdfs(built_site, tag, kind, slug), (12, 18), strict=True):
            with pdfplumber.open(path) as pdf:
                sizes = Counter(round(char["size"], 1) for page in pdf.pages for char in page.chars)
            body_size = sizes.most_common(1)[0][0]
            assert body_size >= minimum, (path.name, sizes.most_common(3))


def test_without_a_site_url_handouts_have_no_code_and_the_build_says_so_once(spanish_project: Project) -> None:
    result = spanish_project.cli("build")
    assert result.output.count("handouts are printed without a QR code") == 1
    standard, _ = _pdfs(spanish_project.site, "es", "article", "blood-tests")
    with pikepdf.open(standard) as pdf:
        assert not [e for e in _struct_elements(pdf.Root.StructTreeRoot) if str(e.S) == "/Figure"]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(standard.read_bytes())).pages)
    assert "Una aguja entra en una vena del brazo." in text


def test_a_locale_whose_script_has_no_font_fails_with_the_package_to_install(
        spanish_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(handouts.SCRIPT_FONTS, "es", "Noto Sans Nonexistent Script")
    handouts._installed.cache_clear()
    result = spanish_project.cli("build", expect=1)
    assert "no font for Spanish (es) handouts: 'Noto Sans Nonexistent Script' is not installed" in result.output
    assert "apt install fonts-noto-core" in result.output
    assert "Traceback" not in result.output
    assert not (spanish_project.root / "site").exists(), "nothing half-written is published"


def test_a4_paper_by_configuration(spanish_project: Project) -> None:
    config = spanish_project.root / "audio-build.toml"
    config.write_text(config.read_text() + '\n[handouts]\npaper = "a4"\n')
    spanish_project.cli("build")
    standard, _ = _pdfs(spanish_project.site, "es", "article", "blood-tests")
    with pikepdf.open(standard) as pdf:
        width, height = (round(float(v)) for v in pdf.pages[0].MediaBox[2:])
    assert (width, height) == (595, 842)  # A4 in points (US Letter is 612 x 792)


def test_a_small_builds_handouts_go_to_one_worker_and_a_large_builds_spread_in_order() -> None:
    """Each worker that prints pays to load WeasyPrint once: the handout tasks hold at most HANDOUTS_PER_TASK
    documents, as few tasks as that allows (locales share one), every document once and in order."""
    from audio_build.publish.downloads import HandoutBatch, handout_tasks

    def batches(tag: str, documents: int, size: int) -> list[HandoutBatch]:
        keys = [("article", f"{tag}-{n}") for n in range(documents)]
        return [HandoutBatch(Path(), None, None, None, None, tag, tuple(keys[i:i + size]))  # type: ignore[arg-type]
                for i in range(0, documents, size)]

    small = handout_tasks(batches("en", 12, 32) + batches("es", 12, 32), 32)
    assert [[b.title for b in task] for task in small] == [["en", "es"]]
    for documents in (1, 31, 32, 33, 100, 425):
        given = batches("en", documents, 32) + batches("es", documents // 3, 32)
        tasks = handout_tasks(given, 32)
        assert [b for task in tasks for b in task] == given
        sizes = [sum(len(b.keys) for b in task) for task in tasks]
        assert max(sizes) <= 32
        assert all(a + b > 32 for a, b in itertools.pairwise(sizes))  # no two neighbours would have fit in one


_LOADED_LIBRARIES = r"""
import ctypes.util, json, sys
from audio_build.publish import handouts
lookup = ctypes.util.find_library
if sys.argv[1] == "by-ldconfig":
    with handouts._libraries_found_by_ldconfig():
        import weasyprint.text.ffi
else:
    import weasyprint.text.ffi
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line})
print(json.dumps({"libraries": libraries, "lookup_restored": ctypes.util.find_library is lookup}))
"""


def test_weasyprint_imported_with_the_quick_library_lookup_loads_the_same_libraries() -> None:
    """The lookup that skips gcc and ld for names WeasyPrint guesses wrong must not change what it loads."""
    def loaded(mode: str) -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", _LOADED_LIBRARIES, mode], capture_output=True, text=True,
                              check=True)
        return json.loads(done.stdout)

    quick, usual = loaded("by-ldconfig"), loaded("usual")
    assert quick["lookup_restored"] is True
    assert any("libpango-1.0" in name for name in quick["libraries"])  # type: ignore[union-attr]
    assert quick["libraries"] == usual["libraries"]
