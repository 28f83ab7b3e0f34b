"""Messages for translators: one per block, with locations, context and notes that help get it right.

The same function feeds `audio-build extract` and the Babel extractor entry point, so
`pybabel extract -F babel.cfg` yields exactly the messages this project writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from audio_build.content.model import ARTICLE, TERM, Block, Corpus, Document
from audio_build.content.parse import parse_document, read_source

SITE_DOMAIN = "site"

# Fields whose words mean something other than the same words elsewhere get a msgctxt.
FIELD_CONTEXT = {
    "respelling": "respelling",
    "part_of_speech": "part of speech",
    "link_words": "link words",
    "category": "category",
}

_KIND_NOTES = {
    "title": "Title of the article: the page's main heading and the first thing spoken.",
    "summary": ("Plain-language summary, shown and spoken first. Keep the words simple "
                "(about a 6th-grade reading level) and the sentences short."),
    "heading": "Section heading (level {level}).",
    "paragraph": "Paragraph.",
    "item": "Item of a {kind} list.",
}
_TERM_NOTES = {
    "title": "Glossary headword: the term in your language, as patients' leaflets name it.",
    "summary": ("Plain-language summary of the glossary entry, shown and spoken first. Keep the words simple "
                "(about a 6th-grade reading level)."),
    "category": "Category shown above the entry.",
    "respelling": ("How to say the headword in your language, for readers of your language: syllables "
                   "separated by hyphens, the stressed syllable in CAPITALS (English: floo-ROS-kuh-pee). "
                   "Shown on the page next to the IPA."),
    "part_of_speech": "Part of speech of the headword, in your language (noun, verb ...).",
    "definition": "Short definition shown in the glossary list.",
    "origin": "Where the word comes from. Keep the words of other languages in *italics* as they are.",
    "example": "A short sentence that uses the headword; spoken in the pronunciation guide.",
    "link_words": ("Words in article text that link to this glossary entry: the headword and its other "
                   "forms in your language (plural, case forms), separated by commas. Not shown on the page."),
}
_ARTICLE_FIELD_NOTES = {
    "category": "Category shown above the title.",
    "disclaimer": "Medical disclaimer shown at the end of the page. Keep its meaning exactly.",
}


@dataclass(frozen=True)
class Message:
    """A catalog entry before it meets Babel: plain data so it can be compared and hashed."""

    msgid: str
    context: str | None
    locations: tuple[tuple[str, int | None], ...]  # (file, line); line None: the file alone
    comments: tuple[str, ...]
    block_id: str


def markup_notes(text: str) -> list[str]:
    """Explain the inline Markdown a translator must keep."""
    notes = []
    if re.search(r"\*\*[^*]+\*\*", text):
        notes.append("Keep the **bold** markers around the matching words.")
    if re.search(r"(?<!\*)\*[^*\s][^*]*\*(?!\*)|(?<!_)_[^_\s][^_]*_(?!_)", text):
        notes.append("Keep the *italic* markers around the matching words.")
    if re.search(r"\]\([^)]+\)", text):
        notes.append("Keep each link as [words](target): translate the words, never change the target.")
    if "`" in text:
        notes.append("Keep `code` spans unchanged.")
    if re.search(r"\{[A-Za-z_][A-Za-z0-9_]*\}", text):
        notes.append("Keep {placeholders} exactly as they are.")
    return notes


def _link_words(term: Document) -> list[str]:
    field = term.field("link_words")
    words = field.text if field else term.title.text
    return [w.strip() for w in words.split(",") if w.strip()]


def glossary_words(corpus: Corpus) -> dict[str, list[str]]:
    return {term.slug: _link_words(term) for term in corpus.terms}


def terms_in(text: str, words_by_term: Mapping[str, Sequence[str]]) -> list[str]:
    found = []
    for slug, words in words_by_term.items():
        for word in words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
                found.append(words[0] if words else slug)
                break
    return found


def block_comments(doc: Document, block: Block, words_by_term: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    if block.kind == "field":
        notes_table = _TERM_NOTES if doc.kind == TERM else _ARTICLE_FIELD_NOTES
        notes = [notes_table.get(block.name, f"Field '{block.name}'.")]
    elif doc.kind == TERM and block.kind in _TERM_NOTES:
        notes = [_TERM_NOTES[block.kind]]
    else:
        template = _KIND_NOTES[block.kind]
        notes = [template.format(level=block.level, kind="numbered" if block.ordered else "bulleted")]
    notes.extend(markup_notes(block.text))
    if block.name != "link_words":
        terms = [t for t in terms_in(block.text, words_by_term)
                 if not (doc.kind == TERM and block.kind == "title")]
        if terms:
            notes.append("Glossary terms here: " + ", ".join(terms)
                         + ". Use the same words as in their glossary entries.")
    return tuple(notes)


def document_messages(doc: Document, words_by_term: Mapping[str, Sequence[str]]) -> list[Message]:
    """One message per block, merged when two blocks share text and context (locations add up)."""
    merged: dict[tuple[str, str | None], Message] = {}
    for block in doc.blocks:
        context = FIELD_CONTEXT.get(block.name) if block.kind == "field" else None
        key = (block.text, context)
        location = (doc.path, block.line)
        comments = block_comments(doc, block, words_by_term)
        if key in merged:
            old = merged[key]
            merged[key] = Message(old.msgid, context, (*old.locations, location),
                                  tuple(dict.fromkeys((*old.comments, *comments))), old.block_id)
        else:
            merged[key] = Message(block.text, context, (location,), comments, block.id)
    return list(merged.values())


def corpus_messages(corpus: Corpus) -> dict[str, list[Message]]:
    """Domain -> messages, for every article and glossary term."""
    words = glossary_words(corpus)
    return {doc.domain: document_messages(doc, words) for doc in corpus.documents}


# ------------------------------------------------------------------------------ Babel extractor plugin

def babel_extractor(fileobj: IO[bytes], _keywords: Iterable[str], _comment_tags: Iterable[str],
                    options: Mapping[str, Any]) -> Iterator[tuple[int, str, Any, list[str]]]:
    """`pybabel extract` entry point: `[audio_build: content/**.md]` in babel.cfg.

    Glossary cross-reference notes need the whole corpus; the extractor sees one file at a time, so it
    looks for sibling term files next to the content folder, the way `audio-build extract` does.
    """
    name = getattr(fileobj, "name", "content.md")
    path = Path(name)
    raw = fileobj.read()
    text = raw.decode("utf-8-sig").replace("\r\n", "\n") if isinstance(raw, bytes) else str(raw)
    kind = TERM if path.parent.name == "terms" else ARTICLE
    rel = _relative_name(path)
    doc = parse_document(text, rel, kind, path.stem)
    content_dir = path.parent.parent if kind == TERM else path.parent
    for message in document_messages(doc, _sibling_link_words(content_dir / "terms")):
        for _, line in message.locations:
            if message.context is None:
                yield line or 1, "gettext", message.msgid, list(message.comments)
            else:
                yield line or 1, "pgettext", (message.context, message.msgid), list(message.comments)


def _sibling_link_words(terms_dir: Path) -> dict[str, list[str]]:
    """Link words of every term next to the file being extracted; read once per state of the folder."""
    if not terms_dir.is_dir():
        return {}
    state = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(terms_dir.glob("*.md")))
    return _link_words_of(str(terms_dir), state)


@lru_cache(maxsize=8)
def _link_words_of(terms_dir: str, state: tuple[tuple[str, int, int], ...]) -> dict[str, list[str]]:
    words = {}
    for name, _, _ in state:
        term_path = Path(terms_dir) / name
        term = parse_document(read_source(term_path), term_path.as_posix(), TERM, term_path.stem)
        words[term.slug] = _link_words(term)
    return words


def _relative_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
