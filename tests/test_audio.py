"""Spoken audio on real files: decoded, measured, tagged, captioned, cached and deterministic."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3

from audio_build.audio.assemble import LEAD_IN
from audio_build.cache import Cache
from audio_build.config import load_config
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.lexicon import apply, lexicon_path, read_lexicon
from audio_build.speech.model import Voice
from tests.conftest import BIN, REPO, SPANISH, Project, translate
from tests.helpers import lexicon_without, parse_vtt

pytestmark = pytest.mark.slow


def decode(path: Path, rate: int = 22050) -> np.ndarray:
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                          "-ar", str(rate), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


def articles_mp3(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.mp3") if "/pronunciation/" not in p.as_posix())


class Spans(HTMLParser):
    """Sentence spans of a page: id -> text."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: dict[str, str] = {}
        self._stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        sid = values.get("id") if tag == "span" and values.get("class") == "s" else None
        self._stack.append(sid if tag == "span" else None) if tag == "span" else None
        if sid:
            self.spans[sid] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        for sid in self._stack:
            if sid:
                self.spans[sid] += data


def test_every_mp3_is_mono_normalized_and_peak_limited(built_site: Path) -> None:
    files = sorted(built_site.rglob("*.mp3"))
    assert len(files) >= 30  # 10 locales with espeak voices x (article, term, pronunciation clip)
    meter = pyloudnorm.Meter(22050)
    for path in files:
        probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], check=False,
                               capture_output=True, text=True).stderr
        assert re.search(r"Audio: mp3( \(\w+\))?, 22050 Hz, mono", probe), probe
        bitrate = int(re.search(r"(\d+) kb/s", probe.split("Audio:")[1]).group(1))  # type: ignore[union-attr]
        assert 48 <= bitrate <= 64
        # an independent meter for every file, short pronunciation clips included: ffmpeg's EBU R128 filter
        report = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path),
                                 "-af", "ebur128=peak=true", "-f", "null", "-"], check=True, capture_output=True,
                                text=True).stderr
        loudness = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])
        peak = float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", report)[-1])
        assert -17.0 <= loudness <= -15.0, f"{path}: {loudness:.1f} LUFS (ffmpeg ebur128)"
        assert peak <= -1.0, f"{path}: true peak {peak:.1f} dBTP (ffmpeg ebur128)"
        samples = decode(path)
        if len(samples) / 22050 >= 3:  # and the project's own meter agrees where its gating has enough speech
            assert abs(meter.integrated_loudness(samples) - loudness) < 0.5, path


def test_durations_match_clips_plus_pauses(built_site: Path, repo_project: Project) -> None:
    """Each MP3 lasts what its cached clips and the pauses between them add up to (within 5 %)."""
    from audio_build.content.parse import load_corpus
    from audio_build.i18n.localize import load_strings, localize
    from audio_build.run import narration

    config = load_config(repo_project.root / "audio-build.toml")
    corpus = load_corpus(config.content_dir, config.root)
    cache = Cache(config.cache_dir)
    checked = 0
    for loc in config.selected(["en", "es", "ar", "zh-Hans"]):
        docs = {}
        for doc in corpus.documents:
            strings = load_strings(config.locales_dir, loc.info, doc.domain) if loc.tag != "en" else {}
            docs[(doc.kind, doc.slug)] = localize(doc, loc.info, config.source, strings, 0)
        plan = narration.plan(config, [loc], {loc.tag: docs}, None, title=lambda tag: "t")
        for job in plan.jobs:
            if not job.captions:
                continue
            clips = [cache.load_clip(spec.key) for spec in job.clips]
            assert all(clip is not None for clip in clips)
            expected = LEAD_IN + sum(c.duration for c in clips if c) + sum(s.pause_after for s in job.clips)
            kind_dir = job.name.split("/", 1)[1]
            mp3 = built_site / f"{job.locale}/{kind_dir}/{job.name.rsplit('/', 1)[1]}.{job.locale}.mp3"
            actual = len(decode(mp3)) / 22050
            assert abs(actual - expected) / expected < 0.05, f"{mp3}: {actual:.2f} s vs {expected:.2f} s"
            checked += 1
    assert checked == 8


def test_id3_tags_and_chapters(built_site: Path) -> None:
    tags = ID3(built_site / "es/fluoroscopy/fluoroscopy.es.mp3")
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == "Fluoroscopia"
    assert str(tags["TLAN"]) == "spa"
    assert str(tags["TPUB"])
    comment = next(str(v) for k, v in tags.items() if k.startswith("COMM"))
    assert "computer voice" in comment and "espeak-ng" in comment
    chapters = sorted((f for k, f in tags.items() if k.startswith("CHAP")), key=lambda f: f.start_time)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert titles[:2] == ["¿Qué es la fluoroscopia?", "¿Para qué se usa?"]
    assert len(chapters) == 7
    assert all(a.end_time == b.start_time for a, b in itertools.pairwise(chapters))
    toc = next(f for k, f in tags.items() if k.startswith("CTOC"))
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]


@pytest.mark.parametrize("locale", ["en", "es", "zh-Hans", "ar", "ru"])
def test_captions_follow_the_page_sentences(built_site: Path, locale: str) -> None:
    folder = built_site / locale / "fluoroscopy"
    cues = parse_vtt((folder / f"fluoroscopy.{locale}.vtt").read_text(encoding="utf-8"))
    duration = len(decode(folder / f"fluoroscopy.{locale}.mp3")) / 22050
    spans = Spans()
    spans.feed((folder / "index.html").read_text(encoding="utf-8"))
    assert len(cues) > 40
    previous_end = 0.0
    for cue_id, begin, end, text in cues:
        assert previous_end - 1e-3 <= begin < end <= duration, (cue_id, begin, end)
        previous_end = end
        page_text = " ".join(spans.spans[cue_id].split())
        assert text == page_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    sync = json.loads((folder / f"fluoroscopy.{locale}.json").read_text(encoding="utf-8"))
    assert set(sync["sentences"]) == {c[0] for c in cues}
    assert "what-is-fluoroscopy" in sync["blocks"]


def test_pronunciation_clips_are_played_from_glossary_and_term_pages(built_site: Path) -> None:
    for locale in ("en", "es", "ko"):
        clip = built_site / locale / "pronunciation" / f"fluoroscopy.{locale}.mp3"
        assert clip.exists() and 1.0 < len(decode(clip)) / 22050 < 20
        for page in (f"{locale}/glossary/index.html", f"{locale}/glossary/fluoroscopy/index.html",
                     f"{locale}/pronunciation/index.html"):
            html = (built_site / page).read_text(encoding="utf-8")
            assert f"fluoroscopy.{locale}.mp3" in html, page


def test_tagalog_is_spoken_offline_everywhere_audio_goes(built_site: Path) -> None:
    """espeak-ng has no Tagalog voice; the Indonesian voice with Tagalog's rules speaks it, with no network."""
    import zipfile

    for name in ("fluoroscopy/fluoroscopy.tl.mp3", "glossary/fluoroscopy/fluoroscopy.tl.mp3",
                 "fluoroscopy/fluoroscopy.tl.vtt"):
        assert (built_site / "tl" / name).is_file(), name
    html = (built_site / "tl/fluoroscopy/index.html").read_text(encoding="utf-8")
    assert "<audio" in html and 'class="no-audio"' not in html
    with zipfile.ZipFile(built_site / "tl/fluoroscopy/fluoroscopy.tl.epub") as book:
        assert any(name.endswith(".smil") for name in book.namelist())  # media overlays: read-along text
    with zipfile.ZipFile(built_site / "downloads/tl.zip") as bundle:
        assert any(name.endswith(".mp3") for name in bundle.namelist())


def test_the_lexicon_is_what_espeak_speaks() -> None:
    """espeak's own TextToPhonemes on the spoken text: the lexicon's phonemes, and others without it."""
    lexicon = read_lexicon(lexicon_path(REPO / "locales", "en"))
    entry = lexicon.lookup("fluoroscopy")
    assert entry is not None and entry.espeak
    engine = EspeakEngine()
    voice = Voice("espeak", "en-us", "en")
    try:
        from audio_build.speech.model import Sentence

        spoken = engine.render(Sentence("x_s1", apply("Your fluoroscopy is today.", lexicon)))
        with_entry = engine.phonemes(spoken, voice)
        expected = engine.phonemes(f"[[{entry.espeak}]]", voice)
        assert expected in with_entry
        without = engine.phonemes(engine.render(Sentence("x_s1", apply("Your fluoroscopy is today.",
                                                                       lexicon_without(lexicon, "fluoroscopy")))), voice)
        assert expected not in without and without != with_entry
        # a translation cannot smuggle phonemes in: brackets in text are text
        hostile = engine.render(Sentence("x_s1", apply("Say [[h@'loU]] now.", lexicon)))
        assert "[[" not in hostile
    finally:
        engine.close()


def test_rebuild_with_nothing_changed_synthesizes_nothing_and_rewrites_nothing(spanish_project: Project) -> None:
    first = spanish_project.run("build")
    assert "clips:" in first.stderr
    site = spanish_project.site
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in site.rglob("*") if p.is_file()}
    # answered before the stages are imported: an up-to-date build costs its fingerprint, not the pipeline
    again = subprocess.run([str(BIN / "audio-build"), "build"], cwd=spanish_project.root, capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    assert "nothing to do" in again.stderr
    assert re.search(r"\|\s+audio_build\.run\.fingerprint$", again.stderr, re.MULTILINE), again.stderr[-500:]
    assert "audio_build.run.build" not in again.stderr
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in site.rglob("*") if p.is_file()} == before
    # one changed message: one clip, only the outputs that hold it are rewritten
    translate(spanish_project, "es", {"You sit in a chair.": "Usted se sienta en una silla cómoda."})
    changed = spanish_project.run("build")
    assert re.search(r"clips: 1 synthesized", changed.stderr), changed.stderr


def test_jobs_run_locale_by_locale_the_heaviest_first_and_longest_first_within(repo_project: Project) -> None:
    """A locale's downloads and pages are made when its last job ends: locale by locale, they overlap the next
    locale's audio instead of all waiting for the end; the lightest locale's shortest jobs come last."""
    from audio_build.content.parse import load_corpus
    from audio_build.i18n.localize import load_strings, localize
    from audio_build.run import narration

    config = load_config(repo_project.root / "audio-build.toml")
    corpus = load_corpus(config.content_dir, config.root)
    locales = config.selected(["en", "es", "zh-Hans"])
    docs = {loc.tag: {(doc.kind, doc.slug): localize(doc, loc.info, config.source, load_strings(
        config.locales_dir, loc.info, doc.domain) if loc.tag != "en" else {}, 0) for doc in corpus.documents}
        for loc in locales}
    jobs = narration.plan(config, locales, docs, "espeak", title=lambda tag: "t").jobs
    order = narration.job_order(jobs)
    assert sorted(order) == list(range(len(jobs)))

    def size(i: int) -> int:
        return sum(len(spec.sentences) for spec in jobs[i].clips)

    runs = [(tag, list(group)) for tag, group in itertools.groupby(order, key=lambda i: jobs[i].locale)]
    assert sorted(tag for tag, _ in runs) == sorted(loc.tag for loc in locales)  # each locale in one run
    totals = [sum(size(i) for i in group) for _, group in runs]
    assert totals == sorted(totals, reverse=True)
    for _, group in runs:
        assert [size(i) for i in group] == sorted((size(i) for i in group), reverse=True)


def test_side_work_starts_before_the_jobs_and_an_error_cancels_what_has_not_started(tmp_path: Path) -> None:
    """The handouts need no audio plan: the pool is at work on them as soon as it exists (the build plans
    meanwhile); a failure while planning does not leave the rest of the side work running."""
    import time

    from audio_build.run import narration

    marks = [tmp_path / f"mark-{i}" for i in range(3)]
    with narration.pool_with_side_work(2, [(Path.touch, mark) for mark in marks]) as side:
        assert side.pool is not None and len(side.futures) == len(marks)
        deadline = time.monotonic() + 60
        while not all(mark.exists() for mark in marks) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(mark.exists() for mark in marks)  # done before any job was given to the pool
    with narration.pool_with_side_work(2, []) as side:
        assert side.pool is None and not side.futures  # no side work: the jobs decide whether a pool is worth starting

    late = [tmp_path / f"late-{i}" for i in range(20)]
    with pytest.raises(RuntimeError), narration.pool_with_side_work(1, [(time.sleep, 1.0)] + [
            (Path.touch, mark) for mark in late]):
        raise RuntimeError("planning failed")
    # at most the task or two already handed to the worker's queue ran; without the cancel, all 20 would
    assert sum(mark.exists() for mark in late) <= 2


def test_a_locale_s_downloads_wait_for_its_handouts_instead_of_rendering_them_twice(spanish_project: Project) -> None:
    """In a small build a locale's audio can be done before the worker has printed its handouts: its downloads
    then wait for that task. Rendering them again in the build's own process would double the PDF work and load
    WeasyPrint a second time (a quarter of a small build's CPU)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from audio_build.config import load_config\n"
        "from audio_build.run.build import BuildOptions, build\n"
        "summary = build(load_config(Path(sys.argv[1]) / 'audio-build.toml'), BuildOptions(jobs=2, progress=False))\n"
        "print(sorted(summary.locales), 'weasyprint' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(spanish_project.root)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["['en',", "'es']", "False"], proc.stdout + proc.stderr
    site = spanish_project.site
    for tag in ("en", "es"):
        assert len(list((site / tag).rglob("*.pdf"))) == 4  # article and term, standard and large print


def test_jobs_1_and_2_give_identical_outputs(spanish_project: Project, tmp_path: Path) -> None:
    manifests = []
    for jobs in ("1", "2"):
        config = (spanish_project.root / "audio-build.toml").read_text()
        (spanish_project.root / "audio-build.toml").write_text(
            re.sub(r'cache = "[^"]*"\n', "", config).replace("[site]\n", f'[site]\ncache = "{tmp_path / jobs}"\n', 1))
        spanish_project.run("build", "-j", jobs, "-q")
        manifests.append(json.loads((spanish_project.site / "manifest.json").read_text())["outputs"])
        spanish_project.write("audio-build.toml", config)
    assert manifests[0] == manifests[1]


def test_a_locale_without_a_voice_builds_and_strict_refuses(project: Project) -> None:
    # Yoruba: espeak-ng has no voice for it and none borrowed (Tagalog, in this project, has one)
    project.write("audio-build.toml", (project.root / "audio-build.toml").read_text()
                  .replace('["en", "es"]', '["en", "es", "yo"]'))
    project.cli("extract")
    project.cli("update")
    translate(project, "es", SPANISH)
    translate(project, "yo", {k: f"{v} (yo)" for k, v in SPANISH.items()})
    proc = project.run("build", "-l", "yo", "--engine", "espeak")
    assert "yo: no audio: the espeak engine has no voice for" in proc.stderr
    assert 'class="no-audio"' in (project.site / "yo/blood-tests/index.html").read_text(encoding="utf-8")
    strict = project.run("build", "-l", "yo", "--engine", "espeak", "--strict", expect=1)
    assert "--strict" in strict.stderr and "Traceback" not in strict.stderr


def test_a_corrupt_cache_entry_is_never_used(spanish_project: Project) -> None:
    spanish_project.run("build", "-l", "es")
    config = load_config(spanish_project.root / "audio-build.toml")
    clips = sorted(config.cache_dir.rglob("*.clip"))
    victim = clips[len(clips) // 2]
    victim.write_bytes(victim.read_bytes()[:-1000])  # truncated as by a crash
    for mp3 in config.cache_dir.rglob("*.mp3"):  # a damaged finished file is not used either
        mp3.write_bytes(b"garbage")
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace('publisher = "Test publisher"', 'publisher = "Another publisher"'))
    proc = spanish_project.run("build", "-l", "es")  # new tags: every document is assembled again
    assert re.search(r"clips: 1 synthesized", proc.stderr), proc.stderr
    assert math.isfinite(pyloudnorm.Meter(22050).integrated_loudness(
        decode(spanish_project.site / "es/blood-tests/blood-tests.es.mp3")))


@pytest.mark.parametrize("hostile", [
    "Usted se sienta [[h@'loU w'3:ld]] en una silla.",
    '<speak><prosody rate="x-fast">Usted se sienta</prosody></speak> en una silla.',
    "Usted se sienta ]] [[ en una silla.",
])
def test_a_hostile_translation_never_reaches_the_engine_as_markup(spanish_project: Project, hostile: str) -> None:
    """Through catalog reading, localization and narration planning to the exact text the engine is given."""
    from audio_build.content.parse import load_corpus
    from audio_build.i18n.localize import load_strings, localize
    from audio_build.run.narration import plan

    translate(spanish_project, "es", {"You sit in a chair.": hostile})
    config = load_config(spanish_project.root / "audio-build.toml")
    corpus = load_corpus(config.content_dir, config.root)
    es = config.locale("es")
    docs = {}
    for doc in corpus.documents:
        strings = load_strings(config.locales_dir, es.info, doc.domain)
        docs[(doc.kind, doc.slug)] = localize(doc, es.info, config.source, strings, 0)
    result = plan(config, [es], {"es": docs}, "espeak", title=str)
    engine = EspeakEngine()
    try:
        given = [engine.render(sentence, spec.voice) for job in result.jobs for spec in job.clips
                 for sentence in spec.sentences]
    finally:
        engine.close()
    assert given and not [text for text in given if "h@'loU" in text or "<speak" in text or "prosody" in text]
    # the block is spoken from the English source instead, in the source language's voice
    spoken_chair = [t for t in given if "chair" in t or "silla" in t]
    assert spoken_chair == ["You sit in a chair."], spoken_chair
