"""audio-build.toml: read and validated in one place, so every other module can trust its values."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audio_build.errors import ConfigError
from audio_build.i18n.locales import LocaleInfo, locale_info

CONFIG_NAME = "audio-build.toml"
ENGINES = ("espeak", "gtts", "piper", "kokoro", "none")
# Clearest first, by the intelligibility benchmark: Piper's neural voice where it has one (English),
# espeak-ng everywhere else. A locale speaks with the first engine of its list that loads and has a voice.
DEFAULT_ENGINES = ("piper", "espeak")

_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "site": {
        "title": str,
        "source_language": str,
        "content": str,
        "locales_dir": str,
        "output": str,
        "cache": str,
        "publisher": str,
        "url": str,
    },
    "handouts": {"paper": str, "enabled": bool},
    "publish": {"locales": list, "threshold": (int, float), "check_threshold": (int, float)},
    "speech": {"engine": (str, list), "rate": int, "strict": bool, "audio": bool},
    "engines.gtts": {
        "requests_per_second": (int, float),
        "timeout": (int, float),
        "retries": int,
        "backoff": (int, float),
        "url": str,
    },
    "engines.espeak": {"timeout": (int, float)},
    "engines.piper": {"voice": str},
    "locale": {"engine": (str, list), "voice": str, "name": str, "english_name": str, "rate": int},
}


@dataclass(frozen=True)
class LocaleConfig:
    info: LocaleInfo
    engines: tuple[str, ...]  # in order of preference: the first that loads and has a voice speaks
    voice: str | None
    rate: int

    @property
    def tag(self) -> str:
        return self.info.tag

    @property
    def engine(self) -> str:
        return self.engines[0]


@dataclass(frozen=True)
class GttsSettings:
    requests_per_second: float = 2.0
    timeout: float = 10.0
    retries: int = 4
    backoff: float = 1.0
    url: str | None = None  # a proxy or mirror of Google Translate's endpoint: replaces https://translate.google.<tld>


@dataclass(frozen=True)
class Config:
    root: Path
    title: str = "Health information"
    source: LocaleInfo = field(default_factory=lambda: locale_info("en"))
    content_dir: Path = Path("content")
    locales_dir: Path = Path("locales")
    output_dir: Path = Path("site")
    cache_dir: Path = Path(".audio-build-cache")
    publisher: str = ""
    locales: tuple[LocaleConfig, ...] = ()
    publish_threshold: float = 100.0
    check_threshold: float = 100.0
    engines: tuple[str, ...] = DEFAULT_ENGINES
    rate: int = 165
    strict: bool = False
    audio: bool = True
    gtts: GttsSettings = field(default_factory=GttsSettings)
    espeak_timeout: float = 60.0
    piper_voice: str | None = None
    site_url: str | None = None  # where the site is published: handouts' QR codes open its pages
    handout_paper: str = "letter"  # "letter" or "a4"
    handouts: bool = True
    path: Path | None = None

    @property
    def target_locales(self) -> tuple[LocaleConfig, ...]:
        """Locales that have catalogs (every published locale except the source language)."""
        return tuple(loc for loc in self.locales if loc.tag != self.source.tag)

    def locale(self, code: str) -> LocaleConfig:
        wanted = locale_info(code).tag
        for loc in self.locales:
            if loc.tag == wanted:
                return loc
        raise ConfigError(f"locale '{code}' is not listed in [publish] locales", self.path)

    def selected(self, codes: Sequence[str]) -> list[LocaleConfig]:
        """The locales named on the command line (`-l`), or every configured locale when none is."""
        return [self.locale(code) for code in codes] if codes else list(self.locales)

    @property
    def engine(self) -> str:
        return self.engines[0]

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **changes)


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _check_table(table: dict[str, Any], schema_name: str, label: str, path: Path, text: str) -> None:
    schema = _SCHEMA[schema_name]
    for key, value in table.items():
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise ConfigError(f"unknown key '{key}' in [{label}] (known keys: {known})", path, _line_of(text, key))
        expected = schema[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            kind = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise ConfigError(f"'{key}' in [{label}] must be {kind}", path, _line_of(text, key))


def _relative_dir(root: Path, value: str, key: str, path: Path, text: str) -> Path:
    candidate = Path(value)
    if candidate.is_absolute():
        return candidate
    resolved = (root / candidate).resolve()
    if root.resolve() not in (resolved, *resolved.parents):
        raise ConfigError(f"'{key}' must stay inside the project folder", path, _line_of(text, key))
    return root / candidate


def find_config(start: Path) -> Path:
    for folder in (start, *start.resolve().parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(f"no {CONFIG_NAME} found in {start} or any parent folder (run from a project folder)")


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("is not valid UTF-8", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path, int(match.group(1)) if match else None) from None
    return parse_config(data, path.parent, path, text)


def parse_config(data: dict[str, Any], root: Path, path: Path, text: str = "") -> Config:
    known_tables = {"site", "publish", "speech", "engines", "locale", "handouts"}
    for key in data:
        if key not in known_tables:
            raise ConfigError(f"unknown table [{key}] (known: {', '.join(sorted(known_tables))})",
                              path, _line_of(text, key) or _table_line(text, key))
    site = data.get("site", {})
    publish = data.get("publish", {})
    speech = data.get("speech", {})
    engines = data.get("engines", {})
    per_locale = data.get("locale", {})
    _check_table(site, "site", "site", path, text)
    _check_table(publish, "publish", "publish", path, text)
    _check_table(speech, "speech", "speech", path, text)
    _check_table(data.get("handouts", {}), "handouts", "handouts", path, text)
    for name, engine_table in engines.items():
        if f"engines.{name}" not in _SCHEMA:
            raise ConfigError(f"unknown engine table [engines.{name}] (engines: {', '.join(ENGINES[:-1])})",
                              path, _table_line(text, f"engines.{name}"))
        _check_table(engine_table, f"engines.{name}", f"engines.{name}", path, text)

    try:
        source = locale_info(site.get("source_language", "en"))
    except ConfigError as exc:
        raise ConfigError(exc.message, path, _line_of(text, "source_language")) from None
    engine_chain = _engine_chain(speech.get("engine", list(DEFAULT_ENGINES)), "[speech]", path, _line_of(text, "engine"))
    rate = speech.get("rate", 165)
    if not 80 <= rate <= 450:
        raise ConfigError("'rate' in [speech] must be between 80 and 450 words per minute", path, _line_of(text, "rate"))

    codes = publish.get("locales", [source.tag])
    if not codes or not all(isinstance(c, str) for c in codes):
        raise ConfigError("[publish] locales must be a non-empty list of language tags", path, _line_of(text, "locales"))
    for code in codes:
        try:
            locale_info(code)
        except ConfigError as exc:
            raise ConfigError(exc.message, path, _line_of(text, "locales")) from None
    if source.tag not in {locale_info(c).tag for c in codes}:
        codes = [source.tag, *codes]
    locales: list[LocaleConfig] = []
    seen: set[str] = set()
    overrides_seen: set[str] = set()
    for code in codes:
        try:
            info = locale_info(code)
        except ConfigError as exc:
            raise ConfigError(exc.message, path, _line_of(text, "locales")) from None
        if info.tag in seen:
            raise ConfigError(f"locale '{code}' is listed twice", path, _line_of(text, "locales"))
        seen.add(info.tag)
        table: dict[str, Any] = {}
        for key in (code, info.tag, info.folder):
            if key in per_locale:
                table = per_locale[key]
                overrides_seen.add(key)
        _check_table(table, "locale", f"locale.{code}", path, text)
        loc_engines = engine_chain
        if "engine" in table:
            loc_engines = _engine_chain(table["engine"], f"[locale.{code}]", path, _table_line(text, f"locale.{code}"))
        if "name" in table or "english_name" in table:
            info = replace(info, native_name=table.get("name", info.native_name),
                           english_name=table.get("english_name", info.english_name))
        voice = table.get("voice")
        voice = _voice_path(root, voice)
        locales.append(LocaleConfig(info=info, engines=loc_engines, voice=voice,
                                    rate=table.get("rate", rate)))
    for key in per_locale:
        if key not in overrides_seen:
            raise ConfigError(f"[locale.{key}] is not in [publish] locales", path, _table_line(text, f"locale.{key}"))

    threshold = float(publish.get("threshold", 100))
    check_threshold = float(publish.get("check_threshold", 100))
    for name, value in (("threshold", threshold), ("check_threshold", check_threshold)):
        if not 0 <= value <= 100:
            raise ConfigError(f"'{name}' in [publish] is a percentage from 0 to 100", path, _line_of(text, name))

    gtts_table = engines.get("gtts", {})
    gtts = GttsSettings(
        requests_per_second=float(gtts_table.get("requests_per_second", 2.0)),
        timeout=float(gtts_table.get("timeout", 10.0)),
        retries=int(gtts_table.get("retries", 4)),
        backoff=float(gtts_table.get("backoff", 1.0)),
        url=gtts_table.get("url"),
    )
    if gtts.requests_per_second <= 0:
        raise ConfigError("'requests_per_second' in [engines.gtts] must be above 0", path,
                          _line_of(text, "requests_per_second"))

    site_url = site.get("url")
    if site_url is not None and not re.match(r"^https?://[^\s/]+", site_url):
        raise ConfigError(f"'url' in [site] must be the address the site is published at (https://...), not "
                          f"'{site_url}'", path, _line_of(text, "url"))
    handouts = data.get("handouts", {})
    paper = handouts.get("paper", "letter").lower()
    if paper not in ("letter", "a4"):
        raise ConfigError(f"'paper' in [handouts] is 'letter' or 'a4', not '{paper}'", path, _line_of(text, "paper"))

    return Config(
        root=root,
        title=site.get("title", "Health information"),
        source=source,
        content_dir=_relative_dir(root, site.get("content", "content"), "content", path, text),
        locales_dir=_relative_dir(root, site.get("locales_dir", "locales"), "locales_dir", path, text),
        output_dir=_relative_dir(root, site.get("output", "site"), "output", path, text),
        cache_dir=_relative_dir(root, site.get("cache", ".audio-build-cache"), "cache", path, text),
        publisher=site.get("publisher", ""),
        locales=tuple(locales),
        publish_threshold=threshold,
        check_threshold=check_threshold,
        engines=engine_chain,
        rate=rate,
        strict=bool(speech.get("strict", False)),
        audio=bool(speech.get("audio", True)),
        gtts=gtts,
        espeak_timeout=float(engines.get("espeak", {}).get("timeout", 60.0)),
        piper_voice=_voice_path(root, engines.get("piper", {}).get("voice")),
        site_url=site_url,
        handout_paper=paper,
        handouts=bool(handouts.get("enabled", True)),
        path=path,
    )


def _voice_path(root: Path, voice: str | None) -> str | None:
    """A Piper model file named relative to the project is found wherever the build runs from."""
    if voice is None or not voice.endswith(".onnx") or Path(voice).expanduser().is_absolute():
        return voice
    return str(root / voice)


def _engine_chain(value: str | list[Any], where: str, path: Path, line: int | None) -> tuple[str, ...]:
    """`engine = "espeak"` or `engine = ["piper", "espeak"]` (first that can speak the locale wins)."""
    names = [value] if isinstance(value, str) else value
    if not names or not all(isinstance(name, str) for name in names):
        raise ConfigError(f"'engine' in {where} must be an engine name or a list of them", path, line)
    for name in names:
        if name not in ENGINES:
            raise ConfigError(f"unknown engine '{name}' in {where} (choose from: {', '.join(ENGINES)})", path, line)
    if len(set(names)) != len(names):
        raise ConfigError(f"'engine' in {where} names an engine twice", path, line)
    if "none" in names and len(names) > 1:
        raise ConfigError(f"'none' in {where} switches audio off: it cannot be combined with other engines",
                          path, line)
    return tuple(names)


def _table_line(text: str, name: str) -> int | None:
    match = re.search(rf"^\s*\[\s*{re.escape(name)}\s*\]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
