"""One locale's blocks as HTML views: inline Markdown rendered safely, with glossary links (each term linked
once per page), cross-document links resolved to this locale or the source, and sentence spans for read-along.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from audio_build.content.markup import render_inline
from audio_build.content.model import ARTICLE, TERM, Corpus
from audio_build.content.term_links import Glossary, GlossaryLink, word_pattern
from audio_build.i18n.interface import direction
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalBlock
from audio_build.publish import paths
from audio_build.publish.site import LocaleSite


@dataclass(frozen=True)
class BlockView:
    id: str
    kind: str
    html: Markup
    lang: str
    dir: str
    level: int = 0
    ordered: bool = False
    items: list[Any] = field(default_factory=list)
    children: Any = None


@dataclass(frozen=True)
class GlossaryTerm:
    """A term a locale's pages link to: the words that link it and its page, relative to the site root."""

    slug: str
    pattern: re.Pattern[str]
    words: tuple[str, ...]
    target: str


def glossary_terms(site: LocaleSite) -> tuple[GlossaryTerm, ...]:
    """Every term one locale's pages may link, in slug order (the same for each page, so made once per locale)."""
    terms = []
    for (kind, slug), doc in sorted(site.docs.items()):
        if kind != TERM:
            continue
        words = doc.link_words()
        if words is None or (pattern := word_pattern(list(words))) is None:
            continue
        terms.append(GlossaryTerm(slug, pattern, words, paths.doc_page(site.info.tag, TERM, slug)))
    return tuple(terms)


class BlockRenderer:
    """Renders one locale's documents; remembers which glossary terms a page has linked already."""

    def __init__(self, site: LocaleSite, sites: Mapping[str, LocaleSite], source: LocaleInfo, corpus: Corpus,
                 page_path: str, linked: set[str] | None = None,
                 terms: tuple[GlossaryTerm, ...] | None = None) -> None:
        self.site = site
        self.sites = sites
        self.source = source
        self.corpus = corpus
        self.page_path = page_path
        self.linked = linked if linked is not None else set()
        self._terms = terms

    @property
    def terms(self) -> tuple[GlossaryTerm, ...]:
        """Made when first asked for (handouts link no terms), unless the pages hand over their locale's."""
        if self._terms is None:
            self._terms = glossary_terms(self.site)
        return self._terms

    def link_target(self, kind: str, slug: str) -> str:
        tag = self.site.info.tag if (kind, slug) in self.site.docs else self.source.tag
        return paths.relative(self.page_path, paths.doc_page(tag, kind, slug))

    def resolve(self, href: str) -> str:
        if href.startswith("article:"):
            return self.link_target(ARTICLE, href[len("article:"):])
        if href.startswith("term:"):
            return self.link_target(TERM, href[len("term:"):])
        return href

    def glossary(self) -> Glossary:
        """Every term of the locale, linked from this page (a term's own page starts with it in `linked`)."""
        return Glossary.of(GlossaryLink(term.slug, term.pattern, paths.relative(self.page_path, term.target),
                                        term.words) for term in self.terms)

    def block(self, block: LocalBlock, *, timings: Mapping[str, tuple[float, float]] | None = None,
              link_terms: Glossary | None = None, sentences: bool = True) -> BlockView:
        lang = language_of(block.lang)
        rendered = render_inline(block.text, lang, sentence_prefix=block.id if sentences else None,
                                 resolve_link=self.resolve, glossary=link_terms, linked=self.linked,
                                 timings=timings)
        return BlockView(id=block.id, kind=block.kind, html=Markup(rendered.html), lang=block.lang,
                         dir=direction(block.lang), level=block.block.level, ordered=block.block.ordered)


def language_of(tag: str) -> str:
    return tag.split("-")[0].lower()


def body_tree(views: Iterable[tuple[LocalBlock, BlockView]]) -> list[BlockView]:
    """Flat blocks -> headings, paragraphs and (nested) lists."""
    nodes: list[BlockView] = []
    stack: list[tuple[int, BlockView, str]] = []  # (depth, list node, group)
    for local, view in views:
        if local.kind != "item":
            stack.clear()
            nodes.append(view)
            continue
        depth, group = local.block.level, local.block.group
        while stack and (stack[-1][0] > depth or (stack[-1][0] == depth and stack[-1][2] != group)):
            stack.pop()
        if not stack or stack[-1][0] < depth:
            list_node = BlockView(id=group, kind="list", html=Markup(""), lang=view.lang, dir=view.dir,
                                  ordered=local.block.ordered, items=[])
            if stack and stack[-1][1].items:
                parent_item = stack[-1][1].items[-1]
                stack[-1][1].items[-1] = BlockView(**{**parent_item.__dict__, "children": list_node})
            else:
                nodes.append(list_node)
            stack.append((depth, list_node, group))
        stack[-1][1].items.append(view)
    return nodes
