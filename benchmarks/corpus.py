"""Synthetic audio-build projects for benchmarks: N articles x M locales, deterministic from a seed.

Each article has the seeds' structure (title, summary, category, ``##`` headings, paragraphs, a bulleted
list with **bold** lead-ins, a glossary term mentioned in the text, a link to another article, references)
and speaks for about a minute (~120-200 words). The glossary grows with the corpus (one term per
``ARTICLES_PER_TERM`` articles) so the work per article stays the same at every size: exactly so at 10, 100,
400 and 1,000 articles (a size that is not a multiple rounds up: 15 articles have two terms). For the same
reason each article's summary and first heading name its own guide number: with only the topic in them
(20 topics), a 400-article project spoke each once for 20 articles and a 10-article one once per article, and
the scaling figure compared 6.2 unique blocks per article against 5.0 (15.1 clips against 17.4).

Catalogs are made the way a project makes them: ``audio-build extract`` + ``audio-build update`` (the real
console script), then every msgstr is filled with Babel by a pseudo-translation that keeps inline markup,
link targets and placeholders, and stays speakable by the locale's espeak-ng voice (accents for Latin-script
languages, a Cyrillic transliteration for Russian).

    python benchmarks/corpus.py /tmp/proj --articles 100 --locales es fr
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CLI = REPO / ".venv" / "bin" / "audio-build"
# 10, not 20: at 20 the smallest size the benchmarks build (10 articles) rounded up to one term, twice the
# larger projects' share, and the scaling figure compared unequal work per article.
ARTICLES_PER_TERM = 10

# ----------------------------------------------------------------------------------------- vocabulary

TOPICS = ["blood pressure", "sleep", "kidney health", "asthma", "back pain", "headaches", "diabetes",
          "skin care", "eye health", "hearing", "joint pain", "heart health", "healthy eating", "stress",
          "allergies", "bone health", "fever", "coughs and colds", "dental care", "vitamins"]
CATEGORIES = ["Medical tests", "Conditions", "Healthy living", "Treatments", "Medicines"]
NOUNS = ["body", "heart", "blood", "skin", "lungs", "muscles", "bones", "eyes", "doctor", "nurse", "clinic",
         "medicine", "test", "treatment", "family", "diet", "water", "exercise", "rest", "symptoms"]
VERBS = ["check", "protect", "support", "improve", "change", "measure", "treat", "watch", "help", "ease"]
ADJECTIVES = ["simple", "common", "safe", "healthy", "regular", "gentle", "short", "careful", "early", "daily"]
LEADS = ["Drink water.", "Rest well.", "Move often.", "Eat slowly.", "Ask questions.", "Write it down.",
         "Take breaks.", "Bring a list.", "Call early.", "Keep records."]
PREFIXES = ["cardio", "gastro", "neuro", "derma", "osteo", "hepato", "nephro", "pulmo", "arthro", "myo"]
SUFFIXES = ["scopy", "graphy", "plasty", "tomy", "logy", "pathy", "metry", "gram"]
# espeak-ng voices speak these pseudo-translations; the mapping keeps every word pronounceable.
ACCENTS = {
    "es": str.maketrans({"a": "á", "e": "é", "o": "ó", "n": "ñ"}),
    "fr": str.maketrans({"e": "é", "a": "à", "u": "û", "c": "ç"}),
    "pt": str.maketrans({"a": "ã", "o": "õ", "c": "ç", "e": "ê"}),
    "vi": str.maketrans({"a": "ă", "o": "ơ", "u": "ư", "d": "đ"}),
    "ht": str.maketrans({"c": "k", "u": "ou", "e": "è", "q": "k"}),
    "de": str.maketrans({"a": "ä", "o": "ö", "u": "ü"}),
    "it": str.maketrans({"a": "à", "e": "è", "o": "ò"}),
    "ru": str.maketrans({"a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
                         "i": "и", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
                         "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс",
                         "y": "й", "z": "з"}),
}
# Spans a translation must keep byte for byte: link targets, {placeholders}, %(printf)s, HTML tags/entities.
_PROTECTED = re.compile(r"\]\([^)]*\)|\{[^{}]*\}|%\([^)]*\)[a-z]|%[sd]|<[^>]+>|&[a-z]+;|https?://\S+")
_WORD = re.compile(r"[A-Za-z]+")


def pseudo_translate(text: str, language: str) -> str:
    """A word-by-word, markup-preserving pseudo-translation (the same word always comes out the same)."""
    table = ACCENTS.get(language.split("-")[0].split("_")[0].lower())
    if table is None:
        return text

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        lowered = w.lower().translate(table)
        return lowered.capitalize() if w[:1].isupper() else lowered

    out, last = [], 0
    for match in _PROTECTED.finditer(text):
        out.append(_WORD.sub(word, text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_WORD.sub(word, text[last:]))
    return "".join(out)


# -------------------------------------------------------------------------------------------- content

def term_word(k: int) -> str:
    base = PREFIXES[k % len(PREFIXES)] + SUFFIXES[(k // len(PREFIXES)) % len(SUFFIXES)]
    rounds = k // (len(PREFIXES) * len(SUFFIXES))
    return base + ("ic" * rounds)


def term_slug(k: int) -> str:
    return term_word(k)


def article_slug(i: int) -> str:
    return f"topic-{i:04d}"


def term_count(articles: int) -> int:
    return max(1, -(-articles // ARTICLES_PER_TERM))


def _respelling(word: str) -> str:
    chunks = [word[i:i + 3] for i in range(0, len(word), 3)]
    stressed = 1 if len(chunks) > 1 else 0
    return "-".join(c.upper() if n == stressed else c for n, c in enumerate(chunks))


def _sentence(rng: random.Random, extra: str = "") -> str:
    pattern = rng.randrange(4)
    a, b = rng.sample(NOUNS, 2)
    verb, adj = rng.choice(VERBS), rng.choice(ADJECTIVES)
    if pattern == 0:
        text = f"A {adj} plan can {verb} your {a} and your {b}"
    elif pattern == 1:
        text = f"Your {a} needs {adj} care, so ask how to {verb} it"
    elif pattern == 2:
        text = f"Many people {verb} their {a} with {adj} steps at home"
    else:
        text = f"Talk with your {b} about {adj} ways to {verb} your {a}"
    return text + (f" {extra}" if extra else "") + "."


def _paragraph(rng: random.Random, sentences: int, mention: str = "") -> str:
    parts = [_sentence(rng) for _ in range(sentences)]
    if mention:
        parts.insert(1, f"Some clinics use {mention} to look more closely.")
    return " ".join(parts)


def _yaml_block(text: str) -> str:
    return ">-\n  " + text


def article_markdown(i: int, articles: int, seed: int) -> str:
    rng = random.Random(f"{seed}:article:{i}")
    topic = TOPICS[i % len(TOPICS)]
    k = i // ARTICLES_PER_TERM
    term = term_word(k)
    title = f"{topic.capitalize()} guide {i + 1}"
    summary = f"Guide {i + 1} explains {topic} in plain words. {_sentence(rng)}"
    lines = ["---", f"title: {title}", f"summary: {_yaml_block(summary)}", f"category: {rng.choice(CATEGORIES)}",
             f"updated: 2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"related_terms: [{term_slug(k)}]"]
    if i > 0:
        lines.append(f"related_articles: [{article_slug(i - 1)}]")
    lines += ["references:",
              f'  - "Health Library [Internet]. Springfield: Health Press; c2024. {title}; [cited 2025 Jan 5]."',
              f"  - text: \"National Health Service. {topic.capitalize()} basics. 2023.\"",
              f"    url: https://example.org/health/{article_slug(i)}",
              "    lang: en",
              "---", ""]
    body = [f"## What does guide {i + 1} say about {topic}?", "", _paragraph(rng, 3, mention=term), "",
            "## What can I do?", ""]
    for lead in rng.sample(LEADS, 3):
        body.append(f"- **{lead}** {_sentence(rng)}")
    body += ["", "## When should I get help?", "", _paragraph(rng, 2)]
    if i > 0:
        body[-1] += f" You can also read [the guide before this one](article:{article_slug(i - 1)})."
    return "\n".join(lines + body) + "\n"


def term_markdown(k: int, seed: int) -> str:
    rng = random.Random(f"{seed}:term:{k}")
    word = term_word(k)
    return "\n".join([
        "---",
        f"term: {word.capitalize()}",
        f"respelling: {_respelling(word)}",
        "part_of_speech: noun",
        f"definition: {_yaml_block(f'A test that lets a doctor look at your {rng.choice(NOUNS)} closely.')}",
        f"summary: {_yaml_block(f'{word.capitalize()} is a {rng.choice(ADJECTIVES)} test. ' + _sentence(rng))}",
        f"example: The doctor ordered {word} last week.",
        "category: Diagnostic imaging",
        f"link_words: {word}",
        "updated: 2026-01-15",
        f"related_articles: [{article_slug(k * ARTICLES_PER_TERM)}]",
        "---",
        "",
        _paragraph(rng, 2),
        "",
    ])


def config_toml(locales: Sequence[str], title: str = "Benchmark Health Library") -> str:
    tags = ", ".join(f'"{t}"' for t in ["en", *locales])
    return f"""[site]
title = "{title}"
source_language = "en"
publisher = "audio-build benchmarks"

[publish]
locales = [{tags}]
threshold = 80
check_threshold = 100

[speech]
engine = "espeak"
rate = 160
"""


# ------------------------------------------------------------------------------------------- catalogs

def fill_catalogs(locales_dir: Path) -> int:
    """Give every message of every .po a pseudo-translation (Babel read/write); returns messages filled."""
    from babel.messages.pofile import read_po, write_po

    filled = 0
    for po in sorted(locales_dir.glob("*/LC_MESSAGES/*.po")):
        folder = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=folder)
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.id, (list, tuple)):
                count = max(1, catalog.num_plurals)
                message.string = tuple(pseudo_translate(message.id[min(n, 1)], folder) for n in range(count))
            else:
                message.string = pseudo_translate(message.id, folder)
            message.flags.discard("fuzzy")
            message.previous_id = []
            filled += 1
        catalog.fuzzy = False
        with po.open("wb") as handle:
            write_po(handle, catalog, width=79, ignore_obsolete=True)
    return filled


@dataclass
class Generated:
    root: Path
    articles: int
    terms: int
    locales: list[str]
    messages_filled: int
    seconds: dict[str, float]


def run_cli(cli: Path, *args: str, cwd: Path) -> None:
    result = subprocess.run([str(cli), *args], check=False, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"audio-build {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")


def write_content(root: Path, articles: int, locales: Sequence[str], seed: int = 0) -> int:
    """Content and configuration only (no catalogs); returns the number of glossary terms."""
    content = root / "content"
    (content / "terms").mkdir(parents=True, exist_ok=True)
    (root / "locales").mkdir(exist_ok=True)
    (root / "audio-build.toml").write_text(config_toml(locales), encoding="utf-8")
    for i in range(articles):
        (content / f"{article_slug(i)}.md").write_text(article_markdown(i, articles, seed), encoding="utf-8")
    terms = term_count(articles)
    for k in range(terms):
        (content / "terms" / f"{term_slug(k)}.md").write_text(term_markdown(k, seed), encoding="utf-8")
    return terms


def generate(root: Path, articles: int, locales: Sequence[str], seed: int = 0, cli: Path = DEFAULT_CLI,
             catalogs: bool = True) -> Generated:
    """Write a complete project at `root` (which must not exist or be empty)."""
    root.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    terms = write_content(root, articles, locales, seed)
    seconds["content"] = time.perf_counter() - started
    filled = 0
    if catalogs and locales:
        started = time.perf_counter()
        run_cli(cli, "extract", "-q", cwd=root)
        seconds["extract"] = time.perf_counter() - started
        started = time.perf_counter()
        run_cli(cli, "update", "-q", cwd=root)
        seconds["update"] = time.perf_counter() - started
        started = time.perf_counter()
        filled = fill_catalogs(root / "locales")
        seconds["fill"] = time.perf_counter() - started
    return Generated(root, articles, terms, list(locales), filled, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--locales", nargs="*", default=["es"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = generate(args.root, args.articles, args.locales, args.seed)
    print(f"{result.root}: {result.articles} articles, {result.terms} terms, locales {result.locales}, "
          f"{result.messages_filled} msgstrs filled; " +
          ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
