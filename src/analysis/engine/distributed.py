"""Per-document tasks on a Dask cluster (``analysis run --scheduler ADDRESS``).

The workers run the same :func:`analysis.engine.task.process_document` as the local workers
and write the same cache files, so the input files and the output folder must be on a file
system every worker sees at the same path (NFS, a cluster file system). Only the small notes
travel back to this process; the cross-document work (pairing, comparison, report) then runs
here on the cached rows, exactly as after a local run.

Dask cannot stop a task that is stuck inside a worker thread, so on a cluster the per-document
time limit is Dask's business (``distributed.scheduler.worker-ttl``, worker lifetime
settings); a document whose task raises or whose worker is lost gets a ``failed`` row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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


def run_on_cluster(task: Callable, jobs: list[tuple], address: str) -> Iterator[tuple[int, dict]]:
    """Yield ``(index, result)`` as the cluster finishes documents."""
    from distributed import as_completed

    client = _client(address)
    try:
        queue = iter(enumerate(jobs))
        futures = {}

        def submit(count: int) -> list:
            fresh = []
            for index, args in queue:
                future = client.submit(task, *args, key=f"analysis-doc-{index}-{args[1] or index}", pure=False)
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
