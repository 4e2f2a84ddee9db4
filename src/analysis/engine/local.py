"""Worker processes on this machine, one document at a time each, with a time limit.

Each worker has its own pipe and is given its documents one by one (one more waiting in the
pipe while it works), and answers each as it finishes it, so the scheduler always knows which
document a worker is on and since when. A worker past the time limit is killed
(whatever it is stuck in: a reader loop, a C library, a check) and replaced, and its document
gets a ``failed`` row with the reason; a worker that dies (a crash in a C library, the kernel's
out-of-memory killer) is replaced the same way. Killing one worker only breaks its own pipe.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import cast

from analysis.processes import main_module_hidden

TIME_LIMIT_REASON = "time limit: 处理超过 {limit:g} 秒，已停止 (time limit)"
DIED_REASON = "工作进程意外退出 (worker died, exit code {code})"
MAX_TASKS_PER_WORKER = 500  # a fresh process now and then gives back memory the allocator keeps
AHEAD = 1  # documents waiting in a worker's pipe behind the one it is on


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        # fork from a clean server that imported the engine once: fast starts, and no copy of
        # a parent whose Polars thread pool is already running (fork would risk a deadlock)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["analysis.engine.task"])
        return context
    return multiprocessing.get_context("spawn")


@contextmanager
def _children_allowed():
    """A Dask worker is a daemonic process, and multiprocessing refuses children to those (so
    that none outlive it). Ours cannot outlive it either: each is a daemon of its own, and its
    loop ends when the pipe to its parent closes, so the refusal is lifted while one starts."""
    config = multiprocessing.current_process()._config
    daemonic = config.pop("daemon", None)
    try:
        yield
    finally:
        if daemonic is not None:
            config["daemon"] = daemonic


def _serve(conn: Connection, task: Callable) -> None:
    while True:
        message = conn.recv()
        if message is None:
            return
        index, args = message
        try:
            result = task(*args)
        except Exception as error:  # the task guards itself; this is the last resort
            result = {"error": f"{type(error).__name__}: {error}"}
        conn.send((index, result))


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    tasks: int = 0
    flight: deque[tuple[int, tuple]] = field(default_factory=deque)
    """Documents sent and not yet answered, in the order the worker does them: the first is the
    one it is on (since ``started``), the others wait in its pipe."""
    started: float = 0.0

    @property
    def index(self) -> int | None:
        """The document the worker is on, or None when it has none."""
        return self.flight[0][0] if self.flight else None

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class LocalPool:
    """``jobs`` worker processes running ``task`` (a module-level function).

    Each worker has one more document waiting in its pipe (``AHEAD``) while it works on one, so
    it goes on to the next at once instead of waiting for this process to read its result and
    send the next: the time limit still runs per document, from the moment the worker is known
    to have started it (its previous result read), and a worker stopped or dead gives back the
    documents waiting in its pipe to be done by another."""

    def __init__(self, task: Callable, jobs: int, time_limit: float | None) -> None:
        self.task, self.jobs, self.time_limit = task, max(1, jobs), time_limit
        self._context = _context()
        self._workers: list[_Worker] = []
        self._pending: deque[tuple[int, tuple]] = deque()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.task), daemon=True)
        with main_module_hidden(), _children_allowed():
            process.start()
        child.close()
        return _Worker(process, parent)

    def run(self, jobs: list[tuple]) -> Iterator[tuple[int, dict]]:
        """Yield ``(index, result)`` as documents finish, in finishing order; a document stopped
        by the time limit or a dying worker yields ``{"error": reason}``."""
        self._pending = deque(enumerate(jobs))
        self._workers = [self._start() for _ in range(min(self.jobs, len(jobs)))]
        try:
            while self._pending or any(w.flight for w in self._workers):
                for worker in self._workers:
                    self._feed(worker)
                yield from self._collect()
        finally:
            self.close()

    def _feed(self, worker: _Worker) -> None:
        # a worker due for renewal gets nothing more: it is renewed once its pipe is empty
        while (
            self._pending
            and len(worker.flight) < 1 + AHEAD
            and worker.tasks + len(worker.flight) < MAX_TASKS_PER_WORKER
        ):
            index, args = self._pending.popleft()
            if not worker.flight:
                worker.started = time.monotonic()
            worker.flight.append((index, args))
            worker.conn.send((index, args))

    def run_one(self, args: tuple) -> dict:
        """One document on a worker process that is kept for the next call (the Dask path: each
        Dask worker thread holds such a pool); stopped at the time limit like :meth:`run`'s."""
        if not self._workers:
            self._workers = [self._start()]
        worker = self._workers[0]
        worker.flight.append((0, args))
        worker.started = time.monotonic()
        worker.conn.send((0, args))
        while True:
            for _index, result in self._collect():
                return result

    def close(self) -> None:
        for worker in self._workers:
            worker.stop(kill=bool(worker.flight))
        self._workers = []

    def _collect(self) -> Iterator[tuple[int, dict]]:
        busy = {w.conn: w for w in self._workers if w.flight}
        timeout = None
        if self.time_limit:
            now = time.monotonic()
            timeout = max(0.0, min(w.started + self.time_limit - now for w in busy.values()))
        # wait() is typed for sockets and pipe ends too; it returns only the Connections given
        for conn in cast(list[Connection], wait(list(busy), timeout)):
            worker = busy[conn]
            try:
                index, result = conn.recv()
            except (EOFError, OSError):
                worker.process.join(1)
                yield self._replace(worker, DIED_REASON.format(code=worker.process.exitcode))
                continue
            worker.flight.popleft()
            worker.started = time.monotonic()  # the worker is on the next one in its pipe, if any
            worker.tasks += 1
            yield index, result
            if worker.tasks >= MAX_TASKS_PER_WORKER and not worker.flight:
                self._renew(worker)
        if self.time_limit:
            now = time.monotonic()
            for worker in [w for w in self._workers if w.flight]:
                if now - worker.started > self.time_limit:
                    yield self._replace(worker, TIME_LIMIT_REASON.format(limit=self.time_limit), kill=True)

    def _replace(self, worker: _Worker, reason: str, kill: bool = True) -> tuple[int, dict]:
        """The worker's document fails with ``reason``; the ones waiting in its pipe go back to
        the front of the queue, in their order; a fresh worker takes its place."""
        index, _args = worker.flight.popleft()  # only a worker with a document is replaced
        self._pending.extendleft(reversed(worker.flight))
        worker.flight.clear()
        self._renew(worker, kill=kill)
        return index, {"error": reason}

    def _renew(self, worker: _Worker, kill: bool = False) -> None:
        worker.stop(kill=kill)
        fresh = self._start()
        worker.process, worker.conn, worker.tasks = fresh.process, fresh.conn, 0
