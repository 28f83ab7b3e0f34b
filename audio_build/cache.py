"""Content-addressed cache for synthesized clips and encoded files.

A key is the sha256 of everything that could change the bytes (engine, engine version, voice, rate,
exact engine input). Entries are written atomically and carry their own checksum; an entry that fails
verification is deleted and made again, never used. The folder can live on shared storage so every
worker and every machine reuses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from audio_build.files import file_sha256, write_bytes, write_streamed
from audio_build.speech.model import Clip

CLIP_MAGIC = b"AUDIOBUILD-CLIP-1\n"
PACKAGE_DIR = Path(__file__).resolve().parent


def code_version(*patterns: str) -> str:
    """Hash of our own files that shape an output (glob patterns under the package): part of its cache key,
    so changing the code that makes something makes it again. The one place the package hashes itself."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(PACKAGE_DIR.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def key_of(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    root: Path

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.root / kind / key[:2] / f"{key}{suffix}"

    # ----------------------------------------------------------------------------------------- clips
    def clip_path(self, key: str) -> Path:
        return self._path("clips", key, ".clip")

    def load_clip(self, key: str) -> Clip | None:
        path = self.clip_path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        clip = _decode_clip(data)
        if clip is None:  # corrupt or truncated: never use it
            with contextlib.suppress(OSError):
                path.unlink()
        return clip

    def store_clip(self, key: str, clip: Clip) -> None:
        pcm = np.ascontiguousarray(clip.samples, dtype="<i2").tobytes()
        header = {"rate": clip.sample_rate, "samples": len(clip.samples), "ends": list(clip.sentence_ends),
                  "sha256": hashlib.sha256(pcm).hexdigest()}
        write_bytes(self.clip_path(key), CLIP_MAGIC + json.dumps(header).encode() + b"\n" + pcm,
                    only_if_changed=False, durable=False)

    # ----------------------------------------------------------------------------------------- files
    def file_path(self, key: str, suffix: str) -> Path:
        return self._path("files", key, suffix)

    def load_file(self, key: str, suffix: str) -> Path | None:
        """A finished output (MP3, EPUB, ZIP) with its sha256 recorded beside it; verified on use."""
        path = self.file_path(key, suffix)
        check = _checksum_path(path)
        try:
            expected = check.read_text().strip()
        except OSError:
            return None
        if not path.exists() or file_sha256(path) != expected:
            for stale in (path, check):
                with contextlib.suppress(OSError):
                    stale.unlink()
            return None
        return path

    def store_file(self, key: str, suffix: str, data: bytes) -> Path:
        path = self.file_path(key, suffix)
        write_bytes(path, data, only_if_changed=False, durable=False)
        _record_checksum(path, hashlib.sha256(data).hexdigest())
        return path

    def store_written(self, key: str, suffix: str, write: Callable[[IO[bytes]], object]) -> Path:
        """`store_file` for an output `write` streams into a file: a locale's whole-collection ebook or
        bundle holds all its audio (hundreds of MB for 400 articles), never all in memory at once."""
        path = self.file_path(key, suffix)
        write_streamed(path, write, durable=False)
        _record_checksum(path, file_sha256(path))
        return path


def _checksum_path(path: Path) -> Path:
    """Where a cached file's sha256 is recorded: `load_file` uses the file only if it still matches."""
    return path.with_name(path.name + ".sha256")


def _record_checksum(path: Path, sha256: str) -> None:
    write_bytes(_checksum_path(path), sha256.encode(), only_if_changed=False, durable=False)


def _decode_clip(data: bytes) -> Clip | None:
    if not data.startswith(CLIP_MAGIC):
        return None
    newline = data.find(b"\n", len(CLIP_MAGIC))
    if newline < 0:
        return None
    try:
        header = json.loads(data[len(CLIP_MAGIC):newline])
        pcm = data[newline + 1:]
        if len(pcm) != int(header["samples"]) * 2 or hashlib.sha256(pcm).hexdigest() != header["sha256"]:
            return None
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
        return Clip(samples=samples, sample_rate=int(header["rate"]),
                    sentence_ends=tuple(float(x) for x in header["ends"]))
    except (ValueError, KeyError, TypeError):
        return None
