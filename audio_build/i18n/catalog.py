"""gettext catalogs: templates from messages, merging that never loses a translation, .mo, statistics.

Babel owns the model (`Catalog`, `Message`) and the formats (`read_po`, `write_po`, `write_mo`). This
module adds what translators need from a project: strict reading with file:line errors, and an update
that keeps every msgstr somewhere (active, fuzzy with the previous msgid, or obsolete `#~`), because
Babel's own `Catalog.update` drops fuzzy-matched entries and never brings obsolete ones back.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as BabelMessage
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po

from audio_build import __version__
from audio_build.errors import CatalogError
from audio_build.files import write_bytes
from audio_build.i18n.extract import Message
from audio_build.i18n.locales import LocaleInfo

PO_WIDTH = 79  # GNU msgmerge's default, so running msgmerge after us rewraps nothing
FUZZY_CUTOFF = 0.6
Key = tuple[str, str | None]


@dataclass(frozen=True)
class CatalogStats:
    total: int
    translated: int
    fuzzy: int
    untranslated: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


# ------------------------------------------------------------------------------------------- paths

def template_path(locales_dir: Path, domain: str) -> Path:
    return locales_dir / f"{domain}.pot"


def po_path(locales_dir: Path, info: LocaleInfo, domain: str) -> Path:
    return locales_dir / info.folder / "LC_MESSAGES" / f"{domain}.po"


def mo_path(locales_dir: Path, info: LocaleInfo, domain: str) -> Path:
    return locales_dir / info.folder / "LC_MESSAGES" / f"{domain}.mo"


def domains_in(locales_dir: Path) -> list[str]:
    return sorted(p.stem for p in locales_dir.glob("*.pot"))


# ----------------------------------------------------------------------------------------- reading

_STRING = r'"(?:[^"\\]|\\["\\abfnrtv?\'0-7xX])*"'
_KEYWORD_LINE = re.compile(rf"^(?:#~\s*)?(?:#\|\s*)?(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+({_STRING})\s*$")
_CONT_LINE = re.compile(rf"^(?:#~\s*)?(?:#\|\s*)?{_STRING}\s*$")
_CHARSET = re.compile(r"charset=([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _decode(raw: bytes, path: Path) -> str:
    if b"\x00" in raw:
        raise CatalogError("contains a NUL byte", path, raw[: raw.index(b"\x00")].count(b"\n") + 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    charset_match = _CHARSET.search(raw[:4096].decode("ascii", "replace"))
    charset = (charset_match.group(1) if charset_match else "utf-8").lower()
    if charset not in {"utf-8", "utf8", "charset"}:
        line = raw[: raw.find(b"charset=")].count(b"\n") + 1 if b"charset=" in raw else 1
        raise CatalogError(f"charset is {charset_match.group(1) if charset_match else charset}; "
                           "save the catalog as UTF-8 and set 'charset=UTF-8' in the header", path, line)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError("is not valid UTF-8", path, raw[: exc.start].count(b"\n") + 1) from None


def lint_po(text: str, path: Path) -> None:
    """Find syntax errors Babel would silently repair (unterminated strings, bad escapes, duplicates)."""
    seen: dict[Key, int] = {}
    context: str | None = None
    msgid_parts: list[str] = []
    context_parts: list[str] = []
    msgid_line = 0
    state = ""

    def finish_msgid(number: int) -> None:
        key = ("".join(msgid_parts), "".join(context_parts) if context is not None else None)
        if key == ("", None):
            if key in seen:
                raise CatalogError("a second header entry (msgid \"\")", path, msgid_line)
        elif key in seen:
            raise CatalogError(f"duplicate message definition (first defined on line {seen[key]})",
                               path, msgid_line)
        seen[key] = msgid_line

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            if state == "msgstr":
                state = "done"  # a blank line ends the entry: a bare string after it belongs to nothing
            continue
        if line.startswith("#") and not line.startswith(("#~", "#|")):
            continue
        if line.startswith(("#~", "#|")):
            body = re.sub(r"^#(?:~\s*\|?|\|)\s*", "", line)  # "#~ ", "#| " and msgmerge --previous's "#~| "
            if body and not body.startswith("#") and not (_KEYWORD_LINE.match(body) or _CONT_LINE.match(body)):
                raise CatalogError(f"malformed line: {raw_line.strip()[:60]}", path, number)
            continue
        keyword = _KEYWORD_LINE.match(line)
        if keyword:
            word = keyword.group(1)
            value = keyword.group(2)[1:-1]
            if word == "msgctxt":
                if state in ("msgid", "msgid_plural", "msgctxt"):
                    raise CatalogError("msgctxt inside an entry that has no msgstr yet", path, number)
                context, context_parts, state = value, [value], "msgctxt"
            elif word == "msgid":
                if state in ("msgid", "msgid_plural"):
                    raise CatalogError("msgid without msgstr before it", path, number)
                if state != "msgctxt":
                    context, context_parts = None, []
                msgid_parts, msgid_line, state = [value], number, "msgid"
            elif word == "msgid_plural":
                if state != "msgid":
                    raise CatalogError("msgid_plural without msgid", path, number)
                state = "msgid_plural"
            else:
                if state in ("msgid", "msgid_plural"):
                    finish_msgid(number)
                elif state != "msgstr" or word == "msgstr":
                    raise CatalogError(f"{word} without msgid", path, number)
                state = "msgstr"
            continue
        if _CONT_LINE.match(line):
            if state in ("", "done"):
                raise CatalogError("a string outside any msgid or msgstr", path, number)
            if state == "msgid":
                msgid_parts.append(line[1:-1])
            elif state == "msgctxt":
                context_parts.append(line[1:-1])
            continue
        if line.startswith('"'):
            raise CatalogError("unterminated string or invalid escape sequence", path, number)
        if re.match(r"^(msgctxt|msgid|msgstr|msgid_plural)\b", line):
            raise CatalogError(f"malformed {line.split()[0]} line (unterminated string or bad escape)", path, number)
        raise CatalogError(f"unexpected text: {line[:60]}", path, number)
    if state in ("msgid", "msgid_plural", "msgctxt"):
        raise CatalogError("file ends before the msgstr of its last entry", path, msgid_line or 1)


_OBSOLETE_PREVIOUS = re.compile(r"^[ \t]*#~[ \t]*\|.*\n?", re.MULTILINE)


def parse_catalog(raw: bytes, path: Path, locale: str | None = None, domain: str | None = None) -> Catalog:
    """Strictly parse PO/POT bytes; raise CatalogError naming the file and line of the first problem."""
    text = _decode(raw, path)
    if not text.strip():
        raise CatalogError("is empty (a catalog needs at least its header entry)", path, 1)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lint_po(text, path)
    _check_language_header(text, path)
    # The previous msgid of an obsolete entry (`#~| msgid`, written by `msgmerge --previous`) is history that
    # nothing here reads, and Babel's reader refuses it: those lines are left out (lint_po checked them).
    babel_text = _OBSOLETE_PREVIOUS.sub("", text) if "#~|" in text else text
    try:
        catalog = read_po(io.StringIO(babel_text), locale=locale, domain=domain, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogError(str(exc.args[0]).rsplit(" on ", 1)[0], path, exc.lineno + 1) from None
    except (UnknownLocaleError, ValueError) as exc:
        raise CatalogError(f"invalid header: {exc}", path, _header_line(text, "Language")) from None
    for message in (*catalog, *catalog.obsolete.values()):
        _restore_previous(message)
    return catalog


def _restore_previous(message: BabelMessage) -> None:
    """Babel reads `#| msgid` lines as translator comments; turn them back into the previous msgid."""
    marked = [c for c in message.user_comments if c.startswith("|")]
    if not marked:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    parts: dict[str, list[str]] = {"msgid": [], "msgid_plural": []}
    current = "msgid"
    for comment in marked:
        body = comment[1:].strip()
        keyword = re.match(r"^(msgid_plural|msgid)\s+", body)
        if keyword:
            current = keyword.group(1)
            body = body[keyword.end():]
        if body.startswith('"') and body.endswith('"') and len(body) >= 2:
            parts[current].append(unescape(body))
    previous = ["".join(parts["msgid"])]
    if parts["msgid_plural"]:
        previous.append("".join(parts["msgid_plural"]))
    message.previous_id = previous if previous[0] else []


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path) from None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", path) from None
    return parse_catalog(raw, path, locale=locale, domain=path.stem)


_LANGUAGE_HEADER = re.compile(r'^"Language:[ \t]*([^"\\]*?)[ \t]*(?:\\n)?"', re.MULTILINE)


def _check_language_header(text: str, path: Path) -> None:
    """Say what is wrong with a `Language:` header in our words, on its own line (Babel's are cryptic)."""
    match = _LANGUAGE_HEADER.search(text[: text.find("\n\n") if "\n\n" in text else len(text)])
    if match is None or not match.group(1):
        return
    value = match.group(1)
    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        line = text.count("\n", 0, match.start()) + 1
        raise CatalogError(f"the Language header says '{value}', which is not a language code (expected the "
                           f"folder's code, such as 'es', 'pt_BR' or 'zh_Hans')", path, line) from None


def _header_line(text: str, field: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f'"{field}:'):
            return number
    return 1


# ----------------------------------------------------------------------------------------- writing

# GNU gettext's own header order (msginit, msgmerge): writing it this way keeps msgmerge from reordering.
_GNU_HEADER_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                     "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                     "Content-Transfer-Encoding", "Plural-Forms")


def _gnu_header(data: bytes) -> bytes:
    start = data.find(b'msgid ""\nmsgstr ""\n')
    if start < 0:
        return data
    body_start = start + len(b'msgid ""\nmsgstr ""\n')
    end = data.find(b"\n\n", body_start)
    end = len(data) if end < 0 else end + 1
    lines = data[body_start:end].decode("utf-8").splitlines()
    fields = {}
    for line in lines:
        match = re.match(r'^"([A-Za-z-]+):', line)
        fields[match.group(1) if match else line] = line
    if "Content-Type" in fields:
        fields["Content-Type"] = fields["Content-Type"].replace("charset=utf-8", "charset=UTF-8")
    ordered = [fields.pop(name) for name in _GNU_HEADER_ORDER if name in fields] + list(fields.values())
    return data[:body_start] + ("\n".join(ordered) + "\n").encode("utf-8") + data[end:]


def serialize(catalog: Catalog) -> bytes:
    """PO bytes in the layout GNU tools write, previous msgids (`#| msgid`) included.

    Babel wraps a long previous msgid as if it were a comment, which breaks it into an unreadable
    `#| msgid "" "..."` line; those lines are written here instead, the way msgmerge writes them.
    """
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, omit_header=False, sort_output=False,
             ignore_obsolete=False, include_previous=False)
    text = _gnu_header(buffer.getvalue()).decode("utf-8")
    messages = [m for m in catalog if m.id]
    if not any(m.previous_id for m in messages):
        return text.encode("utf-8")
    entries = text.split("\n\n")
    for index, message in enumerate(messages, start=1):
        if not message.previous_id or index >= len(entries):
            continue
        previous = [f"#| msgid {normalize(message.previous_id[0], prefix='#| ', width=PO_WIDTH)}"]
        if len(message.previous_id) > 1:
            previous.append(f"#| msgid_plural {normalize(message.previous_id[1], prefix='#| ', width=PO_WIDTH)}")
        lines = entries[index].split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
        entries[index] = "\n".join(lines[:at] + previous + lines[at:])
    return "\n\n".join(entries).encode("utf-8")


def content_of(catalog: Catalog) -> tuple[object, ...]:
    """What a catalog says, without how it is laid out: headers, and every entry's strings, flags and notes.

    Two files with the same content differ only in wrapping, escapes or order of flags, as Poedit, Weblate,
    msgcat or msgmerge may write them; `update` leaves such a file as the translator's tool wrote it.
    """
    def entry(message: BabelMessage, with_locations: bool) -> tuple[object, ...]:
        return (message.id, message.context, message.string, tuple(sorted(message.flags)),
                tuple(message.user_comments), tuple(message.auto_comments),
                tuple(message.locations) if with_locations else (), tuple(message.previous_id or ()))

    headers = tuple((name, value) for name, value in catalog.mime_headers)
    active = tuple(sorted((entry(m, True) for m in catalog if m.id), key=repr))  # msgcat --sort-output is fine
    obsolete = tuple(sorted((entry(m, False) for m in catalog.obsolete.values()), key=repr))
    return headers, active, obsolete


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Atomic; returns False when the file already said exactly this."""
    return write_bytes(path, serialize(catalog))


def build_template(domain: str, messages: Sequence[Message], project: str,
                   creation_date: dt.datetime | None = None) -> Catalog:
    catalog = Catalog(domain=domain, project=project, version=__version__, fuzzy=False,
                      header_comment=(f"# Translation template for '{domain}' ({project}).\n"
                                      "# Generated by audio-build from the source content; do not edit by hand."),
                      creation_date=creation_date or dt.datetime.now(dt.UTC).replace(microsecond=0),
                      charset="utf-8")
    for message in messages:
        catalog.add(message.msgid, string="", locations=list(message.locations),  # type: ignore[arg-type]
                    auto_comments=list(message.comments), context=message.context)
    return catalog


def new_catalog(template: Catalog, info: LocaleInfo, project: str) -> Catalog:
    """`init`: an empty translation with a header GNU msgfmt -c and Poedit accept as is."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    catalog = Catalog(
        locale=info.folder, domain=template.domain, project=project, version=__version__,
        header_comment=(f"# {info.english_name} translation of '{template.domain}' ({project}).\n"
                        "# This file is edited by translators; audio-build update keeps every translation."),
        creation_date=template.creation_date, revision_date=now, fuzzy=False,
        last_translator=f"{info.english_name} translation team", language_team=info.english_name,
        charset="utf-8",
    )
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def _key(message: BabelMessage) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def _has_string(message: BabelMessage) -> bool:
    value = message.string
    return any(value) if isinstance(value, (list, tuple)) else bool(value)


def _fit_string(template_msg: BabelMessage, string: str | Sequence[str] | None,
                nplurals: int) -> tuple[str | tuple[str, ...], bool]:
    """Adapt a kept msgstr to the template's singular/plural shape; True when that needs review."""
    if string is None:
        string = ""
    if isinstance(template_msg.id, (list, tuple)):
        if isinstance(string, str):
            return tuple([string] + [""] * (nplurals - 1)), True
        forms = list(string)[:nplurals] + [""] * max(0, nplurals - len(string))
        return tuple(forms), len(string) != nplurals
    if not isinstance(string, str):
        return string[0], True
    return string, False


# Typography that does not change what a sentence says: quotes, apostrophes, dashes, ellipses, odd spaces.
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                             "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
                             "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                             "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2026": "..."})


def typographic_key(msgid: str) -> str:
    """A source string with its typography flattened: equal keys mean a typo-level edit, never a new meaning.

    Unicode normalization (NFC), whitespace runs, straight vs curly quotes, hyphens vs dashes and `...` vs
    `…` are ignored; every letter, digit and word stays, so a change of words, numbers or negation
    ("should" -> "should not", "2 days" -> "3 days") still gives a different key and goes to review.
    """
    flat = unicodedata.normalize("NFC", msgid).translate(_TYPOGRAPHY)
    return " ".join(flat.split())


def merge(old: Catalog, template: Catalog) -> Catalog:
    """Bring `old` up to `template` without losing any msgstr.

    - same msgid (+ context): keeps msgstr, flags and translator comments;
    - a typo-level source edit (whitespace, quotes, dashes, ellipses, Unicode normalization): the same, the
      msgid updated, not fuzzy: the translation still says exactly what the source says;
    - a changed block: the closest old translation, marked fuzzy with `#| msgid` showing the old source;
    - a removed block: kept as obsolete `#~`; it comes back, translated, if the block returns.
    """
    merged = Catalog(locale=old.locale_identifier, domain=old.domain or template.domain, header_comment=old.header_comment,
                     project=old.project, version=old.version, charset="utf-8", fuzzy=old.fuzzy,
                     creation_date=template.creation_date, revision_date=old.revision_date,
                     last_translator=old.last_translator, language_team=old.language_team)
    merged.mime_headers = old.mime_headers
    merged.creation_date = template.creation_date
    nplurals = old.num_plurals

    active: dict[Key, BabelMessage] = {_key(m): m for m in old if m.id}
    obsolete: dict[Key, BabelMessage] = {_key(m): m for m in old.obsolete.values()}
    template_keys = {_key(m) for m in template if m.id}
    candidates = [m for key, m in (*active.items(), *obsolete.items())
                  if key not in template_keys and _has_string(m)]
    candidate_keys = {id(m): _key(m)[0] for m in candidates}
    by_typography: dict[tuple[str, str | None], BabelMessage] = {}
    for candidate in candidates:
        if isinstance(candidate.id, str):
            by_typography.setdefault((typographic_key(candidate.id), candidate.context), candidate)

    for tmsg in template:
        if not tmsg.id:
            continue
        key = _key(tmsg)
        source = active.get(key) or obsolete.get(key)
        if source is None and isinstance(tmsg.id, str):
            source = by_typography.get((typographic_key(tmsg.id), tmsg.context))
        message = tmsg.clone()
        message.string = "" if not isinstance(tmsg.id, (list, tuple)) else tuple([""] * nplurals)
        if source is not None:
            string, needs_review = _fit_string(tmsg, source.string, nplurals)
            message.string = string
            message.flags = set(tmsg.flags) | set(source.flags)
            if needs_review:
                message.flags.add("fuzzy")
            message.user_comments = list(source.user_comments)
            message.previous_id = list(source.previous_id) if "fuzzy" in message.flags else []
        else:
            best = _closest(key[0], key[1], candidates, candidate_keys)
            if best is not None:
                string, _ = _fit_string(tmsg, best.string, nplurals)
                message.string = string
                message.flags = set(tmsg.flags) | {"fuzzy"}
                message.user_comments = list(best.user_comments)
                message.previous_id = [best.id] if isinstance(best.id, str) else list(best.id)
        merged[message.id] = message

    kept_keys: set[Key] = set()
    for key, message in (*active.items(), *obsolete.items()):
        if key in template_keys or key in kept_keys or not _has_string(message):
            continue
        kept_keys.add(key)
        kept = message.clone()
        kept.locations = []
        merged.obsolete[merged._key_for(kept.id, kept.context)] = kept
    return merged


def _closest(msgid: str, context: str | None, candidates: Iterable[BabelMessage],
             candidate_keys: dict[int, str]) -> BabelMessage | None:
    best: BabelMessage | None = None
    best_ratio = FUZZY_CUTOFF
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(msgid)
    for candidate in candidates:
        if candidate.context != context:
            continue
        matcher.set_seq1(candidate_keys[id(candidate)])
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def compile_catalog(catalog: Catalog) -> bytes:
    """The .mo bytes; fuzzy entries are left out, as GNU msgfmt does."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def stats(catalog: Catalog) -> CatalogStats:
    total = translated = fuzzy = 0
    for message in catalog:
        if not message.id:
            continue
        total += 1
        if _has_string(message) and message.fuzzy:
            fuzzy += 1
        elif _has_string(message):
            translated += 1
    return CatalogStats(total=total, translated=translated, fuzzy=fuzzy, untranslated=total - translated - fuzzy)


def translations(catalog: Catalog) -> dict[Key, str]:
    """Usable translations only: not fuzzy, not empty, singular.

    Each is also filed under its source's `typographic_key`, so a build run after a typo-level source edit
    and before `update` still finds it (look up the exact text first, then its key)."""
    result: dict[Key, str] = {}
    for message in catalog:
        if message.id and not message.fuzzy and isinstance(message.string, str) and message.string:
            result[_key(message)] = message.string
    for (msgid, context), string in list(result.items()):
        result.setdefault((typographic_key(msgid), context), string)
    return result
