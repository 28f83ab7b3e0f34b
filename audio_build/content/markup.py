"""Inline Markdown of messages: rendering, and the parity rules a translation must keep.

A msgstr is data from many hands. It may only carry the markup its msgid has: the same bold and italic
runs, the same link targets, the same {placeholders}; never raw HTML, control characters or
speech-engine markup. `translation_problems` is shared by `check` (to report) and `localize` (to fall
back to the source text), so the two can never disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from audio_build.content.sentences import split_sentences
from audio_build.content.term_links import Glossary, link_glossary, text_token

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPEECH_MARKUP = re.compile(r"\[\[|\]\]|<\s*/?\s*(speak|phoneme|say-as|sub|prosody|break|audio|mark)\b",
                            re.IGNORECASE)


@lru_cache(maxsize=1)
def _inspecting_parser() -> MarkdownIt:
    # html=True and no link validation here only to *see* raw HTML and every link (javascript:, data:)
    # so they can be refused; rendering never enables either.
    parser = MarkdownIt("commonmark", {"html": True, "linkify": False})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


@lru_cache(maxsize=1)
def rendering_parser() -> MarkdownIt:
    """The parser that turns inline Markdown into HTML: raw HTML is escaped, unsafe links are refused."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@dataclass(frozen=True)
class MarkupSignature:
    strong: int
    emphasis: int
    code: tuple[str, ...]
    links: tuple[str, ...]
    placeholders: tuple[str, ...]
    html: tuple[str, ...]


def inline_tokens(text: str) -> list[Token]:
    if text and _NO_MARKUP.fullmatch(text):  # no character any inline rule starts at: one text token
        return [text_token(text)]
    tokens = _inspecting_parser().parseInline(text)
    return list(tokens[0].children or []) if tokens else []


@lru_cache(maxsize=65536)
def signature(text: str) -> MarkupSignature:
    counts: Counter[str] = Counter()
    code: list[str] = []
    links: list[str] = []
    html: list[str] = []
    for tok in inline_tokens(text):
        if tok.type in ("strong_open", "em_open"):
            counts[tok.type] += 1
        elif tok.type == "code_inline":
            code.append(tok.content)
        elif tok.type == "link_open":
            links.append(str(tok.attrs.get("href", "")))
        elif tok.type == "html_inline":
            html.append(tok.content)
        elif tok.type == "image":
            html.append("![image]")
    return MarkupSignature(
        strong=counts["strong_open"],
        emphasis=counts["em_open"],
        code=tuple(sorted(code)),
        links=tuple(sorted(links)),
        placeholders=tuple(sorted(_PLACEHOLDER.findall(text))),
        html=tuple(html),
    )


def translation_problems(msgid: str, msgstr: str, language: str = "") -> list[str]:
    """Why this translation may not be shown or spoken; empty when it is safe."""
    problems: list[str] = []
    source = signature(msgid)
    target = signature(msgstr)
    if target.html and target.html != source.html:
        problems.append(f"raw HTML that the source does not have: {', '.join(sorted(set(target.html)))[:80]}")
    if _CONTROL.search(msgstr):
        problems.append("control characters in the translation")
    if _BIDI_CONTROLS.search(msgstr) and not _BIDI_CONTROLS.search(msgid):
        problems.append("bidirectional control characters (they can reorder what readers see)")
    if _SPEECH_MARKUP.search(msgstr) and not _SPEECH_MARKUP.search(msgid):
        problems.append("speech-engine markup ([[...]] phonemes or SSML) is not allowed in translations")
    if source.strong != target.strong:
        hint = ""
        if language in {"zh", "ja", "ko"} and target.strong < source.strong:
            hint = " (in CJK text put the closing ** before the final punctuation mark)"
        problems.append(f"**bold** markers differ: the source has {source.strong}, the translation "
                        f"{target.strong}{hint}")
    if source.emphasis != target.emphasis:
        problems.append(f"*italic* markers differ: the source has {source.emphasis}, the translation "
                        f"{target.emphasis}")
    if source.links != target.links:
        missing = sorted(set(source.links) - set(target.links))
        extra = sorted(set(target.links) - set(source.links))
        detail = "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                         f"not in the source {', '.join(extra)}" if extra else ""]))
        problems.append(f"link targets differ from the source ({detail or 'count differs'})")
    if source.code != target.code:
        problems.append("`code` spans differ from the source")
    if source.placeholders != target.placeholders:
        missing = sorted(set(source.placeholders) - set(target.placeholders))
        extra = sorted(set(target.placeholders) - set(source.placeholders))
        parts = [f"missing {' '.join(missing)}" if missing else "", f"unknown {' '.join(extra)}" if extra else ""]
        problems.append(f"placeholders differ ({'; '.join(p for p in parts if p) or 'count differs'})")
    return problems


def plain_text(text: str) -> str:
    """Inline Markdown without its markup: what a listener hears and what readability formulas read."""
    parts: list[str] = []
    for tok in inline_tokens(text):
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "html_inline":
            parts.append(tok.content)
    return "".join(parts)


# ------------------------------------------------------------------------------------------ rendering

@dataclass(frozen=True)
class RenderedInline:
    html: str
    sentences: tuple[str, ...]  # plain text of each sentence, as spoken and captioned


def _xhtml_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "xhtmlOut": True, "linkify": False, "typographer": False})


_PARSERS: dict[bool, MarkdownIt] = {}


def _parser_for(xhtml: bool) -> MarkdownIt:
    if xhtml not in _PARSERS:
        _PARSERS[xhtml] = _xhtml_parser() if xhtml else rendering_parser()
    return _PARSERS[xhtml]


# The characters an enabled inline rule starts at (newline, escape, backticks, emphasis, link, image, autolink,
# html_inline, entity), and the two the normalize rule rewrites: text with none of them parses to exactly one
# text token, so parsing it is skipped (half the time of rendering a page). markdown-it's text rule stops at
# more characters ("-", ":", "~"...), but with no rule starting there it carries on with the same text token.
_INLINE_RULES = ("text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline",
                 "entity")
_NO_MARKUP = re.compile(r"[^\n\\`*_\[!<&\r\x00]+")


def _raw(content: str) -> Token:
    return Token("html_inline", "", 0, content=content)


def _attr_escape(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def render_inline(text: str, language: str, *, sentence_prefix: str | None = None,
                  resolve_link: Callable[[str], str | None] | None = None,
                  glossary: Glossary | None = None, linked: set[str] | None = None,
                  timings: Mapping[str, tuple[float, float]] | None = None, xhtml: bool = False) -> RenderedInline:
    """Inline Markdown -> safe HTML, each sentence wrapped in a span when `sentence_prefix` is given.

    Raw HTML in `text` is escaped (the parser runs with html off); links with unsafe schemes are dropped
    by markdown-it's validator; markup open across a sentence boundary is closed and reopened so every
    sentence span is well formed.
    """
    md = _parser_for(xhtml)
    if text and _NO_MARKUP.fullmatch(text):  # most sentences: no character any inline rule starts at
        tokens = [text_token(text)]
    else:
        parsed = md.parseInline(text)
        tokens = list(parsed[0].children or []) if parsed else []
    if resolve_link is not None:
        kept: list[Token] = []
        dropped = 0  # links whose target is not reachable here (e.g. an article outside an ebook) become text
        for tok in tokens:
            if tok.type == "link_open":
                target = resolve_link(str(tok.attrs.get("href", "")))
                if target is None:
                    dropped += 1
                    continue
                tok.attrs["href"] = target
            elif tok.type == "link_close" and dropped:
                dropped -= 1
                continue
            kept.append(tok)
        tokens = kept
    if glossary is not None:
        tokens = link_glossary(tokens, glossary, linked if linked is not None else set())

    plain = "".join(t.content if t.type in ("text", "code_inline") else " " if t.type in ("softbreak", "hardbreak")
                    else "" for t in tokens)
    spans = split_sentences_cached(plain, language)
    sentences = tuple(plain[a:b] for a, b in spans)
    if sentence_prefix is None or not spans:
        return RenderedInline(_render(md, tokens), sentences)

    def sentence_tag(index: int) -> str:
        sid = f"{sentence_prefix}_s{index + 1}"
        attrs = f' class="s" id="{_attr_escape(sid)}"'
        if timings and sid in timings:
            begin, end = timings[sid]
            attrs += f' data-begin="{begin:.3f}" data-end="{end:.3f}"'
        return f"<span{attrs}>"

    if all(tok.type == "text" for tok in tokens):  # plain text (most blocks): each sentence in its span
        html: list[str] = []
        done = 0
        for index, (start, end) in enumerate(spans):
            html += [escapeHtml(plain[done:start]), sentence_tag(index), escapeHtml(plain[start:end]), "</span>"]
            done = end
        html.append(escapeHtml(plain[done:]))
        return RenderedInline("".join(html), sentences)

    out: list[Token] = []
    open_stack: list[Token] = []
    offset = 0
    index = 0  # sentence being filled
    in_sentence = False

    def open_sentence() -> None:
        nonlocal in_sentence
        out.append(_raw(sentence_tag(index)))
        out.extend(open_stack)
        in_sentence = True

    def close_sentence() -> None:
        nonlocal in_sentence, index
        for opener in reversed(open_stack):
            out.append(Token(opener.type.replace("_open", "_close"), opener.tag, -1))
        out.append(_raw("</span>"))
        in_sentence = False
        index += 1

    for tok in tokens:
        if tok.type.endswith("_open"):
            if not in_sentence and index < len(spans) and offset >= spans[index][0]:
                open_sentence()
            open_stack.append(tok)
            if in_sentence:
                out.append(tok)
            continue
        if tok.type.endswith("_close"):
            if open_stack:
                open_stack.pop()
            if in_sentence:
                out.append(tok)  # outside a sentence, close_sentence() already closed it
            continue
        content = tok.content if tok.type in ("text", "code_inline") else " " if tok.type in (
            "softbreak", "hardbreak") else ""
        if not content:
            out.append(tok)
            continue
        pos = 0
        while pos < len(content):
            if not in_sentence and index < len(spans) and offset + pos >= spans[index][0]:
                open_sentence()
            if in_sentence:
                limit = spans[index][1]
            else:
                limit = spans[index][0] if index < len(spans) else offset + len(content)
            take = max(min(len(content), limit - offset), pos + 1)
            piece = content[pos:take]
            if tok.type == "code_inline":
                out.append(Token("code_inline", "code", 0, content=piece, markup=tok.markup))
            else:
                out.append(text_token(piece))
            pos = take
            if in_sentence and offset + pos >= spans[index][1]:
                close_sentence()
        offset += len(content)
    if in_sentence:
        close_sentence()
    return RenderedInline(_render(md, out), sentences)


def _render(md: MarkdownIt, tokens: list[Token]) -> str:
    """markdown-it's HTML, joined here for the commonest case (only text and our raw spans), where its
    renderer's rules would escape the one and copy the other."""
    if all(tok.type in ("text", "html_inline") for tok in tokens):
        return "".join(escapeHtml(tok.content) if tok.type == "text" else tok.content for tok in tokens)
    html: str = md.renderer.render(tokens, md.options, {})
    return html


@lru_cache(maxsize=4096)
def _split_cached(plain: str, language: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(plain, language))


def split_sentences_cached(plain: str, language: str) -> tuple[tuple[int, int], ...]:
    return _split_cached(plain, language)
