"""The translator workflow through the real CLI, on real catalogs: extract, init, update, compile, check, stats."""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_build.i18n.catalog import translations
from audio_build.i18n.pofile import read_catalog, write_catalog
from tests.conftest import SPANISH, Project, translate

MSGFMT = shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext is installed by `make test`")


def entries(path: Path) -> dict[tuple[str, str | None], object]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(m.id, m.context): m for m in catalog if m.id}


def test_extract_writes_one_template_per_document_and_site(project: Project) -> None:
    project.cli("extract")
    names = sorted(p.name for p in (project.root / "locales").glob("*.pot"))
    assert names == ["blood-tests.pot", "glossary-phlebotomy.pot", "site.pot"]
    article = (project.root / "locales" / "blood-tests.pot").read_text(encoding="utf-8")
    # one message per block, inline Markdown kept, locations point at the source line
    assert '#: content/blood-tests.md:12\nmsgid ""\n"A blood test uses a small sample of blood. A **phlebotomist** takes the "' in article
    assert "#: content/blood-tests.md:2\nmsgid \"Blood tests\"" in article
    assert "#. Keep the **bold** markers around the matching words." in article
    assert "#. Glossary terms here: phlebotomy." in article
    assert "#. Item of a bulleted list." in article
    # references are citations: never sent to translators
    assert "Example Health" not in article
    term = entries(project.root / "locales" / "glossary-phlebotomy.pot")
    assert ("fluh-BOT-uh-mee", "respelling") in term
    assert ("noun", "part of speech") in term
    assert ("phlebotomy, phlebotomist", "link words") in term
    site = entries(project.root / "locales" / "site.pot")
    assert ("Skip to main content", None) in site
    assert ("Test Health Library", "site title") in site


def test_extract_twice_rewrites_nothing(project: Project) -> None:
    project.cli("extract")
    before = {p: p.stat().st_mtime_ns for p in (project.root / "locales").glob("*.pot")}
    result = project.cli("extract")
    assert "already up to date" in result.output
    assert {p: p.stat().st_mtime_ns for p in (project.root / "locales").glob("*.pot")} == before


def test_pybabel_extract_yields_the_same_messages(project: Project) -> None:
    """The registered Babel extractor plugin gives pybabel exactly what audio-build extract writes."""
    project.cli("extract")
    project.write("babel.cfg", "[audio_build: content/**.md]\n")
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-o", "all.pot", "."], cwd=project.root,
                   check=True, capture_output=True)
    ours: dict[tuple[str, str | None], tuple[object, ...]] = {}
    for domain in ("blood-tests", "glossary-phlebotomy"):
        for key, message in entries(project.root / "locales" / f"{domain}.pot").items():
            ours[key] = (sorted(message.locations), " ".join(message.auto_comments))  # type: ignore[attr-defined]
    # comments compared unwrapped: pybabel wraps at 76 columns, audio-build at msgmerge's 79
    theirs = {key: (sorted(m.locations), " ".join(m.auto_comments))  # type: ignore[attr-defined]
              for key, m in entries(project.root / "all.pot").items()}
    assert theirs == ours


@needs_gettext
def test_init_writes_a_correct_header_that_msgfmt_accepts(project: Project) -> None:
    project.write("audio-build.toml", (project.root / "audio-build.toml").read_text().replace(
        '["en", "es"]', '["en", "es", "ru", "pt-BR"]'))
    project.cli("extract")
    project.cli("init", "-l", "ru", "-l", "pt-BR")
    ru = (project.root / "locales/ru/LC_MESSAGES/blood-tests.po").read_text(encoding="utf-8")
    assert '"Language: ru\\n"' in ru
    assert "nplurals=3;" in ru
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in ru
    assert '"Language: pt_BR\\n"' in (project.root / "locales/pt_BR/LC_MESSAGES/site.po").read_text(encoding="utf-8")
    for po in (project.root / "locales").rglob("*.po"):
        proc = subprocess.run([MSGFMT, "-c", "-o", "/dev/null", str(po)], check=False, capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stderr == "", f"{po}: {proc.stderr}"
    again = project.cli("init", "-l", "ru")
    assert "already exists" in again.output


def test_update_never_loses_a_translation(project: Project) -> None:
    project.cli("extract")
    project.cli("update")
    po = project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    translate(project, "es", {"You sit in a chair.": "Usted se sienta en una silla.",
                              "The blood goes into a tube.": "La sangre pasa a un tubo."})
    # change one block, remove another
    article = project.root / "content/blood-tests.md"
    text = article.read_text()
    article.write_text(text.replace("- You sit in a chair.", "- You sit in a comfortable chair.")
                       .replace("- The blood goes into a tube.\n", ""))
    project.cli("extract")
    project.cli("update")
    raw = po.read_text(encoding="utf-8")
    changed = entries(po)[("You sit in a comfortable chair.", None)]
    assert changed.string == "Usted se sienta en una silla."  # type: ignore[attr-defined]
    assert changed.fuzzy  # type: ignore[attr-defined]
    assert '#| msgid "You sit in a chair."' in raw
    assert '#~ msgid "The blood goes into a tube."\n#~ msgstr "La sangre pasa a un tubo."' in raw
    # the removed block comes back, translated and not fuzzy
    article.write_text(text)
    project.cli("extract")
    project.cli("update")
    back = entries(po)[("The blood goes into a tube.", None)]
    assert back.string == "La sangre pasa a un tubo." and not back.fuzzy  # type: ignore[attr-defined]
    restored = entries(po)[("You sit in a chair.", None)]
    assert restored.string == "Usted se sienta en una silla." and not restored.fuzzy  # type: ignore[attr-defined]


def test_compile_leaves_fuzzy_entries_out(spanish_project: Project) -> None:
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    catalog = read_catalog(po)
    catalog.get("You sit in a chair.").flags.add("fuzzy")  # type: ignore[union-attr]
    write_catalog(po, catalog)
    spanish_project.cli("compile")
    with (po.with_suffix(".mo")).open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.gettext("The blood goes into a tube.") == "La sangre pasa a un tubo."
    assert translations.gettext("You sit in a chair.") == "You sit in a chair."


def test_check_is_clean_for_complete_safe_catalogs(spanish_project: Project) -> None:
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace("check_threshold = 100", "check_threshold = 0"))
    result = spanish_project.cli("check")
    assert result.output.strip() == "all catalogs are complete and safe to publish"


@pytest.mark.parametrize(("msgstr", "problem"), [
    ("Un análisis usa una muestra. Un flebotomista toma la muestra.", "**bold** markers differ"),
    ("Un análisis usa una muestra. Un **[flebotomista](https://evil.example)** la toma.", "link targets differ"),
    ("Un análisis <img src=x onerror=alert(1)> usa una **muestra**.", "raw HTML"),
    ("Un análisis usa una **muestra** [[h@'loU]].", "speech-engine markup"),
    ("Un análisis usa una **muestra**\u202e.", "bidirectional control"),
])
def test_check_reports_unsafe_translations_with_file_and_line(spanish_project: Project, msgstr: str,
                                                              problem: str) -> None:
    source = "A blood test uses a small sample of blood. A **phlebotomist** takes the sample from a vein."
    translate(spanish_project, "es", {source: msgstr})
    result = spanish_project.cli("check", expect=1)
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    line = next(i for i, text in enumerate(po.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("msgid") and "A blood test uses" in (text + po.read_text().splitlines()[i]))
    assert re.search(rf"^{re.escape(str(po))}:{line}: .*{re.escape(problem)}", result.output, re.MULTILINE), \
        result.output


def test_check_reports_header_problems_and_thresholds(spanish_project: Project) -> None:
    po = spanish_project.root / "locales/es/LC_MESSAGES/site.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('"Language: es\\n"', '"Language: fr\\n"')
                  .replace("nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n != 1);"), encoding="utf-8")
    result = spanish_project.cli("check", expect=1)
    assert re.search(rf"^{re.escape(str(po))}:\d+: Language is 'fr' but the catalog is in the 'es' folder",
                     result.output, re.MULTILINE)
    assert re.search(rf"^{re.escape(str(po))}:\d+: Plural-Forms says nplurals=3", result.output, re.MULTILINE)
    assert re.search(rf"^{re.escape(str(po))}: \d+% translated \(\d+ untranslated, 0 fuzzy\), below the 100% threshold",
                     result.output, re.MULTILINE)


def test_stats_table_and_json(spanish_project: Project) -> None:
    table = spanish_project.cli("stats").output
    assert re.search(r"^es\s+blood-tests\s+9\s+0\s+0\s+100\.0%$", table, re.MULTILINE), table
    data = json.loads(spanish_project.cli("stats", "--format", "json").output)
    rows = {(r["locale"], r["domain"]): r for r in data["catalogs"]}
    assert rows[("es", "blood-tests")]["translated"] == 9
    assert rows[("es", "glossary-phlebotomy")]["percent"] == 100.0
    site = rows[("es", "site")]
    assert site["untranslated"] == site["total"] > 10



def test_the_console_command_exits_with_its_status_and_all_its_output(spanish_project: Project) -> None:
    """The command leaves without tearing the interpreter down (audio_build/__main__.py): what it printed to
    a pipe still arrives whole, a failure still exits 1 and a usage error 2."""
    piped = spanish_project.run("stats", "--format", "json")
    assert json.loads(piped.stdout) == json.loads(spanish_project.cli("stats", "--format", "json").output)
    check = spanish_project.run("check", expect=1)
    assert "below the 100% threshold" in check.stdout + check.stderr
    usage = spanish_project.run("stats", "--no-such-option", expect=2)
    assert "No such option" in usage.stderr
    module = subprocess.run([sys.executable, "-m", "audio_build", "stats", "--format", "json", "--project",
                             str(spanish_project.root)], capture_output=True, text=True, check=True)
    assert json.loads(module.stdout) == json.loads(piped.stdout)

@needs_gettext
def test_msgmerge_round_trip_only_rewraps(spanish_project: Project, tmp_path: Path) -> None:
    """A translator who runs GNU msgmerge or msgcat on our catalogs sees no change but wrapping."""
    for po in (spanish_project.root / "locales/es/LC_MESSAGES").glob("*.po"):
        pot = spanish_project.root / "locales" / f"{po.stem}.pot"
        merged = subprocess.run(["msgmerge", "--quiet", "--no-wrap", "--previous", str(po), str(pot)],
                                capture_output=True, text=True, check=True).stdout
        ours = subprocess.run(["msgcat", "--no-wrap", str(po)], capture_output=True, text=True, check=True).stdout
        assert merged == ours, po.name
        proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], check=False, capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stderr == ""


@pytest.mark.parametrize(("damage", "message"), [
    (lambda t: t.replace('msgstr "La sangre pasa a un tubo."', 'msgstr "La sangre pasa a un tubo.'),
     "unterminated string"),
    (lambda t: t.replace('msgstr "La sangre pasa a un tubo."', 'msgstr "La sangre \\q pasa."'),
     "unterminated string or bad escape"),
    (lambda t: t + '\nmsgid "You sit in a chair."\nmsgstr "otra vez"\n', "duplicate message definition"),
    (lambda t: t.replace('msgid "You sit in a chair."', 'msgid "You sit in a chair."\nstray words here'),
     "unexpected text"),
])
def test_a_malformed_catalog_names_file_and_line_and_nothing_is_overwritten(spanish_project: Project, damage: object,
                                                                          message: str) -> None:
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    broken = damage(po.read_text(encoding="utf-8"))  # type: ignore[operator]
    po.write_text(broken, encoding="utf-8")
    others = {p: p.read_bytes() for p in (spanish_project.root / "locales").rglob("*.po")}
    (spanish_project.root / "content/blood-tests.md").write_text(
        (spanish_project.root / "content/blood-tests.md").read_text().replace("small sting", "small pinch"))
    spanish_project.cli("extract")
    for command in ("update", "check", "build"):
        proc = spanish_project.run(command, "--no-audio" if command == "build" else "-q" if command == "update"
                                   else "--locale=es", expect=1)
        output = proc.stdout + proc.stderr
        assert re.search(rf"{re.escape(str(po))}:\d+: .*{re.escape(message)}", output), output
        assert "Traceback" not in output
    assert {p: p.read_bytes() for p in (spanish_project.root / "locales").rglob("*.po")} == others


def test_crlf_bom_and_no_final_newline_are_accepted(spanish_project: Project) -> None:
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    text = po.read_text(encoding="utf-8").rstrip("\n")
    po.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace("check_threshold = 100", "check_threshold = 0"))
    assert "complete and safe to publish" in spanish_project.cli("check").output
    assert entries_of_bytes(po)[("You sit in a chair.", None)] == "Usted se sienta en una silla."


def entries_of_bytes(path: Path) -> dict[tuple[str, str | None], str]:
    catalog = read_catalog(path)
    return {(m.id, m.context): m.string for m in catalog if m.id}  # type: ignore[misc]


def test_a_long_changed_paragraph_keeps_a_readable_previous_msgid(spanish_project: Project) -> None:
    """`#| msgid` of a wrapped paragraph is written as msgmerge writes it, read back, and kept stable."""
    article = spanish_project.root / "content/blood-tests.md"
    article.write_text(article.read_text().replace("takes the sample from a vein.",
                                                   "takes the sample from a vein in your arm or hand, gently."))
    spanish_project.cli("extract")
    spanish_project.cli("update")
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    raw = po.read_text(encoding="utf-8")
    assert '#| msgid ""\n#| "A blood test uses' in raw
    catalog = read_catalog(po)
    changed = next(m for m in catalog if m.previous_id)
    assert changed.previous_id == [("A blood test uses a small sample of blood. A **phlebotomist** takes the sample "
                                   "from a vein.")]
    assert not changed.user_comments
    before = po.read_bytes()
    spanish_project.cli("update")
    assert po.read_bytes() == before  # a second update changes nothing
    if MSGFMT:
        assert subprocess.run([MSGFMT, "-c", "-o", "/dev/null", str(po)], check=False, capture_output=True).returncode == 0


# ------------------------------------------------------------------- typo-level edits keep translations
@pytest.mark.parametrize(("before", "after", "kept"), [
    ("Most people feel only a small sting.", "Most people feel  only a small sting.", True),  # double space
    ("You sit in a chair.", "You sit in a chair .", False),  # a space that splits a word boundary differently
    ("A needle goes into a vein in your arm.", "A needle goes into a vein in your arm\u2026", False),
    ("Most people feel only a small sting.", "Most people feel only a small sting\u2026", False),
])
def test_typographic_key_sees_only_typography(before: str, after: str, kept: bool) -> None:
    from audio_build.i18n.catalog import typographic_key

    # "." and "…" differ in what they say, and a space before a full stop is a different token: both go to review
    assert (typographic_key(before) == typographic_key(after)) is kept


@pytest.mark.parametrize(("old", "new", "fuzzy"), [
    ("Most people feel only a small sting.", "Most people feel  only a small sting.", False),
    ("Most people feel only a small sting.", "Most people feel only a small\nsting.", False),
    ("You sit in a chair.", "You sit in a chair.", False),
    ("Phlebotomy takes only a few minutes.", "Phlebotomy takes only a few minutes\u2026", True),
    ("Phlebotomy takes only a few minutes.", "Phlebotomy takes only a few minutes...", True),
    ("Most people feel only a small sting.", "Most people don't feel a small sting.", True),
    ("Most people feel only a small sting.", "Most people should not feel a small sting.", True),
    ("A needle goes into a vein in your arm.", "2 needles go into a vein in your arm.", True),
])
def test_update_keeps_translations_through_typo_level_edits_only(spanish_project: Project, old: str, new: str,
                                                                 fuzzy: bool) -> None:
    """Whitespace, quotes, dashes, ellipsis spelling, NFC: kept, not fuzzy. Any change of words: fuzzy."""
    source = next(p for p in (spanish_project.root / "content").rglob("*.md") if old in p.read_text())
    source.write_text(source.read_text().replace(old, new))
    spanish_project.cli("extract")
    spanish_project.cli("update")
    domain = "blood-tests" if source.parent.name == "content" else "glossary-phlebotomy"
    po = spanish_project.root / f"locales/es/LC_MESSAGES/{domain}.po"
    wanted = " ".join(new.split()) if "\n" in new else new  # Markdown joins a soft line break
    message = entries(po)[(wanted, None)]
    from tests.conftest import SPANISH

    assert message.string == SPANISH[old]  # type: ignore[attr-defined]
    assert bool(message.fuzzy) is fuzzy  # type: ignore[attr-defined]


@pytest.mark.parametrize(("old", "new"), [
    ('Say "yes" if you agree.', "Say \u201cyes\u201d if you agree."),
    ("You're safe.", "You\u2019re safe."),
    ("It takes 10-20 minutes.", "It takes 10\u201320 minutes."),
    ("Wait... then rest.", "Wait\u2026 then rest."),
    ("Rest\u00a0now.", "Rest now."),
    ("Caf\u00e9 visit.", "Cafe\u0301 visit."),  # NFC vs NFD
])
def test_typography_alone_gives_the_same_key(old: str, new: str) -> None:
    from audio_build.i18n.catalog import typographic_key

    assert typographic_key(old) == typographic_key(new)


def test_a_no_break_space_keeps_translations_through_update_and_build(spanish_project: Project) -> None:
    article = spanish_project.root / "content/blood-tests.md"
    article.write_text(article.read_text().replace("You sit in a chair.", "You sit in a\u00a0chair.")
                       .replace("Most people feel only a small sting.", "Most people  feel only a small sting."))
    # before `update`: the build already finds the translation under the typographic key
    spanish_project.cli("build", "--no-audio", "-l", "es")
    page = (spanish_project.site / "es/blood-tests/index.html").read_text(encoding="utf-8")
    assert "Usted se sienta en una silla." in page and "pequeño pinchazo" in page
    spanish_project.cli("extract")
    spanish_project.cli("update")
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    message = entries(po)[("You sit in a\u00a0chair.", None)]
    assert message.string == "Usted se sienta en una silla." and not message.fuzzy  # type: ignore[attr-defined]


# --------------------------------------------------------------------- whatever GNU gettext accepts works
OBSOLETE_GNU = '''
#, fuzzy
#~| msgctxt "old"
#~| msgid "You sat in a chair."
#~ msgctxt "chair"
#~ msgid ""
#~ "You sit in a "
#~ "big chair."
#~ msgstr ""
#~ "Usted se sienta en "
#~ "una silla grande."

#~| msgid "one tube"
#~ msgid "one tube"
#~ msgid_plural "%d tubes"
#~ msgstr[0] "un tubo"
#~ msgstr[1] "%d tubos"
'''


@needs_gettext
def test_every_construct_msgfmt_accepts_is_read(spanish_project: Project) -> None:
    """Obsolete entries with `#~|` previous msgids, `#~ msgctxt`, multi-line and plural obsolete entries, `no-wrap`."""
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    text = po.read_text(encoding="utf-8").replace('msgid "You sit in a chair."', '#, no-wrap\nmsgid "You sit in a chair."')
    po.write_text(text.rstrip("\n") + "\n" + OBSOLETE_GNU, encoding="utf-8")
    proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    catalog = read_catalog(po)
    assert {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog.obsolete.values()} == \
        {("You sit in a big chair.", "chair"), ("one tube", None)}
    assert "no-wrap" in next(m for m in catalog if m.id == "You sit in a chair.").flags
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace("check_threshold = 100", "check_threshold = 0"))
    assert "complete and safe to publish" in spanish_project.cli("check", "-l", "es").output
    spanish_project.cli("build", "--no-audio", "-l", "es")
    page = (spanish_project.site / "es/blood-tests/index.html").read_text(encoding="utf-8")
    assert "Usted se sienta en una silla." in page
    before = po.read_bytes()
    spanish_project.cli("update")
    assert po.read_bytes() == before  # nothing to merge: the file stays as GNU wrote it


@needs_gettext
@pytest.mark.parametrize("tool", [
    ["msgmerge", "--quiet", "--previous", "{po}", "{pot}"],
    ["msgcat", "--width=40", "{po}"],  # a Poedit-style re-wrap
    ["msgcat", "--no-wrap", "--sort-output", "{po}"],
    ["msgattrib", "--no-wrap", "{po}"],
])
def test_round_trips_through_gnu_tools_change_nothing_we_read(spanish_project: Project, tool: list[str]) -> None:
    for po in sorted((spanish_project.root / "locales/es/LC_MESSAGES").glob("*.po")):
        pot = spanish_project.root / "locales" / f"{po.stem}.pot"
        before = read_catalog(po)
        command = [part.format(po=po, pot=pot) for part in tool]
        rewritten = subprocess.run(command, capture_output=True, check=True).stdout
        assert rewritten != po.read_bytes() or tool[0] == "msgmerge"
        po.write_bytes(rewritten)
        after = read_catalog(po)
        assert translations(after) == translations(before), po.name
        assert {m.id: m.fuzzy for m in after if m.id} == {m.id: m.fuzzy for m in before if m.id}
        spanish_project.cli("update")
        assert po.read_bytes() == rewritten, f"update rewrote {po.name} after {tool[0]}"


# ------------------------------------------------------------------------------------- quiet catalogs
def test_interface_locations_carry_no_line_numbers(project: Project) -> None:
    project.cli("extract")
    pot = (project.root / "locales/site.pot").read_text(encoding="utf-8")
    locations = [line for line in pot.splitlines() if line.startswith("#: ")]
    assert locations and not [line for line in locations if re.search(r":\d+(\s|$)", line)], locations[:3]


def test_the_committed_catalogs_are_what_extract_and_update_write(tmp_path: Path) -> None:
    """The CI check for stale catalogs: on the repository's content, extract + update write nothing."""
    from tests.conftest import REPO

    root = tmp_path / "project"
    for name in ("content", "locales"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(REPO / "audio-build.toml", root / "audio-build.toml")
    before = {p.relative_to(root): p.read_bytes() for p in (root / "locales").rglob("*.po*")}
    project = Project(root)
    project.cli("extract")
    project.cli("update")
    after = {p.relative_to(root): p.read_bytes() for p in (root / "locales").rglob("*.po*")}
    stale = sorted(str(p) for p in after if before.get(p) != after[p])
    assert not stale, f"run `audio-build extract && audio-build update` and commit: {stale}"


# ---------------------------------------------------------------- a broken catalog costs only its language
@pytest.mark.parametrize(("damage", "line"), [
    (lambda text: "", 1),  # 0 bytes, as a crashed editor leaves it
    (lambda text: text[: text.index('msgstr "Usted se sienta')], None),  # truncated inside an entry
    (lambda text: text.replace('msgstr "Usted se sienta en una silla."', 'msgstr "Usted se sienta'), None),
])
def test_a_broken_catalog_keeps_its_last_good_pages_and_every_other_language_is_built(
        spanish_project: Project, damage: object, line: int | None) -> None:
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace('locales = ["en", "es"]', 'locales = ["en", "es", "fr"]'))
    spanish_project.cli("update")
    translate(spanish_project, "fr", {"Blood tests": "Analyses de sang"})
    spanish_project.cli("build", "--no-audio")
    site = spanish_project.site
    es_before = {p.relative_to(site): p.read_bytes() for p in (site / "es").rglob("*") if p.is_file()}
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    po.write_text(damage(po.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    article = spanish_project.root / "content/blood-tests.md"
    article.write_text(article.read_text().replace("Most people feel only a small sting.",
                                                   "Most people feel only a small pinch."))
    proc = spanish_project.run("build", "--no-audio", expect=1)
    assert "Traceback" not in proc.stderr
    found = re.search(rf"error: {re.escape(str(po))}:(\d+): ", proc.stderr)
    assert found, proc.stderr
    if line is not None:
        assert int(found.group(1)) == line
    assert "es was not rebuilt: its last published pages, audio and downloads stay online" in proc.stderr
    site = spanish_project.site
    assert "small pinch" in (site / "en/blood-tests/index.html").read_text(encoding="utf-8")  # en was rebuilt
    assert (site / "fr/index.html").is_file()  # and so was French
    es_after = {p.relative_to(site): p.read_bytes() for p in (site / "es").rglob("*") if p.is_file()}
    assert es_after == es_before  # Spanish readers keep the last good pages, byte for byte
    assert 'href="es/' in (site / "index.html").read_text(encoding="utf-8")  # still offered in the chooser
    # the next build tries again (no "nothing to do") and, once the file is fixed, publishes the new Spanish
    assert spanish_project.run("build", "--no-audio", expect=1).returncode == 1
    po.unlink()
    spanish_project.cli("update")
    translate(spanish_project, "es", SPANISH)
    spanish_project.cli("build", "--no-audio")


def test_a_locale_broken_before_its_first_publication_is_left_out(spanish_project: Project) -> None:
    (spanish_project.root / "locales/es/LC_MESSAGES/site.po").write_bytes(b"")
    proc = spanish_project.run("build", "--no-audio", expect=1)
    assert "es was not rebuilt: it is not published until the catalog is fixed" in proc.stderr
    assert (spanish_project.site / "en/index.html").is_file() and not (spanish_project.site / "es").exists()
    assert 'href="es/' not in (spanish_project.site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["e_s-Q", "es_", "Spanish", "xx"])
def test_a_wrong_language_header_is_named_on_its_line(spanish_project: Project, value: str) -> None:
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    text = re.sub(r'^"Language: es\\n"$', f'"Language: {value}\\\\n"', po.read_text(encoding="utf-8"), flags=re.MULTILINE)
    po.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith('"Language:'))
    for command in (("check", "-l", "es"), ("build", "--no-audio")):
        proc = spanish_project.run(*command, expect=1)
        assert f"{po}:{line}: the Language header says '{value}', which is not a language code" in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and "expected only letters" not in proc.stderr


@pytest.mark.parametrize(("old", "new", "fuzzy"), [
    ("You should rest.", "You should not rest.", True),
    ("Rest for 2 days.", "Rest for 3 days.", True),
    ("Tell us if you are allergic to iodine.", "Tell us if you are not allergic to iodine.", True),
    ("Tell us if you are allergic to iodine.", "Tell us if you are  allergic to iodine.", False),
    ("Don't eat after midnight.", "Don\u2019t eat after midnight.", False),
    ("Wait 10-20 minutes.", "Wait 10\u201320 minutes.", False),
    ("Wait... then rest.", "Wait\u2026 then rest.", False),
])
def test_merge_sends_every_change_of_meaning_to_review(old: str, new: str, fuzzy: bool) -> None:
    """The issue's safety cases on the merge itself: words, numbers and negation go fuzzy; typography does not."""
    from babel.messages.catalog import Catalog

    from audio_build.i18n.catalog import merge

    translated = Catalog(locale="es", domain="d")
    translated.add(old, string="TRADUCCIÓN")
    template = Catalog(domain="d")
    template.add(new)
    merged = merge(translated, template)
    message = merged[new]
    assert message.string == "TRADUCCIÓN" and bool(message.fuzzy) is fuzzy
    assert (message.previous_id == [old]) is fuzzy  # a reviewer sees what changed


# ---- the build's one-pass reader against Babel's

_REPO_CATALOGS = sorted((Path(__file__).resolve().parents[1] / "locales").glob("*/LC_MESSAGES/*.po"))
_MUTATIONS = ("delete", "duplicate", "blank", "location", "fuzzy", "flags", "comment", "continuation", "tab",
              "obsolete", "plural", "context", "previous", "isolate", "escape", "empty_context")


def _babel_entries(raw: bytes, path: Path, locale: str) -> list[tuple[object, ...]] | str:
    from audio_build.errors import CatalogError
    from audio_build.i18n.pofile import parse_catalog

    try:
        catalog = parse_catalog(raw, path, locale=locale, domain=path.stem)
    except CatalogError as exc:
        return str(exc)
    return [((m.id, m.context), m.string, m.fuzzy) for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str)]


def _fast_entries(path: Path, locale: str) -> list[tuple[object, ...]] | str:
    from audio_build.errors import CatalogError
    from audio_build.i18n.entries import read_entries

    try:
        return list(read_entries(path, locale))
    except CatalogError as exc:
        return str(exc)


def _mutate(lines: list[str], kind: str, at: int) -> list[str]:
    at = at % (len(lines) + 1)
    inserted = {"blank": "", "location": "#: content/x.md:3", "fuzzy": "#, fuzzy", "flags": "#, python-format, fuzzy",
                "comment": "# translator note", "continuation": '"more text"', "obsolete": '#~ msgid "old"',
                "plural": 'msgid_plural "many"', "context": 'msgctxt "category"', "previous": '#| msgid "before"',
                "isolate": "#: \u2068content/a b.md\u2069:3 \u2068broken", "escape": 'msgstr "tab\\there \\"q\\""',
                "empty_context": 'msgctxt ""'}
    if kind == "delete" and lines:
        return lines[:at] + lines[at + 1:]
    if kind == "duplicate" and lines:
        at = min(at, len(lines) - 1)
        return lines[:at + 1] + lines[at:]
    if kind == "tab":
        return [line.replace("msgstr ", "msgstr\t", 1) if i == at else line for i, line in enumerate(lines)]
    return lines[:at] + [inserted[kind]] + lines[at:]


@pytest.mark.parametrize("path", _REPO_CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_build_reader_reads_every_catalog_as_babel_does(path: Path) -> None:
    locale = path.parent.parent.name
    assert _fast_entries(path, locale) == _babel_entries(path.read_bytes(), path, locale)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(_REPO_CATALOGS),
       st.lists(st.tuples(st.sampled_from(_MUTATIONS), st.integers(min_value=0, max_value=400)), min_size=1,
                max_size=3))
def test_build_reader_agrees_with_babel_on_damaged_catalogs(tmp_path: Path, source: Path,
                                                            mutations: list[tuple[str, int]]) -> None:
    """Whatever a translator's tool or hand leaves in a catalog, the build's reader finds the same translations
    as Babel, or refuses it with the same FILE:LINE error."""
    lines = source.read_text(encoding="utf-8").split("\n")
    for kind, at in mutations:
        lines = _mutate(lines, kind, at)
    path = tmp_path / source.name
    path.write_text("\n".join(lines), encoding="utf-8")
    locale = source.parent.parent.name
    assert _fast_entries(path, locale) == _babel_entries(path.read_bytes(), path, locale)
