"""The per-locale site model: everything one locale's pages, books and bundle show, built once and frozen.

The build makes a `LocaleSite` from the localized documents, then derives a new one (`dataclasses.replace`)
as audio and downloads are ready; renderers only read it. No stage fills in another stage's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from audio_build.i18n.interface import Interface
from audio_build.i18n.locales import LocaleInfo
from audio_build.i18n.localize import LocalizedDocument


@dataclass(frozen=True)
class AudioOutput:
    """What the audio stage made for one document in one locale (paths relative to the site root)."""

    mp3: str
    vtt: str
    size: int
    duration: float
    timings: Mapping[str, tuple[float, float]]  # sentence id -> (begin, end) seconds
    chapters: tuple[tuple[str, float], ...]  # (block id of a heading, start) in reading order


@dataclass(frozen=True)
class Download:
    path: str  # relative to the site root
    kind: str  # "epub" | "zip" | "mp3"
    size: int
    lang: str


@dataclass(frozen=True)
class LocaleSite:
    """Everything one locale's pages show."""

    info: LocaleInfo
    ui: Interface
    docs: Mapping[tuple[str, str], LocalizedDocument]  # published documents only, by (kind, slug)
    audio: Mapping[tuple[str, str], AudioOutput] = field(default_factory=dict)
    audio_available: bool = True
    voice: str = ""  # engine and voice that read the audio, e.g. "Piper, en_US-joe-medium"
    ipa: Mapping[str, str] = field(default_factory=dict)  # term slug -> IPA of the localized headword
    term_clips: Mapping[str, str] = field(default_factory=dict)  # term slug -> clip path
    downloads: Mapping[tuple[str, str], tuple[Download, ...]] = field(default_factory=dict)  # per doc
    locale_downloads: tuple[Download, ...] = ()
