"""Shared fixtures: real projects on disk, the real CLI, the repository's own site built once per session."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from audio_build.cli import main

REPO = Path(__file__).resolve().parent.parent
SITE_URL = "https://health.example.org/"  # where the tests pretend the repository's site is published
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the internet: proxies off; gTTS tests point at a local fake server."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def closed_port() -> int:
    """A local port nothing listens on: a gTTS engine pointed here fails fast, offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Project:
    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def cli(self, *args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(main, [*args, "--project", str(self.root)] if args and args[0] != "--help"
                                    else list(args), catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}:\n{result.output}"
        return result

    def run(self, *args: str, expect: int | None = 0, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """The installed console script in a real subprocess (what users run)."""
        proc = subprocess.run([str(BIN / "audio-build"), *args], check=False, cwd=self.root, capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if expect is not None:
            assert proc.returncode == expect, f"exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    @property
    def site(self) -> Path:
        return (self.root / "site").resolve()


ARTICLE = """\
---
title: Blood tests
summary: A blood test checks a small amount of your blood. It can show how your body is working.
updated: 2024-05-31
related_terms: [phlebotomy]
references:
  - "Example Health [Internet]. Example City: Example; c2024. Blood tests; [cited 2024 May 1]."
---

## What is a blood test?

A blood test uses a small sample of blood. A **phlebotomist** takes the sample from a vein.

## What happens during the test?

- You sit in a chair.
- A needle goes into a vein in your arm.
- The blood goes into a tube.

Most people feel only a small sting.
"""

TERM = """\
---
term: Phlebotomy
respelling: fluh-BOT-uh-mee
part_of_speech: noun
definition: Taking blood from a vein for tests or treatment.
example: Phlebotomy takes only a few minutes.
link_words: phlebotomy, phlebotomist
updated: 2024-05-31
related_articles: [blood-tests]
---

Phlebotomy is the drawing of blood from a vein.
"""

CONFIG = """\
[site]
title = "Test Health Library"
source_language = "en"
publisher = "Test publisher"

[publish]
locales = ["en", "es"]
threshold = 80
check_threshold = 100

[speech]
engine = "espeak"
rate = 170
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A small two-document project in English and Spanish, untranslated."""
    p = Project(tmp_path / "proj")
    p.write("audio-build.toml", CONFIG)
    p.write("content/blood-tests.md", ARTICLE)
    p.write("content/terms/phlebotomy.md", TERM)
    return p


SPANISH = {
    "Blood tests": "Análisis de sangre",
    "A blood test checks a small amount of your blood. It can show how your body is working.":
        "Un análisis de sangre revisa una pequeña cantidad de su sangre. Puede mostrar cómo funciona su cuerpo.",
    "What is a blood test?": "¿Qué es un análisis de sangre?",
    "A blood test uses a small sample of blood. A **phlebotomist** takes the sample from a vein.":
        "Un análisis de sangre usa una pequeña muestra de sangre. Un **flebotomista** toma la muestra de una vena.",
    "What happens during the test?": "¿Qué pasa durante el análisis?",
    "You sit in a chair.": "Usted se sienta en una silla.",
    "A needle goes into a vein in your arm.": "Una aguja entra en una vena del brazo.",
    "The blood goes into a tube.": "La sangre pasa a un tubo.",
    "Most people feel only a small sting.": "La mayoría de las personas solo siente un pequeño pinchazo.",
    "Phlebotomy": "Flebotomía",
    "fluh-BOT-uh-mee": "fle-bo-to-MÍ-a",
    "noun": "sustantivo",
    "Taking blood from a vein for tests or treatment.": "Extracción de sangre de una vena para análisis o tratamiento.",
    "Phlebotomy takes only a few minutes.": "La flebotomía dura solo unos minutos.",
    "phlebotomy, phlebotomist": "flebotomía, flebotomista",
    "Phlebotomy is the drawing of blood from a vein.": "La flebotomía es la extracción de sangre de una vena.",
}


def translate(project: Project, lang: str, table: dict[str, str], domains: tuple[str, ...] | None = None) -> None:
    """Fill msgstrs the way a translator's tool would, through Babel, then save."""
    from audio_build.i18n.pofile import read_catalog, write_catalog

    for po in sorted((project.root / "locales" / lang / "LC_MESSAGES").glob("*.po")):
        if domains and po.stem not in domains:
            continue
        catalog = read_catalog(po)
        for message in catalog:
            if message.id and message.id in table:
                message.string = table[message.id]
                message.flags.discard("fuzzy")
        write_catalog(po, catalog)


@pytest.fixture
def spanish_project(project: Project) -> Project:
    project.cli("extract")
    project.cli("update")
    translate(project, "es", SPANISH)
    return project


# --------------------------------------------------------------------------- the repository's own site

@pytest.fixture(scope="session")
def repo_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of this repository's project (content, catalogs, lexicons, config), built offline.

    gTTS (Tagalog) points at a closed local port, so no test reaches the internet; the clip cache is
    shared with the repository so repeated local runs stay fast.
    """
    root = tmp_path_factory.mktemp("repo") / "project"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    config = (REPO / "audio-build.toml").read_text(encoding="utf-8")
    config = config.replace('cache = ".audio-build-cache"', f'cache = "{REPO / ".audio-build-cache"}"')
    config = config.replace("[engines.gtts]", f'[engines.gtts]\nurl = "http://127.0.0.1:{closed_port()}"')
    config = config.replace("retries = 4", "retries = 0")
    config = config.replace("[site]\n", f'[site]\nurl = "{SITE_URL}"\n', 1)  # handouts carry a QR code
    # Kokoro needs about 2 s of computing per second of speech: the suite's site uses espeak-ng for the locales
    # the default config gives Kokoro, so `make test` stays well under 30 minutes. Kokoro itself is tested in
    # tests/test_kokoro_engine.py (clips, determinism, fallback, and a Spanish round trip under CER 0.08).
    config = config.replace('engine = ["kokoro", "espeak"]\nvoice = "jf_alpha"', 'engine = "espeak"')
    (root / "audio-build.toml").write_text(config, encoding="utf-8")
    return Project(root)


@pytest.fixture(scope="session")
def built_site(repo_project: Project) -> Path:
    """The whole repository built once, with audio, pages and downloads."""
    repo_project.run("build", "-q", timeout=1800)
    return repo_project.site


@pytest.fixture(scope="session")
def chromium() -> Iterator[Callable[..., object]]:
    """A factory for headless Chromium sessions driven by Selenium (Debian's chromium + chromedriver)."""
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    drivers = []

    def start(width: int = 1280, height: int = 900, extra: tuple[str, ...] = ()) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={tempfile.mkdtemp()}",
                    f"--window-size={width},{height}", *extra):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        with contextlib.suppress(Exception):
            driver.quit()
