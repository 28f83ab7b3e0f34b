"""What a build reads, by content hash: equal fingerprints mean the published site is already this build."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audio_build import __version__
from audio_build.cache import code_version
from audio_build.config import Config


def _hash_files(paths: Sequence[Path], root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(paths):
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def input_fingerprint(config: Config, options: dict[str, Any]) -> dict[str, Any]:
    """Every input the build reads, by content hash: equal fingerprints mean nothing to do."""
    files: list[Path] = []
    if config.path is not None:
        files.append(config.path)
    files.extend(config.content_dir.rglob("*.md"))
    for loc in config.locales:
        folder = config.locales_dir / loc.info.folder
        if folder.is_dir():
            files.extend(folder.glob("LC_MESSAGES/*.po"))
            files.extend(folder.glob("*.pls"))
    return {
        "audio-build": __version__,
        "options": options,
        "files": _hash_files(files, config.root),
        "package": code_version("**/*.py", "publish/templates/*", "publish/static/*"),
    }
