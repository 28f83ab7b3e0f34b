"""Inline Markdown of messages: rendering, and the parity rules a translation must keep.

A msgstr is data from many hands. It may only carry the markup its msgid has: the same bold and italic
runs, the same link targets, the same {placeholders}; never raw HTML, control characters or
speech-engine markup. `translation_problems` is shared by `check` (to report) and `localize` (to fall
back to the source text), so the two can never disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPEECH_MARKUP = re.compile(r"\[\[|\]\]|<\s*/?\s*(speak|phoneme|say-as|sub|prosody|break|audio|mark)\b",
                            re.IGNORECASE)


@lru_cache(maxsize=1)
def _inspecting_parser() -> MarkdownIt:
    # html=True here only to *see* raw HTML so it can be refused; rendering never enables it.
    return MarkdownIt("commonmark", {"html": True, "linkify": False})


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
    tokens = _inspecting_parser().parseInline(text)
    return list(tokens[0].children or []) if tokens else []


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
