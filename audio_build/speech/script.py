"""Speech scripts: a localized document -> the utterances an engine speaks, each carrying its block id.

Sentences are cut by the same function the pages use (`markup.render_inline`), so every spoken
sentence has the id and the words of a highlighted span on the page. `normalize.py` rewrites what
engines misread, then the lexicon marks the words whose pronunciation it knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from audio_build.content.markup import render_inline
from audio_build.i18n.localize import LocalBlock, LocalizedDocument
from audio_build.speech.lexicon import EMPTY, Lexicon, apply
from audio_build.speech.model import Sentence
from audio_build.speech.normalize import speakable

# Seconds of silence after each kind of block: longer around headings, shorter between list items.
PAUSES = {"title": 0.9, "summary": 0.9, "heading": 0.7, "paragraph": 0.6, "item": 0.35}
PAUSE_BEFORE_HEADING = 0.4
SPOKEN_KINDS = ("title", "summary", "heading", "paragraph", "item")


@dataclass(frozen=True)
class Utterance:
    block_id: str
    kind: str
    lang: str  # BCP 47 tag of the words (a fallback block keeps the source language)
    sentences: tuple[Sentence, ...]
    texts: tuple[str, ...]  # each sentence as the page shows it (captions use these words)
    pause_after: float
    rate_factor: float = 1.0  # the pronunciation guide says the headword slowly


def block_sentences(block: LocalBlock, lexicon: Lexicon) -> tuple[tuple[Sentence, ...], tuple[str, ...]]:
    """The block's sentences for the engine, and the same sentences as the page shows them."""
    language = block.lang.split("-")[0].lower()
    rendered = render_inline(block.text, language)
    numbered = [(n, text) for n, text in enumerate(rendered.sentences, start=1) if speakable(text, language)]
    sentences = tuple(Sentence(id=f"{block.id}_s{n}", parts=apply(speakable(text, language), lexicon))
                      for n, text in numbered)
    return sentences, tuple(text for _, text in numbered)


def script(doc: LocalizedDocument, lexicons: Mapping[str, Lexicon]) -> tuple[Utterance, ...]:
    """Title, summary, then the body in reading order; references and page chrome are not read."""
    blocks = [doc.title, doc.summary, *doc.body]
    utterances = []
    for index, block in enumerate(blocks):
        if block.kind not in SPOKEN_KINDS:
            continue
        sentences, texts = block_sentences(block, lexicons.get(block.lang, EMPTY))
        if not sentences:
            continue
        pause = PAUSES[block.kind]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following.kind == "heading":
            pause += PAUSE_BEFORE_HEADING
        utterances.append(Utterance(block.id, block.kind, block.lang, sentences, texts, pause))
    return tuple(utterances)


def term_guide(term: LocalizedDocument, lexicon: Lexicon) -> tuple[Utterance, ...]:
    """The pronunciation guide clip: the headword said slowly, then a sentence that uses it."""
    title = term.title
    language = title.lang.split("-")[0].lower()
    words = " ".join(render_inline(title.text, language).sentences) or title.text
    headword = Sentence(id="term_s1", parts=apply(speakable(words, language), lexicon))
    utterances = [Utterance("term", "title", title.lang, (headword,), (words,), 0.7, rate_factor=0.6)]
    example = term.field("example")
    if example is not None and example.lang == title.lang:
        sentences, texts = block_sentences(example, lexicon)
        if sentences:
            utterances.append(Utterance("example", "paragraph", example.lang, sentences, texts, 0.3))
    return tuple(utterances)
