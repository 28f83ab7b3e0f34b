"""The ten published translations: complete, safe, consistent, spoken from their lexicons, in their voices."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from audio_build.config import load_config
from audio_build.content.markup import plain_text, translation_problems
from audio_build.content.sentences import sentences
from audio_build.i18n.catalog import stats
from audio_build.i18n.pofile import read_catalog
from audio_build.run.narration import resolve_voice
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.engines.tagalog import phonemes as tagalog_phonemes
from audio_build.speech.lexicon import apply, lexicon_path, read_lexicon
from audio_build.speech.model import Sentence
from tests.conftest import REPO
from tests.helpers import lexicon_without

CONFIG = load_config(REPO / "audio-build.toml")
TARGETS = [loc for loc in CONFIG.target_locales]
ESPEAK_VOICES = {"es": "es-419", "zh-Hans": "cmn", "vi": "vi", "ko": "ko", "ru": "ru", "ar": "ar", "ht": "ht",
                 "fr": "fr", "pt-BR": "pt-br", "en": "en-us", "tl": "id"}
EXPECTED_VOICES = {"es": "es-419", "zh-Hans": "cmn", "vi": "vi", "ko": "ko", "ru": "ru", "ar": "ar", "ht": "ht",
                   "fr": "fr", "pt-BR": "pt-br", "en": "en_US-joe-medium", "tl": "id"}


def test_the_ten_languages_are_published() -> None:
    assert [loc.tag for loc in CONFIG.locales] == ["en", "es", "zh-Hans", "vi", "ko", "tl", "ru", "ar", "ht", "fr",
                                                    "pt-BR"]
    assert CONFIG.locale("ar").info.direction == "rtl"
    # espeak-ng has no Tagalog voice: Tagalog is spoken offline by the Indonesian voice through Tagalog's rules
    tl = resolve_voice(CONFIG, CONFIG.locale("tl"), "espeak")
    assert tl.voice is not None and (tl.voice.name, tl.voice.language) == ("id", "tl"), tl.reason


@pytest.mark.parametrize("loc", TARGETS, ids=lambda loc: loc.tag)
def test_every_catalog_is_complete_safe_and_well_labelled(loc: object) -> None:
    info = loc.info  # type: ignore[attr-defined]
    folder = REPO / "locales" / info.folder / "LC_MESSAGES"
    pots = sorted((REPO / "locales").glob("*.pot"))
    assert sorted(p.stem for p in folder.glob("*.po")) == [p.stem for p in pots]
    for po in sorted(folder.glob("*.po")):
        catalog = read_catalog(po)
        counts = stats(catalog)
        assert counts.translated == counts.total and counts.fuzzy == 0, f"{po}: {counts}"
        headers = dict(catalog.mime_headers)
        assert headers["Language"] == info.folder
        assert headers["Language-Team"].startswith(info.english_name)
        assert headers["Plural-Forms"] == info.plural_forms
        assert "FULL NAME" not in headers.get("Last-Translator", "")
        for message in catalog:
            if message.id:
                assert not translation_problems(message.id, message.string, info.language), (po, message.id)
        assert shutil.which("msgfmt"), "GNU gettext is installed by `make test`"
        proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], check=False, capture_output=True, text=True)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
    check = subprocess.run([str(Path(__import__("sys").executable).parent / "audio-build"), "check", "-l", info.tag], check=False,
                           cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style") or (tag == "section" and ("class", "references") in attrs):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "section") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


@pytest.mark.slow
@pytest.mark.parametrize("loc", TARGETS, ids=lambda loc: loc.tag)
def test_pages_hold_no_untranslated_source_sentence(built_site: Path, loc: object) -> None:
    """Every English sentence of the content is gone from the translated pages (references excepted)."""
    from audio_build.content.parse import load_corpus

    corpus = load_corpus(REPO / "content", REPO)
    english = {s for doc in corpus.documents for block in doc.blocks if block.name != "link_words"
               for s in sentences(plain_text(block.text), "en") if len(s.split()) >= 3}
    tag = loc.tag  # type: ignore[attr-defined]
    for page in sorted((built_site / tag).rglob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        text = " ".join(" ".join(parser.chunks).split())
        leftovers = [s for s in english if s in text]
        assert not leftovers, f"{page}: {leftovers[:3]}"


@pytest.mark.parametrize("loc", [loc for loc in CONFIG.locales], ids=lambda loc: loc.tag)
def test_each_language_speaks_its_glossary_term_from_its_lexicon(loc: object) -> None:
    """The headword reaches espeak-ng as the lexicon's phonemes, and the entry changes what is heard."""
    info = loc.info  # type: ignore[attr-defined]
    from audio_build.content.parse import load_corpus
    from audio_build.i18n.localize import load_strings, localize

    corpus = load_corpus(REPO / "content", REPO)
    term = corpus.term("fluoroscopy")
    assert term is not None
    strings = load_strings(REPO / "locales", info, term.domain) if info.tag != "en" else {}
    local = localize(term, info, CONFIG.source, strings, 0)
    headword = plain_text(local.title.text)
    lexicon = read_lexicon(lexicon_path(REPO / "locales", info.folder))
    entry = lexicon.lookup(headword)
    assert entry is not None, f"{info.tag}: no lexicon entry for '{headword}'"
    assert entry.ipa and entry.alias
    respelling = local.field("respelling")
    assert respelling is not None and respelling.lang == info.tag
    engine = EspeakEngine()
    try:
        voice = engine.voice_for(info)
        assert voice is not None and voice.name == ESPEAK_VOICES[info.tag]
        with_entry = Sentence("t_s1", apply(headword, lexicon))
        without_entry = Sentence("t_s1", apply(headword, lexicon_without(lexicon, headword)))
        if info.tag == "tl":  # the borrowed voice: the alias goes through Tagalog's rules
            assert engine.render(with_entry, voice) == tagalog_phonemes(entry.alias)
        else:
            assert entry.espeak, f"{info.tag}: the lexicon entry has no espeak phonemes"
            assert engine.render(with_entry, voice) == f"[[{entry.espeak}]]"
        # what a listener hears: where espeak-ng alone would say the word differently, the audio differs
        heard = engine.synthesize([with_entry], voice, 120).samples
        plain = engine.synthesize([without_entry], voice, 120).samples
        if engine.phonemes(engine.render(without_entry, voice), voice) != engine.phonemes(
                engine.render(with_entry, voice), voice):
            assert plain.tobytes() != heard.tobytes()
        if info.tag == "en":  # the speech issue's proof: without the entry, espeak says "fluoroscopy" wrongly
            assert plain.tobytes() != heard.tobytes()
    finally:
        engine.close()


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["en", "es", "zh-Hans", "vi", "ko", "tl", "ru", "ar", "ht", "fr", "pt-BR"])
def test_each_locale_audio_is_in_its_own_voice(built_site: Path, tag: str) -> None:
    """The MP3's tags, the page's player and the EPUB's metadata all name the engine and voice that read it."""
    tags = ID3(built_site / tag / "fluoroscopy" / f"fluoroscopy.{tag}.mp3")
    note = next(str(v) for k, v in tags.items() if k.startswith("COMM"))
    assert re.search(rf"voice {re.escape(EXPECTED_VOICES[tag])}\)", note), note
    engine = "Piper" if tag == "en" else "eSpeak NG"
    label = f"{engine}, {EXPECTED_VOICES[tag]}"
    page = (built_site / tag / "fluoroscopy" / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'<ul class="audio-meta">.*?<li>[^<]*{re.escape(label)}[^<]*</li>', page, re.DOTALL), tag
    import zipfile

    with zipfile.ZipFile(built_site / tag / "fluoroscopy" / f"fluoroscopy.{tag}.epub") as book:
        package = book.read("OEBPS/package.opf").decode("utf-8")
    assert f'<dc:contributor id="narrator">{label}</dc:contributor>' in package
    assert '<meta refines="#narrator" property="role" scheme="marc:relators">nrt</meta>' in package


def test_references_stay_in_english_on_translated_pages(built_site: Path) -> None:
    for loc in TARGETS:
        page = (built_site / loc.tag / "fluoroscopy" / "index.html").read_text(encoding="utf-8")
        references = re.search(r'<section class="references".*?</section>', page, re.DOTALL)
        assert references is not None
        items = re.findall(r"<li ([^>]*)>", references.group(0))
        assert len(items) == 9 and all('lang="en"' in item for item in items)
