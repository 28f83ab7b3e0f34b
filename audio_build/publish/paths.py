"""Where every output lives inside the site, and relative links between them.

All links are relative and name `index.html` explicitly, so the site and the offline bundles work
from `file://` with no server.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from audio_build.content.model import ARTICLE

STATIC_DIR = "static"


def locale_index(tag: str) -> str:
    return f"{tag}/index.html"


def doc_dir(tag: str, kind: str, slug: str) -> str:
    return f"{tag}/{slug}" if kind == ARTICLE else f"{tag}/glossary/{slug}"


def doc_page(tag: str, kind: str, slug: str) -> str:
    return f"{doc_dir(tag, kind, slug)}/index.html"


def glossary_page(tag: str) -> str:
    return f"{tag}/glossary/index.html"


def pronunciation_page(tag: str) -> str:
    return f"{tag}/pronunciation/index.html"


def doc_audio(tag: str, kind: str, slug: str, ext: str) -> str:
    """The spoken article and its companions: .mp3, .vtt, .json (sync map), .epub."""
    return f"{doc_dir(tag, kind, slug)}/{slug}.{tag}.{ext}"


def term_clip(tag: str, slug: str) -> str:
    return f"{tag}/pronunciation/{slug}.{tag}.mp3"


def locale_epub(tag: str) -> str:
    return f"{tag}/all-articles.{tag}.epub"


def bundle(tag: str) -> str:
    return f"downloads/{tag}.zip"


def relative(from_page: str, to_path: str) -> str:
    """Link from one output file to another, both given relative to the site root.

    Pure string work on normalized site paths (posixpath.relpath would consult the working
    directory on every call, and pages make hundreds of thousands of links). Cached by the page's
    folder: every page in one folder links to a file the same way.
    """
    return _relative_from(posixpath.dirname(posixpath.normpath(from_page)), to_path)


@lru_cache(maxsize=65536)
def _relative_from(folder: str, to_path: str) -> str:
    start = [part for part in folder.split("/") if part not in ("", ".")]
    target = [part for part in posixpath.normpath(to_path).split("/") if part not in ("", ".")]
    common = 0
    while common < min(len(start), len(target)) and start[common] == target[common]:
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    return "/".join(parts) or "."


def root_prefix(from_page: str) -> str:
    depth = from_page.count("/")
    return "../" * depth
