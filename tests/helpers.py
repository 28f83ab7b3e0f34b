"""Test-only helpers over the package's data (kept out of production code)."""

from __future__ import annotations

import re

from babel.messages.catalog import Catalog

from audio_build.speech.lexicon import Lexicon


def all_strings(catalog: Catalog) -> list[str]:
    """Every msgstr the file holds, active or obsolete: what `update` must never lose."""
    found: list[str] = []
    for message in (*catalog, *catalog.obsolete.values()):
        if not message.id:
            continue
        value = message.string
        for part in (value if isinstance(value, (list, tuple)) else [value]):
            if part:
                found.append(part)
    return found


def lexicon_without(lexicon: Lexicon, grapheme: str) -> Lexicon:
    """The same lexicon minus one word: to hear what that word's entry changes."""
    folded = grapheme.casefold()
    return Lexicon(lexicon.language, tuple(x for x in lexicon.lexemes
                                           if all(g.casefold() != folded for g in x.graphemes)), lexicon.path)


def parse_vtt(text: str) -> list[tuple[str, float, float, str]]:
    assert text.startswith("WEBVTT")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.splitlines()
        if len(lines) < 3:
            continue
        match = re.fullmatch(r"(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})", lines[1])
        assert match, lines
        h1, m1, s1, f1, h2, m2, s2, f2 = map(int, match.groups())
        cues.append((lines[0], h1 * 3600 + m1 * 60 + s1 + f1 / 1000, h2 * 3600 + m2 * 60 + s2 + f2 / 1000,
                     " ".join(lines[2:])))
    return cues
