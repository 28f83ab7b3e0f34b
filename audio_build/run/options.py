"""How a build was asked for, and whether the published site already is that build.

Light on purpose (no stage is imported here): `audio-build build` reads it before it imports the stages,
so a build with work to do starts its workers' fork server at once, while this process imports the stages
and plans (a fifth of a second of a small build), and a build with nothing to do starts nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from audio_build.config import Config
from audio_build.publish.output import read_manifest
from audio_build.run.fingerprint import input_fingerprint
from audio_build.workers import start_fork_server


@dataclass
class BuildOptions:
    audio: bool = True
    engine: str | None = None  # overrides every locale's engine
    jobs: int | None = None
    strict: bool = False
    locales: Sequence[str] = ()
    executor: str = "local"
    scheduler: str | None = None
    progress: bool | None = None  # None: only when stderr is a terminal
    keep_engines: bool = False  # `serve`: engines stay loaded for the next preview
    force: bool = False  # build even when the inputs are those of the published site (`serve` needs its model)

    @property
    def local_pool(self) -> bool:
        """Whether the jobs run in a process pool on this machine (more than one process, not on Dask)."""
        return self.executor == "local" and (self.jobs or os.cpu_count() or 1) > 1


@dataclass(frozen=True)
class PublishedState:
    """This build's inputs by content hash, and the manifest of the site as published now."""

    fingerprint: dict[str, Any]
    manifest: dict[str, Any]

    @property
    def up_to_date(self) -> bool:
        return bool(self.manifest.get("inputs", {}).get("fingerprint") == self.fingerprint)

    @property
    def outputs(self) -> int:
        return len(self.manifest.get("outputs", {}))


def up_to_date_message(outputs: int, seconds: float) -> str:
    return f"nothing to do: {outputs} outputs are up to date ({seconds:.2f} s)"


def published_state(config: Config, options: BuildOptions) -> PublishedState:
    fingerprint = input_fingerprint(config, {"audio": options.audio, "engine": options.engine,
                                             "strict": options.strict, "locales": sorted(options.locales)})
    return PublishedState(fingerprint, read_manifest(config.output_dir))


# What every audio job imports (numpy, LAME, soundfile, mutagen), and the downloads stage the handout tasks
# run (Jinja2, Markdown, the ebook and handout modules: 0.1 s): the fork server loads them once for all
# workers, while this process is still importing.
JOB_MODULES = ("audio_build.run.jobs", "audio_build.audio.loudness", "audio_build.audio.mp3",
               "audio_build.publish.downloads")


def start_workers(options: BuildOptions) -> None:
    """For a build whose audio runs in a local pool: have the workers' fork server load what every job needs
    while the build still imports, reads its inputs and plans (a running one is kept, as `serve`'s is)."""
    if options.audio and options.local_pool:
        start_fork_server(JOB_MODULES)
