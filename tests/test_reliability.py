"""Hostile input, crashes and faults: nothing is lost, nothing leaks, every mistake is one clear line."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_build.content.parse import parse_document
from audio_build.errors import AudioBuildError
from audio_build.i18n.pofile import parse_catalog, read_catalog
from audio_build.speech.lexicon import parse_lexicon
from tests.conftest import BIN, Project, translate
from tests.helpers import all_strings

FAULTS = Path(__file__).with_name("faults")  # a faulty espeak test engine, registered through sitecustomize

CORPUS = Path(__file__).parent / "corpus"
PARAGRAPH = "A blood test uses a small sample of blood. A **phlebotomist** takes the sample from a vein."


# ------------------------------------------------------------------------------------ malformed files

def _install_po(project: Project, source: Path) -> Path:
    target = project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    target.write_bytes(source.read_bytes())
    return target


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "po").glob("*.po") if not p.name.startswith("ok_")))
def test_malformed_catalogs_fail_with_file_and_line_and_change_nothing(spanish_project: Project, name: str) -> None:
    po = _install_po(spanish_project, CORPUS / "po" / name)
    before = {p: p.read_bytes() for p in spanish_project.root.rglob("*.po")}
    for args in (("check", "-l", "es"), ("build", "--no-audio"), ("update",)):
        proc = spanish_project.run(*args, expect=1)
        lines = [line for line in proc.stderr.splitlines() + proc.stdout.splitlines() if str(po) in line]
        assert lines, f"{args}: {proc.stdout}{proc.stderr}"
        assert re.match(rf"(error: )?{re.escape(str(po))}(:\d+)?: \S", lines[0]), lines[0]
        assert "Traceback" not in proc.stderr + proc.stdout
    assert {p: p.read_bytes() for p in spanish_project.root.rglob("*.po")} == before
    # the broken catalog costs only its language: English is published, Spanish (never published) is not
    assert (spanish_project.site / "en/index.html").is_file() and not (spanish_project.site / "es").exists()


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "po").glob("ok_*.po")))
def test_odd_but_valid_catalogs_are_accepted(spanish_project: Project, name: str) -> None:
    _install_po(spanish_project, CORPUS / "po" / name)
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          .replace("threshold = 80", "threshold = 0"))
    spanish_project.run("build", "--no-audio")
    page = (spanish_project.site / "es/blood-tests/index.html").read_text(encoding="utf-8")
    assert "Usted se sienta en una silla." in page


def test_a_two_megabyte_msgstr_is_accepted(spanish_project: Project) -> None:
    translate(spanish_project, "es", {"Most people feel only a small sting.": "pinchazo " * 230_000})
    spanish_project.run("check", "-l", "es", expect=1)  # the rest of site.po is untranslated, nothing else
    spanish_project.run("build", "--no-audio")


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "content").glob("*.md")))
def test_malformed_content_fails_with_file_and_line(project: Project, name: str) -> None:
    (project.root / "content/blood-tests.md").write_bytes((CORPUS / "content" / name).read_bytes())
    for args in (("extract",), ("build", "--no-audio")):
        proc = project.run(*args, expect=1)
        assert re.match(r"error: content/blood-tests\.md:\d+: \S", proc.stderr), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (project.root / "site").exists()


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "pls").glob("*.pls")))
def test_hostile_lexicons_are_refused(spanish_project: Project, name: str) -> None:
    target = spanish_project.root / "locales/es/pronunciation.pls"
    target.write_bytes((CORPUS / "pls" / name).read_bytes())
    started = time.monotonic()
    proc = spanish_project.run("build", "--no-audio", expect=1)
    assert time.monotonic() - started < 30  # no entity expansion
    assert re.match(rf"error: {re.escape(str(target))}(:\d+)?: \S", proc.stderr), proc.stderr
    assert "root:" not in proc.stderr + proc.stdout  # no external entity was read


HOSTILE = {
    "script": "Un análisis <script>window.__pwned=1</script> usa una **muestra**.",
    "onerror": 'Un análisis usa una **muestra** <img src=x onerror="window.__pwned=1">.',
    "javascript-link": "Un análisis usa una **muestra** [aquí](javascript:window.__pwned=1).",
    "data-link": "Un análisis usa una **muestra** [aquí](data:text/html,<script>1</script>).",
    "raw-html": "Un análisis usa una <b>muestra</b> **de sangre**.",
    "cdata": "Un análisis usa una **muestra** ]]> <![CDATA[ x.",
    "bidi": "Un análisis usa una **muestra** \u202egnol\u202c.",
    "espeak-phonemes": "Un análisis usa una **muestra** [[h@'loU w'3:ld]].",
    "ssml": 'Un análisis <speak><prosody rate="x-fast">usa</prosody></speak> una **muestra**.',
    "bold-dropped": "Un análisis usa una muestra. Un flebotomista toma la muestra.",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_translations_are_rejected_and_fall_back_to_the_source(spanish_project: Project, kind: str) -> None:
    translate(spanish_project, "es", {PARAGRAPH: HOSTILE[kind]})
    check = spanish_project.run("check", "-l", "es", expect=1)
    po = spanish_project.root / "locales/es/LC_MESSAGES/blood-tests.po"
    assert re.search(rf"^{re.escape(str(po))}:\d+: ", check.stdout, re.MULTILINE), check.stdout
    build = spanish_project.run("build", "--no-audio")
    assert "translation not used" in build.stderr
    page = (spanish_project.site / "es/blood-tests/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p id="[^"]+" lang="en"[^>]*>.*A blood test uses a small sample', page)
    for marker in ("__pwned", "<script>window", "onerror", "javascript:", "data:text", "<speak", "[[h@",
                   "\u202e", "]]>"):
        assert marker not in page


def test_speech_never_receives_translation_markup(spanish_project: Project) -> None:
    from audio_build.speech.engines.espeak import EspeakEngine
    from audio_build.speech.lexicon import EMPTY, apply
    from audio_build.speech.model import Sentence

    engine = EspeakEngine.__new__(EspeakEngine)  # render() needs no helper process
    for text in HOSTILE.values():
        rendered = engine.render(Sentence("b_s1", apply(text, EMPTY)))
        assert "[[" not in rendered and "]]" not in rendered


def test_a_renamed_placeholder_falls_back(spanish_project: Project) -> None:
    translate(spanish_project, "es", {"Download the audio (MP3, {size})": "Descargar el audio (MP3, {tamaño})"})
    check = spanish_project.run("check", "-l", "es", expect=1)
    assert "placeholders differ" in check.stdout


# ------------------------------------------------------------------------------------------ fuzzing

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_fuzz_catalog_reader(data: bytes) -> None:
    try:
        parse_catalog(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + data, Path("f.po"))
    except AudioBuildError:
        pass


PO_PIECES = st.sampled_from(['msgid "a"', 'msgstr "b"', 'msgctxt "c"', 'msgid_plural "d"', 'msgstr[0] "e"',
                             '"cont"', "#~ msgid \"x\"", "#| msgid \"y\"", "#, fuzzy", "#. note", "", '"\\q"',
                             'msgid "unterminated', "garbage"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PO_PIECES, max_size=20))
def test_fuzz_catalog_reader_with_po_shaped_input(lines: list[str]) -> None:
    try:
        parse_catalog(("\n".join(lines)).encode(), Path("f.po"))
    except AudioBuildError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["article", "term"]))
def test_fuzz_content_reader(body: str, kind: str) -> None:
    for text in (body, "---\ntitle: T\nsummary: S\nterm: T\nrespelling: r\ndefinition: d\nupdated: 2024-01-01\n---\n"
                 + body, "---\n" + body + "\n---\nBody\n"):
        try:
            parse_document(text, "content/x.md", kind, "x")
        except AudioBuildError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(
    lambda t: ('<?xml version="1.0"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
               f'xml:lang="en">{t}</lexicon>').encode()))
def test_fuzz_lexicon_reader(data: bytes) -> None:
    try:
        parse_lexicon(data, "x.pls")
    except AudioBuildError:
        pass


# ------------------------------------------------------------------------------------- engine faults

@pytest.mark.slow
@pytest.mark.parametrize("fault", ["crash", "hang", "empty", "garbage"])
def test_a_failing_clip_is_named_and_everything_else_is_kept(spanish_project: Project, fault: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spanish_project.write("audio-build.toml", (spanish_project.root / "audio-build.toml").read_text()
                          + "\n[engines.espeak]\ntimeout = 3\n")
    monkeypatch.setenv("PYTHONPATH", str(FAULTS))  # registers the faulty test engine in every process
    monkeypatch.setenv("AUDIO_BUILD_TEST_FAULT", f"{fault}:needle goes into")
    proc = spanish_project.run("build", "-l", "en", expect=1)
    assert 'content/blood-tests.md: en: could not speak "A needle goes into a vein in your arm."' in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (spanish_project.root / "site").exists()
    monkeypatch.delenv("AUDIO_BUILD_TEST_FAULT")
    monkeypatch.delenv("PYTHONPATH")
    again = spanish_project.run("build", "-l", "en")
    assert re.search(r"clips: 1 synthesized", again.stderr), again.stderr


# ---------------------------------------------------------------------------------------- concurrency

def test_a_second_command_waits_or_says_why_it_stops(spanish_project: Project) -> None:
    from filelock import FileLock

    lock = FileLock(str(spanish_project.root / ".audio-build.lock"))
    with lock:
        proc = spanish_project.run("build", "--no-audio", expect=1)
        assert "another audio-build command is running on this project" in proc.stderr
        update = spanish_project.run("update", expect=1)
        assert "another audio-build command is running" in update.stderr
    waiting = subprocess.Popen([str(BIN / "audio-build"), "build", "--no-audio", "--wait", "30"],
                               cwd=spanish_project.root, stderr=subprocess.PIPE, text=True)
    with lock:
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for the lock
    assert waiting.wait(timeout=120) == 0


def test_two_builds_at_once_corrupt_nothing(spanish_project: Project) -> None:
    procs = [subprocess.Popen([str(BIN / "audio-build"), "build", "--no-audio", "--wait", "120"],
                              cwd=spanish_project.root, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    _assert_site_complete(spanish_project.site)


# --------------------------------------------------------------------------------------- crash safety

def _assert_site_complete(site: Path) -> dict[str, str]:
    import hashlib

    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == set(manifest["outputs"])
    hashes = {}
    for name, entry in manifest["outputs"].items():
        data = (site / name).read_bytes()
        assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"], name
        hashes[name] = entry["sha256"]
    return hashes


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.mark.slow
def test_builds_killed_at_random_points_leave_a_whole_site(spanish_project: Project, tmp_path: Path) -> None:
    """SIGKILL during synthesis, encoding, page and EPUB writing: old site or new site, never a mix."""
    rng = random.Random(20261125)
    started = time.monotonic()
    spanish_project.run("build")  # the previous site, complete
    cold = time.monotonic() - started
    previous = _assert_site_complete(spanish_project.site)
    cache = spanish_project.root / ".audio-build-cache"
    versions = spanish_project.root / ".site-versions"
    survived_states = set()
    killed_while_publishing = 0
    for trial in range(24):
        # a real change each time, so a finished build would differ from the previous site
        translate(spanish_project, "es", {"Most people feel only a small sting.": f"Casi nadie siente dolor ({trial})."})
        if trial % 3 == 0 and cache.exists():
            shutil.rmtree(cache)  # kills during synthesis too, not only during assembly and writing
        proc = subprocess.Popen([str(BIN / "audio-build"), "build", "-q"], cwd=spanish_project.root,
                                start_new_session=True, stderr=subprocess.PIPE, text=True)
        if trial % 4 == 1:  # aimed: the moment a new generation starts being written
            deadline = time.monotonic() + 120
            while not list(versions.glob(".*.partial")) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
        else:
            time.sleep(rng.uniform(0.05, max(0.3, cold * 0.9)))
        _kill_group(proc)
        killed_while_publishing += bool(list(versions.glob(".*.partial")))  # a half-written generation is left
        state = _assert_site_complete(spanish_project.site)  # intact old or complete new
        survived_states.add("old" if state == previous else "new")
        previous = state
    # kills landed both before anything was published and in the middle of publishing a generation
    assert "old" in survived_states and killed_while_publishing >= 3, (survived_states, killed_while_publishing)
    final = spanish_project.run("build")
    assert "Traceback" not in final.stderr
    result = _assert_site_complete(spanish_project.site)
    # ... and equals a clean build of the same inputs
    clean = Project(tmp_path / "clean")
    shutil.copytree(spanish_project.root, clean.root, ignore=shutil.ignore_patterns(
        ".audio-build-cache", "site", ".site-versions", ".audio-build.lock"))
    clean.run("build", "-q")
    assert _assert_site_complete(clean.site) == result


@pytest.mark.slow
def test_update_killed_mid_write_never_truncates_a_catalog(spanish_project: Project) -> None:
    rng = random.Random(7)
    article = spanish_project.root / "content/blood-tests.md"
    original = article.read_text()
    for trial in range(20):
        article.write_text(original.replace("small sting", f"small sting {trial}"))
        spanish_project.run("extract", "-q")
        before = {p: sorted(all_strings(read_catalog(p))) for p in spanish_project.root.rglob("*.po")}
        proc = subprocess.Popen([str(BIN / "audio-build"), "update", "-q"], cwd=spanish_project.root,
                                start_new_session=True)
        time.sleep(rng.uniform(0.0, 0.6))
        _kill_group(proc)
        for path, strings in before.items():
            after = all_strings(read_catalog(path))  # parses: never truncated
            assert all(s in after for s in strings), path
    spanish_project.run("update", "-q")
    assert not list((spanish_project.root / "locales").rglob(".*.tmp"))  # leftovers are swept


def _session_processes(session: int) -> list[int]:
    """Every live process in a session (the command started with start_new_session=True and all it spawned)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":  # field 6 of stat: session id; skip zombies
                found.append(int(entry.name))
    return found


def _kill_only_the_command_once_it_has_workers(args: list[str], cwd: Path, workers: int) -> bool:
    """SIGKILL the command itself (not its process group) while its worker processes run."""
    proc = subprocess.Popen([str(BIN / "audio-build"), *args], cwd=cwd, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_session_processes(proc.pid)) > workers:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    proc.wait()
    return False


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _wait_until_gone(session: int, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while _session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _session_processes(session)


@pytest.mark.slow
def test_a_killed_build_leaves_no_worker_or_engine_process_behind(spanish_project: Project) -> None:
    """Only the main process is killed (as an OOM killer or `kill -9 PID` would): its pool workers, the
    fork server and the espeak-ng helpers must all go too, and the next build must run."""
    # one clip hangs inside espeak-ng (a real hang, in the forked synthesis child), so without the
    # watch every process below the build would wait out the 60 s engine timeout
    env = {**os.environ, "PYTHONPATH": str(FAULTS), "AUDIO_BUILD_TEST_FAULT": "hang:small sting"}
    proc = subprocess.Popen([str(BIN / "audio-build"), "build", "-j2", "-q"], cwd=spanish_project.root, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if sum("espeak_host" in _cmdline(pid) for pid in _session_processes(proc.pid)) >= 2:
            break
        time.sleep(0.02)
    time.sleep(1.0)  # the hanging clip has started by now
    assert proc.poll() is None, "the build ended before its workers started synthesizing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _wait_until_gone(proc.pid, seconds=5) == []
    spanish_project.run("build", "--wait", "30")
    _assert_site_complete(spanish_project.site)


@pytest.mark.slow
def test_a_killed_update_leaves_no_worker_behind_and_no_catalog_lost(spanish_project: Project) -> None:
    article = (spanish_project.root / "content/blood-tests.md").read_text()
    for n in range(60):  # enough domains for the update to merge them in worker processes
        spanish_project.write(f"content/extra-{n:02}.md", article.replace("title: ", f"title: Extra {n} ", 1))
    spanish_project.run("extract", "-q")
    spanish_project.run("update", "-q")
    killed = 0
    for trial in range(10):
        for n in range(60):
            spanish_project.write(f"content/extra-{n:02}.md",
                                  article.replace("title: ", f"title: Extra {n} ", 1)
                                  .replace("small sting", f"small sting {trial}"))
        spanish_project.run("extract", "-q")
        before = {p: sorted(all_strings(read_catalog(p))) for p in spanish_project.root.rglob("*.po")}
        if _kill_only_the_command_once_it_has_workers(["update", "-j2", "-q"], spanish_project.root, 1):
            killed += 1
        for path, strings in before.items():
            after = all_strings(read_catalog(path))
            assert all(s in after for s in strings), path
        if killed >= 3:
            break
    assert killed >= 3, "update finished before its workers could be seen"
    assert _session_processes_of_cwd(spanish_project.root) == []
    spanish_project.run("update", "-q", "--wait", "30")


def _session_processes_of_cwd(root: Path) -> list[int]:
    """audio-build processes still running in this project (after a short grace period)."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if Path(os.readlink(entry / "cwd")) == root and b"audio-build" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


# --------------------------------------------------------------------------------------- disk faults

def _as_limited(max_bytes: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


def test_a_full_disk_leaves_the_previous_site_intact(spanish_project: Project) -> None:
    spanish_project.run("build", "--no-audio")
    previous = _assert_site_complete(spanish_project.site)
    translate(spanish_project, "es", {"Most people feel only a small sting.": "Cambio que no se publicará."})
    proc = subprocess.run([str(BIN / "audio-build"), "build", "--no-audio"], check=False, cwd=spanish_project.root,
                          capture_output=True, text=True, preexec_fn=lambda: _as_limited(3000))
    assert proc.returncode == 1, proc.stderr
    assert re.search(r"error: .*(disk is full|cannot write)", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr
    assert _assert_site_complete(spanish_project.site) == previous


def test_permission_denied_is_one_clear_line(spanish_project: Project) -> None:
    spanish_project.run("build", "--no-audio")
    previous = _assert_site_complete(spanish_project.site)
    versions = spanish_project.root / ".site-versions"
    os.chmod(versions, 0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root ignores permission bits: run as an unprivileged user in a user namespace
        if shutil.which("unshare") is None:
            pytest.fail("util-linux's unshare is needed to test permissions as root")
        prefix = ["unshare", "--user", "--map-user=65534", "--map-group=65534"]
        os.chmod(spanish_project.root, 0o777)  # the lock file and the site link live here
        (spanish_project.root / ".audio-build.lock").unlink(missing_ok=True)
    (spanish_project.root / "content/blood-tests.md").write_text(
        (spanish_project.root / "content/blood-tests.md").read_text().replace("small sting", "small pinch"))
    try:
        proc = subprocess.run([*prefix, str(BIN / "audio-build"), "build", "--no-audio"], check=False, cwd=spanish_project.root,
                              capture_output=True, text=True)
    finally:
        os.chmod(versions, 0o755)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "permission denied" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert _assert_site_complete(spanish_project.site) == previous


# ----------------------------------------------------------------------------------------- serving

@pytest.fixture
def served(spanish_project: Project) -> tuple[str, int, Path]:
    spanish_project.run("build", "-l", "es")
    proc = subprocess.Popen([str(BIN / "audio-build"), "serve", "--port", "0", "--no-watch"],
                            cwd=spanish_project.root, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline() if proc.stderr else ""
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    yield "127.0.0.1", int(match.group(1)), spanish_project.site  # type: ignore[misc]
    proc.terminate()
    proc.wait(timeout=10)


def _get(host: str, port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for key, value in (headers or {}).items():
        connection.putheader(key, value)
    connection.endheaders()
    return connection.getresponse()


@pytest.mark.parametrize("path", ["/../audio-build.toml", "/%2e%2e/audio-build.toml", "/es/%2e%2e/%2e%2e/audio-build.toml",
                                  "/%252e%252e/audio-build.toml", "/..%2faudio-build.toml", "/es/..%5c..%5caudio-build.toml",
                                  "/.site-versions", "//etc/passwd", "/es/blood-tests/index.html%00.mp3"])
def test_serve_refuses_paths_outside_the_site(served: tuple[str, int, Path], path: str) -> None:
    host, port, _ = served
    response = _get(host, port, path)
    body = response.read()
    assert response.status in (400, 403, 404)
    assert b"[site]" not in body and b"root:" not in body


def test_serve_types_and_ranges(served: tuple[str, int, Path]) -> None:
    host, port, site = served
    expected = {"/es/blood-tests/blood-tests.es.mp3": "audio/mpeg", "/es/blood-tests/blood-tests.es.vtt": "text/vtt",
                "/es/blood-tests/blood-tests.es.epub": "application/epub+zip", "/es/index.html": "text/html"}
    for path, mime in expected.items():
        response = _get(host, port, path)
        response.read()
        assert response.status == 200 and response.getheader("Content-Type").startswith(mime), path
    mp3 = (site / "es/blood-tests/blood-tests.es.mp3").read_bytes()
    response = _get(host, port, "/es/blood-tests/blood-tests.es.mp3", {"Range": "bytes=100-199"})
    assert response.status == 206 and response.read() == mp3[100:200]
    assert response.getheader("Content-Range") == f"bytes 100-199/{len(mp3)}"
    response = _get(host, port, "/es/blood-tests/blood-tests.es.mp3", {"Range": "bytes=-50"})
    assert response.status == 206 and response.read() == mp3[-50:]
    response = _get(host, port, "/es/blood-tests/blood-tests.es.mp3", {"Range": f"bytes={len(mp3) + 5}-"})
    response.read()
    assert response.status == 416
    # bound to the loopback address only: /proc/net/tcp lists it as 0100007F (127.0.0.1), never 00000000
    listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A"]  # state LISTEN
    assert f"0100007F:{port:04X}" in listening and f"00000000:{port:04X}" not in listening


def test_serve_rebuilds_when_a_catalog_is_saved(spanish_project: Project) -> None:
    spanish_project.run("build", "--no-audio")
    proc = subprocess.Popen([str(BIN / "audio-build"), "serve", "--port", "0", "--no-audio"],
                            cwd=spanish_project.root, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any("serving" in line for line in lines):
            lines.append(proc.stderr.readline() if proc.stderr else "")
        translate(spanish_project, "es", {"Most people feel only a small sting.": "Casi nadie siente nada."})
        deadline = time.monotonic() + 60
        page = spanish_project.root / "site/es/blood-tests/index.html"  # through the link, as a browser sees it

        def text() -> str:
            try:
                return page.read_text(encoding="utf-8")
            except FileNotFoundError:
                return ""

        while time.monotonic() < deadline and "Casi nadie siente nada." not in text():
            time.sleep(0.5)
        assert "Casi nadie siente nada." in text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_previews_a_saved_catalog_with_its_audio_then_builds(spanish_project: Project) -> None:
    """The preview loop end to end (the real console script): the page, its captions and its audio follow a
    save, and the full build that follows leaves exactly what `build` makes."""
    spanish_project.run("build")
    proc = subprocess.Popen([str(BIN / "audio-build"), "serve", "--port", "0"],
                            cwd=spanish_project.root, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        while not any("serving" in line for line in lines):
            line = proc.stderr.readline() if proc.stderr else ""
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
        serving = len(lines)
        site = spanish_project.root / "site"
        before = (site / "es/blood-tests/blood-tests.es.mp3").read_bytes()
        translate(spanish_project, "es", {"Most people feel only a small sting.": "Casi nadie siente nada."})
        deadline = time.monotonic() + 120

        def read(relative: str) -> str:
            try:
                return (site / relative).read_text(encoding="utf-8")
            except FileNotFoundError:
                return ""

        while time.monotonic() < deadline and "Casi nadie siente nada." not in read("es/blood-tests/blood-tests.es.vtt"):
            time.sleep(0.2)
        assert "Casi nadie siente nada." in read("es/blood-tests/index.html")
        assert "Casi nadie siente nada." in read("es/blood-tests/blood-tests.es.vtt"), "the captions follow the save"
        assert (site / "es/blood-tests/blood-tests.es.mp3").read_bytes() != before, "and so does the audio"
        after_save = lines[serving:]
        while time.monotonic() < deadline and not any(line.startswith("built ") for line in after_save):
            after_save.append(proc.stderr.readline() if proc.stderr else "")
        assert any("preview: audio of the changed pages published" in line for line in after_save), "".join(lines)
        assert any(line.startswith("built ") for line in after_save), "the full build follows the preview"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    built = json.loads((spanish_project.site / "manifest.json").read_text())
    assert built["inputs"]["fingerprint"], "the full build recorded its inputs: the drafts were replaced"
    clean = spanish_project.run("build")  # nothing left for a build to do: serve's site is the build's
    assert "nothing to do" in clean.stderr

