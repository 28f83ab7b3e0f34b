"""The package's shape, checked: stages depend only on earlier stages, imports sit at the top of modules,
no module keeps state with `global`, every module says what it owns, and modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "audio_build"
# The pipeline in order: a stage may import itself, the shared top-level modules and earlier stages.
STAGES = ("content", "i18n", "speech", "audio", "publish", "run", "reports")
SHARED = {"audio_build", "audio_build.config", "audio_build.errors", "audio_build.files", "audio_build.cache",
          "audio_build.workers"}
# Imports allowed inside functions: the CLI's commands (start-up time), the console entry (it registers its
# exit handler before the CLI's imports register theirs) and optional engines and extras.
LAZY_OK = {"audio_build/cli.py", "audio_build/__main__.py"}
LAZY_MODULES = {"audio_build.speech.engines.espeak", "audio_build.speech.engines.gtts_engine",
                "audio_build.speech.engines.piper", "audio_build.speech.engines.kokoro",
                "audio_build.run.distributed", "dask.distributed", "espeakng_loader", "zhconv",
                "rapidfuzz.distance",
                # heavy to import, needed only by some builds (issue 15: a pages-only or no-op build skips them)
                "weasyprint", "weasyprint.pdf", "weasyprint.text.fonts", "watchfiles",
                "segno"}  # and only a handout with the site's address has a QR code
MAX_LINES = 400

MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_stages_import_only_earlier_stages(path: Path) -> None:
    module = _name(path)[:-3].replace("/", ".").removesuffix(".__init__")
    own = _stage(module)
    if module == "audio_build.cli":
        return  # the front end sits above every stage
    for _, imported in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if not imported.startswith("audio_build") or imported in SHARED:
            continue
        target = _stage(imported)
        if own is None:  # a shared module: it may use data types of a stage, never run or publish
            assert target not in ("publish", "run", "reports"), f"{module} imports {imported}"
        elif target is not None:
            assert STAGES.index(target) <= STAGES.index(own), f"{module} ({own}) imports {imported} ({target})"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_imports_at_the_top_no_global_a_docstring_and_a_small_module(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert ast.get_docstring(tree), f"{_name(path)} does not say what it owns"
    top_level = {id(node) for node in tree.body}
    for node, imported in _imports(tree):
        if id(node) in top_level or _name(path) in LAZY_OK or imported in LAZY_MODULES:
            continue
        if any(id(node) in {id(n) for n in ast.walk(parent)} for parent in tree.body
               if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test)):
            continue
        pytest.fail(f"{_name(path)}:{node.lineno}: import of {imported} inside a function")
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)], f"{_name(path)} uses `global`"
    assert len(source.splitlines()) <= MAX_LINES, f"{_name(path)} has grown past {MAX_LINES} lines"


def test_no_production_module_reads_a_test_switch() -> None:
    for path in MODULES:
        source = path.read_text(encoding="utf-8")
        for marker in ("FAILPOINT", "AUDIO_BUILD_TEST", "only for testing", "pytest"):
            assert marker not in source, f"{_name(path)} mentions {marker!r}"
