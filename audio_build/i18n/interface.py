"""Interface strings from the `site` catalog, for templates.

Translations are data, never markup: a `UiText` escapes itself when rendered. When a string is not
translated (or its translation is unsafe), the source text is shown inside `<span lang="en">` so a
screen reader switches voice; in attributes, templates use `|plain`, which drops that span.

On a right-to-left page the fallback span also says `dir="ltr"` (an isolate, so English punctuation and
numbers do not jump around Arabic text), and values formatted into a fallback (a duration or a size that
Babel wrote in the page's language) are marked with the page's language inside it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Self

from markupsafe import Markup, escape

from audio_build.content.markup import translation_problems
from audio_build.errors import AudioBuildError
from audio_build.i18n.locales import locale_info


def direction(tag: str) -> str:
    """"rtl" or "ltr" for a language tag (unknown tags are taken as left-to-right)."""
    try:
        return locale_info(tag).direction
    except AudioBuildError:
        return "ltr"


def _fields(template: str) -> list[tuple[str, str | None]] | None:
    """(literal text, field name) pairs; None unless every field is a bare name like {size}.

    A translation is data: "{size.__class__}", "{size!r}" or "{size:>999999999}" would make str.format
    reach into objects or allocate without bound, so such templates are never formatted.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    pairs: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (not name.isidentifier() or spec or conversion):
            return None
        pairs.append((literal, name))
    return pairs


def _lang_span(text: Markup | str, lang: str, dir: str) -> Markup:
    if dir:
        return Markup('<span lang="{}" dir="{}">{}</span>').format(lang, dir, text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def _ui_text(value: str, lang: str, fallback: bool, dir: str, inner: Markup | None) -> UiText:
    return UiText(value, lang, fallback, dir=dir, inner=inner)


class UiText(str):
    """A translated interface string that knows which language it is in."""

    lang: str
    fallback: bool
    dir: str  # `dir` attribute of the fallback span; "" when the page's direction is the same
    inner: Markup | None  # the fallback's HTML with formatted values marked in the page's language

    def __new__(cls, value: str, lang: str, fallback: bool, *, dir: str = "",
                inner: Markup | None = None) -> Self:
        obj = super().__new__(cls, value)
        obj.lang = lang
        obj.fallback = fallback
        obj.dir = dir
        obj.inner = inner
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        """Travels to worker processes (the handouts are made there) with its language and fallback state."""
        return (_ui_text, (str(self), self.lang, self.fallback, self.dir, self.inner))

    def __html__(self) -> Markup:
        text = self.inner if self.inner is not None else escape(str.__str__(self))
        if self.fallback:
            return _lang_span(text, self.lang, self.dir)
        return Markup(text)


def N_(message: str) -> str:
    """Marks a string for the `site` catalog where it is defined; it is translated where it is used."""
    return message


def plain(value: Any) -> str:
    """For attributes and <title>: the text alone (Jinja escapes it as usual)."""
    return str.__str__(value) if isinstance(value, str) else str(value)


class Interface:
    """gettext-style functions bound to one locale's usable site translations."""

    def __init__(self, strings: Mapping[tuple[str, str | None], str], lang: str, source_lang: str,
                 language: str = "") -> None:
        self._strings = strings
        self.lang = lang
        self.source_lang = source_lang
        self._language = language
        self.missing: set[str] = set()
        self._checked: dict[tuple[str, str | None], UiText] = {}
        self.dir = direction(lang)
        self._source_dir = direction(source_lang)

    def translations(self) -> list[tuple[tuple[str, str | None], str]]:
        """Every translation this interface may show, in a stable order: what books and handouts made with it
        depend on (part of their cache keys)."""
        return sorted(self._strings.items())

    def _lookup(self, msgid: str, context: str | None) -> UiText:
        key = (msgid, context)
        if key not in self._checked:  # each string is checked once per locale, not once per page
            self._checked[key] = self._check(msgid, context)
        return self._checked[key]

    def _check(self, msgid: str, context: str | None) -> UiText:
        translated = self._strings.get((msgid, context))
        if translated and not translation_problems(msgid, translated, self._language) \
                and _fields(translated) is not None:
            return UiText(translated, self.lang, False)
        if self.lang != self.source_lang:
            self.missing.add(msgid)
        return UiText(msgid, self.source_lang, self.lang != self.source_lang,
                      dir=self._source_dir if self._source_dir != self.dir else "")

    def gettext(self, msgid: str, **values: Any) -> UiText:
        return self._format(self._lookup(msgid, None), values)

    def pgettext(self, context: str, msgid: str, **values: Any) -> UiText:
        return self._format(self._lookup(msgid, context), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> UiText:
        # Interface strings avoid plurals by design (labels, not counted sentences); English rule applies.
        chosen = self._lookup(singular if n == 1 else plural, None)
        return self._format(chosen, {"n": n, **values})

    def _format(self, text: UiText, values: Mapping[str, Any]) -> UiText:
        if not values:
            return text
        template = str.__str__(text)
        pairs = _fields(template)
        if pairs is None or any(name is not None and name not in values for _, name in pairs):
            return UiText(template, text.lang, text.fallback, dir=text.dir)
        formatted = "".join(literal + (plain(values[name]) if name is not None else "") for literal, name in pairs)
        inner = None
        if text.fallback:
            # "Length: {duration}" is English, but Babel wrote the duration in the page's language.
            inner = Markup("").join(escape(literal) + (self._mark(values[name]) if name is not None else "")
                                    for literal, name in pairs)
        return UiText(formatted, text.lang, text.fallback, dir=text.dir, inner=inner)

    def _mark(self, value: Any) -> Markup | str:
        if isinstance(value, UiText):
            return value.__html__() if value.fallback else _lang_span(value.__html__(), self.lang, self._value_dir)
        if isinstance(value, str) and value.strip():
            return _lang_span(plain(value), self.lang, self._value_dir)
        return plain(value)

    @property
    def _value_dir(self) -> str:
        return self.dir if self.dir != self._source_dir else ""

    def functions(self) -> dict[str, Any]:
        return {"_": self.gettext, "gettext": self.gettext, "pgettext": self.pgettext, "ngettext": self.ngettext}
