"""The output folder as atomic generations: readers see the old site or the new one, never a mix.

`site` is a symbolic link to `.site-versions/<n>/`. A build fills a fresh generation (hard-linking
every file whose bytes did not change, so unchanged files keep their inode and mtime), writes
`manifest.json` last, then swaps the link with one rename. A crash at any moment leaves the link on
a complete generation; leftovers are swept by the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio_build.errors import AudioBuildError
from audio_build.files import explain_os_error, file_sha256

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Output:
    """One file of the site: bytes in memory, or a file already on disk (audio, EPUB, ZIP in the cache)."""

    data: bytes | None = None
    source: Path | None = None
    sha256: str = ""
    size: int = 0

    @staticmethod
    def of_bytes(data: bytes) -> Output:
        return Output(data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    @staticmethod
    def of_file(path: Path, sha256: str | None = None) -> Output:
        digest = sha256 or file_sha256(path)
        return Output(source=path, sha256=digest, size=path.stat().st_size)


def versions_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}-versions"


def current_generation(output_dir: Path) -> Path | None:
    if output_dir.is_symlink():
        target = output_dir.resolve()
        return target if target.is_dir() else None
    return None


def read_manifest(output_dir: Path) -> dict[str, Any]:
    current = current_generation(output_dir)
    if current is None:
        return {}
    try:
        data = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def manifest_bytes(outputs: Mapping[str, Output], inputs: Mapping[str, Any]) -> bytes:
    manifest = {
        "format": 1,
        "inputs": inputs,
        "outputs": {path: {"size": out.size, "sha256": out.sha256} for path, out in sorted(outputs.items())},
    }
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class PublishResult:
    written: int
    kept: int
    removed: int
    generation: Path | None
    changed: bool


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def publish(output_dir: Path, outputs: Mapping[str, Output], inputs: Mapping[str, Any],
            durable: bool = True) -> PublishResult:
    """Make `outputs` the site, touching nothing when the site already holds exactly them.

    `durable=False` (previews in `serve`) skips syncing the disk: a preview is rebuilt anyway.
    """
    manifest = manifest_bytes(outputs, inputs)
    current = current_generation(output_dir)
    if current is not None:
        try:
            if (current / MANIFEST).read_bytes() == manifest:
                return PublishResult(written=0, kept=len(outputs), removed=0, generation=current, changed=False)
        except OSError:
            pass
    previous = read_manifest(output_dir).get("outputs", {})
    versions = versions_dir(output_dir)
    try:
        versions.mkdir(parents=True, exist_ok=True)
        number = 1 + max([int(p.name) for p in versions.iterdir() if p.name.isdigit()] + [0])
        generation = versions / f"{number:06d}"
        staging = versions / f".{number:06d}.partial"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        written = kept = 0
        for rel, out in sorted(outputs.items()):
            _check_relative(rel)
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            old = previous.get(rel)
            if current is not None and old and old.get("sha256") == out.sha256 and (current / rel).is_file():
                _link_or_copy(current / rel, target)
                kept += 1
            elif out.source is not None:
                _link_or_copy(out.source, target)
                written += 1
            else:
                assert out.data is not None
                target.write_bytes(out.data)
                written += 1
        (staging / MANIFEST).write_bytes(manifest)
        if durable:
            _fsync_tree(staging)
        os.rename(staging, generation)
        _swap_link(output_dir, generation)
    except OSError as exc:
        raise explain_os_error(exc, output_dir) from None
    removed = sum(1 for rel in previous if rel not in outputs)
    sweep(output_dir)
    return PublishResult(written=written, kept=kept, removed=removed, generation=generation, changed=True)


def _check_relative(rel: str) -> None:
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise AudioBuildError(f"refusing to write outside the output folder: {rel}")


def _fsync_tree(folder: Path) -> None:
    """Everything of the new generation on disk before the link moves (power loss, not only crashes).

    One sync() call costs a fraction of an fsync per file when a build writes thousands of pages.
    """
    os.sync()
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_link(output_dir: Path, generation: Path) -> None:
    relative_target = os.path.relpath(generation, output_dir.parent)
    if output_dir.exists() and not output_dir.is_symlink():
        if output_dir.is_dir():
            # An output folder from before generations: move it aside once, then link.
            aside = versions_dir(output_dir) / "000000-legacy"
            if aside.exists():
                shutil.rmtree(aside)
            os.rename(output_dir, aside)
        else:
            raise AudioBuildError("the output path exists and is not a folder", output_dir)
    temp_link = output_dir.parent / f".{output_dir.name}.link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temp_link.unlink()
    os.symlink(relative_target, temp_link)
    os.replace(temp_link, output_dir)
    with contextlib.suppress(OSError):
        fd = os.open(output_dir.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sweep(output_dir: Path) -> None:
    """Remove generations nobody points at (and partial ones a crash left behind)."""
    versions = versions_dir(output_dir)
    current = current_generation(output_dir)
    if not versions.is_dir():
        return
    for child in versions.iterdir():
        if current is not None and child.resolve() == current:
            continue
        with contextlib.suppress(OSError):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    for stray in output_dir.parent.glob(f".{output_dir.name}.link-*"):
        with contextlib.suppress(OSError):
            stray.unlink()
