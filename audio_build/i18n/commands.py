"""The translator workflow over a project: extract, init, update, compile, check, stats.

Each function reads what it needs, validates everything before writing anything, and writes
atomically, so a bad file anywhere never costs a translation elsewhere.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.plurals import get_plural

from audio_build.config import Config
from audio_build.content.markup import translation_problems
from audio_build.content.model import Corpus
from audio_build.content.parse import load_corpus
from audio_build.errors import AudioBuildError, CatalogError
from audio_build.files import sweep_temp_files, write_bytes
from audio_build.i18n.catalog import (
    CatalogStats,
    build_template,
    compile_catalog,
    domains_in,
    merge,
    mo_path,
    new_catalog,
    po_path,
    stats,
    template_path,
)
from audio_build.i18n.extract import SITE_DOMAIN, Message, corpus_messages
from audio_build.i18n.locales import LocaleInfo, locale_info
from audio_build.i18n.pofile import content_of, read_catalog, serialize, write_catalog
from audio_build.workers import map_in_processes

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "publish" / "templates"
UI_KEYWORDS = {"_": None, "N_": None, "gettext": None, "pgettext": ((1, "c"), 2), "ngettext": (1, 2),
               "npgettext": ((1, "c"), 2, 3)}


@dataclass
class Report:
    """What a command did, for the CLI to print."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ extract

def site_messages(config: Config) -> list[Message]:
    """Interface strings: every _() / pgettext() in the package templates, plus the site title."""
    merged: dict[tuple[str, str | None], Message] = {}
    merged[(config.title, "site title")] = Message(
        config.title, "site title", (("audio-build.toml", None),),
        ("The site's name, shown at the top of every page and in page titles.",), "site-title")
    sources = [("jinja2", path, f"audio_build/{path.relative_to(PACKAGE_DIR).as_posix()}")
               for path in sorted(TEMPLATES_DIR.iterdir())
               if path.suffix in {".html", ".xhtml", ".txt", ".xml", ".opf", ".smil"}]
    sources += [("python", path, f"audio_build/{path.relative_to(PACKAGE_DIR).as_posix()}")
                for path in sorted(PACKAGE_DIR.rglob("*.py")) if "__pycache__" not in path.parts]
    for method, path, shown in sources:
        options = {"extensions": "", "silent": "false", "trimmed": "true"} if method == "jinja2" else {}
        for lineno, text, comments, context in extract_from_file(
                method, path, keywords=UI_KEYWORDS, comment_tags=("Translators:",),
                options=options, strip_comment_tags=True):
            msgid = text if isinstance(text, str) else text[0]
            if not msgid:
                continue
            key = (msgid, context)
            # The file alone, as `xgettext --add-location=file` writes it: a line number would change in eleven
            # catalogs with every code edit that moves a line, and translators would see noise, not news.
            location: tuple[str, int | None] = (shown, None)
            notes = tuple(comments)
            if key in merged:
                old = merged[key]
                locations = old.locations if location in old.locations else (*old.locations, location)
                merged[key] = Message(old.msgid, context, locations,
                                      tuple(dict.fromkeys((*old.comments, *notes))), old.block_id)
            else:
                merged[key] = Message(msgid, context, (location,), notes, "")
    return list(merged.values())


def all_messages(config: Config, corpus: Corpus) -> dict[str, list[Message]]:
    domains = corpus_messages(corpus)
    domains[SITE_DOMAIN] = site_messages(config)
    return domains


def extract(config: Config) -> Report:
    corpus = load_corpus(config.content_dir, config.root)
    report = Report()
    domains = all_messages(config, corpus)
    config.locales_dir.mkdir(parents=True, exist_ok=True)
    for domain, messages in sorted(domains.items()):
        path = template_path(config.locales_dir, domain)
        template = build_template(domain, messages, config.title)
        if path.exists():
            try:
                old = read_catalog(path)
                template.creation_date = old.creation_date
                if serialize(template) == path.read_bytes():
                    report.unchanged.append(path)
                    continue
                template.creation_date = build_template(domain, [], config.title).creation_date
            except CatalogError:
                pass  # a broken template is generated output: replace it
        write_catalog(path, template)
        report.written.append(path)
    for stale in sorted(set(domains_in(config.locales_dir)) - set(domains)):
        path = template_path(config.locales_dir, stale)
        path.unlink()
        report.skipped.append(f"removed {path} (its source is gone; translations in .po files are kept)")
    return report


# --------------------------------------------------------------------------------------- init/update

def _domains(config: Config) -> list[str]:
    domains = domains_in(config.locales_dir)
    if not domains:
        raise AudioBuildError("no templates in the locales folder; run 'audio-build extract' first",
                              config.locales_dir)
    return domains


def _templates(config: Config) -> dict[str, Catalog]:
    return {d: read_catalog(template_path(config.locales_dir, d)) for d in _domains(config)}


def init(config: Config, codes: Sequence[str]) -> Report:
    templates = _templates(config)
    report = Report()
    for code in codes:
        try:
            info = config.locale(code).info
        except AudioBuildError:
            info = locale_info(code)
        for domain, template in templates.items():
            path = po_path(config.locales_dir, info, domain)
            if path.exists():
                report.skipped.append(f"{path} already exists (use 'audio-build update')")
                continue
            write_catalog(path, new_catalog(template, info, config.title))
            report.written.append(path)
    return report


def _target_infos(config: Config, codes: Sequence[str]) -> list[LocaleInfo]:
    if codes:
        return [config.locale(c).info for c in codes]
    return [loc.info for loc in config.target_locales]


def update(config: Config, codes: Sequence[str] = (), jobs: int | None = None) -> Report:
    """Merge templates into every catalog. Reads and validates every catalog before writing any.

    Each domain (its template and its catalogs in every locale) is merged in a worker process when
    there is more than one CPU: reading, merging and writing PO text is pure Python and CPU-bound.
    """
    sweep_temp_files(config.locales_dir)  # what a killed run left behind: never read, now removed
    infos = tuple(_target_infos(config, codes))
    tasks = [(config.locales_dir, domain, infos, config.title) for domain in _domains(config)]
    merged = [item for items in map_in_processes(_merge_domain, tasks, jobs) for item in items]
    report = Report()

    with ThreadPoolExecutor(max_workers=8) as writers:  # each write ends in an fsync; overlap them
        written = list(writers.map(lambda item: item[1] is not None and write_bytes(item[0], item[1]), merged))
    for (path, _), changed in zip(merged, written, strict=True):
        (report.written if changed else report.unchanged).append(path)
    return report


def _merge_domain(task: tuple[Path, str, tuple[LocaleInfo, ...], str]) -> list[tuple[Path, bytes | None]]:
    """The merged text of one domain's catalog in every locale (nothing written here)."""
    locales_dir, domain, infos, title = task
    template = read_catalog(template_path(locales_dir, domain))
    out: list[tuple[Path, bytes | None]] = []
    for info in infos:
        path = po_path(locales_dir, info, domain)
        if not path.exists():
            out.append((path, serialize(new_catalog(template, info, title))))
            continue
        old = read_catalog(path, locale=info.folder)
        catalog = merge(old, template)
        # same content: keep the file exactly as the translator's tool wrote it (None: nothing to write)
        out.append((path, serialize(catalog) if content_of(catalog) != content_of(old) else None))
    return out


def compile_all(config: Config, codes: Sequence[str] = ()) -> Report:
    report = Report()
    compiled: list[tuple[Path, bytes]] = []
    for info in _target_infos(config, codes):
        for domain in domains_in(config.locales_dir):
            path = po_path(config.locales_dir, info, domain)
            if path.exists():
                compiled.append((mo_path(config.locales_dir, info, domain),
                                 compile_catalog(read_catalog(path, locale=info.folder))))
    for path, data in compiled:
        (report.written if write_bytes(path, data) else report.unchanged).append(path)
    return report


# -------------------------------------------------------------------------------------------- stats

@dataclass(frozen=True)
class StatsRow:
    locale: str
    domain: str
    stats: CatalogStats
    path: str


def collect_stats(config: Config, codes: Sequence[str] = ()) -> list[StatsRow]:
    rows = []
    domains = domains_in(config.locales_dir)
    for info in _target_infos(config, codes):
        for domain in domains:
            path = po_path(config.locales_dir, info, domain)
            if path.exists():
                catalog_stats = stats(read_catalog(path, locale=info.folder))
            else:
                template = read_catalog(template_path(config.locales_dir, domain))
                total = stats(template).total
                catalog_stats = CatalogStats(total=total, translated=0, fuzzy=0, untranslated=total)
            rows.append(StatsRow(info.tag, domain, catalog_stats, str(path)))
    return rows


# -------------------------------------------------------------------------------------------- check

def _header_problems(catalog: Catalog, info: LocaleInfo, path: Path, text: str) -> list[str]:
    problems = []
    headers = dict(catalog.mime_headers)

    def line_of(name: str) -> int:
        match = re.search(rf'^"{re.escape(name)}:', text, re.MULTILINE)
        return text.count("\n", 0, match.start()) + 1 if match else 1

    language = headers.get("Language", "")
    if not language:
        problems.append(f"{path}:1: header has no Language field (expected '{info.folder}')")
    elif locale_code(language) != locale_code(info.folder):
        problems.append(f"{path}:{line_of('Language')}: Language is '{language}' but the catalog is in the "
                        f"'{info.folder}' folder")
    plural = headers.get("Plural-Forms", "")
    expected = get_plural(info.folder)
    match = re.match(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?);?\s*$", plural)
    if not match:
        problems.append(f"{path}:{line_of('Plural-Forms')}: Plural-Forms is missing or malformed "
                        f"(expected '{expected.plural_forms}')")
    elif int(match.group(1)) != expected.num_plurals:
        problems.append(f"{path}:{line_of('Plural-Forms')}: Plural-Forms says nplurals={match.group(1)} but "
                        f"{info.english_name} has {expected.num_plurals} (expected '{expected.plural_forms}')")
    elif not _plural_expression_ok(match.group(2), int(match.group(1))):
        problems.append(f"{path}:{line_of('Plural-Forms')}: the plural expression is invalid")
    content_type = headers.get("Content-Type", "")
    if "charset=utf-8" not in content_type.lower().replace(" ", ""):
        problems.append(f"{path}:{line_of('Content-Type')}: Content-Type must declare charset=UTF-8")
    return problems


def locale_code(value: str) -> str:
    try:
        return locale_info(value.strip()).folder
    except AudioBuildError:
        return value.strip()


def _plural_expression_ok(expression: str, nplurals: int) -> bool:
    """Parse the C expression with the stdlib's own gettext parser and make sure every n lands in range."""
    try:
        func = gettext.c2py(expression)
        return all(0 <= int(func(n)) < nplurals for n in range(200))
    except (ValueError, SyntaxError, ZeroDivisionError, TypeError, RecursionError):
        return False


def check(config: Config, codes: Sequence[str] = ()) -> list[str]:
    """Every problem as 'FILE:LINE: message'. Empty means the catalogs are ready to publish."""
    problems: list[str] = []
    try:
        corpus = load_corpus(config.content_dir, config.root)
    except AudioBuildError as exc:
        return [str(exc)]
    current = all_messages(config, corpus)
    for info in _target_infos(config, codes):
        for domain, messages in sorted(current.items()):
            path = po_path(config.locales_dir, info, domain)
            if not path.exists():
                problems.append(f"{path}: missing catalog (run 'audio-build update')")
                continue
            try:
                raw_text = path.read_bytes().decode("utf-8", "replace")
                catalog = read_catalog(path, locale=info.folder)
            except AudioBuildError as exc:
                problems.append(str(exc))
                continue
            problems.extend(_header_problems(catalog, info, path, raw_text))
            problems.extend(_message_problems(catalog, info, path))
            known = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
            missing = [m for m in messages if (m.msgid, m.context) not in known]
            if missing:
                problems.append(f"{path}: {len(missing)} source message(s) are not in this catalog yet "
                                "(run 'audio-build extract' and 'audio-build update')")
            catalog_stats = stats(catalog)
            total = max(catalog_stats.total, 1)
            percent = 100.0 * catalog_stats.translated / total
            if percent + 1e-9 < config.check_threshold:
                problems.append(f"{path}: {percent:.0f}% translated ({catalog_stats.untranslated} untranslated, "
                                f"{catalog_stats.fuzzy} fuzzy), below the {config.check_threshold:g}% threshold")
    return problems


def _message_problems(catalog: Catalog, info: LocaleInfo, path: Path) -> Iterable[str]:
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string or [])
        for index, string in enumerate(strings):
            if not string:
                continue
            source = ids[min(index, len(ids) - 1)]
            for problem in translation_problems(source, string, info.language):
                yield f"{path}:{message.lineno or 1}: {problem} (msgid \"{_short(ids[0])}\")"


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
