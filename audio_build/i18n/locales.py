"""Locale identities: one locale has a BCP 47 tag for pages and a gettext folder name for catalogs.

Pages say `zh-Hans` and `pt-BR`; gettext folders say `zh_Hans` and `pt_BR`. Every other module asks this
one, so the two spellings never drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from audio_build.errors import ConfigError

_SAFE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}


@dataclass(frozen=True)
class LocaleInfo:
    tag: str  # BCP 47, used in HTML lang/hreflang and URLs: "pt-BR"
    folder: str  # gettext convention, used under locales/: "pt_BR"
    language: str  # primary language subtag: "pt"
    direction: str  # "ltr" or "rtl"
    native_name: str  # the language named in itself: "português (Brasil)"
    english_name: str
    plural_forms: str  # gettext Plural-Forms header value
    num_plurals: int


def _babel_locale(folder: str) -> Locale:
    return Locale.parse(folder)


@cache
def locale_info(code: str) -> LocaleInfo:
    """Describe a locale given either spelling; refuse anything that could be a path trick."""
    if not _SAFE_TAG.match(code or ""):
        raise ConfigError(f"'{code}' is not a valid language tag (expected something like 'es', 'pt-BR', 'zh-Hans')")
    parts = re.split(r"[-_]", code)
    language = parts[0].lower()
    rest = []
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            rest.append(part.title())  # script: Hans
        elif len(part) in (2, 3) and part.isalpha():
            rest.append(part.upper())  # region: BR
        else:
            rest.append(part)
    folder = "_".join([language, *rest])
    tag = "-".join([language, *rest])
    try:
        babel_locale = _babel_locale(folder)
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"'{code}' is not a language CLDR knows (expected something like 'es', 'pt-BR', "
                          f"'zh-Hans')") from None
    native = babel_locale.get_display_name(babel_locale) or tag
    english = babel_locale.get_display_name("en") or tag
    plural = get_plural(folder)
    return LocaleInfo(
        tag=tag,
        folder=folder,
        language=language,
        direction="rtl" if language in _RTL_LANGUAGES else "ltr",
        native_name=native[:1].upper() + native[1:] if language not in {"en"} else native,
        english_name=english,
        plural_forms=plural.plural_forms,
        num_plurals=plural.num_plurals,
    )


def babel_locale(info: LocaleInfo) -> Locale:
    return _babel_locale(info.folder)


# ISO 639-2/T codes (ID3's TLAN, EPUB's dc:language fallbacks); Babel has no 639-2 table, and the set is small.
ISO_639_2 = {"en": "eng", "es": "spa", "zh": "zho", "vi": "vie", "ko": "kor", "tl": "tgl", "ru": "rus", "ar": "ara",
             "ht": "hat", "fr": "fra", "pt": "por", "de": "deu", "it": "ita", "ja": "jpn", "hi": "hin", "fa": "fas",
             "pl": "pol", "uk": "ukr", "so": "som", "am": "amh", "ne": "nep", "bn": "ben", "ur": "urd", "yue": "yue"}
