"""Beyond one machine: the same jobs on a Dask LocalCluster give the same site, byte for byte."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import Project

pytestmark = pytest.mark.slow


def test_dask_local_cluster_builds_the_same_site_as_the_local_executor(spanish_project: Project,
                                                                       tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    config = (spanish_project.root / "audio-build.toml").read_text()
    manifests = {}
    for executor in ("local", "dask"):
        spanish_project.write("audio-build.toml",
                              config.replace("[site]\n", f'[site]\ncache = "{tmp_path / executor}"\n', 1))
        shutil.rmtree(spanish_project.root / "site", ignore_errors=True)
        proc = spanish_project.run("build", "--executor", executor, "-j", "2")
        assert re.search(r"clips: \d+ synthesized", proc.stderr)
        manifests[executor] = json.loads((spanish_project.site / "manifest.json").read_text())["outputs"]
    assert manifests["dask"] == manifests["local"]
    assert any(name.endswith(".mp3") for name in manifests["dask"])
    assert any(name.endswith(".epub") for name in manifests["dask"])


def test_an_unreachable_scheduler_is_one_clear_line(spanish_project: Project) -> None:
    pytest.importorskip("distributed")
    proc = spanish_project.run("build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", expect=1,
                               timeout=120)
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr
