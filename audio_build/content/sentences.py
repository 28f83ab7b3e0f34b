"""Sentence boundaries, per language: the unit of captions, read-along highlight and EPUB overlays.

Pages, captions and speech all cut text with this one function, so a caption cue, a highlighted span
and a SMIL clip always hold the same words.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations that end with a period but do not end a sentence (lowercase, without the final period).
_ABBREVIATIONS: dict[str, set[str]] = {
    "en": {"e.g", "i.e", "dr", "mr", "mrs", "ms", "vs", "etc", "approx", "no", "st", "u.s", "jr", "sr", "fig",
           "inc", "dept", "min", "max", "mt", "a.m", "p.m", "ca"},
    "es": {"p. ej", "ej", "dr", "dra", "sr", "sra", "srta", "ud", "uds", "etc", "aprox", "núm", "pág"},
    "fr": {"p. ex", "ex", "dr", "m", "mme", "mlle", "etc", "env", "cf", "n°"},
    "pt": {"p. ex", "ex", "dr", "dra", "sr", "sra", "etc", "aprox", "pág", "nº"},
    "ru": {"т. е", "т. д", "т. п", "т.е", "т.д", "т.п", "др", "см", "напр", "г", "гг", "рис"},
    "vi": {"tp", "bs", "ts", "v.v"},
    "tl": {"dr", "gng", "bb", "atbp"},
    "ht": {"dr", "elatriye", "etc"},
}
_CLOSERS = "\"'”’»)]}」』）"
_TERMINAL = ".!?…"
_CJK_TERMINAL = "。！？"
_OTHER_TERMINAL = "؟۔"
_ANY_TERMINAL = re.compile(f"[{re.escape(_TERMINAL + _CJK_TERMINAL + _OTHER_TERMINAL)}]")


@lru_cache(maxsize=64)
def _abbreviations(language: str) -> frozenset[str]:
    return frozenset(_ABBREVIATIONS.get(language, set()) | _ABBREVIATIONS["en"])


def _ends_with_abbreviation(before: str, language: str) -> bool:
    match = re.search(r"(?:^|[\s(\"“])([^\s(\"“]+)$", before)
    if not match:
        return False
    word = match.group(1).lower()
    stem = word.removesuffix(".")
    if len(stem) == 1 and stem.isalpha():
        # an initial ("J. Smith"), unless it ends a phrase such as "rayos X." or "rayons X."
        previous = re.search(r"(\S+)\s+\S+$", before)
        return not (previous and previous.group(1)[:1].islower())
    if stem in _abbreviations(language):
        return True
    two_words = re.search(r"(\S+\s+\S+)\.$", before)
    return bool(two_words and two_words.group(1).lower() in _abbreviations(language))


def split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences in plain `text`; whitespace between is left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    length = len(text)
    i = 0
    while i < length:
        found = _ANY_TERMINAL.search(text, i)  # nothing happens between terminal marks: jump to the next one
        if found is None:
            break
        i = found.start()
        char = text[i]
        boundary_end = -1
        if char in _CJK_TERMINAL or char in _OTHER_TERMINAL or char in _TERMINAL:
            j = i + 1
            while j < length and (text[j] in _TERMINAL or text[j] in _CJK_TERMINAL or text[j] in _OTHER_TERMINAL):
                j += 1
            while j < length and text[j] in _CLOSERS:
                j += 1
            if char in _CJK_TERMINAL or j >= length:
                boundary_end = j
            elif text[j].isspace():
                k = j
                while k < length and text[k].isspace():
                    k += 1
                nxt = text[k] if k < length else ""
                starts_new = bool(nxt) and not nxt.islower() and nxt not in ",;:)"
                if char == "." and _ends_with_abbreviation(text[start:i + 1], language):
                    starts_new = False
                if starts_new:
                    boundary_end = j
            if boundary_end > 0:
                if text[start:boundary_end].strip():
                    spans.append(_trim(text, start, boundary_end))
                start = boundary_end
                i = boundary_end
                continue
            i = j
            continue
        i += 1
    if text[start:].strip():
        spans.append(_trim(text, start, length))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str, language: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, language)]
