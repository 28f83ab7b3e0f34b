"""Property: whatever authors do to the source, `update` never drops a msgstr a catalog held.

Hypothesis drives random sequences of source edits (add, reword, remove, restore, reorder blocks),
translator work (fill or change msgstrs) and extract+update runs on a real project on disk; after every
update, every msgstr that was in the .po file before it is still in the file (active, fuzzy or `#~`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_build.catalog import all_strings, read_catalog, write_catalog
from audio_build.config import load_config
from audio_build.translate import extract, update

WORDS = ["blood", "test", "vein", "needle", "arm", "sample", "tube", "nurse", "small", "sting", "rest", "water"]
CONFIG = """\
[site]
title = "Property test"
[publish]
locales = ["en", "fr"]
"""

sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(lambda w: " ".join(w).capitalize() + ".")
operation = st.one_of(
    st.tuples(st.just("add"), sentence),
    st.tuples(st.just("reword"), st.integers(0, 50), st.sampled_from(WORDS)),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("restore"), st.integers(0, 50)),
    st.tuples(st.just("swap"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("translate"), st.integers(0, 50), st.sampled_from(["premier", "deuxième", "encore"])),
    st.tuples(st.just("update")),
)


def write_source(root: Path, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    (root / "content" / "doc.md").write_text(
        f"---\ntitle: Doc\nsummary: A short summary.\nupdated: 2024-01-01\n---\n\n{body}\n", encoding="utf-8")


def run_update(root: Path) -> None:
    config = load_config(root / "audio-build.toml")
    extract(config)
    update(config)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(sentence, min_size=1, max_size=5, unique=True), ops=st.lists(operation, max_size=12))
def test_update_never_loses_a_msgstr(start: list[str], ops: list[tuple[object, ...]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-"))
    try:
        (root / "content").mkdir()
        (root / "audio-build.toml").write_text(CONFIG, encoding="utf-8")
        paragraphs = list(start)
        removed: list[str] = []
        write_source(root, paragraphs)
        run_update(root)
        po = root / "locales" / "fr" / "LC_MESSAGES" / "doc.po"
        for op in ops:
            kind = op[0]
            if kind == "add":
                paragraphs.append(str(op[1]))
            elif kind == "reword" and paragraphs:
                index = int(op[1]) % len(paragraphs)  # type: ignore[call-overload]
                paragraphs[index] = paragraphs[index].rstrip(".") + f" {op[2]}."
            elif kind == "remove" and paragraphs:
                removed.append(paragraphs.pop(int(op[1]) % len(paragraphs)))  # type: ignore[call-overload]
            elif kind == "restore" and removed:
                paragraphs.append(removed.pop(int(op[1]) % len(removed)))  # type: ignore[call-overload]
            elif kind == "swap" and len(paragraphs) > 1:
                a, b = int(op[1]) % len(paragraphs), int(op[2]) % len(paragraphs)  # type: ignore[call-overload]
                paragraphs[a], paragraphs[b] = paragraphs[b], paragraphs[a]
            elif kind == "translate":
                catalog = read_catalog(po)
                messages = [m for m in catalog if m.id]
                if messages:
                    message = messages[int(op[1]) % len(messages)]  # type: ignore[call-overload]
                    message.string = f"{op[2]} {message.id}"
                    write_catalog(po, catalog)
            elif kind == "update":
                before = sorted(all_strings(read_catalog(po)))
                paragraphs = list(dict.fromkeys(paragraphs))  # identical paragraphs are one message anyway
                write_source(root, paragraphs)
                run_update(root)
                after = all_strings(read_catalog(po))
                missing = [s for s in before if s not in after]
                assert not missing, f"update lost {missing}"
            write_source(root, list(dict.fromkeys(paragraphs)) or ["Empty."])
    finally:
        shutil.rmtree(root, ignore_errors=True)
