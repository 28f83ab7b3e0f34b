"""Properties: whatever authors do to the source, `update` never drops a msgstr a catalog held.

Hypothesis drives random sequences of source edits (add, reword, remove, restore, reorder blocks),
translator work (fill or change msgstrs) and extract+update runs on a real project on disk; after every
update, every msgstr that was in the .po file before it is still in the file (active, fuzzy or `#~`).
The merge itself is checked pair by pair (msgctxt + msgid -> msgstr, plural forms included) through Babel's
reader rather than ours, and every merged file must pass GNU `msgfmt -c`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_build.config import load_config
from audio_build.i18n.commands import extract, update
from audio_build.i18n.pofile import read_catalog, write_catalog
from tests.helpers import all_strings

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


# -------------------------------------------------- merge, pair by pair, with contexts and plural forms
Key = tuple[str, str | None]
msgid = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
context = st.one_of(st.none(), st.sampled_from(["term", "respelling", "menu"]))
entry = st.tuples(msgid, context, st.booleans())  # (msgid, msgctxt, plural?)


def _read_pairs(data: bytes) -> tuple[dict[Key, object], dict[Key, object], set[Key]]:
    """Babel's own reader, not the project's: active msgstrs, obsolete msgstrs, fuzzy keys."""
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data))

    def key(message: object) -> Key:
        ident = message.id  # type: ignore[attr-defined]
        return (ident if isinstance(ident, str) else ident[0], message.context)  # type: ignore[attr-defined]

    active = {key(m): m.string for m in catalog if m.id}
    obsolete = {key(m): m.string for m in catalog.obsolete.values()}
    fuzzy = {key(m) for m in catalog if m.id and m.fuzzy}
    return active, obsolete, fuzzy


@settings(max_examples=150, deadline=None)
@given(old_entries=st.lists(entry, max_size=8, unique_by=lambda e: (e[0], e[1])),
       new_entries=st.lists(entry, max_size=8, unique_by=lambda e: (e[0], e[1])),
       fuzzy_mask=st.lists(st.booleans(), min_size=8, max_size=8))
def test_merge_keeps_every_translation_pair(old_entries: list[tuple[str, str | None, bool]],
                                            new_entries: list[tuple[str, str | None, bool]],
                                            fuzzy_mask: list[bool]) -> None:
    import subprocess

    from babel.messages.catalog import Catalog

    from audio_build.i18n.catalog import merge
    from audio_build.i18n.pofile import serialize

    old = Catalog(locale="fr", domain="d")
    for index, (ident, ctx, plural) in enumerate(old_entries):
        flags = {"fuzzy"} if fuzzy_mask[index] else set()
        if plural:
            old.add((ident, ident + " many"), string=(f"un {ident}", f"des {ident}"), context=ctx, flags=flags)
        else:
            old.add(ident, string=f"fr {ident} {ctx}", context=ctx, flags=flags)
    template = Catalog(domain="d")
    for ident, ctx, plural in new_entries:
        template.add((ident, ident + " many") if plural else ident, context=ctx)
    before_active, _, before_fuzzy = _read_pairs(serialize(old))
    data = serialize(merge(old, template))
    assert shutil.which("msgfmt"), "GNU gettext is installed by `make test`"
    proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", "-"], input=data, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    after_active, after_obsolete, after_fuzzy = _read_pairs(data)
    new_keys = {(ident, ctx): plural for ident, ctx, plural in new_entries}
    old_plural = {(ident, ctx): plural for ident, ctx, plural in old_entries}
    for key, string in before_active.items():
        if key in new_keys:
            kept = after_active[key]
            if new_keys[key] == old_plural[key]:  # same shape: the same translation, the same review state
                assert kept == string and ((key in after_fuzzy) == (key in before_fuzzy)), key
            else:  # singular <-> plural: the first form kept where it fits, and sent to review
                assert key in after_fuzzy, key
                first = string[0] if isinstance(string, tuple) else string
                assert (kept[0] if isinstance(kept, tuple) else kept) == first, key
        else:  # gone from the source: kept, translated, as an obsolete entry
            assert after_obsolete.get(key) == string, key
