"""One exception family, so the CLI can print any user mistake as one line and exit cleanly."""

from __future__ import annotations

from pathlib import Path


class AudioBuildError(Exception):
    """A problem the user can fix: it names the file and line when there is one."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class ContentError(AudioBuildError):
    """A source article or glossary entry cannot be read."""


class CatalogError(AudioBuildError):
    """A .po/.pot file cannot be read or would lose work if written."""


class ConfigError(AudioBuildError):
    """audio-build.toml is missing, malformed or inconsistent."""


class LexiconError(AudioBuildError):
    """A PLS pronunciation lexicon cannot be read safely."""


class EngineError(AudioBuildError):
    """A speech engine failed to produce audio for a clip."""


class EngineUnavailable(EngineError):
    """The engine cannot work here at all (not installed, no network): the locale builds without audio."""


class BuildLockedError(AudioBuildError):
    """Another build or update holds the project lock."""
