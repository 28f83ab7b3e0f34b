"""Localized documents: source blocks + a catalog -> the text each locale shows and speaks.

A translation is used only when it is finished (not fuzzy) and safe (its markup matches the source).
Anything else falls back to the source text, marked with the source language so screen readers switch
voice. An article whose usable share is under the publish threshold is not published in that locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audio_build.content.markup import translation_problems
from audio_build.content.model import Block, Document
from audio_build.i18n.catalog import po_path, typographic_key, usable_translations
from audio_build.i18n.entries import read_entries
from audio_build.i18n.extract import FIELD_CONTEXT
from audio_build.i18n.locales import LocaleInfo


@dataclass(frozen=True)
class LocalBlock:
    block: Block
    text: str  # inline Markdown in `lang`
    lang: str  # BCP 47 tag of the text actually shown
    fallback: bool = False
    problem: str = ""  # why a translation was refused (empty when none was refused)

    @property
    def id(self) -> str:
        return self.block.id

    @property
    def kind(self) -> str:
        return self.block.kind


@dataclass(frozen=True)
class LocalizedDocument:
    document: Document
    locale: LocaleInfo
    source: LocaleInfo
    title: LocalBlock
    summary: LocalBlock
    fields: tuple[LocalBlock, ...]
    body: tuple[LocalBlock, ...]
    percent: float  # share of messages shown translated
    published: bool

    @property
    def slug(self) -> str:
        return self.document.slug

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def blocks(self) -> tuple[LocalBlock, ...]:
        return (self.title, self.summary, *self.fields, *self.body)

    def field(self, name: str) -> LocalBlock | None:
        return next((f for f in self.fields if f.block.name == name), None)

    def link_words(self) -> tuple[str, ...] | None:
        """The words that link to this glossary term in its locale's text (its `link_words`, else its title);
        None when its link words are untranslated: they would match nothing in translated text."""
        words = self.field("link_words")
        if words is not None and words.lang != self.locale.tag:
            return None
        return tuple(w.strip() for w in (words.text if words else self.title.text).split(","))

    @property
    def warnings(self) -> list[str]:
        return [f"{self.document.path}:{b.block.line}: {self.locale.tag}: translation not used: {b.problem}"
                for b in self.blocks if b.problem]


def _context(block: Block) -> str | None:
    return FIELD_CONTEXT.get(block.name) if block.kind == "field" else None


def localize(article: Document, locale: LocaleInfo, source: LocaleInfo, strings: dict[tuple[str, str | None], str],
             threshold: float) -> LocalizedDocument:
    """Pure: the catalog's usable translations in, the localized article out."""
    translated = 0

    def one(block: Block) -> LocalBlock:
        nonlocal translated
        if locale.tag == source.tag:
            translated += 1
            return LocalBlock(block, block.text, source.tag)
        msgstr = strings.get((block.text, _context(block))) or strings.get((typographic_key(block.text), _context(block)))
        if msgstr is None:
            return LocalBlock(block, block.text, source.tag, fallback=True)
        problems = translation_problems(block.text, msgstr, locale.language)
        if problems:
            return LocalBlock(block, block.text, source.tag, fallback=True, problem="; ".join(problems))
        translated += 1
        return LocalBlock(block, msgstr, locale.tag)

    title = one(article.title)
    summary = one(article.summary)
    fields = tuple(one(b) for b in article.fields)
    body = tuple(one(b) for b in article.body)
    total = len(article.blocks)
    percent = 100.0 * translated / total if total else 100.0
    return LocalizedDocument(document=article, locale=locale, source=source, title=title, summary=summary,
                            fields=fields, body=body, percent=percent, published=percent >= threshold)


def load_strings(locales_dir: Path, locale: LocaleInfo, domain: str) -> dict[tuple[str, str | None], str]:
    """The usable translations of one domain in one locale (none when it has no catalog yet)."""
    path = po_path(locales_dir, locale, domain)
    if not path.exists():
        return {}
    return usable_translations(read_entries(path, locale=locale.folder))
