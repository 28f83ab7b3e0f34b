"""The PO format, strictly: reading with FILE:LINE errors for what GNU gettext would refuse, and writing
byte-for-byte what GNU msgmerge writes (header order, wrapping), so translators' tools and ours agree.

Babel owns the model (`Catalog`, `Message`) and the format's basics (`read_po`, `write_po`); this module
adds the strictness and the GNU compatibility on top.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as BabelMessage
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po

from audio_build.errors import CatalogError
from audio_build.files import write_bytes

PO_WIDTH = 79  # GNU msgmerge's default, so running msgmerge after us rewraps nothing
Key = tuple[str, str | None]  # (msgid, msgctxt)


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
    return babel_catalog(checked_text(raw, path), path, locale, domain)


def checked_text(raw: bytes, path: Path) -> str:
    """The catalog's text, once it has passed every check of ours (FILE:LINE errors)."""
    text = _decode(raw, path)
    if not text.strip():
        raise CatalogError("is empty (a catalog needs at least its header entry)", path, 1)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lint_po(text, path)
    _check_language_header(text, path)
    return text


def babel_catalog(text: str, path: Path, locale: str | None, domain: str | None) -> Catalog:
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


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path) from None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", path) from None


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    return parse_catalog(read_bytes(path), path, locale=locale, domain=path.stem)


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
