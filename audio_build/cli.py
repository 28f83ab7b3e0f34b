"""`audio-build`: a thin Click front end. Parses options, calls the library, prints one line per problem.

Exit codes: 0 ok, 1 checks failed or bad content/catalogs, 2 usage errors (Click's own).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from audio_build import __version__
from audio_build.config import ENGINES, Config, find_config, load_config
from audio_build.errors import AudioBuildError
from audio_build.files import project_lock

F = TypeVar("F", bound=Callable[..., Any])


def _load(project: str | None) -> Config:
    start = Path(project) if project else Path.cwd()
    return load_config(find_config(start))


def friendly(func: F) -> F:
    """Turn the project's own errors into one line on stderr and exit 1: no traceback for user mistakes."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AudioBuildError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing half-written was left in place", err=True)
            sys.exit(130)
    return wrapper  # type: ignore[return-value]


project_option = click.option("--project", "-C", type=click.Path(file_okay=False), default=None,
                              help="Project folder (default: the current folder or its nearest parent "
                                   "with an audio-build.toml).")
locale_option = click.option("--locale", "-l", "locales", multiple=True, metavar="LANG",
                             help="Only this locale (repeatable). Default: every locale in the config.")
wait_option = click.option("--wait", type=float, default=0.0, show_default=True, metavar="SECONDS",
                           help="Wait this long for another audio-build command on this project to finish.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audio-build")
def main() -> None:
    """Build accessible, multilingual health pages with spoken audio from Markdown and gettext catalogs.

    \b
    Typical cycle:
      audio-build extract      # source content -> locales/*.pot
      audio-build update       # .pot -> every locales/<lang>/LC_MESSAGES/*.po (keeps all translations)
      audio-build check        # catalogs ready to publish?
      audio-build build        # pages, audio, downloads -> site/
    """
    # Large numpy arrays in 4 KB pages: with transparent huge pages the kernel compacts memory to fault in
    # each job's sample arrays (0.36 s of system time for a 2.5-minute article instead of 0.04 s, and more
    # or less from run to run). numpy reads this when first imported: here, in the workers and their helpers.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    # One OpenBLAS thread per process: nothing here does the large matrix products its threads are for,
    # and each process importing numpy (this one, the workers' fork server) would start one per core at
    # import, 0.05 s of CPU each while a build starts.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _print_report(report: Any, quiet: bool = False) -> None:
    if quiet:
        return
    for path in report.written:
        click.echo(f"wrote {path}")
    for line in report.skipped:
        click.echo(line)
    if report.unchanged:
        click.echo(f"{len(report.unchanged)} file(s) already up to date")


@main.command()
@project_option
@wait_option
@click.option("--quiet", "-q", is_flag=True)
@friendly
def extract(project: str | None, wait: float, quiet: bool) -> None:
    """Write translation templates (locales/<domain>.pot) from the source content and templates."""
    from audio_build.i18n.commands import extract as run
    config = _load(project)
    with project_lock(config.root, wait=wait):
        _print_report(run(config), quiet)


@main.command()
@project_option
@click.option("--locale", "-l", "locales", multiple=True, required=True, metavar="LANG",
              help="Language to start (repeatable), e.g. -l es -l pt-BR.")
@wait_option
@friendly
def init(project: str | None, locales: Sequence[str], wait: float) -> None:
    """Create catalogs for a new language from the templates (never overwrites existing ones)."""
    from audio_build.i18n.commands import init as run
    config = _load(project)
    with project_lock(config.root, wait=wait):
        _print_report(run(config, locales))


@main.command()
@project_option
@locale_option
@wait_option
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes for merging (default: number of CPUs).")
@click.option("--quiet", "-q", is_flag=True)
@friendly
def update(project: str | None, locales: Sequence[str], wait: float, jobs: int | None, quiet: bool) -> None:
    """Merge the templates into every catalog, keeping every translation (changed ones become fuzzy)."""
    from audio_build.i18n.commands import update as run
    config = _load(project)
    with project_lock(config.root, wait=wait):
        _print_report(run(config, locales, jobs), quiet)


@main.command(name="compile")
@project_option
@locale_option
@friendly
def compile_(project: str | None, locales: Sequence[str]) -> None:
    """Write .mo files next to the catalogs (fuzzy entries are left out)."""
    from audio_build.i18n.commands import compile_all
    config = _load(project)
    _print_report(compile_all(config, locales))


@main.command()
@project_option
@locale_option
@friendly
def check(project: str | None, locales: Sequence[str]) -> None:
    """Report catalog problems as FILE:LINE: message; exit 1 when there are any."""
    from audio_build.i18n.commands import check as run
    config = _load(project)
    problems = run(config, locales)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo("all catalogs are complete and safe to publish", err=True)


@main.command()
@project_option
@locale_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--readability", is_flag=True, help="Also report readability per article and locale.")
@click.option("--intelligibility", is_flag=True,
              help="Instead, measure whether the published audio can be understood (speech-recognition round "
                   "trip, needs the 'intelligibility' extra).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.40, show_default=True, metavar="CER",
              help="With --intelligibility: warn for locales whose character error rate is above this.")
@click.option("--strict", is_flag=True, help="With --intelligibility: exit 1 when a locale is above the threshold.")
@click.option("--sample", type=click.IntRange(1), default=None, metavar="N",
              help="With --intelligibility: score only the first N sentences per locale (default: all).")
@friendly
def stats(project: str | None, locales: Sequence[str], fmt: str, readability: bool, intelligibility: bool,
          threshold: float, strict: bool, sample: int | None) -> None:
    """Translated / fuzzy / untranslated counts per locale and domain (or, with --intelligibility, CER/WER)."""
    config = _load(project)
    if intelligibility:
        _intelligibility_report(config, locales, fmt, threshold, strict, sample)
        return
    from audio_build.i18n.commands import collect_stats
    rows = collect_stats(config, locales)
    readability_rows: list[Any] = []
    if readability:
        from audio_build.reports.readability import readability_report
        readability_rows = readability_report(config, locales)
    if fmt == "json":
        payload: dict[str, Any] = {
            "catalogs": [{"locale": r.locale, "domain": r.domain, "total": r.stats.total,
                          "translated": r.stats.translated, "fuzzy": r.stats.fuzzy,
                          "untranslated": r.stats.untranslated, "percent": round(r.stats.percent, 1),
                          "path": r.path} for r in rows],
        }
        if readability:
            payload["readability"] = [row.as_dict() for row in readability_rows]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    width = max([len(r.domain) for r in rows] + [6])
    click.echo(f"{'locale':<8} {'domain':<{width}} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} {'percent':>8}")
    by_locale: dict[str, list[int]] = {}
    for r in rows:
        click.echo(f"{r.locale:<8} {r.domain:<{width}} {r.stats.translated:>10} {r.stats.fuzzy:>6} "
                   f"{r.stats.untranslated:>12} {r.stats.percent:>7.1f}%")
        totals = by_locale.setdefault(r.locale, [0, 0, 0, 0])
        totals[0] += r.stats.translated
        totals[1] += r.stats.fuzzy
        totals[2] += r.stats.untranslated
        totals[3] += r.stats.total
    if by_locale:
        click.echo("")
        click.echo(f"{'locale':<8} {'all domains':<{width}} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} {'percent':>8}")
        for loc, (tr, fz, un, total) in by_locale.items():
            pct = 100.0 * tr / total if total else 100.0
            click.echo(f"{loc:<8} {'':<{width}} {tr:>10} {fz:>6} {un:>12} {pct:>7.1f}%")
    if readability:
        from audio_build.reports.readability import format_table
        click.echo("")
        click.echo(format_table(readability_rows))


def _intelligibility_report(config: Config, locales: Sequence[str], fmt: str, threshold: float, strict: bool,
                            sample: int | None) -> None:
    from audio_build.reports import intelligibility as asr

    tags = [config.locale(tag).tag for tag in locales] if locales else [loc.tag for loc in config.locales]
    site = config.output_dir
    if not site.is_dir():
        raise AudioBuildError(f"no published site at {site}: run `audio-build build` first")
    recognizer = asr.Recognizer(config.cache_dir)
    measurement = asr.measure(site, tags, recognizer, limit=sample)
    above = [s.locale for s in measurement.locales if s.cer is not None and s.cer > threshold]
    if fmt == "json":
        payload = measurement.as_dict() | {"threshold": threshold, "above_threshold": above}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(asr.format_table(measurement, threshold))
    for tag in above:
        click.echo(f"warning: {tag}: character error rate above {threshold:.2f}; listeners may not understand "
                   f"this audio (see the worst sentences above)", err=True)
    if strict and above:
        sys.exit(1)


@main.command()
@project_option
@locale_option
@click.option("--engine", type=click.Choice(list(ENGINES)), default=None,
              help="Speech engine for every locale (default: per locale from audio-build.toml).")
@click.option("--no-audio", is_flag=True, help="Pages only: skip speech synthesis (fast previews).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Parallel synthesis/encoding processes (default: CPU count).")
@click.option("--strict", is_flag=True, help="Fail when a locale has no voice instead of building it without audio.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where synthesis and encoding jobs run.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:port); without it --executor dask starts a local cluster.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, help="Output folder (default from config).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no warnings; errors only.")
@click.option("--verbose", "-v", is_flag=True, help="Print every warning.")
@wait_option
@friendly
def build(project: str | None, locales: Sequence[str], engine: str | None, no_audio: bool, jobs: int | None,
          strict: bool, executor: str, scheduler: str | None, out: str | None, quiet: bool, verbose: bool,
          wait: float) -> None:
    """Build pages, audio and downloads for every locale into the output folder (atomically)."""
    from audio_build.run.options import BuildOptions, published_state, start_workers, up_to_date_message
    config = _load(project)
    if out:
        config = config.with_overrides(output_dir=Path(out).resolve())
    options = BuildOptions(audio=not no_audio and config.audio, engine=engine, jobs=jobs,
                           strict=strict or config.strict, locales=locales, executor=executor,
                           scheduler=scheduler, progress=False if quiet else None)
    with project_lock(config.root, wait=wait):
        started = time.perf_counter()
        published = published_state(config, options)
        if published.up_to_date:  # answered without importing the stages
            if not quiet:
                click.echo(up_to_date_message(published.outputs, time.perf_counter() - started), err=True)
            return
        start_workers(options)  # the workers' imports, while this process imports the stages
        from audio_build.run.build import build as run
        from audio_build.run.build import print_summary
        summary = run(config, options, published)
    if not quiet:
        shown = summary.warnings if verbose else summary.warnings[:20]
        for warning in shown:
            click.echo(f"warning: {warning}", err=True)
        if len(summary.warnings) > len(shown):
            click.echo(f"... and {len(summary.warnings) - len(shown)} more warnings (use --verbose)", err=True)
        print_summary(summary)
    if summary.broken:
        _report_broken(summary)
        sys.exit(1)


def _report_broken(summary: Any) -> None:
    """A broken catalog costs only its own language: say which, where, and what readers see meanwhile."""
    for tag, problems in summary.broken.items():
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        kept = ("its last published pages, audio and downloads stay online" if tag in summary.kept_previous
                else "it is not published until the catalog is fixed")
        click.echo(f"error: {tag} was not rebuilt: {kept}; every other language was built", err=True)


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default keeps the preview on this computer).")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--no-audio", is_flag=True, help="Rebuild pages only, for speed while editing.")
@click.option("--no-watch", is_flag=True, help="Serve the current site without rebuilding on changes.")
@friendly
def serve(project: str | None, host: str, port: int, no_audio: bool, no_watch: bool) -> None:
    """Preview the site locally, rebuilding when a source file, catalog or lexicon is saved."""
    import functools
    import queue
    import threading
    from dataclasses import replace

    from audio_build.run.build import BuildSummary, print_summary
    from audio_build.run.build import build as run
    from audio_build.run.options import BuildOptions
    from audio_build.run.preview import Previewer
    from audio_build.run.serve import address_of, make_server, watch, watched_state

    config = _load(project)
    options = BuildOptions(audio=not no_audio and config.audio, progress=False, keep_engines=True)

    def full_build(force: bool) -> BuildSummary | None:
        try:
            summary = run(config, replace(options, force=force))
        except AudioBuildError as exc:
            click.echo(f"error: {exc} (still serving the previous build)", err=True)
            return None
        for warning in summary.warnings[:5]:
            click.echo(f"warning: {warning}", err=True)
        print_summary(summary)
        if summary.broken:
            _report_broken(summary)
        return summary

    previewer = Previewer(config, full_build, audio=options.audio, engine=options.engine,
                          report=lambda message: click.echo(message, err=True))

    saves: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()

    def locked(step: Callable[[], None]) -> None:
        try:
            with project_lock(config.root, wait=600):
                step()
        except AudioBuildError as exc:
            click.echo(f"error: {exc} (still serving the previous build)", err=True)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the preview: say it, keep serving
            click.echo(f"error: the rebuild failed ({type(exc).__name__}: {exc}); still serving the previous build",
                       err=True)

    def work() -> None:
        """Preview each save at once; the full build waits until no save is pending (saves made while it
        runs are previewed right after it)."""
        while True:
            paths = saves.get()
            while not saves.empty():
                paths |= saves.get_nowait()
            locked(functools.partial(previewer.preview, paths))
            if saves.empty():
                locked(previewer.build)

    watched = [config.content_dir, config.locales_dir] + ([config.path] if config.path else [])
    before_first_build = watched_state(watched)
    if not no_watch or not config.output_dir.exists():
        locked(previewer.build)
    try:
        server = make_server(config.output_dir, host, port)
    except OSError as exc:
        raise AudioBuildError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    stop = threading.Event()
    if not no_watch:
        threading.Thread(target=work, daemon=True).start()
        threading.Thread(target=watch, args=(watched, saves.put, stop), kwargs={"since": before_first_build},
                         daemon=True).start()
    click.echo(f"serving {config.output_dir} at {address_of(server)} (Ctrl+C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
