"""The source model: a `Document` (an article or a glossary term) of blocks with stable ids, and the `Corpus`.

Authors write one file per article (`content/<slug>.md`) and one per glossary term
(`content/terms/<slug>.md`); `parse.py` turns them into these dataclasses. Everything downstream
(catalogs, pages, speech, EPUB) works from this model, so content rules live in this package only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

ARTICLE = "article"
TERM = "term"
RESERVED_SLUGS = {"glossary", "pronunciation", "downloads", "static", "assets", "index"}
# Ids the page templates and front-matter blocks use; body headings never take them.
RESERVED_IDS = {"main", "title", "summary", "category", "disclaimer", "respelling", "part-of-speech",
                "definition", "origin", "example", "link-words", "player"}
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")

ARTICLE_KEYS: dict[str, str] = {
    "title": "required. The article title, shown as the page's heading and spoken first.",
    "summary": "required. A short plain-language summary (about 6th-grade reading level), shown and spoken first.",
    "updated": "required. Date the content was last updated, YYYY-MM-DD; shown on the page.",
    "slug": "optional. URL name; defaults to the file name without .md (lowercase letters, digits, hyphens).",
    "category": "optional. A short category name shown above the title (translated).",
    "related_terms": "optional. List of glossary term slugs shown under 'Related terms'.",
    "related_articles": "optional. List of article slugs shown under 'Related articles'.",
    "references": "optional. List of citations (text, or {text, url, lang}); kept in their original language.",
    "disclaimer": "optional. A medical disclaimer for this article; defaults to the site's disclaimer.",
}
TERM_KEYS: dict[str, str] = {
    "term": "required. The glossary headword.",
    "respelling": "required. How to say it, syllables with hyphens and the stressed one in capitals.",
    "definition": "required. One-sentence definition shown in the glossary list.",
    "updated": "required. Date the entry was last updated, YYYY-MM-DD.",
    "slug": "optional. URL name; defaults to the file name without .md.",
    "summary": "optional. A plain-language summary; defaults to the definition.",
    "part_of_speech": "optional. noun, verb, adjective ...",
    "origin": "optional. Where the word comes from (inline Markdown allowed).",
    "example": "optional. A short sentence using the term, spoken in the pronunciation guide.",
    "category": "optional. A short category name shown above the term (translated).",
    "link_words": "optional. Words in article text that link to this entry, comma-separated; defaults to the term.",
    "related_terms": "optional. List of glossary term slugs.",
    "related_articles": "optional. List of article slugs.",
    "references": "optional. List of citations, as for articles.",
}
# Front-matter fields that become translatable messages, in the order translators see them.
ARTICLE_FIELDS = ("category", "disclaimer")
TERM_FIELDS = ("category", "respelling", "part_of_speech", "definition", "origin", "example", "link_words")


@dataclass(frozen=True)
class Block:
    """One translatable unit: a message in the catalog, an utterance in the speech script."""

    id: str
    kind: str  # title | summary | field | heading | paragraph | item
    text: str  # inline Markdown, exactly as authored (soft line breaks folded to spaces)
    line: int  # 1-based line in the source file
    level: int = 0  # heading level (2-6); list nesting depth for items (0 = top level)
    group: str = ""  # list id: items with the same group form one list
    ordered: bool = False
    name: str = ""  # field name for kind == "field"



@dataclass(frozen=True)
class Reference:
    text: str
    url: str | None = None
    lang: str = "en"


@dataclass(frozen=True)
class Document:
    slug: str
    kind: str  # "article" or "term"
    path: str  # relative to the project root, posix style: used in `#:` locations and error messages
    title: Block
    summary: Block
    fields: tuple[Block, ...]
    body: tuple[Block, ...]
    updated: dt.date
    references: tuple[Reference, ...] = ()
    related_terms: tuple[str, ...] = ()
    related_articles: tuple[str, ...] = ()
    source_hash: str = ""

    @property
    def domain(self) -> str:
        """The gettext domain: one per article and one per glossary term."""
        return self.slug if self.kind == ARTICLE else f"glossary-{self.slug}"

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Every translatable block, in reading order."""
        return (self.title, self.summary, *self.fields, *self.body)

    def field(self, name: str) -> Block | None:
        for block in self.fields:
            if block.name == name:
                return block
        return None


@dataclass(frozen=True)
class Corpus:
    """All source content of a project: articles and glossary terms, sorted by slug."""

    articles: tuple[Document, ...]
    terms: tuple[Document, ...]
    root: Path = field(default=Path("."))

    @property
    def documents(self) -> tuple[Document, ...]:
        return (*self.articles, *self.terms)

    def article(self, slug: str) -> Document | None:
        return next((a for a in self.articles if a.slug == slug), None)

    def term(self, slug: str) -> Document | None:
        return next((t for t in self.terms if t.slug == slug), None)


