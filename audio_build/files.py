"""Disk writes that never leave half a file, and the project lock.

Every output and every catalog goes through `write_bytes`: temp file in the same folder, fsync,
rename. A crash leaves either the old file or the new one. Unchanged content is not rewritten, so
mtimes stay put and incremental tools downstream see nothing new.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from audio_build.errors import AudioBuildError, BuildLockedError

LOCK_NAME = ".audio-build.lock"


def explain_os_error(exc: OSError, path: Path) -> AudioBuildError:
    if exc.errno == errno.ENOSPC:
        return AudioBuildError("the disk is full; nothing was replaced", path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return AudioBuildError("permission denied; nothing was replaced", path)
    return AudioBuildError(f"cannot write: {exc.strerror or exc}", path)


def write_bytes(path: Path, data: bytes, *, only_if_changed: bool = True, durable: bool = True) -> bool:
    """Atomically replace `path` with `data`; return False (and touch nothing) when it already holds it.

    `durable=False` skips the fsync for files that carry their own checksum (the cache): a crash can
    leave them stale or missing, never half-used, and the build stays fast.
    """
    if only_if_changed:
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except OSError:
            pass
    write_streamed(path, lambda handle: handle.write(data), durable=durable)
    return True


def write_streamed(path: Path, write: Callable[[IO[bytes]], object], *, durable: bool = True) -> None:
    """Atomically replace `path` with what `write` puts into a file (so a large output, an ebook holding a
    locale's audio, never sits in memory); a failure, or an interruption, leaves `path` as it was."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise explain_os_error(exc, path) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def file_sha256(path: Path) -> str:
    """Streamed, so large audio and bundles never sit in memory to be hashed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sweep_temp_files(folder: Path) -> int:
    """Remove temp files a killed process left behind (they are never read)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for tmp in folder.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


@contextlib.contextmanager
def project_lock(root: Path, *, wait: float = 0.0) -> Iterator[None]:
    """One writer per project: a second build or update waits up to `wait` seconds, then says why it stops."""
    lock = FileLock(str(root / LOCK_NAME))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise BuildLockedError(
            "another audio-build command is running on this project; wait for it to finish "
            "(or pass --wait SECONDS)", root / LOCK_NAME) from None
    try:
        yield
    finally:
        lock.release()
