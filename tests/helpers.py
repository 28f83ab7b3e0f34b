"""Test-only helpers over the package's data (kept out of production code)."""

from __future__ import annotations

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
