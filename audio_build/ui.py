"""Interface strings from the `site` catalog, for templates.

Translations are data, never markup: a `UiText` escapes itself when rendered. When a string is not
translated (or its translation is unsafe), the source text is shown inside `<span lang="en">` so a
screen reader switches voice; in attributes, templates use `|plain`, which drops that span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from .markup import translation_problems


class UiText(str):
    """A translated interface string that knows which language it is in."""

    lang: str
    fallback: bool

    def __new__(cls, value: str, lang: str, fallback: bool) -> UiText:
        obj = super().__new__(cls, value)
        obj.lang = lang
        obj.fallback = fallback
        return obj

    def __html__(self) -> Markup:
        text = escape(str.__str__(self))
        if self.fallback:
            return Markup('<span lang="{}">{}</span>').format(self.lang, text)
        return Markup(text)


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

    def _lookup(self, msgid: str, context: str | None) -> UiText:
        translated = self._strings.get((msgid, context))
        if translated and not translation_problems(msgid, translated, self._language):
            return UiText(translated, self.lang, False)
        if self.lang != self.source_lang:
            self.missing.add(msgid)
        return UiText(msgid, self.source_lang, self.lang != self.source_lang)

    def gettext(self, msgid: str, **values: Any) -> UiText:
        return self._format(self._lookup(msgid, None), values)

    def pgettext(self, context: str, msgid: str, **values: Any) -> UiText:
        return self._format(self._lookup(msgid, context), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> UiText:
        # Interface strings avoid plurals by design (labels, not counted sentences); English rule applies.
        chosen = self._lookup(singular if n == 1 else plural, None)
        return self._format(chosen, {"n": n, **values})

    @staticmethod
    def _format(text: UiText, values: Mapping[str, Any]) -> UiText:
        if not values:
            return text
        try:
            formatted = str.__str__(text).format_map({k: plain(v) for k, v in values.items()})
        except (KeyError, IndexError, ValueError):
            formatted = str.__str__(text)
        return UiText(formatted, text.lang, text.fallback)

    def functions(self) -> dict[str, Any]:
        return {"_": self.gettext, "gettext": self.gettext, "pgettext": self.pgettext, "ngettext": self.ngettext}
