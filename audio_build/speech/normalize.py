"""Text normalization for speech: small per-language rules for what engines misread (number ranges, units,
symbols, abbreviations), each a tiny function as in gTTS's tokenizer. Only the engine's input changes; pages
and captions keep the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = Callable[[str], str]


def _sub(pattern: str, replacement: str, flags: int = 0) -> Rule:
    compiled = re.compile(pattern, flags)
    return lambda text: compiled.sub(replacement, text)


# A number range ("10–20", "2-3 days") is said with the language's word for "to"; without it the dash rule
# below would make it a pause ("ten, twenty"). Languages whose range needs a construction around both
# numbers (Russian "от ... до ...") are left to the engine.
RANGE_WORDS = {"en": "to", "es": "a", "fr": "à", "pt": "a", "it": "a", "vi": "đến", "zh": "到", "ko": "에서",
               "ar": "إلى", "tl": "hanggang", "fil": "hanggang", "de": "bis"}
_RANGE = re.compile(r"(?<![\d.,\-–])(\d+(?:[.,]\d+)?)\s*([–—-])\s*(\d+(?:[.,]\d+)?)(?![\d\-–])")


def _ranges(language: str) -> Rule:
    word = RANGE_WORDS.get(language)
    if word is None:
        return lambda text: text
    joiner = word + " " if language == "ko" else f" {word} "  # Korean: "10에서 20"

    def say(match: re.Match[str]) -> str:
        first, dash, second = match.groups()
        if dash == "-" and len(first) == 3 and len(second) == 4:  # 555-1234 is a phone number
            return match.group(0)
        return first + joiner + second

    return lambda text: _RANGE.sub(say, text)


# Units after a number, said as words (engines spell "mg" and "mL" out letter by letter, and some read
# "°C" as "degrees C"): (singular, plural) per language. Russian and Arabic inflect the unit with the
# number in ways one word cannot follow, and Korean says "섭씨 38도" around the number: left to the engine.
UNIT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {"mg": ("milligram", "milligrams"), "mL": ("milliliter", "milliliters"), "kg": ("kilogram", "kilograms"),
           "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
           "mmHg": ("millimeter of mercury", "millimeters of mercury"),
           "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit")},
    "es": {"mg": ("miligramo", "miligramos"), "mL": ("mililitro", "mililitros"), "kg": ("kilogramo", "kilogramos"),
           "cm": ("centímetro", "centímetros"), "mm": ("milímetro", "milímetros"),
           "mmHg": ("milímetro de mercurio", "milímetros de mercurio"),
           "°C": ("grado Celsius", "grados Celsius"), "°F": ("grado Fahrenheit", "grados Fahrenheit")},
    "fr": {"mg": ("milligramme", "milligrammes"), "mL": ("millilitre", "millilitres"),
           "kg": ("kilogramme", "kilogrammes"), "cm": ("centimètre", "centimètres"), "mm": ("millimètre", "millimètres"),
           "mmHg": ("millimètre de mercure", "millimètres de mercure"),
           "°C": ("degré Celsius", "degrés Celsius"), "°F": ("degré Fahrenheit", "degrés Fahrenheit")},
    "pt": {"mg": ("miligrama", "miligramas"), "mL": ("mililitro", "mililitros"), "kg": ("quilograma", "quilogramas"),
           "cm": ("centímetro", "centímetros"), "mm": ("milímetro", "milímetros"),
           "mmHg": ("milímetro de mercúrio", "milímetros de mercúrio"),
           "°C": ("grau Celsius", "graus Celsius"), "°F": ("grau Fahrenheit", "graus Fahrenheit")},
    "vi": {"mg": ("miligam",) * 2, "mL": ("mililít",) * 2, "kg": ("kilôgam",) * 2, "cm": ("xentimét",) * 2,
           "mm": ("milimét",) * 2, "mmHg": ("milimét thủy ngân",) * 2, "°C": ("độ C",) * 2, "°F": ("độ F",) * 2},
    "zh": {"mg": ("毫克",) * 2, "mL": ("毫升",) * 2, "kg": ("公斤",) * 2, "cm": ("厘米",) * 2, "mm": ("毫米",) * 2,
           "mmHg": ("毫米汞柱",) * 2, "°C": ("摄氏度",) * 2, "°F": ("华氏度",) * 2},
    "ko": {"mg": ("밀리그램",) * 2, "mL": ("밀리리터",) * 2, "kg": ("킬로그램",) * 2, "cm": ("센티미터",) * 2,
           "mm": ("밀리미터",) * 2},
    "ht": {"mg": ("miligram",) * 2, "mL": ("mililit",) * 2, "kg": ("kilogram",) * 2, "cm": ("santimèt",) * 2,
           "mm": ("milimèt",) * 2, "mmHg": ("milimèt mèki",) * 2, "°C": ("degre Sèlsiyis",) * 2,
           "°F": ("degre Farennayt",) * 2},
    "tl": {"mg": ("miligramo",) * 2, "mL": ("mililitro",) * 2, "kg": ("kilo",) * 2, "cm": ("sentimetro",) * 2,
           "mm": ("milimetro",) * 2, "mmHg": ("milimetro ng merkuryo",) * 2, "°C": ("digri Celsius",) * 2,
           "°F": ("digri Fahrenheit",) * 2},
}
_UNIT = re.compile(r"(?<![\dA-Za-z.,])(\d+(?:[.,]\d+)?)\s*(mmHg|mg|mL|ml|kg|cm|mm|°\s?C|°\s?F)(?![A-Za-z0-9])")
# "&" between words, and "%" where the language's voice says it in English.
AND_WORDS = {"en": "and", "es": "y", "fr": "et", "pt": "e", "it": "e", "vi": "và", "zh": "和", "ko": "및", "ru": "и",
             "ar": "و", "ht": "ak", "tl": "at", "fil": "at", "de": "und"}
PERCENT_WORDS = {"ht": "pousan"}


def _units(language: str) -> Rule:
    words = UNIT_WORDS.get(language)
    if words is None:
        return lambda text: text

    def say(match: re.Match[str]) -> str:
        number, unit = match.groups()
        unit = "mL" if unit == "ml" else unit.replace(" ", "")
        value = float(number.replace(",", "."))
        singular, plural = words.get(unit, (unit, unit))
        one = value < 2 if language == "fr" else value == 1  # French: "1,5 kilogramme"
        return f"{number} {singular if one else plural}"

    return lambda text: _UNIT.sub(say, text)


def _symbols(language: str) -> Rule:
    word = AND_WORDS.get(language)
    percent = PERCENT_WORDS.get(language)

    def say(text: str) -> str:
        if word is not None:
            text = re.sub(r"\s*&\s*", f" {word} ", text)
        if percent is not None:
            text = re.sub(r"(\d)\s*%", rf"\1 {percent}", text)
        return text

    return say


_COMMON: tuple[Rule, ...] = (
    _sub(r"\s*[—–]\s*", ", "),  # dashes are pauses, not words
    _sub(r"(?<=\w)/(?=\w)", " / "),
    _sub(r"\bIV\b", "I V"),  # not the Roman numeral four
    _sub(r"[*_`]", ""),
    _sub(r"\s+", " "),
)
RULES: dict[str, tuple[Rule, ...]] = {
    "en": (
        _sub(r"\be\.g\.", "for example", re.IGNORECASE),
        _sub(r"\bi\.e\.", "that is", re.IGNORECASE),
        _sub(r"\bvs\.", "versus", re.IGNORECASE),
        _sub(r"\band/or\b", "and or", re.IGNORECASE),
    ),
    "es": (_sub(r"\bp\. ?ej\.", "por ejemplo", re.IGNORECASE), _sub(r"\by/o\b", "y o")),
    "fr": (_sub(r"\bp\. ?ex\.", "par exemple", re.IGNORECASE), _sub(r"\bet/ou\b", "et ou")),
    "pt": (_sub(r"\bp\. ?ex\.", "por exemplo", re.IGNORECASE), _sub(r"\be/ou\b", "e ou")),
    "ru": (_sub(r"\bт\. ?е\.", "то есть"), _sub(r"\bи т\. ?д\.", "и так далее")),
}


def speakable(text: str, language: str) -> str:
    """The sentence as the engine should read it (the page keeps the sentence as written)."""
    for rule in (*RULES.get(language, ()), _ranges(language), _units(language), _symbols(language), *_COMMON):
        text = rule(text)
    return text.strip()
