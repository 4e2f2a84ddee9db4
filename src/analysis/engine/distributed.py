"""Per-document tasks on a Dask cluster (``analysis run --scheduler ADDRESS``).

The workers run the same :func:`analysis.engine.task.process_document` as the local workers
and write the same cache files, so the input files and the output folder must be on a file
system every worker sees at the same path (NFS, a cluster file system). Only the small notes
travel back to this process; the cross-document work (pairing, comparison, report) then runs
here on the cached rows, exactly as after a local run.

Dask cannot stop a task that is stuck inside a worker thread, so with a time limit each Dask
worker thread runs its documents in a child process of its own (a one-worker
:class:`~analysis.engine.local.LocalPool`, kept from one document to the next): a child past
the limit is killed and replaced, and its document gets the same ``failed: time limit`` row as
on a local run; a child that dies fails its document only. A document whose task raises or
whose Dask worker is lost gets a ``failed`` row too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from analysis.engine.local import LocalPool

MISSING = (
    "analysis run --scheduler needs Dask distributed: pip install 'analysis[dask]' (or pip install 'dask[distributed]')"
)
BATCH = 2000  # futures in flight at once: the scheduler's memory stays bounded for any corpus


class DaskUnavailable(RuntimeError):
    pass


def _client(address: str):
    try:
        from distributed import Client
    except ImportError as error:
        raise DaskUnavailable(MISSING) from error
    try:
        return Client(address, set_as_default=False, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {error}") from error


_pools = threading.local()  # one child process per Dask worker thread


def limited(task: Callable, time_limit: float | None, *args) -> dict:
    """``task(*args)`` on this Dask worker, in a child process stopped after ``time_limit``
    seconds (``None``: in the worker thread itself, as Dask would)."""
    if not time_limit:
        return task(*args)
    pool = getattr(_pools, "pool", None)
    if pool is None or pool.task is not task or pool.time_limit != time_limit:
        if pool is not None:
            pool.close()
        pool = _pools.pool = LocalPool(task, 1, time_limit)
    return pool.run_one(args)


def run_on_cluster(
    task: Callable, jobs: list[tuple], address: str, time_limit: float | None = None
) -> Iterator[tuple[int, dict]]:
    """Yield ``(index, result)`` as the cluster finishes documents; each document is stopped
    after ``time_limit`` seconds on its worker."""
    from distributed import as_completed

    client = _client(address)
    try:
        queue = iter(enumerate(jobs))
        futures = {}

        def submit(count: int) -> list:
            fresh = []
            for index, args in queue:
                future = client.submit(
                    limited, task, time_limit, *args, key=f"analysis-doc-{index}-{args[1] or index}", pure=False
                )
                futures[future] = index
                fresh.append(future)
                if len(fresh) == count:
                    break
            return fresh

        completed = as_completed(submit(BATCH), loop=client.loop)
        for future in completed:
            index = futures.pop(future)
            try:
                result = future.result()
            except Exception as error:  # lost worker, task error: the document fails, the run goes on
                result = {"error": f"Dask: {type(error).__name__}: {error}"}
            future.release()
            yield index, result
            completed.update(submit(1))
    finally:
        client.close()
