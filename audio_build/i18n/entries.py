"""The build's catalog reader: each entry's strings and fuzzy flag, with the errors `pofile.read_catalog` gives.

A build looks translations up in every catalog of every locale, and Babel's reader spends most of its time
on what a build does not use (locations, comments, the header rebuilt for each iteration). A plain catalog
(no plural or obsolete entries, comments only between entries) is read here in one pass, after pofile's
checks, and Babel reads only its header; any other is read wholly by Babel, so both paths agree on every
catalog (tests/test_catalogs.py checks them against each other on damaged catalogs).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import unescape

from audio_build.errors import CatalogError
from audio_build.i18n.pofile import Key, babel_catalog, checked_text, read_bytes

Entry = tuple[Key, str, bool]  # (msgid, msgctxt), msgstr, fuzzy


def read_entries(path: Path, locale: str | None = None) -> list[Entry]:
    """Every singular entry's strings and fuzzy flag: what a build looks translations up in."""
    text = checked_text(read_bytes(path), path)
    plain = _plain_entries(text)
    if plain is None:
        catalog = babel_catalog(text, path, locale, path.stem)
        return [((m.id, m.context), m.string, m.fuzzy) for m in catalog
                if m.id and isinstance(m.id, str) and isinstance(m.string, str)]
    header_end, entries = plain
    # The header, checked as Babel checks it; comments blanked (same line numbers), so that catalogs whose
    # headers are the same (one `update` writes them) are checked once.
    header = "\n".join("" if line.lstrip().startswith("#") else line for line in text[:header_end].split("\n"))
    problem = _header_problem(header, locale)
    if problem is not None:
        raise CatalogError(problem[0], path, problem[1])
    return entries


@lru_cache(maxsize=256)
def _header_problem(header: str, locale: str | None) -> tuple[str, int | None] | None:
    try:
        babel_catalog(header, Path("header.po"), locale, None)
    except CatalogError as exc:
        return exc.message, exc.line
    return None


_PLAIN_KEYWORDS = ("msgctxt", "msgid", "msgstr")


def _plain_entries(text: str) -> tuple[int, list[Entry]] | None:
    """(where the header entry ends, the other entries) of a text lint_po accepted; None when the catalog
    holds anything Babel reads in its own way (plurals, obsolete entries, comments inside an entry, a keyword
    not followed by one space, a location with isolate marks), so that Babel reads it."""
    entries: list[Entry] = []
    header_end: int | None = None
    state = ""  # "", msgctxt, msgid, msgstr, or between (after a comment that ended an entry)
    context: list[str] | None = None
    msgid: list[str] = []
    msgstr: list[str] = []
    fuzzy = False
    seen = 0
    header_first = False
    offset = 0

    def finish() -> None:
        nonlocal context, fuzzy, seen, header_first
        key = ("".join(msgid), "".join(context) if context is not None else None)
        if seen:
            entries.append((key, "".join(msgstr), fuzzy))
        else:
            header_first = key == ("", None)
        seen += 1
        context, fuzzy = None, False

    for raw_line in text.split("\n"):
        start, offset = offset, offset + len(raw_line) + 1
        line = raw_line.strip()
        if not line:
            continue
        if line[0] == "#":
            if line.startswith("#~") or state in ("msgctxt", "msgid") or "\u2068" in line or "\u2069" in line:
                return None
            if state == "msgstr":
                finish()
                state = "between"
            if header_end is None and seen == 1:
                header_end = start
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in (flag.strip() for flag in line[2:].lstrip().split(","))
            continue
        if line[0] == '"':
            if state == "msgctxt" and context is not None:
                context.append(unescape(line))
            elif state == "msgid":
                msgid.append(unescape(line))
            elif state == "msgstr":
                msgstr.append(unescape(line))
            else:
                return None
            continue
        keyword, _, value = line.partition(" ")
        if keyword not in _PLAIN_KEYWORDS:
            return None
        if keyword != "msgstr" and state == "msgstr":
            finish()
        if keyword != "msgstr" and header_end is None and seen == 1:
            header_end = start
        value = value.strip()
        if keyword == "msgctxt":
            context, state = [unescape(value)], "msgctxt"
        elif keyword == "msgid":
            if state != "msgctxt":
                context = None
            msgid, state = [unescape(value)], "msgid"
        else:
            msgstr, state = [unescape(value)], "msgstr"
    if state == "msgstr":
        finish()
    if not header_first:
        return None
    return (header_end if header_end is not None else len(text)), entries
