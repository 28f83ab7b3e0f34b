"""Pronunciation lexicons: W3C PLS 1.0 files (`locales/<lang>/pronunciation.pls`) -> lookups.

Each lexeme gives one or more graphemes and its pronunciations: IPA (`alphabet="ipa"`, for pages
and EPUB reading systems), espeak-ng phoneme codes (`alphabet="x-espeak"`, what the offline engine
speaks) and an `<alias>` (a respelling for engines that take no phonemes). The lexicon applies to
speech only, at word boundaries, case-insensitively.

PLS files come from translators: they are parsed with defusedxml (no DTDs, no entities, no external
references) and every value is validated before it can reach an engine.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from audio_build.content.term_links import word_pattern
from audio_build.errors import LexiconError
from audio_build.speech.model import Part

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_NS = "http://www.w3.org/XML/1998/namespace"
LEXICON_NAME = "pronunciation.pls"
_ESPEAK_CODES = re.compile(r"^[A-Za-z0-9@'\",.:;_%&=!#/^|*<>~? \-]+$")
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Lexeme:
    graphemes: tuple[str, ...]
    ipa: str | None
    espeak: str | None
    alias: str | None
    line: int


@dataclass(frozen=True)
class Lexicon:
    language: str
    lexemes: tuple[Lexeme, ...]
    path: str = ""

    def lookup(self, word: str) -> Lexeme | None:
        folded = word.casefold()
        for lexeme in self.lexemes:
            if any(g.casefold() == folded for g in lexeme.graphemes):
                return lexeme
        return None

    def ipa_for(self, phrase: str) -> str | None:
        lexeme = self.lookup(phrase)
        return lexeme.ipa if lexeme else None


EMPTY = Lexicon(language="", lexemes=())


def lexicon_path(locales_dir: Path, folder: str) -> Path:
    return locales_dir / folder / LEXICON_NAME


def parse_lexicon(data: bytes, path: str) -> Lexicon:
    if len(data) > _MAX_BYTES:
        raise LexiconError(f"is larger than {_MAX_BYTES // 1000} kB", path)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise LexiconError(f"DTDs, entities and external references are not allowed ({type(exc).__name__})",
                           path) from None
    except (ParseError, ExpatError) as exc:
        line = getattr(exc, "position", (None,))[0] or getattr(exc, "lineno", None)
        message = str(exc).split(":")[0]
        raise LexiconError(f"not well-formed XML ({message})", path, line) from None
    if root.tag != f"{{{PLS_NS}}}lexicon":
        raise LexiconError(f"the root element must be <lexicon xmlns=\"{PLS_NS}\">", path, 1)
    if root.get("version") != "1.0":
        raise LexiconError("the lexicon must say version=\"1.0\"", path, 1)
    language = root.get(f"{{{XML_NS}}}lang")
    if not language:
        raise LexiconError("the lexicon needs an xml:lang attribute", path, 1)
    default_alphabet = root.get("alphabet", "ipa")
    lines = _element_lines(data)
    lexemes = []
    for index, lexeme in enumerate(root.findall(f"{{{PLS_NS}}}lexeme")):
        line = lines[index] if index < len(lines) else None
        graphemes = tuple(" ".join((g.text or "").split()) for g in lexeme.findall(f"{{{PLS_NS}}}grapheme"))
        if not graphemes or not all(graphemes):
            raise LexiconError("a <lexeme> needs at least one non-empty <grapheme>", path, line)
        ipa = espeak = alias = None
        for phoneme in lexeme.findall(f"{{{PLS_NS}}}phoneme"):
            alphabet = phoneme.get("alphabet", default_alphabet)
            value = " ".join((phoneme.text or "").split())
            if not value:
                raise LexiconError("empty <phoneme>", path, line)
            if alphabet == "ipa":
                ipa = ipa or value
            elif alphabet == "x-espeak":
                if not _ESPEAK_CODES.match(value) or "[[" in value or "]]" in value:
                    raise LexiconError(f"'{value}' is not a valid espeak-ng phoneme string", path, line)
                espeak = espeak or value
        for alias_el in lexeme.findall(f"{{{PLS_NS}}}alias"):
            value = " ".join((alias_el.text or "").split())
            if value and alias is None:
                alias = value
        if ipa is None and espeak is None and alias is None:
            raise LexiconError(f"'{graphemes[0]}' has no <phoneme> or <alias>", path, line)
        lexemes.append(Lexeme(graphemes, ipa, espeak, alias, line or 0))
    return Lexicon(language=language, lexemes=tuple(lexemes), path=path)


def _element_lines(data: bytes) -> list[int]:
    text = data.decode("utf-8", "replace")
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(?:\w+:)?lexeme\b", text)]


def read_lexicon(path: Path) -> Lexicon:
    if not path.exists():
        return EMPTY
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"cannot read: {exc.strerror}", path) from None
    return parse_lexicon(data, str(path))


def apply(text: str, lexicon: Lexicon) -> tuple[Part, ...]:
    """Split a sentence into plain runs and lexicon words (whole words, any letter case)."""
    if not lexicon.lexemes:
        return (Part(text),)
    by_grapheme = {g.casefold(): lx for lx in lexicon.lexemes for g in lx.graphemes}
    pattern = word_pattern(list(by_grapheme))
    if pattern is None:
        return (Part(text),)
    parts: list[Part] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            parts.append(Part(text[position:match.start()]))
        lexeme = by_grapheme[match.group(0).casefold()]
        parts.append(Part(match.group(0), ipa=lexeme.ipa, espeak=lexeme.espeak, alias=lexeme.alias))
        position = match.end()
    if position < len(text):
        parts.append(Part(text[position:]))
    return tuple(parts)


def _xml_text(value: str) -> str:
    """`&`, `<` and `>` escaped, as xml.sax.saxutils.escape does (that module imports urllib.request)."""
    return html.escape(value, quote=False)


def serialize(lexicon: Lexicon) -> bytes:
    """A PLS document for EPUB packages and downloads (same content as the source file)."""

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<lexicon version="1.0" xmlns="{PLS_NS}" alphabet="ipa" xml:lang="{_xml_text(lexicon.language)}">']
    for lexeme in lexicon.lexemes:
        lines.append("  <lexeme>")
        lines.extend(f"    <grapheme>{_xml_text(g)}</grapheme>" for g in lexeme.graphemes)
        if lexeme.ipa:
            lines.append(f"    <phoneme>{_xml_text(lexeme.ipa)}</phoneme>")
        if lexeme.espeak:
            lines.append(f'    <phoneme alphabet="x-espeak">{_xml_text(lexeme.espeak)}</phoneme>')
        if lexeme.alias:
            lines.append(f"    <alias>{_xml_text(lexeme.alias)}</alias>")
        lines.append("  </lexeme>")
    lines.append("</lexicon>")
    return ("\n".join(lines) + "\n").encode("utf-8")
