"""Running audio jobs on Dask distributed, for libraries that outgrow one machine.

The jobs are the same pure functions the local pool runs (`jobs.run_job`), so outputs are identical.
Workers must see the same cache folder (shared storage) and have audio-build installed; each worker
process keeps its own engine helper. Without a scheduler address a LocalCluster of processes is
started, which is also how the tests exercise this path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from audio_build.errors import AudioBuildError
from audio_build.run.jobs import AudioJob, AudioResult, run_job


def run_on_dask(jobs: Sequence[AudioJob], scheduler: str | None, workers: int | None,
                report: Callable[[AudioJob, AudioResult], None]) -> list[AudioResult]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise AudioBuildError("--executor dask needs Dask: pip install 'audio-build[dask]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:

            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
    except OSError as exc:
        raise AudioBuildError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        futures = client.map(run_job, list(jobs), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[AudioResult | None] = [None] * len(jobs)
        for future in as_completed(futures):
            position = index[future.key]
            job = jobs[position]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its job, not the others
                result = AudioResult(job.name, job.locale, error=f"{job.source}: {job.locale}: Dask worker failed: {exc}")
            results[position] = result
            report(job, result)
        return [r for r in results if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
