"""audio-build benchmarks: floor, cold builds, no-op, one-string edit, scaling, text half, pages.

    .venv/bin/python benchmarks/bench.py            # everything (~25 min on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick    # smaller sizes, one run each (~5 min)
    .venv/bin/python benchmarks/bench.py --only cold --only noop --runs 5

Every audio-build command runs as a subprocess of the real console script (.venv/bin/audio-build). Whole
process trees are measured by a sampler thread that walks /proc every 50 ms (RSS summed over every process of
the tree: parent, pool workers, espeak-ng helpers and their per-clip children) plus wait4() rusage. Wall
times are the headline figures; CPU seconds of the whole tree are recorded too, because this machine is
shared and wall times move with other people's load (the load average is recorded with each run).

Results: a Markdown table on stdout, raw numbers in benchmarks/results/bench-<date>.json (and .md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import posixpath
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from audio_build.run.preview import DRAFT_VOICE_NOTE  # what a page says while a draft voice reads its audio

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = REPO / ".venv" / "bin"
CLI = BIN / "audio-build"
PYTHON = BIN / "python"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")
SECTIONS = ("floor", "cold", "espeak", "phases", "noop", "edit", "preview", "scaling", "text", "pages")

sys.path.insert(0, str(HERE))
import corpus


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return -1.0


# ------------------------------------------------------------------------------------ process trees

def _proc_stat(pid: int) -> tuple[int, int, int, int, int] | None:
    """(ppid, starttime, own cpu ticks, reaped children's cpu ticks, rss pages) of one process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes().decode("utf-8", "replace")
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2:].split()
    try:
        return (int(rest[1]), int(rest[19]), int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14]),
                int(rest[21]))
    except (IndexError, ValueError):
        return None


class TreeMonitor:
    """Samples a process tree every `interval` seconds: peak of the summed RSS, and CPU time.

    CPU: each process's own time at its last sample, plus whatever its reaped children used that no sample
    saw (a parent's cutime minus its sampled children's totals): that is how the espeak-ng helper's
    short-lived per-clip children are counted.
    """

    def __init__(self, root: int, interval: float = 0.05) -> None:
        self.root = root
        self.interval = interval
        self.procs: dict[tuple[int, int], dict[str, int]] = {}
        self.peak_rss = 0
        self.peak_single_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self._outside: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        # Processes seen outside the tree stay outside (a new descendant is a new pid), so each sample
        # reads /proc/<pid>/stat only for the tree and for processes that appeared since the last one.
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self._outside &= pids
        stats = {}
        for pid in pids - self._outside:
            found = _proc_stat(pid)
            if found is not None:
                stats[pid] = found
        tracked_pids = {pid for (pid, start) in self.procs if stats.get(pid, (0, -1))[1] == start}
        tracked_pids.add(self.root)
        children: dict[int, list[int]] = {}
        for pid, (ppid, *_rest) in stats.items():
            children.setdefault(ppid, []).append(pid)
        tree, stack = set(), list(tracked_pids)
        while stack:
            pid = stack.pop()
            if pid in tree or pid not in stats:
                continue
            tree.add(pid)
            stack.extend(children.get(pid, ()))
        self._outside |= stats.keys() - tree
        total = 0
        for pid in tree:
            ppid, start, own, reaped, rss = stats[pid]
            self.procs[(pid, start)] = {"pid": pid, "ppid": ppid, "own": own, "reaped": reaped}
            total += rss * PAGE_SIZE
            self.peak_single_rss = max(self.peak_single_rss, rss * PAGE_SIZE)
        self.peak_rss = max(self.peak_rss, total)
        self.peak_processes = max(self.peak_processes, len(tree))
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def cpu_seconds(self) -> float:
        ticks = sum(p["own"] for p in self.procs.values())
        for proc in self.procs.values():
            sampled_children = sum(c["own"] + c["reaped"] for c in self.procs.values()
                                   if c["ppid"] == proc["pid"] and c is not proc)
            ticks += max(0, proc["reaped"] - sampled_children)
        return ticks / CLK_TCK


@dataclass
class Run:
    command: list[str]
    cwd: str
    wall: float
    returncode: int
    cpu: float  # whole tree, seconds (user + system)
    peak_rss_sum: int  # bytes
    peak_rss_single: int
    peak_processes: int
    load_before: float
    stdout_tail: str = ""
    stderr_tail: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


SUMMARY = re.compile(r"built (\d+) locales, (\d+) pages, (\d+) files \((\d+) written, (\d+) unchanged, (\d+) removed\); "
                     r"clips: (\d+) synthesized, (\d+) cached; ([\d.]+) min of audio; ([\d.]+) s")
NOTHING = re.compile(r"nothing to do: (\d+) outputs are up to date \(([\d.]+) s\)")


def parse_summary(stderr: str) -> dict[str, Any]:
    match = SUMMARY.search(stderr)
    if match:
        names = ("locales", "pages", "files", "written", "unchanged", "removed", "synthesized", "cached",
                 "audio_minutes", "seconds")
        values = [float(v) if "." in v else int(v) for v in match.groups()]
        return {"nothing_to_do": False, **dict(zip(names, values))}
    match = NOTHING.search(stderr)
    if match:
        return {"nothing_to_do": True, "files": int(match.group(1)), "written": 0, "synthesized": 0,
                "seconds": float(match.group(2))}
    return {}


def run(command: Sequence[str | Path], cwd: Path, *, check: bool = True, env: dict[str, str] | None = None,
        interval: float = 0.05) -> Run:
    """Run one command, measuring its whole process tree."""
    args = [str(c) for c in command]
    load = loadavg()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, env=env)
        with TreeMonitor(process.pid, interval) as monitor:
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    cpu = max(usage.ru_utime + usage.ru_stime, monitor.cpu_seconds())
    result = Run(args, str(cwd), wall, process.returncode, cpu, monitor.peak_rss, monitor.peak_single_rss,
                 monitor.peak_processes, load, stdout[-20000:], stderr[-4000:], parse_summary(stderr))
    if check and process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed in {cwd} ({process.returncode}):\n{stderr[-3000:]}")
    return result


def _seen(runs: Sequence[dict[str, float | None]], key: str) -> list[float]:
    """A figure of every run that reached it (a preview that timed out has None)."""
    return [value for run in runs if (value := run[key]) is not None]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------------------ projects

def closed_port() -> int:
    """A local port nothing listens on: gTTS requests to it are refused at once, never leave the machine."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline_toml(text: str, port: int) -> str:
    """The repository's audio-build.toml with gTTS pointed at a closed local port, no retries."""
    lines = text.splitlines()
    out: list[str] = []
    in_gtts = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_gtts = stripped == "[engines.gtts]"
            out.append(line)
            if in_gtts:
                out += [f'url = "http://127.0.0.1:{port}"', "retries = 0"]
            continue
        if in_gtts and re.match(r"(url|retries)\s*=", stripped):
            continue
        out.append(line)
    if "[engines.gtts]" not in text:
        out += ["", "[engines.gtts]", f'url = "http://127.0.0.1:{port}"', "retries = 0"]
    result = "\n".join(out) + "\n"
    import tomllib

    parsed = tomllib.loads(result)["engines"]["gtts"]
    assert parsed["retries"] == 0 and parsed["url"].startswith("http://127.0.0.1:"), parsed
    return result


def repo_project(target: Path, port: int) -> Path:
    """content/, locales/ and audio-build.toml of the repository, in a fresh folder (no cache, no site)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(REPO / "content", target / "content")
    shutil.copytree(REPO / "locales", target / "locales", ignore=shutil.ignore_patterns("*.mo"))
    (target / "audio-build.toml").write_text(offline_toml((REPO / "audio-build.toml").read_text(), port))
    return target


def site_root(project: Path) -> Path:
    return (project / "site").resolve()


def snapshot(project: Path) -> dict[str, tuple[int, int, int]]:
    """(mtime_ns, inode, size) of every file under the output folder (following the `site` link)."""
    root = site_root(project)
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            st = path.stat()
            files[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_ino, st.st_size)
    return files


def compare(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> dict[str, list[str]]:
    return {
        "rewritten": sorted(p for p in before.keys() & after.keys() if before[p] != after[p]),
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
    }


def package_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((REPO / "audio_build").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fresh_output(project: Path) -> None:
    for name in ("site", ".site-versions", ".audio-build-cache"):
        path = project / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)


def _scaling_runs(first_wall: list[float]) -> int:
    """How many times a scaling build is timed, from its first build's wall seconds (none yet: at least once)."""
    if not first_wall:
        return 1
    return 5 if first_wall[0] < 30 else 3 if first_wall[0] < 90 else 1


# ----------------------------------------------------------------------------------------------- floor

FLOOR_WORKER = r'''
import json, sys, time
from pathlib import Path
import numpy as np

project = Path(sys.argv[1])  # built by the cold -j1 run: its clip cache holds every clip's samples
engine = sys.argv[2] or None  # the --engine that build was given
from audio_build.run import narration
from audio_build.run.build import BuildOptions, build
from audio_build.config import load_config


class Planned(Exception):
    pass


captured = []


def capture(jobs, *args, **kwargs):  # stands in for narration.run: keep the planned jobs, stop the build
    captured.extend(jobs)
    raise Planned


narration.run = capture
started = time.perf_counter()
try:
    build(load_config(project / "audio-build.toml"), BuildOptions(audio=True, force=True, engine=engine))
except Planned:
    pass
plan_seconds = time.perf_counter() - started

import lameenc
from audio_build.audio.assemble import LEAD_IN, SAMPLE_RATE
from audio_build.audio.mp3 import MP3_BITRATE, MP3_QUALITY
from audio_build.cache import Cache
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.engines.espeak_host import Library

# espeak-ng's floor: espeak_Synth on each clip's rendered text in this process (no helper, no fork, no protocol).
# The neural engines' floor (their ONNX inference) is timed inside the cold build itself (instrument/).
library = Library()
espeak = EspeakEngine()  # only its render(); its helper process is not started for that
jobs = [j for j in captured if j.clips]
unique = {}
for job in jobs:
    for spec in job.clips:
        unique.setdefault(spec.key, spec)
clips = {}
engines = {}
for key, spec in unique.items():
    row = engines.setdefault(spec.engine, {"clips": 0, "audio_seconds": 0.0})
    row["clips"] += 1
    if spec.engine == "espeak":
        library.set_voice(spec.voice.name)
        text = " ".join(espeak.render(s, spec.voice) for s in spec.sentences)
        wall, cpu = time.perf_counter(), time.process_time()
        library.synthesize(text, spec.rate, True)
        row["raw_seconds"] = row.get("raw_seconds", 0.0) + time.perf_counter() - wall
        row["raw_cpu"] = row.get("raw_cpu", 0.0) + time.process_time() - cpu
cache = Cache(project / ".audio-build-cache")
for key, spec in unique.items():
    clip = cache.load_clip(key)
    if clip is None:
        raise SystemExit(f"clip {key} ({spec.engine}) is not in the cold build's cache")
    clips[key] = np.ascontiguousarray(clip.samples, dtype="<i2").tobytes()
    engines[spec.engine]["audio_seconds"] += len(clip.samples) / SAMPLE_RATE

documents = []
for job in jobs:
    pieces = [b"\x00\x00" * int(LEAD_IN * SAMPLE_RATE)]
    for spec in job.clips:
        pieces.append(clips[spec.key])
        pieces.append(b"\x00\x00" * int(round(spec.pause_after * SAMPLE_RATE)))
    documents.append(b"".join(pieces))
wall, cpu = time.perf_counter(), time.process_time()
mp3_bytes = 0
for data in documents:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(MP3_QUALITY)
    mp3_bytes += len(bytes(encoder.encode(data) + encoder.flush()))
encode_wall, encode_cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"plan_seconds": plan_seconds, "jobs": len(jobs), "clips_planned": sum(len(j.clips) for j in jobs),
                  "clips_unique": len(unique), "engines": engines,
                  "audio_minutes": sum(len(d) for d in documents) / 2 / SAMPLE_RATE / 60, "mp3_bytes": mp3_bytes,
                  "espeak_seconds": engines.get("espeak", {}).get("raw_seconds", 0.0),
                  "espeak_cpu": engines.get("espeak", {}).get("raw_cpu", 0.0),
                  "encode_seconds": encode_wall, "encode_cpu": encode_cpu}))
'''


PHASES_WORKER = r"""
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from audio_build import cache
from audio_build.audio import loudness, mp3
from audio_build.publish import downloads
from audio_build.run import jobs
from audio_build.run import narration
from audio_build.publish import output
from audio_build.publish import pages
from audio_build.run.build import BuildOptions, build
from audio_build.config import load_config
from audio_build.speech.engines.espeak import EspeakEngine
from audio_build.speech.engines.kokoro import KokoroEngine
from audio_build.speech.engines.piper import PiperEngine
imported = time.perf_counter() - started
spent, calls = {}, {}


def timed(owner, name, label):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - begin
            calls[label] = calls.get(label, 0) + 1
    setattr(owner, name, wrapper)


# Inside the audio jobs: only seen when they run in this process (-j1); pool workers import their own copy.
timed(EspeakEngine, "synthesize", "synthesis via the espeak-ng helper")
timed(PiperEngine, "synthesize", "synthesis with Piper")
timed(KokoroEngine, "synthesize", "synthesis with Kokoro")
timed(KokoroEngine, "_speak", "Kokoro model inference")
timed(KokoroEngine, "phonemes", "Kokoro phonemes (espeak-ng helper)")
timed(jobs, "assemble", "assemble + loudness normalization")
timed(loudness, "integrated_loudness", "integrated_loudness")
timed(loudness, "limit", "limit")
timed(jobs, "encode_peak_safe", "encode + decoded peak check")
timed(mp3, "encode_mp3", "encode_mp3")
timed(mp3, "decode_mp3", "decode_mp3")
timed(jobs, "tag_mp3", "tag_mp3")
timed(jobs, "webvtt", "captions")
timed(cache.Cache, "store_clip", "clip cache writes")
timed(cache.Cache, "store_file", "file cache writes")


timed(narration, "plan", "plan")
timed(narration, "run", "audio jobs")
timed(downloads, "locale_downloads", "downloads (EPUB, ZIP)")
timed(pages.SiteRenderer, "render_locale", "page rendering")
timed(output, "publish", "publish")
begin = time.perf_counter()
summary = build(load_config(Path(sys.argv[1]) / "audio-build.toml"), BuildOptions(jobs=int(sys.argv[2]), progress=False))
spent["build() total"] = time.perf_counter() - begin
spent["imports"] = imported
print(json.dumps({"phases": spent, "calls": calls, "synthesized": summary.clips_synthesized}))
"""


def floor_run(project: Path, raw_times: Path, engine: str = "") -> dict[str, Any]:
    """The floor of the cold -j1 build just made in `project`: espeak-ng raw synthesis + the ONNX inference
    its neural engines did (timed inside that build) + raw LAME on every document's PCM."""
    measured = run([PYTHON, "-c", FLOOR_WORKER, project, engine], cwd=project)
    result: dict[str, Any] = json.loads(measured.stdout_tail.strip().splitlines()[-1])
    neural = [json.loads(p.read_text()) for p in sorted(raw_times.glob("*.json"))]
    result["neural_seconds"] = sum(n["onnx_run_seconds"] for n in neural)
    result["neural_calls"] = sum(n["onnx_run_calls"] for n in neural)
    result["floor_seconds"] = result["espeak_seconds"] + result["neural_seconds"] + result["encode_seconds"]
    result["load_before"] = measured.load_before
    return result


def instrumented_env(raw_times: Path) -> dict[str, str]:
    """The build's environment with benchmarks/instrument on PYTHONPATH: ONNX inference is timed per process."""
    if raw_times.exists():
        shutil.rmtree(raw_times)
    raw_times.mkdir(parents=True)
    path = os.pathsep.join(p for p in (str(HERE / "instrument"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "AUDIO_BUILD_RAW_TIMES": str(raw_times)}


# ------------------------------------------------------------------------------------------ sections

@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    port: int
    results: dict[str, Any] = field(default_factory=dict)
    package_at_build: str = ""

    def want(self, name: str) -> bool:
        return not self.args.only or name in self.args.only

    # -- 1-3: floor, cold builds -----------------------------------------------------------------
    def floor_and_cold(self) -> None:
        """Cold builds of the repository with its default engine mix; after each -j1 build, its floor."""
        rounds = self.args.runs
        floors: list[dict[str, Any]] = []
        cold: dict[str, list[Run]] = {"1": [], "2": []}
        for n in range(rounds):
            for jobs in ("1", "2"):
                if not self.want("cold") and not (jobs == "1" and self.want("floor")):
                    continue
                project = repo_project(self.work / f"cold-j{jobs}", self.port)
                raw_times = self.work / f"raw-times-j{jobs}"
                if jobs == "1":
                    self.package_at_build = package_hash()
                log(f"cold build -j{jobs}, run {n + 1}")
                result = run([CLI, "build", "-j", jobs], cwd=project, env=instrumented_env(raw_times))
                cold[jobs].append(result)
                log(f"  {result.wall:.1f} s wall, {result.cpu:.1f} s CPU, {result.summary}")
                if jobs == "1" and self.want("floor") and n < self.args.floor_runs:
                    floors.append(floor_run(project, raw_times))
                    f = floors[-1]
                    log(f"  floor {f['floor_seconds']:.1f} s (espeak-ng {f['espeak_seconds']:.1f} s, neural inference "
                        f"{f['neural_seconds']:.1f} s, encoding {f['encode_seconds']:.1f} s)")
        if floors:
            self.results["floor"] = {
                "runs": floors,
                "median_seconds": median([f["floor_seconds"] for f in floors]),
            }
        if cold["1"] or cold["2"]:
            self.results["cold"] = {f"j{k}": {"runs": [asdict(r) for r in v], "median_seconds": median([r.wall for r in v]),
                                              "median_cpu": median([r.cpu for r in v])}
                                    for k, v in cold.items() if v}

    # -- the same, every locale spoken by espeak-ng: the case where our own work weighs most ---------------
    def espeak_only(self) -> None:
        runs, floors = [], []
        for n in range(self.args.espeak_runs):
            project = repo_project(self.work / "cold-espeak", self.port)
            raw_times = self.work / "raw-times-espeak"
            log(f"cold build -j1 --engine espeak, run {n + 1}")
            result = run([CLI, "build", "-j", "1", "--engine", "espeak"], cwd=project, env=instrumented_env(raw_times))
            runs.append(result)
            floors.append(floor_run(project, raw_times, "espeak"))
            log(f"  {result.wall:.1f} s; floor {floors[-1]['floor_seconds']:.1f} s")
        self.results["espeak"] = {"runs": [asdict(r) for r in runs], "floors": floors,
                                  "median_seconds": median([r.wall for r in runs]),
                                  "median_floor": median([f["floor_seconds"] for f in floors])}

    # -- where a cold build's time goes (for the -j2 speedup bound) --------------------------------------
    def phases(self) -> None:
        out = {}
        for jobs in self.args.phase_jobs:
            project = repo_project(self.work / f"phases-j{jobs}", self.port)
            log(f"phases of a cold build with -j{jobs}")
            measured = run([PYTHON, "-c", PHASES_WORKER, project, str(jobs)], cwd=project)
            reported = json.loads(measured.stdout_tail.strip().splitlines()[-1])
            phases = reported["phases"]
            jobs_time = phases.get("audio jobs", 0.0)
            if jobs == 1:  # -j1 runs each locale's downloads and pages inline, inside narration.run
                jobs_time -= phases.get("downloads (EPUB, ZIP)", 0.0) + phases.get("page rendering", 0.0)
            out[f"j{jobs}"] = {"phases": phases, "calls": reported["calls"], "wall": measured.wall, "cpu": measured.cpu,
                               "serial_seconds": measured.wall - jobs_time, "jobs_seconds": jobs_time,
                               "load_before": measured.load_before}
            log(f"  {', '.join(f'{k} {v:.1f} s' for k, v in phases.items())}")
            shutil.rmtree(project, ignore_errors=True)
        cold = self.results.get("cold", {})
        if "j1" in cold and out:
            # Amdahl: the serial part stays, the audio jobs at best halve with two workers.
            serial = min(v["serial_seconds"] for v in out.values())
            t1 = cold["j1"]["median_seconds"]
            out["amdahl_bound_j2_speedup"] = t1 / (serial + max(0.0, t1 - serial) / 2)
            out["serial_seconds_used"] = serial
        self.results["phases"] = out

    # -- 4-5: no-op, one msgstr ----------------------------------------------------------------------
    def noop_and_edit(self) -> None:
        project = self.work / "cold-j1"
        if not (project / "site").exists():
            project = repo_project(self.work / "incremental", self.port)
            log("building the repository once for the no-op / edit figures")
            self.package_at_build = package_hash()
            run([CLI, "build", "-j", "1"], cwd=project)
        primed = None
        if package_hash() != self.package_at_build:
            # Someone changed audio_build/ since that build: its hash is an input, so the next build is
            # rightly not a no-op. Build once more so the figure measures "nothing changed".
            log("audio_build/ changed since the cold build: building once more before measuring the no-op")
            primed = asdict(run([CLI, "build", "-j", "1"], cwd=project))
        if self.want("noop"):
            before = snapshot(project)
            generation = os.readlink(project / "site")
            runs = []
            for n in range(self.args.noop_runs):
                runs.append(run([CLI, "build", "-j", "1"], cwd=project))
            after = snapshot(project)
            changes = compare(before, after)
            self.results["noop"] = {
                "runs": [asdict(r) for r in runs],
                "median_seconds": median([r.wall for r in runs]),
                "clips_synthesized": sum(r.summary.get("synthesized", -1) for r in runs),
                "nothing_to_do": all(r.summary.get("nothing_to_do") for r in runs),
                "files_checked": len(before),
                "files_rewritten": len(changes["rewritten"]) + len(changes["added"]) + len(changes["removed"]),
                "changes": changes,
                "generation_before": generation,
                "generation_after": os.readlink(project / "site"),
                "primed_because_package_changed": primed,
            }
            log(f"no-op: {self.results['noop']['median_seconds']:.2f} s, "
                f"{self.results['noop']['files_rewritten']} files rewritten")
        if self.want("edit"):
            po = project / "locales" / "es" / "LC_MESSAGES" / "fluoroscopy.po"
            edited = edit_paragraph_msgstr(po)
            before = snapshot(project)
            result = run([CLI, "build", "-j", "1"], cwd=project)
            after = snapshot(project)
            changes = compare(before, after)
            self.results["edit"] = {
                "file": str(po.relative_to(project)), "edit": edited, "run": asdict(result),
                "seconds": result.wall,
                "clips_synthesized": result.summary.get("synthesized"),
                "files_rewritten": len(changes["rewritten"]) + len(changes["added"]),
                "changes": changes,
            }
            log(f"one msgstr: {result.wall:.1f} s, {result.summary.get('synthesized')} clip(s), "
                f"{self.results['edit']['files_rewritten']} files rewritten")

    # -- preview loop: `audio-build serve`, a save, the page and its audio over HTTP ---------------------
    def preview(self) -> None:
        project = self.work / "cold-j1"
        if not (project / "site").exists():
            project = repo_project(self.work / "preview", self.port)
            log("building the repository once for the preview figures")
            built = run([CLI, "build"], cwd=project)
            log(f"  {built.wall:.1f} s (cold, default jobs), {built.summary}")
        self.results["preview"] = preview_loop(project, self.args.preview_runs)

    # -- 6: scaling -----------------------------------------------------------------------------------
    def scaling(self) -> None:
        projects = {}
        for size in self.args.sizes:
            root = self.work / f"scale-{size}"
            if root.exists():
                shutil.rmtree(root)
            log(f"scaling: generating {size} articles x (en, es)")
            projects[size] = (root, corpus.generate(root, size, ["es"], seed=self.args.seed, cli=CLI))
        # A build of a few seconds moves by a tenth of a second from run to run, and this shared machine's speed
        # drifts by several per cent over minutes: short builds are timed again (5 times under 30 s, 3 under
        # 90 s; the median kept), in rounds over every size, so each size's builds span the same stretch of time
        # instead of one size being timed while the machine is fast and the next while it is slow.
        first_build: dict[int, Any] = {}
        walls: dict[int, list[float]] = {size: [] for size in self.args.sizes}
        for round_ in range(5):
            for size in self.args.sizes:
                if round_ >= _scaling_runs(walls[size][:1]):
                    continue
                root = projects[size][0]
                fresh_output(root)
                log(f"scaling: building {size} articles with -j2" + (f" (again, round {round_ + 1})" if round_ else ""))
                result = run([CLI, "build", "-j", "2"], cwd=root)
                first_build.setdefault(size, result)
                walls[size].append(result.wall)
                log(f"  {result.wall:.1f} s")
        rows = []
        for size in self.args.sizes:
            root, generated = projects[size]
            result = first_build[size]  # CPU, RSS and the summary are the first build's
            wall = median(walls[size])
            rows.append({"articles": size, "terms": generated.terms, "generate_seconds": generated.seconds,
                         "walls": walls[size],
                         "seconds": wall, "cpu": result.cpu, "per_article": wall / size,
                         "cpu_per_article": result.cpu / size, "peak_rss_sum": result.peak_rss_sum,
                         "peak_rss_single": result.peak_rss_single, "peak_processes": result.peak_processes,
                         "summary": result.summary, "load_before": result.load_before})
            log(f"scaling {size}: {wall:.1f} s median of {len(walls[size])} ({wall / size:.2f} s/article), "
                f"CPU {result.cpu:.1f} s (first build), peak RSS sum {result.peak_rss_sum / 2**20:.0f} MiB, "
                f"{result.summary}")
            shutil.rmtree(root / ".audio-build-cache", ignore_errors=True)
        per = [r["per_article"] for r in rows]
        first, last = rows[0], rows[-1]
        marginal = None
        if len(rows) >= 2:
            a, b = rows[-2], rows[-1]
            marginal = (b["seconds"] - a["seconds"]) / (b["articles"] - a["articles"])
        fit = None
        if len(rows) >= 2:
            xs, ys = [r["articles"] for r in rows], [r["seconds"] for r in rows]
            slope, intercept = statistics.linear_regression(xs, ys)
            fit = {"fixed_seconds": intercept, "seconds_per_article": slope}
        self.results["scaling"] = {
            "rows": rows,
            "linear_fit": fit,
            "spread": max(per) / min(per) - 1 if per else None,
            "vs_smallest": {r["articles"]: r["per_article"] / first["per_article"] for r in rows},
            "marginal_seconds_per_article": marginal,
            "rss_ratio": last["peak_rss_sum"] / first["peak_rss_sum"] if rows else None,
        }

    # -- 7: text half and pages -----------------------------------------------------------------------
    def text_and_pages(self) -> None:
        n, locales = self.args.text_articles, TEXT_LOCALES[: self.args.text_locales]
        root = self.work / "text"
        if root.exists():
            shutil.rmtree(root)
        project = root / "audio-build"
        log(f"text half: generating {n} articles x {len(locales)} locales")
        generated = corpus.generate(project, n, locales, seed=self.args.seed, cli=CLI)
        log(f"  generated: {generated.seconds}")
        out: dict[str, Any] = {"articles": n, "terms": generated.terms, "locales": locales,
                               "generation": generated.seconds, "messages_filled": generated.messages_filled}
        if self.want("pages"):  # first: the text half edits the corpus
            out["pages"] = pages_half(root, project)
        if self.want("text"):
            out["text"] = text_half(root, project, locales)
        self.results["text"] = out


# ------------------------------------------------------------------------------------------ preview

def _fetch(url: str) -> bytes | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bytes(response.read())
    except OSError:
        return None


def _linked(page: bytes, suffix: str) -> str | None:
    found = re.search(rf'src="([^"]+\.{suffix})"', page.decode("utf-8", "replace"))
    return found.group(1) if found else None


def _edit_msgstr(po: Path, marker: str) -> str:
    """The first paragraph's msgstr gets `marker` before its final full stop; returns the new words to look for."""
    def insert(msgstr: str) -> str | None:
        stop = msgstr.rfind(".", 0, msgstr.rfind('"'))
        return None if stop < 0 else msgstr[:stop] + f" {marker}" + msgstr[stop:]

    edit_first_paragraph_msgstr(po, insert)
    return marker


def _edit_source(md: Path, marker: str) -> str:
    """The first paragraph after the first `## ` heading gets one more short sentence."""
    lines = md.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## "):
            j = i + 1
            while not lines[j].strip():
                j += 1
            lines[j] += f" Ask your nurse about it {marker}."
            md.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return f"Ask your nurse about it {marker}."
    raise RuntimeError(f"no paragraph under a heading in {md}")


PREVIEW_CASES = [
    # (label, file to edit, page to watch, how to edit)
    ("vi catalog (espeak-ng)", "locales/vi/LC_MESSAGES/fluoroscopy.po", "vi/fluoroscopy/index.html", "po"),
    ("es catalog (Kokoro)", "locales/es/LC_MESSAGES/fluoroscopy.po", "es/fluoroscopy/index.html", "po"),
    ("en content (Piper; every locale falls back)", "content/fluoroscopy.md", "en/fluoroscopy/index.html", "md"),
]


def preview_loop(project: Path, runs: int) -> dict[str, Any]:
    """Start `audio-build serve`, save edits, and time (from the save) when the page served over HTTP shows
    the new words and when its captions (the audio's own timed text) hold them with a new MP3 behind them."""
    port = closed_port()
    log_path = project / "serve.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen([CLI, "serve", "-p", str(port)], cwd=project, stderr=log_file,
                                  stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    out: dict[str, Any] = {"cases": {}}
    try:
        started = time.perf_counter()
        while "serving " not in log_path.read_text():
            if server.poll() is not None or time.perf_counter() - started > 900:
                raise RuntimeError(f"audio-build serve did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        out["start_seconds"] = time.perf_counter() - started
        for label, rel, page, how in PREVIEW_CASES:
            timings = []
            for n in range(runs):
                target = project / rel
                original = target.read_text(encoding="utf-8")
                builds_before = log_path.read_text().count("\nbuilt ")
                page_before = _fetch(base + page) or b""
                mp3_before = _fetch(base + posixpath.join(posixpath.dirname(page), _linked(page_before, "mp3") or ""))
                marker = f"{371 + 97 * n + 1000 * len(out['cases'])}"
                words = _edit_msgstr(target, marker) if how == "po" else _edit_source(target, marker)
                saved = time.perf_counter()
                page_at = audio_at = own_voice_at = None
                while time.perf_counter() - saved < 600 and own_voice_at is None:
                    body = _fetch(base + page)
                    now = time.perf_counter() - saved
                    if body and words.encode() in body:
                        page_at = page_at if page_at is not None else now
                        vtt, mp3 = _linked(body, "vtt"), _linked(body, "mp3")
                        folder = posixpath.dirname(page)
                        captions = _fetch(base + posixpath.join(folder, vtt)) if vtt else None
                        if captions and words.encode() in captions:
                            audio = _fetch(base + posixpath.join(folder, mp3)) if mp3 else None
                            if audio and audio != mp3_before:
                                audio_at = audio_at if audio_at is not None else now
                                if DRAFT_VOICE_NOTE.encode() not in body:  # the locale's own voice, not a draft voice
                                    own_voice_at = now
                    time.sleep(0.01)
                while log_path.read_text().count("\nbuilt ") <= builds_before:  # the full build that follows
                    if time.perf_counter() - saved > 1200:
                        break
                    time.sleep(0.1)
                full = time.perf_counter() - saved
                target.write_text(original, encoding="utf-8")
                while log_path.read_text().count("\nbuilt ") <= builds_before + 1:  # and the one for the undo
                    if time.perf_counter() - saved > 2400:
                        break
                    time.sleep(0.1)
                timings.append({"page": page_at, "audio": audio_at, "own_voice": own_voice_at, "full_build": full})
                log(f"  preview {label}: page {page_at} s, audio {audio_at} s, in the locale's own voice "
                    f"{own_voice_at} s, full build done {full:.1f} s")
            out["cases"][label] = {"runs": timings,
                                   "page_median": median(_seen(timings, "page")),
                                   "audio_median": median(_seen(timings, "audio")),
                                   "own_voice_median": median(_seen(timings, "own_voice")),
                                   "full_median": median(_seen(timings, "full_build"))}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        out["serve_log_tail"] = log_path.read_text()[-3000:]
    return out


TEXT_LOCALES = ["es", "fr", "pt-BR", "vi", "ru", "ht", "de", "it"]


def edit_first_paragraph_msgstr(po: Path, change: Callable[[str], str | None]) -> tuple[str, str]:
    """Apply `change` to the first paragraph msgstr it accepts (it returns None to pass one over); the catalog
    is saved with that one entry changed. Returns the msgstr before and after, as written in the file."""
    entries = po.read_text(encoding="utf-8").split("\n\n")
    for index, entry in enumerate(entries):
        if "#. Paragraph." not in entry or "\nmsgstr " not in entry:
            continue
        head, msgstr = entry.split("\nmsgstr ", 1)
        new = change(msgstr)
        if new is None:
            continue
        entries[index] = head + "\nmsgstr " + new
        po.write_text("\n\n".join(entries), encoding="utf-8")
        return msgstr, new
    raise RuntimeError(f"no paragraph msgstr in {po} that the edit applies to")


def edit_paragraph_msgstr(po: Path) -> dict[str, str]:
    """Change the end of the first paragraph's msgstr slightly ('.' -> '!'): one block, one clip."""
    def exclaim(msgstr: str) -> str | None:
        position = msgstr.rfind('."')
        return None if position < 0 else msgstr[:position] + '!"' + msgstr[position + 2:]

    before, after = edit_first_paragraph_msgstr(po, exclaim)
    return {"before": before[-80:], "after": after[-80:]}


def edit_article(content: Path, slug: str) -> None:
    """The same source edit for every tool: one paragraph of one article gets a sentence longer."""
    path = content / f"{slug}.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## What is"):
            lines[i + 2] += " Ask your nurse about it too."
            break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


MD2PO_DRIVER = r'''
import sys
from pathlib import Path
from mdpo.md2po.__main__ import run
root = Path(sys.argv[1])
for md in sorted((root / "content").rglob("*.md")):
    domain = ("glossary-" if md.parent.name == "terms" else "") + md.stem
    pot = root / "locales" / f"{domain}.pot"
    run([str(md.relative_to(root)), "--po-filepath", str(pot), "--save", "--merge-pofiles", "--remove-not-found",
         "--wrapwidth", "79", "--quiet"])
'''

PYBABEL_DOMAINS_DRIVER = r'''
import sys
from pathlib import Path
from babel.messages.frontend import CommandLineInterface
locales = Path(sys.argv[1])
for pot in sorted(locales.glob("*.pot")):
    CommandLineInterface().run(["pybabel", "-q", "update", "-i", str(pot), "-d", str(locales), "-D", pot.stem,
                                "--previous", "-w", "79"])
'''


def seed_catalogs(locales_dir: Path, folders: Sequence[str], pots: Sequence[Path], domain_of: Callable[[Path], str]) -> int:
    """Translated catalogs for a peer: each template read once, written once per locale with pseudo-msgstrs."""
    from babel.messages.pofile import read_po, write_po

    written = 0
    for pot in pots:
        with pot.open("rb") as handle:
            template = read_po(handle)
        for folder in folders:
            template.locale = folder  # sets Language and plural forms for the header
            for message in template:
                if message.id:
                    if isinstance(message.id, (list, tuple)):
                        message.string = tuple(corpus.pseudo_translate(message.id[min(k, 1)], folder)
                                               for k in range(template.num_plurals))
                    else:
                        message.string = corpus.pseudo_translate(message.id, folder)
            target = locales_dir / folder / "LC_MESSAGES" / f"{domain_of(pot)}.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                write_po(handle, template, width=79)
            written += 1
    return written


def text_half(root: Path, project: Path, locales: Sequence[str]) -> dict[str, Any]:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    folders = [t.replace("-", "_") for t in locales]
    slug = corpus.article_slug(len(list((project / "content").glob("*.md"))) // 2)
    # ---- peers' trees, set up from the same content before the edit (not timed)
    log("text half: setting up the peers' catalogs")
    babel_tree = root / "pybabel"
    shutil.copytree(project / "content", babel_tree / "content")
    shutil.copytree(REPO / "audio_build" / "publish" / "templates", babel_tree / "audio_build" / "publish" / "templates")
    (babel_tree / "babel.cfg").write_text("[audio_build: content/**.md]\n\n[jinja2: audio_build/publish/templates/**.html]\n"
                                          "silent = false\ntrimmed = true\n")
    merged = Catalog(project="bench")  # every domain's messages in one template, as `pybabel extract` makes
    for pot in sorted((project / "locales").glob("*.pot")):
        with pot.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    merged.add(message.id, locations=message.locations, auto_comments=message.auto_comments,
                               context=message.context)
    (babel_tree / "locales").mkdir()
    with (babel_tree / "locales" / "messages.pot").open("wb") as handle:
        write_po(handle, merged, width=79)
    seed_catalogs(babel_tree / "locales", folders, [babel_tree / "locales" / "messages.pot"], lambda p: "messages")

    domains_tree = root / "pybabel-domains"
    shutil.copytree(project / "locales", domains_tree / "locales")

    md_tree = root / "mdpo"
    shutil.copytree(project / "content", md_tree / "content")
    (md_tree / "locales").mkdir()
    run([PYTHON, "-c", MD2PO_DRIVER, md_tree], cwd=md_tree)
    pots = sorted((md_tree / "locales").glob("*.pot"))
    seed_catalogs(md_tree / "locales", folders, pots, lambda p: p.stem)

    for tree in (project, babel_tree, md_tree):
        edit_article(tree / "content", slug)
    results: dict[str, Any] = {"edited_article": slug, "method": {
        "audio-build": "`audio-build extract -q` then `audio-build update -q` (console script, 2 processes)",
        "pybabel (single template)": "`pybabel extract -F babel.cfg -o locales/messages.pot .` with the audio_build "
                                     "extractor + jinja2 templates, then `pybabel update -i locales/messages.pot "
                                     "-d locales -D messages` (2 processes; one catalog per locale holding every "
                                     "article)",
        "pybabel (per domain)": "`pybabel update -i locales/<domain>.pot -d locales -D <domain> --previous` for every "
                                "domain, through Babel's CLI class in one Python process (no interpreter start per "
                                "domain), on a copy of audio-build's own catalogs and templates; extraction is the "
                                "single-template `pybabel extract` time (per-file extraction costs the same plugin "
                                "work)",
        "md2po + msgmerge": "md2po (mdpo CLI entry point, every file in one Python process: --save --merge-pofiles "
                            "--remove-not-found) into one .pot per article, then `msgmerge -q -U --backup=off "
                            "--previous` per catalog (one process per catalog)",
    }}
    # ---- audio-build
    log("text half: audio-build extract + update")
    extract = run([CLI, "extract", "-q"], cwd=project)
    update = run([CLI, "update", "-q"], cwd=project)
    results["audio-build"] = {"extract": extract.wall, "update": update.wall, "total": extract.wall + update.wall,
                              "cpu": extract.cpu + update.cpu}
    # Can audio-build read back what its update wrote for the edited article (a fuzzy entry with `#| msgid`)?
    probe = subprocess.run([PYTHON, "-c", ("import sys; from pathlib import Path; "
                            "from audio_build.i18n.pofile import read_catalog; read_catalog(Path(sys.argv[1]))"),
                            project / "locales" / folders[0] / "LC_MESSAGES" / f"{slug}.po"],
                           check=False, capture_output=True, text=True)
    results["audio-build"]["updated_catalog_readable"] = probe.returncode == 0
    results["audio-build"]["read_error"] = probe.stderr.strip().splitlines()[-1] if probe.returncode else ""
    log(f"  {results['audio-build']}")
    # ---- pybabel, single template
    log("text half: pybabel extract + update (single template)")
    extract = run([BIN / "pybabel", "-q", "extract", "-F", "babel.cfg", "-o", "locales/messages.pot",
                   "-c", "Translators:", "."], cwd=babel_tree)
    update = run([BIN / "pybabel", "-q", "update", "-i", "locales/messages.pot", "-d", "locales", "-D", "messages",
                  "--previous", "-w", "79"], cwd=babel_tree)
    babel_extract = extract.wall
    results["pybabel (single template)"] = {"extract": extract.wall, "update": update.wall,
                                            "total": extract.wall + update.wall, "cpu": extract.cpu + update.cpu}
    log(f"  {results['pybabel (single template)']}")
    # ---- pybabel, one update per domain, on audio-build's own layout and (new) templates
    log("text half: pybabel update per domain")
    for pot in (project / "locales").glob("*.pot"):
        shutil.copy2(pot, domains_tree / "locales" / pot.name)
    update = run([PYTHON, "-c", PYBABEL_DOMAINS_DRIVER, domains_tree / "locales"], cwd=domains_tree)
    results["pybabel (per domain)"] = {"extract": babel_extract, "update": update.wall,
                                       "total": babel_extract + update.wall, "cpu": update.cpu,
                                       "extract_reused": True}
    log(f"  {results['pybabel (per domain)']}")
    # ---- md2po + msgmerge
    log("text half: md2po + msgmerge")
    extract = run([PYTHON, "-c", MD2PO_DRIVER, md_tree], cwd=md_tree)
    load = loadavg()
    started = time.perf_counter()
    cpu_before = os.times()
    catalogs = 0
    for pot in sorted((md_tree / "locales").glob("*.pot")):
        for folder in folders:
            po = md_tree / "locales" / folder / "LC_MESSAGES" / f"{pot.stem}.po"
            subprocess.run(["msgmerge", "-q", "-U", "--backup=off", "--previous", str(po), str(pot)], check=True)
            catalogs += 1
    merge_wall = time.perf_counter() - started
    cpu_after = os.times()
    merge_cpu = (cpu_after.children_user - cpu_before.children_user) + (cpu_after.children_system
                                                                          - cpu_before.children_system)
    startup = run([BIN / "md2po", "--version"], cwd=md_tree)
    files = len(list((md_tree / "content").rglob("*.md")))
    results["md2po + msgmerge"] = {"extract": extract.wall, "update": merge_wall, "total": extract.wall + merge_wall,
                                   "cpu": extract.cpu + merge_cpu, "catalogs": catalogs, "load_before": load,
                                   "md2po_process_start_seconds": startup.wall,
                                   "md2po_one_process_per_file_estimate": extract.wall + files * startup.wall}
    log(f"  {results['md2po + msgmerge']}")
    peers = {k: v for k, v in results.items() if k not in ("audio-build", "method", "edited_article")}
    fastest = min(peers, key=lambda k: peers[k]["total"])
    results["fastest_peer"] = fastest
    results["ratio_to_fastest_peer"] = results["audio-build"]["total"] / peers[fastest]["total"]
    return results


PAGES_PAIRS = 3  # audio-build and minimal mkdocs alternately: one run of each moved the ratio by 0.3


def pages_half(root: Path, project: Path) -> dict[str, Any]:
    """Pages only, against MkDocs on the same Markdown. audio-build and the minimal MkDocs build run in turn
    (A B A B ...) and the ratio is the median of each pair's: the machine's speed drifts by tens of per cent
    over a minute, which one run of each turned into the ratio."""
    articles = len(list((project / "content").glob("*.md")))
    sources = len(list((project / "content").rglob("*.md")))
    docs = root / "mkdocs" / "docs"
    shutil.copytree(project / "content", docs)
    (docs / "index.md").write_text("# Benchmark Health Library\n")
    configs = {
        "mkdocs (defaults: full nav, search)": "site_name: Benchmark Health Library\n",
        "mkdocs (nav: index only, no plugins)": "site_name: Benchmark Health Library\nnav:\n  - index.md\nplugins: []\n",
    }

    def mkdocs(name: str) -> tuple[Run, int]:
        (root / "mkdocs" / "mkdocs.yml").write_text(configs[name])
        shutil.rmtree(root / "mkdocs" / "site", ignore_errors=True)
        result = run([BIN / "mkdocs", "build", "-q", "-d", "site"], cwd=root / "mkdocs")
        return result, sum(1 for p in (root / "mkdocs" / "site").rglob("index.html"))

    def ours() -> Run:
        fresh_output(project)
        return run([CLI, "build", "--no-audio", "-j", "1"], cwd=project)

    minimal_name = "mkdocs (nav: index only, no plugins)"
    builds: list[Run] = []
    minimal: list[tuple[Run, int]] = []
    for pair in range(PAGES_PAIRS):
        log(f"pages: audio-build build --no-audio, then {minimal_name} (pair {pair + 1} of {PAGES_PAIRS})")
        builds.append(ours())
        minimal.append(mkdocs(minimal_name))
        log(f"  {builds[-1].wall:.1f} s, {builds[-1].summary.get('pages', 0)} pages; "
            f"{minimal[-1][0].wall:.2f} s, {minimal[-1][1]} pages")
    pages = int(builds[0].summary.get("pages", 0)) or 1
    locales = int(builds[0].summary.get("locales", 1)) or 1
    ratios = [(b.wall / pages) / (m.wall / max(n, 1)) for b, (m, n) in zip(builds, minimal, strict=True)]
    wall = median([b.wall for b in builds])
    out: dict[str, Any] = {"audio-build": {"seconds": wall, "walls": [b.wall for b in builds], "cpu": builds[0].cpu,
                                           "pages": pages, "locales": locales, "source_documents": sources,
                                           "per_page": wall / pages,
                                           "per_source_document_per_locale": wall / (sources * locales),
                                           "peak_rss_sum": builds[0].peak_rss_sum, "summary": builds[0].summary},
                           "pairs": PAGES_PAIRS, "ratio_per_pair": ratios, "ratio": median(ratios)}
    built = minimal[0][1]
    out[minimal_name] = {"seconds": median([m.wall for m, _ in minimal]), "walls": [m.wall for m, _ in minimal],
                         "cpu": minimal[0][0].cpu, "pages": built,
                         "per_page": median([m.wall for m, _ in minimal]) / max(built, 1),
                         "peak_rss_sum": minimal[0][0].peak_rss_sum}
    log("pages: mkdocs (defaults: full nav, search), once (shown, not compared)")
    result, built = mkdocs("mkdocs (defaults: full nav, search)")
    out["mkdocs (defaults: full nav, search)"] = {"seconds": result.wall, "cpu": result.cpu, "pages": built,
                                                  "per_page": result.wall / max(built, 1),
                                                  "peak_rss_sum": result.peak_rss_sum}
    log(f"  {result.wall:.1f} s, {built} pages; ratio per pair {', '.join(f'{r:.2f}' for r in ratios)}")
    out["articles"] = articles
    return out


# ------------------------------------------------------------------------------------------- report

def _fmt_s(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f} s"


def _phase_text(phases: dict[str, float], calls: dict[str, int]) -> str:
    """'plan 0.5 s; audio jobs 54.9 s (synthesis ..., assemble ... [integrated_loudness ...]); ...'"""
    def one(name: str) -> str:
        count = calls.get(name, 0)
        return f"{name} {phases[name]:.1f} s" + (f" ×{count}" if count > 1 else "")

    inner = [one(n) for n in ("synthesis via the espeak-ng helper", "assemble + loudness normalization",
                              "encode + decoded peak check", "clip cache writes") if n in phases]
    for label, names in (("assemble + loudness normalization", ("integrated_loudness", "limit")),
                         ("encode + decoded peak check", ("encode_mp3", "decode_mp3"))):
        detail = [one(n) for n in names if n in phases]
        for i, text in enumerate(inner):
            if text.startswith(label) and detail:
                inner[i] += f" [{', '.join(detail)}]"
    parts = []
    for name in ("imports", "plan", "audio jobs", "page rendering", "downloads (EPUB, ZIP)", "publish"):
        if name in phases:
            parts.append(one(name) + (f" ({'; '.join(inner)})" if name == "audio jobs" and inner else ""))
    return "; ".join(parts)


def _loads(section: dict[str, Any]) -> str:
    loads = [r["load_before"] for r in section["runs"]]
    return f"load avg {min(loads):.1f}–{max(loads):.1f}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    floor, cold = results.get("floor"), results.get("cold", {})
    if floor:
        f = floor["runs"][0]
        mix = ", ".join(f"{name} {row['clips']} clips ({row['audio_seconds'] / 60:.1f} min)"
                        for name, row in sorted(f["engines"].items()))
        rows.append((("Floor of the default engine mix (repository content): raw espeak-ng in-process + the "
                      "neural engines' ONNX inference + raw LAME (median)"),
                     (f"{_fmt_s(floor['median_seconds'])}: espeak-ng {f['espeak_seconds']:.1f} s + ONNX inference "
                      f"{f['neural_seconds']:.1f} s + LAME {f['encode_seconds']:.1f} s; {f['clips_unique']} clips "
                      f"[{mix}], {f['jobs']} documents, {f['audio_minutes']:.1f} min"), "—", "—"))
    j1, j2 = cold.get("j1"), cold.get("j2")
    if j1:
        value = f"{_fmt_s(j1['median_seconds'])} (n={len(j1['runs'])}; CPU {j1['median_cpu']:.1f} s; {_loads(j1)})"
        ratio = j1["median_seconds"] / floor["median_seconds"] if floor else None
        rows.append(("Cold build -j1, all locales (median)", value, "—", "—"))
        if ratio is not None:
            rows.append(("Cold -j1 / floor", f"{ratio:.2f}x", "≤ 1.5x", _met(ratio <= 1.5)))
    if j2:
        rows.append(("Cold build -j2 (median)", (f"{_fmt_s(j2['median_seconds'])} (n={len(j2['runs'])}; CPU "
                     f"{j2['median_cpu']:.1f} s; {_loads(j2)})"), "—", "—"))
        if j1:
            speedup = j1["median_seconds"] / j2["median_seconds"]
            rows.append(("Speedup -j2 vs -j1", f"{speedup:.2f}x", "≥ 1.8x", _met(speedup >= 1.8)))
    espeak = results.get("espeak")
    if espeak:
        f = espeak["floors"][0]
        ratio = espeak["median_seconds"] / espeak["median_floor"]
        rows.append(("Cold build -j1, every locale by espeak-ng (`--engine espeak`), median",
                     (f"{_fmt_s(espeak['median_seconds'])} (n={len(espeak['runs'])}) vs floor "
                      f"{_fmt_s(espeak['median_floor'])} (espeak-ng {f['espeak_seconds']:.1f} s + LAME "
                      f"{f['encode_seconds']:.1f} s; {f['clips_unique']} clips, {f['audio_minutes']:.1f} min) = "
                      f"{ratio:.2f}x"), "— (the default mix is the target)", "—"))
    phases = results.get("phases")
    if phases:
        for key, value in phases.items():
            if key.startswith("j"):
                shown = _phase_text(value["phases"], value["calls"])
                rows.append((f"Cold build {key.replace('j', '-j')} by phase (one run)",
                             f"{value['wall']:.1f} s: {shown}; serial part {value['serial_seconds']:.1f} s", "—", "—"))
        if "amdahl_bound_j2_speedup" in phases:
            rows.append(("  best -j2 speedup with that serial part (Amdahl)",
                         f"{phases['amdahl_bound_j2_speedup']:.2f}x", "≥ 1.8x",
                         _met(phases["amdahl_bound_j2_speedup"] >= 1.8)))
    noop = results.get("noop")
    if noop:
        share = noop["median_seconds"] / j1["median_seconds"] if j1 else None
        ok = noop["clips_synthesized"] == 0 and noop["files_rewritten"] == 0 and (share is None or share < 0.01)
        rows.append(("No-op rebuild (median)", f"{_fmt_s(noop['median_seconds'], 2)}"
                     + (f" = {share * 100:.2f}% of cold -j1" if share is not None else "")
                     + f"; {noop['clips_synthesized']} clips; {noop['files_rewritten']} of {noop['files_checked']} "
                       "files rewritten", "0 clips, 0 files, < 1%", _met(ok)))
    edit = results.get("edit")
    if edit:
        clips = edit["clips_synthesized"]
        rows.append(("One es msgstr changed (fluoroscopy.po paragraph)",
                     f"{_fmt_s(edit['seconds'])}; {clips} clip(s) synthesized; {edit['files_rewritten']} files rewritten",
                     "exactly 1 clip", _met(clips == 1)))
    preview = results.get("preview")
    if preview:
        for label, case in preview["cases"].items():
            page, audio = case["page_median"], case["audio_median"]
            own = case.get("own_voice_median", audio)
            voice = (f"audio {audio:.2f} s" if own == audio else
                     f"audio {audio:.2f} s in the draft voice, {own:.2f} s in the locale's own")
            rows.append((f"serve preview, one save: {label} (median of {len(case['runs'])})",
                         f"page {page:.2f} s, {voice} (full build done {case['full_median']:.1f} s)",
                         "page ≤ 0.5 s, audio ≤ 2 s",
                         _met(page <= 0.5 and audio <= 2.0)
                         + (" (draft voice only)" if audio <= 2.0 < own else "")))
    scaling = results.get("scaling")
    if scaling:
        per = ", ".join(f"{r['articles']}: {r['per_article']:.2f} s" for r in scaling["rows"])
        spread = scaling["spread"]
        rows.append(("Scaling -j2, time per article (en + es, with audio)", f"{per}; spread {spread * 100:.0f}%"
                     + (f"; marginal {scaling['marginal_seconds_per_article']:.2f} s/article"
                        if scaling["marginal_seconds_per_article"] is not None else ""),
                     "flat within 15%", _met(spread <= 0.15)))
        clips = ", ".join(f"{r['articles']}: {r['summary'].get('synthesized', 0) / r['articles']:.1f}"
                          for r in scaling["rows"])
        rows.append(("  clips synthesized per article (the work the sizes compare)", clips, "equal", "—"))
        if scaling.get("linear_fit"):
            fit = scaling["linear_fit"]
            rows.append(("  linear fit of build time over the sizes", (f"{fit['fixed_seconds']:.1f} s fixed + "
                         f"{fit['seconds_per_article']:.2f} s per article"), "—", "—"))
        rss = ", ".join(f"{r['articles']}: {r['peak_rss_sum'] / 2**20:.0f} MiB" for r in scaling["rows"])
        ratio = scaling["rss_ratio"]
        first, last = scaling["rows"][0]["articles"], scaling["rows"][-1]["articles"]
        rows.append((f"Peak RSS summed over the build's processes, {last} vs {first} articles",
                     f"{ratio:.2f}x ({rss})", "≤ 1.2x", _met(ratio <= 1.2)))
    text = results.get("text", {})
    half = text.get("text")
    if half:
        ab = half["audio-build"]
        rows.append((f"audio-build extract + update ({text['articles']} articles, {len(text['locales'])} locales)",
                     f"{_fmt_s(ab['total'])} (extract {ab['extract']:.1f} + update {ab['update']:.1f})", "—", "—"))
        for name in ("pybabel (single template)", "pybabel (per domain)", "md2po + msgmerge"):
            peer = half[name]
            rows.append((f"  peer: {name}", (f"{_fmt_s(peer['total'])} (extract {peer['extract']:.1f} + update "
                         f"{peer['update']:.1f})"), "—", "—"))
        fastest = half["fastest_peer"]
        if not ab.get("updated_catalog_readable", True):
            rows.append(("audio-build reads back the catalogs its `update` wrote", f"no: {ab['read_error'][:120]}",
                         "yes", _met(False)))
        rows.append(("audio-build vs fastest peer", f"{half['ratio_to_fastest_peer']:.2f}x of {fastest}",
                     "< 1.0x (faster)", _met(half["ratio_to_fastest_peer"] < 1.0)))
    pages = text.get("pages")
    if pages:
        ab = pages["audio-build"]
        rows.append((f"Pages only: audio-build build --no-audio ({ab['locales']} locales)",
                     (f"{_fmt_s(ab['seconds'])} for {ab['pages']} pages = {ab['per_page'] * 1000:.1f} ms/page; "
                     f"{ab['seconds'] / ab['source_documents'] * 1000:.0f} ms per source document (all locales)"),
                     "—", "—"))
        for name, peer in pages.items():
            if name.startswith("mkdocs"):
                rows.append((f"  peer: {name}", (f"{_fmt_s(peer['seconds'])} for {peer['pages']} pages = "
                             f"{peer['per_page'] * 1000:.1f} ms/page"), "—", "—"))
        if "ratio" in pages:
            ratio = pages["ratio"]
            each = ", ".join(f"{r:.2f}" for r in pages["ratio_per_pair"])
            rows.append(("Pages: audio-build per page / minimal mkdocs per page (median of the pairs' ratios)",
                         f"{ratio:.2f}x ({each})", "≤ 1.5x", _met(ratio <= 1.5)))
    return rows


def markdown(rows: Sequence[tuple[str, str, str, str]]) -> str:
    lines = ["| figure | value | target | met? |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- main

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (~5 min)")
    parser.add_argument("--runs", type=int, default=1,
                        help="cold builds of the default engine mix per -j setting (default 1: Kokoro makes each one "
                             "take minutes)")
    parser.add_argument("--floor-runs", type=int, default=None, help="floors measured (default: every -j1 run)")
    parser.add_argument("--espeak-runs", type=int, default=3, help="cold -j1 builds with --engine espeak (default 3)")
    parser.add_argument("--noop-runs", type=int, default=3)
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                        help="scaling sizes, comma-separated (default 10,100,400; quick 5,10,20)")
    parser.add_argument("--text-articles", type=int, default=None, help="text-half corpus (default 1000; quick 100)")
    parser.add_argument("--text-locales", type=int, default=None, help="text-half locales (default 8; quick 3)")
    parser.add_argument("--phase-jobs", type=lambda s: [int(x) for x in s.split(",")], default=[1],
                        help="-j values for the phase breakdown (default 1: the jobs run in-process, so their "
                             "stages are timed too; skipped by --quick)")
    parser.add_argument("--preview-runs", type=int, default=3, help="saves per preview case (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    args.floor_runs = args.floor_runs or args.runs
    if args.quick:
        args.espeak_runs = 1
    args.sizes = args.sizes or ([5, 10, 20] if args.quick else [10, 100, 400])
    args.text_articles = args.text_articles or (100 if args.quick else 1000)
    args.text_locales = min(args.text_locales or (3 if args.quick else 8), len(TEXT_LOCALES))
    if args.quick:
        args.noop_runs = min(args.noop_runs, 2)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not CLI.exists():
        print(f"{CLI} is missing: run `make install` first", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="audio-build-bench-"))
    bench = Bench(args, work, closed_port())
    started = time.perf_counter()
    package_before = package_hash()
    environment = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "machine": platform.machine(), "loadavg_start": Path("/proc/loadavg").read_text().strip(),
        "audio_build_package_hash": package_before, "quick": args.quick, "runs": args.runs, "sizes": args.sizes,
        "text_articles": args.text_articles, "text_locales": args.text_locales, "work": str(work),
    }
    log(f"working in {work}; load average {environment['loadavg_start']}")
    try:
        if bench.want("floor") or bench.want("cold"):
            bench.floor_and_cold()
        if bench.want("espeak"):
            bench.espeak_only()
        if args.only and "phases" in args.only:  # diagnostics: one more cold build, with every stage timed
            bench.phases()
        if bench.want("noop") or bench.want("edit"):
            bench.noop_and_edit()
        if bench.want("preview"):
            bench.preview()
        if bench.want("scaling"):
            bench.scaling()
        if bench.want("text") or bench.want("pages"):
            bench.text_and_pages()
    finally:
        environment["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
        environment["seconds"] = time.perf_counter() - started
        environment["audio_build_package_hash_end"] = package_hash()
        environment["package_changed_during_run"] = environment["audio_build_package_hash_end"] != package_before
        rows = table(bench.results)
        report = markdown(rows)
        args.out.mkdir(parents=True, exist_ok=True)
        stamp = dt.date.today().isoformat()
        suffix = "-quick" if args.quick else ""
        json_path = args.out / f"bench-{stamp}{suffix}.json"
        json_path.write_text(json.dumps({"environment": environment, "results": bench.results,
                                         "table": [list(r) for r in rows]}, indent=1, default=str) + "\n")
        (args.out / f"bench-{stamp}{suffix}.md").write_text(report + "\n")
        print(report)
        print(f"\n{json_path} ({environment['seconds'] / 60:.1f} min; load {environment['loadavg_start']} -> "
              f"{environment['loadavg_end']})", file=sys.stderr)
        if environment["package_changed_during_run"]:
            print("warning: audio_build/ changed while the benchmark ran; figures mix two versions", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
