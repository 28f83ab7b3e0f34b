"""The build's orchestration: which locales a build publishes, and the preview watcher's timing."""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audio_build.publish import paths
from audio_build.run.serve import watch, watched_state
from tests.conftest import Project


def _digests(site: Path, prefix: str) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file() and p.relative_to(site).as_posix().startswith(prefix)}


def test_a_one_locale_build_keeps_every_other_locale_as_published(spanish_project: Project) -> None:
    config = spanish_project.root / "audio-build.toml"
    config.write_text(config.read_text().replace('locales = ["en", "es"]', 'locales = ["en", "es", "fr"]'))
    spanish_project.cli("init", "-l", "fr")
    spanish_project.cli("build", "--no-audio")
    full = spanish_project.site
    french, spanish = _digests(full, "fr/"), _digests(full, "es/")
    assert french and spanish

    (spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po").write_text(
        (spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po").read_text()
        .replace("La sangre pasa a un tubo.", "La sangre se guarda en un tubo."))
    result = spanish_project.cli("build", "--no-audio", "-l", "es")
    assert "kept as last published (not selected with -l): fr" in result.output
    site = spanish_project.site
    assert site != full, "a new generation was published"
    assert _digests(site, "fr/") == french, "French was neither removed nor changed"
    page = (site / "es/blood-tests/index.html").read_text()
    assert "La sangre se guarda en un tubo." in page
    assert 'hreflang="fr"' in (site / "es/index.html").read_text(), "Spanish pages still link the French site"
    assert "Français" in (site / "index.html").read_text(), "the chooser still lists French"

    # A locale never published has nothing to keep: it is not invented.
    spanish_project.cli("build", "--no-audio", "-l", "es", "--out", str(spanish_project.root / "other"))
    assert not (spanish_project.root / "other/fr").exists()


@contextlib.contextmanager
def _watching(paths: list[Path], since: dict[str, tuple[int, int]] | None = None
              ) -> Iterator[tuple[list[set[Path]], threading.Event]]:
    """`watch` in a thread: the batches it hands over, and an event set at the first one."""
    batches: list[set[Path]] = []
    arrived = threading.Event()
    stop = threading.Event()

    def on_change(changed: set[Path]) -> None:
        batches.append(changed)
        arrived.set()

    thread = threading.Thread(target=watch, args=(paths, on_change, stop), kwargs={"since": since}, daemon=True)
    thread.start()
    try:
        yield batches, arrived
    finally:
        stop.set()
        thread.join(5)


def test_an_edit_saved_during_the_first_build_is_not_missed(tmp_path: Path) -> None:
    source = tmp_path / "content"
    source.mkdir()
    (source / "a.md").write_text("first")
    before_first_build = watched_state([source])
    (source / "a.md").write_text("saved while the first build ran")  # same second, different size
    with _watching([source], since=before_first_build) as (seen, rebuilt):
        assert rebuilt.wait(5), "the watcher compared against a snapshot taken after the first build"
        assert seen[0] == {source / "a.md"}
    with _watching([source]) as (_, quiet):
        time.sleep(0.5)
    assert not quiet.is_set(), "nothing changed after the watcher's own snapshot"


def test_a_save_by_rename_is_handed_over_with_only_source_files(tmp_path: Path) -> None:
    """Editors save by writing a temporary file and renaming it: the watcher must see the catalog (how fast is
    measured by `make bench`, section preview)."""
    source = tmp_path / "locales"
    (source / "es").mkdir(parents=True)
    catalog = source / "es" / "site.po"
    catalog.write_text("msgid \"\"\n")
    (source / "es" / "notes.txt").write_text("not a source file")
    with _watching([source]) as (batches, arrived):
        time.sleep(0.5)  # the watch is set up
        (source / "es" / "notes.txt").write_text("still not a source file")
        staging = source / "es" / ".site.po.tmp"  # how many editors save: write a temporary file, rename it
        staging.write_text("msgid \"\"\nmsgstr \"\"\n")
        staging.replace(catalog)
        assert arrived.wait(5), "the save was not seen"
        paths = set().union(*batches)
        assert catalog in paths and all(p.suffix == ".po" for p in paths), paths


def test_engine_override_does_not_hand_the_locale_voice_to_another_engine(tmp_path: Path) -> None:
    """`voice = "jf_alpha"` is Kokoro's; `--engine espeak` must speak with espeak-ng's own Spanish voice."""
    from audio_build.config import parse_config
    from audio_build.run.narration import resolve_voice

    config = parse_config({"publish": {"locales": ["en", "es"]}, "site": {"cache": str(tmp_path)},
                           "locale": {"es": {"engine": ["kokoro", "espeak"], "voice": "jf_alpha"}}},
                          tmp_path, tmp_path / "audio-build.toml")
    spoken = resolve_voice(config, config.locale("es"), "espeak")
    assert spoken.engine_name == "espeak" and spoken.voice is not None and spoken.voice.name == "es-419"


def test_a_one_locale_build_is_not_stopped_by_another_locales_broken_catalog(spanish_project: Project) -> None:
    config = spanish_project.root / "audio-build.toml"
    config.write_text(config.read_text().replace('locales = ["en", "es"]', 'locales = ["en", "es", "fr"]'))
    spanish_project.cli("init", "-l", "fr")
    spanish_project.cli("build", "--no-audio")
    french = _digests(spanish_project.site, "fr/")
    (spanish_project.root / "locales/fr/LC_MESSAGES/blood-tests.po").write_text('msgid "unterminated\n')
    result = spanish_project.cli("build", "--no-audio", "-l", "es")  # exit 0: French was not asked for
    assert "error" not in result.output and "kept as last published (not selected with -l): fr" in result.output
    assert _digests(spanish_project.site, "fr/") == french
    assert "Français" in (spanish_project.site / "index.html").read_text()
    failed = spanish_project.cli("build", "--no-audio", expect=1)  # a full build reports it, FILE:LINE
    assert "locales/fr/LC_MESSAGES/blood-tests.po:" in failed.output


VEIN = """\
---
term: Vein
respelling: VAYN
part_of_speech: noun
definition: A blood vessel that carries blood back to the heart.
link_words: vein, veins
updated: 2024-05-31
---

A vein carries blood back to the heart. Phlebotomy takes blood from a vein.
"""


def test_a_term_links_the_other_terms_on_its_page_and_in_the_books_never_itself(project: Project) -> None:
    """Every page of a locale asks one glossary; a term's own page and book chapter leave it out by
    counting it as linked already (content/term_links.py)."""
    project.write("content/terms/vein.md", VEIN)
    project.run("build", "-q")
    links = re.compile(r'<a href="([^"]+)" class="term">([^<]+)</a>')

    def on_page(page: str) -> list[tuple[str, str]]:
        return links.findall((project.site / "en" / page / "index.html").read_text(encoding="utf-8"))

    assert on_page("glossary/phlebotomy") == [("../vein/index.html", "vein")]
    assert on_page("glossary/vein") == [("../phlebotomy/index.html", "Phlebotomy")]
    assert on_page("blood-tests") == [("../glossary/phlebotomy/index.html", "phlebotomist"),
                                      ("../glossary/vein/index.html", "vein")]
    with zipfile.ZipFile(project.site / "en" / "all-articles.en.epub") as book:
        def in_book(name: str) -> list[tuple[str, str]]:
            return links.findall(book.read(f"OEBPS/{name}.xhtml").decode("utf-8"))

        assert in_book("term-phlebotomy") == [("term-vein.xhtml", "vein")]
        assert in_book("term-vein") == [("term-phlebotomy.xhtml", "Phlebotomy")]
        assert in_book("article-blood-tests") == [("term-phlebotomy.xhtml", "phlebotomist"),
                                                  ("term-vein.xhtml", "vein")]


@pytest.mark.parametrize(("variable", "default"), [("NUMPY_MADVISE_HUGEPAGE", "0"), ("OPENBLAS_NUM_THREADS", "1")])
def test_the_cli_sets_numpys_memory_and_thread_defaults_for_itself_and_its_workers(
        project: Project, monkeypatch: pytest.MonkeyPatch, variable: str, default: str) -> None:
    """Read by numpy when it is first imported: the command sets them before any stage imports numpy, and its
    workers and helpers inherit them (huge pages made each job's first touch of its arrays slow and erratic;
    OpenBLAS started a thread per core in every process, for matrix products nothing here does)."""
    monkeypatch.setenv(variable, "")  # recorded, so the test leaves the variable as it found it
    monkeypatch.delenv(variable)
    project.cli("check", expect=None)
    assert os.environ.get(variable) == default
    monkeypatch.setenv(variable, "7")  # a user's own choice is kept
    project.cli("check", expect=None)
    assert os.environ[variable] == "7"


_site_path = st.lists(st.sampled_from(["en", "es", "articles", "terms", "a", ".", ".."]), max_size=5).map(
    lambda parts: "/".join([*parts, "index.html"]))


@given(page=_site_path, target=_site_path)
def test_links_between_site_files_are_what_relpath_gives(page: str, target: str) -> None:
    """Every link on every page comes from paths.relative: it must agree with the standard library."""
    if posixpath.normpath(page).startswith("..") or posixpath.normpath(target).startswith(".."):
        return  # outside the site: never made
    assert paths.relative(page, target) == posixpath.relpath(target, posixpath.dirname(page) or ".")
