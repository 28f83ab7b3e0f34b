"""Glossary links in inline text: the words that link to a term, and where a page links each term first.

A page links the first mention of each glossary term (whole words, case-insensitive; scripts written
without spaces match inside longer runs), never inside an existing link. One pattern for all of a page's
terms finds where some term starts, and each term is then asked whether it matches right there: the same
links as searching with every term, at about the cost of one search. Pages leave a term out by naming it
in `linked` (a term's own page), never by dropping it from the list: every page of a locale then asks the
same pattern, compiled once, where one list per term page compiled one pattern per term (with a glossary
of 100 terms, 2 % of a pages build).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it.token import Token


@dataclass(frozen=True)
class GlossaryLink:
    """Words that link to a glossary entry in one locale; `pattern` matches any of them."""

    slug: str
    pattern: re.Pattern[str]
    href: str
    words: tuple[str, ...] = ()  # what `pattern` matches: a page tests every term's words in one search first


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def word_pattern(words: list[str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive; scripts written without spaces match inside longer runs."""
    return _word_pattern(tuple(words))


@lru_cache(maxsize=4096)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for word in sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True):
        if _CJK.search(word):
            parts.append(re.escape(word))
        else:  # "(?<!\w)word(?!\w)", with the look-behind moved past the first letter: same matches, and the
            # regex engine can then skip ahead to that letter instead of testing the look-behind everywhere
            parts.append(rf"{re.escape(word[0])}(?<!\w.){re.escape(word[1:])}(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@lru_cache(maxsize=1024)
def _any_word(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Matches wherever one of `words` would match as word_pattern matches it: the cheap first question
    for a text, since one search for all terms costs about what one search for one term does."""
    spaced = sorted({w.strip() for w in words if w.strip() and not _CJK.search(w)}, key=len, reverse=True)
    unspaced = sorted({w.strip() for w in words if w.strip() and _CJK.search(w)}, key=len, reverse=True)
    parts = ([rf"(?<!\w)(?:{'|'.join(map(re.escape, spaced))})(?!\w)"] if spaced else []) + \
        [re.escape(w) for w in unspaced]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@dataclass(frozen=True)
class Glossary:
    """The terms a page (or a book) may link, with the one pattern for all their words: made with the list,
    once per locale's folder or book, not again for every block of text (9 us a block, 3 % of a pages build)."""

    links: tuple[GlossaryLink, ...]
    any_term: re.Pattern[str] | None  # None: some term has no words listed, so each is searched on its own

    @classmethod
    def of(cls, links: Iterable[GlossaryLink]) -> Glossary:
        links = tuple(links)
        words_known = all(entry.words for entry in links)
        return cls(links, _any_word(tuple(w for entry in links for w in entry.words)) if words_known else None)


def text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _first_mention(text: str, glossary: Iterable[GlossaryLink], linked: set[str],
                   any_term: re.Pattern[str] | None) -> tuple[GlossaryLink, re.Match[str]] | None:
    """The term not linked yet whose words come first in `text` (the earlier term on a tie), with its match.

    With `any_term` (every term's words in one pattern), only the places where some term matches are tried,
    each term asked whether it matches right there: the same answer as searching with each term."""
    if any_term is None:
        best = None
        for entry in glossary:
            if entry.slug not in linked:
                match = entry.pattern.search(text)
                if match and (best is None or match.start() < best[1].start()):
                    best = (entry, match)
        return best
    found = any_term.search(text)
    while found is not None:
        at = found.start()
        for entry in glossary:
            if entry.slug not in linked:
                match = entry.pattern.match(text, at)
                if match:
                    return entry, match
        found = any_term.search(text, at + 1)
    return None


def link_glossary(tokens: list[Token], glossary: Glossary, linked: set[str]) -> list[Token]:
    """Link the first mention of each glossary term on the page (not inside an existing link).

    `linked`: the terms not to link (linked already on this page, or the page's own term); it grows."""
    if not glossary.links:
        return tokens
    out: list[Token] = []
    depth = 0
    for tok in tokens:
        if tok.type == "link_open":
            depth += 1
        elif tok.type == "link_close":
            depth -= 1
        if tok.type != "text" or depth:
            out.append(tok)
            continue
        pending = [tok.content]
        result: list[Token] = []
        while pending:
            text = pending.pop(0)
            best = _first_mention(text, glossary.links, linked, glossary.any_term)
            if best is None:
                result.append(text_token(text))
                continue
            entry, match = best
            linked.add(entry.slug)
            if match.start():
                result.append(text_token(text[: match.start()]))
            link = Token("link_open", "a", 1, attrs={"href": entry.href, "class": "term"})
            result.extend([link, text_token(match.group(0)), Token("link_close", "a", -1)])
            if match.end() < len(text):
                pending.insert(0, text[match.end():])
        out.extend(result)
    return out
