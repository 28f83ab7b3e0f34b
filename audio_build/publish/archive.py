"""Reproducible ZIP files (EPUB books and offline bundles): same entries in, same bytes out.

Entries that are files on disk (audio) are streamed into the archive, so a bundle of a large library
never sits in memory.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

_STORED_SUFFIXES = (".mp3", ".epub", ".zip", ".png", ".jpg")


def write_zip(target: IO[bytes], entries: Sequence[tuple[str, bytes | Path]], date: dt.date) -> None:
    """Fixed order (as given), timestamps and permissions; media and `mimetype` stored, text deflated."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype" or name.endswith(_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if not stored:  # the attribute is public from Python 3.13, private before
                setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 9)
            if isinstance(data, Path):
                info.file_size = data.stat().st_size
                with data.open("rb") as source, archive.open(info, "w") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
            else:
                archive.writestr(info, data)
