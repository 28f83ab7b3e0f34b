"""Deliberate breaks: each one makes a claim false, and the test that states the claim must then fail.

    .venv/bin/python tests/deliberate_breaks.py            # every break (about 20 minutes)
    .venv/bin/python tests/deliberate_breaks.py lexicon    # breaks whose name contains "lexicon"

Each break is applied to a fresh copy of the committed tree (`git archive HEAD`), never to this checkout;
the named tests run there (the copy first on PYTHONPATH, so subprocesses use the broken code too). A
break whose tests still pass is reported, and the script exits 1: that test could not fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Break:
    name: str
    claim: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    also: tuple[tuple[str, str], ...] = ()  # more (old, new) edits in the same file


BREAKS = (
    Break("lexicon-does-nothing", "the lexicon changes what the engine says",
          "audio_build/speech/lexicon.py",
          "parts.append(Part(match.group(0), ipa=lexeme.ipa, espeak=lexeme.espeak, alias=lexeme.alias))",
          "parts.append(Part(match.group(0)))",
          ("tests/test_audio.py::test_the_lexicon_is_what_espeak_speaks",
           "tests/test_translations.py::test_each_language_speaks_its_glossary_term_from_its_lexicon")),
    Break("kills-never-land-mid-publish", "SIGKILL trials reach a build in the middle of publishing",
          "tests/test_reliability.py",
          "        if trial % 4 == 1:  # aimed: the moment a new generation starts being written\n"
          "            deadline = time.monotonic() + 120\n",
          "        if False:  # broken: no kill is aimed at publishing, and every other kill lands at once\n"
          "            deadline = time.monotonic() + 120\n",
          ("tests/test_reliability.py::test_builds_killed_at_random_points_leave_a_whole_site",),
          also=(("            time.sleep(rng.uniform(0.05, max(0.3, cold * 0.9)))",
                 "            time.sleep(0.001)"),)),
    Break("player-without-timeupdate", "the page follows the audio through the player's own events",
          "audio_build/publish/static/read-along.js",
          '  player.addEventListener("timeupdate", update);\n  player.addEventListener("seeked", update);\n',
          "",
          ("tests/test_pages_browser.py::test_the_player_loads_and_highlights_the_sentence_being_read",)),
    Break("loudness-off-target", "every MP3 measures -16 LUFS on an independent meter (ffmpeg ebur128)",
          "audio_build/audio/loudness.py", "TARGET_LUFS = -16.0", "TARGET_LUFS = -19.0",
          ("tests/test_audio.py::test_every_mp3_is_mono_normalized_and_peak_limited",)),
    # The pronunciation clips (6-8 s here) are the shortest files; the old test skipped files under 3 s.
    Break("short-clips-not-normalized", "short files (pronunciation clips) are checked too",
          "audio_build/audio/loudness.py",
          "    ceiling = 10 ** (TRUE_PEAK_CEILING_DB / 20)\n    target = TARGET_LUFS + ENCODER_LOUDNESS_LOSS\n",
          "    if len(samples) < 10 * rate:\n        return samples.astype(np.float32)\n"
          "    ceiling = 10 ** (TRUE_PEAK_CEILING_DB / 20)\n    target = TARGET_LUFS + ENCODER_LOUDNESS_LOSS\n",
          ("tests/test_audio.py::test_every_mp3_is_mono_normalized_and_peak_limited",)),
    Break("limiter-filter-reflects", "the filters loaded without scipy.signal give scipy's samples to the bit",
          "audio_build/audio/filters.py", "_NEAREST = 0", "_NEAREST = 2",
          ("tests/test_filters.py::test_the_filters_give_scipys_samples_to_the_bit",)),
    Break("merge-drops-plural-forms", "update keeps every msgid -> msgstr pair, plurals included",
          "audio_build/i18n/catalog.py",
          "        forms = list(string)[:nplurals] + [\"\"] * max(0, nplurals - len(string))",
          "        forms = list(string)[:1] + [\"\"] * max(0, nplurals - 1)",
          ("tests/test_update_property.py::test_merge_keeps_every_translation_pair",)),
    Break("speech-markup-let-through", "a hostile translation never reaches the engine as markup",
          "audio_build/content/markup.py",
          "    if _SPEECH_MARKUP.search(msgstr) and not _SPEECH_MARKUP.search(msgid):",
          "    if False:",
          ("tests/test_audio.py::test_a_hostile_translation_never_reaches_the_engine_as_markup",)),
    Break("content-imports-publish", "stages depend only on earlier stages",
          "audio_build/content/sentences.py", "import re\n", "import re\n\nfrom audio_build.publish import paths  # noqa: F401\n",
          ("tests/test_architecture.py",)),
    Break("one-locale-build-unpublishes", "a one-locale build keeps the other locales",
          "audio_build/run/build.py",
          "    resting = [loc for loc in config.locales if loc.tag in unreadable or loc.tag not in wanted]",
          "    resting = [loc for loc in config.locales if loc.tag in unreadable]",
          ("tests/test_build.py::test_a_one_locale_build_keeps_every_other_locale_as_published",)),
)


def _copy_of_head(target: Path) -> None:
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    if (REPO / "node_modules").exists():
        (target / "node_modules").symlink_to(REPO / "node_modules")


def run(breaks: list[Break]) -> int:
    missed = []
    for item in breaks:
        with tempfile.TemporaryDirectory(prefix=f"break-{item.name}-") as folder:
            root = Path(folder)
            _copy_of_head(root)
            path = root / item.file
            text = path.read_text(encoding="utf-8")
            edits = [(item.old, item.new), *item.also]
            if any(text.count(old) != 1 for old, _ in edits):
                print(f"{item.name}: the code to break was not found once in {item.file}; update this script")
                missed.append(item.name)
                continue
            for old, new in edits:
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                   *item.tests], cwd=root, capture_output=True, text=True, check=False,
                                  env={**os.environ, "PYTHONPATH": str(root)})
            seconds = time.monotonic() - started
            failed = proc.returncode != 0
            line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(("FAILED", "ERROR"))),
                        proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")
            why = next((ln.strip() for ln in proc.stdout.splitlines() if ln.startswith("E ")), "")
            print(f"{'FAILS as it must' if failed else 'STILL PASSES'}: {item.name} ({item.claim}) "
                  f"[{seconds:.0f} s]\n    {line[:300]}\n    {why[:300]}", flush=True)
            if not failed:
                missed.append(item.name)
    print(f"{len(breaks) - len(missed)} of {len(breaks)} breaks caught" + (f"; missed: {missed}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    wanted = sys.argv[1:]
    sys.exit(run([b for b in BREAKS if not wanted or any(w in b.name for w in wanted)]))
