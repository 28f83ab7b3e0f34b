"""Tagalog spoken by espeak-ng's Indonesian voice: Tagalog spelling -> the Indonesian voice's phonemes.

espeak-ng has no Tagalog voice. Tagalog spelling is close to phonemic and its sounds are nearly all
Indonesian ones, but the Indonesian voice *reads* Tagalog wrongly: `ng` as the letters "en ge", `mga`
without its vowel, every `e` as a schwa, digits as Indonesian numbers. So Tagalog text does not reach the
voice as text: each word is converted here to espeak-ng phoneme codes of the `id` voice (spoken through
`[[...]]`), with Tagalog's rules:

- letters: a e i o u (e is open /ɛ/), ng = /ŋ/, y = /j/, r = the tap/trill, loan letters c, f, j, ñ, q,
  v, x, z as Filipino speakers say them;
- the particles `ng` /naŋ/ and `mga` /maˈŋa/;
- a hyphen or a doubled vowel is a glottal stop (`mag-aral`, `maaari`);
- stress on the second-to-last syllable, the most common Tagalog pattern, unless an accent mark
  (á, à, â) says otherwise; words whose stress differs belong in the lexicon, like every hard word;
- whole numbers as Tagalog numerals; capitalized abbreviations letter by letter, with the English
  letter names the Filipino alphabet uses, and so a lone letter joined by a hyphen (`x-ray`);
- symbols as words (`&` at, `%` porsiyento).

Words the locale's lexicon knows never come here: they keep their own `x-espeak` phonemes (or alias).
Measured with the intelligibility benchmark (benchmarks/voice_trials.py), see README.
"""

from __future__ import annotations

import re
import unicodedata

VOICE = "id"
VOWELS = {"a": "a", "e": "E", "i": "i", "o": "o", "u": "u"}
_ACCENTS = {"\u0301": "acute", "\u0300": "grave", "\u0302": "circumflex"}
# Consonant letters (after digraphs are taken) -> Indonesian-voice phoneme codes.
CONSONANTS = {
    "b": "b", "d": "d", "g": "g", "h": "h", "k": "k", "l": "l", "m": "m", "n": "n", "p": "p", "r": "R2",
    "s": "s", "t": "t", "w": "w", "y": "j", "c": "k", "f": "f", "j": "dZ", "q": "k", "v": "b", "z": "s",
    "x": "ks", "ñ": "nj",
}
DIGRAPHS = {"ng": "N", "ts": "tS", "ch": "tS", "sh": "S", "ll": "lj"}
PARTICLES = {"ng": "n'aN", "mga": "ma'Na"}
# Symbols said as words (elsewhere punctuation other than pauses is dropped).
SYMBOLS = {"&": "at", "%": "porsiyento", "+": "plus", "=": "katumbas ng", "°": "digri"}
LETTER_NAMES = {
    "a": "'ej", "b": "b'i", "c": "s'i", "d": "d'i", "e": "'i", "f": "'Ef", "g": "dZ'i", "h": "'ejtS", "i": "'aj",
    "j": "dZ'ej", "k": "k'ej", "l": "'El", "m": "'Em", "n": "'En", "ñ": "'EnjE", "o": "'o", "p": "p'i",
    "q": "kj'u", "r": "'aR2", "s": "'Es", "t": "t'i", "u": "j'u", "v": "b'i", "w": "d'obolju", "x": "'Eks",
    "y": "w'aj", "z": "s'i",
}

ONES = ("", "isa", "dalawa", "tatlo", "apat", "lima", "anim", "pito", "walo", "siyam")
TEENS = ("sampu", "labing-isa", "labindalawa", "labintatlo", "labing-apat", "labinlima", "labing-anim",
         "labimpito", "labingwalo", "labinsiyam")
TENS = ("", "", "dalawampu", "tatlumpu", "apatnapu", "limampu", "animnapu", "pitumpu", "walumpu", "siyamnapu")
HUNDREDS = ("", "sandaan", "dalawandaan", "tatlong daan", "apat na raan", "limandaan", "anim na raan",
            "pitong daan", "walong daan", "siyam na raan")

_TOKEN = re.compile(r"(\d+(?:[.,]\d+)*)|([^\W\d_]+(?:[-'’][^\W\d_]+)*)|(\s+)|(.)", re.UNICODE)


def number_words(value: int) -> str:
    """A whole number in Tagalog numerals (`dalawampu't isa` for 21); digits beyond a million stay digits."""
    if value == 0:
        return "sero"
    if value >= 1_000_000:
        return " ".join(number_words(int(d)) for d in str(value))
    parts: list[str] = []
    thousands, rest = divmod(value, 1000)
    if thousands:
        parts.append("sanlibo" if thousands == 1 else f"{_linked(number_words(thousands))} libo")
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        parts.append(HUNDREDS[hundreds])
    if rest:
        if rest < 10:
            parts.append(ONES[rest])
        elif rest < 20:
            parts.append(TEENS[rest - 10])
        else:
            tens, ones = divmod(rest, 10)
            parts.append(TENS[tens] + (f"'t {ONES[ones]}" if ones else ""))
    if len(parts) > 1 and not parts[-1].startswith(("sanlibo", "sandaan")):
        return " ".join(parts[:-1]) + " at " + parts[-1]
    return " ".join(parts)


def _linked(word: str) -> str:
    """Tagalog's linker before the word it describes: `dalawang`, `apat na`, `anim na` (after n: `-g`)."""
    if word.endswith(("a", "e", "i", "o", "u")):
        return word + "ng"
    if word.endswith("n"):
        return word + "g"
    return word + " na"


def _letters(word: str) -> list[tuple[str, str]]:
    """(base letter, accent) pairs: accent marks are Tagalog stress/glottal marks, not other vowels."""
    letters: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _ACCENTS and letters:
            letters[-1] = (letters[-1][0], _ACCENTS[char])
        elif char == "\u0303" and letters and letters[-1][0] == "n":
            letters[-1] = ("ñ", "")
        elif not unicodedata.combining(char):
            letters.append((char, ""))
    return letters


def word_phonemes(word: str) -> str:
    """One Tagalog word (letters, hyphens, apostrophes) -> Indonesian-voice phoneme codes with stress."""
    folded = word.lower().replace("’", "'")
    if folded in PARTICLES:
        return PARTICLES[folded]
    letters = _letters(folded)
    codes: list[str] = []
    vowel_slots: list[int] = []  # index in codes of every vowel
    accents: dict[int, str] = {}
    index = 0
    previous_vowel = ""
    while index < len(letters):
        letter, accent = letters[index]
        pair = letter + (letters[index + 1][0] if index + 1 < len(letters) else "")
        if pair in DIGRAPHS:
            codes.append(DIGRAPHS[pair])
            previous_vowel = ""
            index += 2
            continue
        if letter in VOWELS:
            if letter == previous_vowel and codes and codes[-1] != "?":
                codes.append("?")  # maaari: a glottal stop between the vowels
            vowel_slots.append(len(codes))
            if accent:
                accents[len(vowel_slots) - 1] = accent
            codes.append(VOWELS[letter])
            previous_vowel = letter
        elif letter in ("-", "'"):
            next_is_vowel = index + 1 < len(letters) and letters[index + 1][0] in VOWELS
            if next_is_vowel and codes:
                codes.append("?")
            previous_vowel = ""
        elif letter == "c" and index + 1 < len(letters) and letters[index + 1][0] in "ei":
            codes.append("s")
            previous_vowel = ""
        elif letter in CONSONANTS:
            codes.append(CONSONANTS[letter])
            previous_vowel = ""
        index += 1
    if not vowel_slots:
        return "".join(LETTER_NAMES.get(letter, "") for letter, _ in letters)
    stressed = len(vowel_slots) - 2 if len(vowel_slots) > 1 else 0
    for syllable, accent in accents.items():
        if accent in ("acute", "circumflex"):
            stressed = syllable
    for syllable, accent in accents.items():
        if accent in ("grave", "circumflex") and syllable == len(vowel_slots) - 1:
            codes.append("?")  # final glottal stop (malumi, maragsa)
    slot = vowel_slots[stressed]
    codes[slot] = "'" + codes[slot]
    return "".join(codes)


def _pieces(word: str) -> list[str]:
    """A word cut where a single letter is joined by a hyphen (`x-ray` -> `x`, `ray`); other words stay whole."""
    pieces = word.split("-")
    if len(pieces) > 1 and any(len(p) == 1 for p in pieces):
        return [p for p in pieces if p]
    return [word]


def _is_abbreviation(word: str) -> bool:
    return len(word) > 1 and word.isupper() and word.isalpha()


def phonemes(text: str) -> str:
    """Tagalog text -> `[[...]]` blocks for the Indonesian voice; punctuation stays text (pauses, clauses).

    Every character of the text either becomes phonemes, stays punctuation/space, or is dropped: nothing
    from a catalog can become engine markup (brackets are never copied).
    """
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        number, word, space, other = match.groups()
        if number is not None:
            digits = number.replace(",", "").replace(".", "")
            words = number_words(int(digits)) if digits.isdigit() and len(digits) <= 12 else digits
            out.append(" [[" + " ".join(word_phonemes(w) for w in words.split()) + "]] ")
        elif word is not None:
            if _is_abbreviation(word):
                codes = " ".join(LETTER_NAMES.get(letter, "") for letter in word.lower())
            else:
                codes = " ".join(LETTER_NAMES.get(piece.lower(), "") if len(piece) == 1 else word_phonemes(piece)
                                 for piece in _pieces(word))
            out.append(f" [[{codes}]] " if codes else " ")
        elif space is not None:
            out.append(" ")
        elif other in ".,;:!?…":
            out.append(other)
        elif other in SYMBOLS:
            out.append(" [[" + " ".join(word_phonemes(w) for w in SYMBOLS[other].split()) + "]] ")
        else:
            out.append(" ")
    return " ".join("".join(out).split())
