"""Worker process pools that never outlive the command that started them.

A build or an update killed with SIGKILL cannot shut its pool down; each worker watches the process
that owns the pool and exits with it, so no orphan keeps running (or keeps the project lock).
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import multiprocessing.forkserver
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PR_SET_PDEATHSIG = 1


def die_with_owner(owner: int) -> None:
    """Pool initializer: end this worker as soon as the process that owns the pool is gone.

    A forked worker asks the kernel for SIGKILL when its parent dies; a forkserver's worker (whose
    parent is the fork server, which can outlive the owner) waits on a pidfd of the owner in a thread.
    """
    if os.getppid() == owner and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    try:
        watch = os.pidfd_open(owner)
    except (AttributeError, OSError):  # not Linux, or the owner is already gone
        watch = None
    if watch is None:
        if not _alive(owner):
            os._exit(1)
        return

    def wait_for_owner() -> None:
        select.select([watch], [], [])
        os._exit(1)

    threading.Thread(target=wait_for_owner, name="owner-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RECEIVED: dict[str, Any] = {}  # in a worker: what its pool's initializer handed it (see map_with_context)


def _start_worker(owner: int, shared: Any) -> None:
    die_with_owner(owner)
    _RECEIVED["shared"] = shared


def _with_shared(function: Callable[[Any, T], R], task: T) -> R:
    return function(_RECEIVED["shared"], task)


def process_pool(workers: int, start_method: str, preload: tuple[str, ...] = (),
                 shared: Any = None) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor whose workers die with their parent.

    "fork" is cheapest for a process with no threads; "forkserver" (with modules preloaded) for a
    parent that runs threads or holds state the workers must not inherit. `shared` reaches each worker
    through the pool's initializer (inherited, never pickled, under "fork").
    """
    method = start_method if start_method in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    if method == "forkserver" and preload:
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(os.getpid(), shared))


def start_fork_server(preload: tuple[str, ...]) -> None:
    """Start the fork server now: it imports `preload` while this process goes on, instead of when the
    first pool asks for a worker (then every worker waits for those imports). Later pools reuse it."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    multiprocessing.forkserver.ensure_running()


def map_in_processes(function: Callable[[T], R], tasks: Sequence[T], jobs: int | None, min_tasks: int = 8) -> list[R]:
    """`map` over forked worker processes, results in task order; the first error (in task order) is raised.

    Forked workers see everything the parent built before the call, so tasks can stay small. Runs in
    this process when there is one CPU, few tasks, or other threads (forking a threaded process is unsafe).
    """
    return map_with_context(_apply, function, tasks, jobs, min_tasks)


def _apply(function: Callable[[T], R], task: T) -> R:
    return function(task)


def map_with_context(function: Callable[[Any, T], R], shared: Any, tasks: Sequence[T], jobs: int | None,
                     min_tasks: int = 8) -> list[R]:
    """`map_in_processes` for tasks that all read one large object (`function(shared, task)`): forked
    workers inherit `shared` through their pool's initializer instead of receiving a pickled copy per task."""
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers <= 1 or len(tasks) < min_tasks or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [function(shared, task) for task in tasks]
    with process_pool(workers, "fork", shared=shared) as pool:
        return list(pool.map(functools.partial(_with_shared, function), tasks,
                             chunksize=max(1, len(tasks) // (workers * 8))))
