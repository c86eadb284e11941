"""Where the batch engine prepares its files: worker processes, or threads. Qt-free.

Preparing a small image (read, decode, preprocess) is mostly Python, which threads run one
at a time (the GIL). So single-digit runs prepare files in worker processes forked from a
clean fork server (no TensorFlow, no Qt, one OpenCV thread each), many files per task, and
only what a row needs travels back: the 28x28 input, the box, the message, the thumbnail.
The model stays in the main process (one batched call per chunk). The processes are kept
between runs and stop after a minute without work. Threads are used where
processes can't be: one worker, numbers read with the model (``multi``), platforms without
``forkserver`` (Windows), frozen apps, or when the pool fails to start.

Pictures that need the models (numbers; in ``auto`` mode anything that is no lone digit)
are read on the worker processes too when the main process's reader can be made there
(``ReaderSpec``: the same model files on LiteRT, the same thresholds); each worker loads
its own interpreters once. Otherwise they travel back to be read where the model is.

A worker process that dies (a decoder crashing on a hostile file) costs no rows: the files
of the lost tasks are tried again one at a time, and only the file that kills a worker on
its own gets an error row.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mnist_desktop.batch.files import FileResult, prepare_file
from mnist_desktop.batch.worker_reader import ReaderSpec, light, reader_spec, worker_reader

TASK_SECONDS = 0.05
"""Process tasks are sized to take about this long (fewer round trips, smooth progress)."""
MAX_TASK_SIZE = 64
IDLE_SECONDS = 60.0
"""Worker processes left idle this long after a run are shut down."""
START_TIMEOUT = 60.0
"""Seconds the first worker process may take to start before threads are used instead."""
CRASHED = "the image decoder crashed on this file (its worker process died)"
_PRELOAD = ["mnist_desktop.batch.files"]


def _read_only(result: FileResult) -> FileResult:
    """Arrays come out of pickling writeable; make them read-only again."""
    for array in (result.model_input, result.thumbnail):
        if array is not None:
            array.setflags(write=False)
    return result


def processes_available() -> bool:
    """Whether worker processes can be used here (a fork server and a real interpreter)."""
    return ("forkserver" in multiprocessing.get_all_start_methods()
            and not getattr(sys, "frozen", False) and bool(sys.executable))


def warm_up(workers: int) -> None:
    """Start the worker processes in the background now (e.g. while the model loads), so
    the first batch does not wait for them. They stop when left idle (``IDLE_SECONDS``)."""
    if not processes_available():
        return

    def start() -> None:
        try:
            _SHARED.acquire(workers)
        except Exception:  # noqa: BLE001 - a failed warm-up: the run tries again (or threads)
            return
        _SHARED.release(workers)

    threading.Thread(target=start, name="batch-warm-up", daemon=True).start()


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


# -- the worker-process side ------------------------------------------------------------


def _init_worker() -> None:
    import cv2

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the main process's business
    cv2.setNumThreads(1)  # one process per core already


def _ready() -> int:
    return os.getpid()


def _prepare_task(paths: Sequence[str], thumbnail_size: int, mode: str = "digit",
                  spec: ReaderSpec | None = None) -> tuple[list[FileResult], float]:
    """Runs in a worker process: prepare ``paths``; returns the results and the seconds."""
    start = time.perf_counter()
    reader = worker_reader(spec) if spec is not None and mode != "digit" else None
    results = [light(prepare_file(path, thumbnail_size, reader, mode))  # type: ignore[arg-type]
               for path in paths]
    return results, time.perf_counter() - start


# -- the main-process side --------------------------------------------------------------


class Preparer:
    """Prepares lists of paths on threads; ``submit`` returns a Future of ``FileResult``s."""

    processes = False

    def __init__(self, workers: int, prepare: Callable[[str], FileResult]) -> None:
        self.workers = workers
        self._prepare = prepare
        self._pool: Executor = ThreadPoolExecutor(workers, thread_name_prefix="batch")

    def task_size(self) -> int:
        """How many files the next task should hold."""
        return 1

    def max_tasks(self) -> int:
        """How many tasks may be pending at most (besides the window of files)."""
        return 1 << 30

    def submit(self, paths: Sequence[str]) -> Future:
        return self._pool.submit(lambda: [self._prepare(path) for path in paths])

    def collect(self, future: Future, paths: Sequence[str],
                cancelled: Callable[[], bool]) -> list[FileResult] | None:
        """The results of a finished ``future``; None when cancelled meanwhile."""
        return future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _start_pool(workers: int) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker)
    try:
        pool.submit(_ready).result(timeout=START_TIMEOUT)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


class _SharedPools:
    """One pool per worker count, kept between runs (no start-up cost per run) and shut
    down after ``IDLE_SECONDS`` without a run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[int, ProcessPoolExecutor] = {}
        self._users: dict[int, int] = {}
        self._timers: dict[int, threading.Timer] = {}

    def acquire(self, workers: int) -> ProcessPoolExecutor:
        with self._lock:
            timer = self._timers.pop(workers, None)
            if timer is not None:
                timer.cancel()
            if workers not in self._pools:
                self._pools[workers] = _start_pool(workers)
            self._users[workers] = self._users.get(workers, 0) + 1
            return self._pools[workers]

    def release(self, workers: int) -> None:
        with self._lock:
            self._users[workers] -= 1
            if not self._users[workers]:
                timer = threading.Timer(IDLE_SECONDS, self._shut_if_idle, (workers,))
                timer.daemon = True
                timer.start()
                self._timers[workers] = timer

    def _shut_if_idle(self, workers: int) -> None:
        with self._lock:
            if self._users.get(workers):
                return
            self._timers.pop(workers, None)
            pool = self._pools.pop(workers, None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def replace(self, workers: int, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A working pool instead of ``broken`` (a worker died); started once, however
        many runs notice."""
        with self._lock:
            current = self._pools.get(workers)
            if current is None or current is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pools.pop(workers, None)
                current = self._pools[workers] = _start_pool(workers)
            return current

    def close_all(self) -> None:
        """Stop every pool now (their idle timers too) and wait until they are gone."""
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            pools = list(self._pools.values())
            self._pools.clear()
            self._users.clear()
            self._timers.clear()
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


_SHARED = _SharedPools()


def shutdown_pools() -> None:
    """Stop the worker processes kept between runs now, instead of after ``IDLE_SECONDS``
    (at exit, or before measuring something a pool's shutting down would disturb)."""
    _SHARED.close_all()


class ProcessPreparer(Preparer):
    """Prepares single-digit files in worker processes; see the module's docstring."""

    processes = True

    def __init__(self, workers: int, thumbnail_size: int, mode: str = "digit",
                 spec: ReaderSpec | None = None) -> None:
        self.workers = workers
        self.thumbnail_size = thumbnail_size
        self.mode = mode
        self.spec = spec
        self._lock = threading.Lock()
        self._seconds_per_file: float | None = None
        self._pool = _SHARED.acquire(workers)
        self._submitted: dict[Future, ProcessPoolExecutor] = {}
        """The pool each pending task went to, to tell a broken pool from an old one."""

    def close(self) -> None:
        for future in self._submitted:
            future.cancel()
        self._submitted.clear()
        _SHARED.release(self.workers)

    def _restart(self) -> None:
        self._pool = _SHARED.replace(self.workers, self._pool)

    def task_size(self) -> int:
        per_file = self._seconds_per_file
        if per_file is None:
            return 1
        return max(1, min(MAX_TASK_SIZE, int(TASK_SECONDS / max(per_file, 1e-6))))

    def max_tasks(self) -> int:
        """Until the first task has been timed, one file per task and only a few tasks
        (a big photo or a tiny PNG: the sizes adapt once the time per file is known)."""
        return 2 * self.workers if self._seconds_per_file is None else 1 << 30

    def _timed(self, count: int, future: Future) -> None:
        if future.cancelled() or future.exception() is not None or not count:
            return
        per_file = future.result()[1] / count
        with self._lock:
            old = self._seconds_per_file
            self._seconds_per_file = per_file if old is None else 0.7 * old + 0.3 * per_file

    def submit(self, paths: Sequence[str]) -> Future:
        paths = list(paths)
        try:
            future = self._pool.submit(_prepare_task, paths, self.thumbnail_size, self.mode,
                                       self.spec)
            future.add_done_callback(lambda done: self._timed(len(paths), done))
        except BrokenProcessPool as error:  # collect() tries these files again
            future = Future()
            future.set_exception(error)
        self._submitted[future] = self._pool
        return future

    def collect(self, future: Future, paths: Sequence[str],
                cancelled: Callable[[], bool]) -> list[FileResult] | None:
        pool = self._submitted.pop(future, self._pool)
        try:
            results = future.result()[0]
        except BrokenProcessPool:
            return self._one_at_a_time(paths, cancelled, pool is self._pool)
        return [_read_only(result) for result in results]

    def _one_at_a_time(self, paths: Sequence[str], cancelled: Callable[[], bool],
                       restart: bool) -> list[FileResult] | None:
        """After a worker died: each file alone, so the one that kills a worker is found."""
        results = []
        for path in paths:
            if cancelled():
                return None
            results.append(self._alone(path, restart))
            restart = False
        return results

    def _alone(self, path: str, restart: bool) -> FileResult:
        """Tries ``path`` alone (twice: another task may have broken the pool the first
        time); CRASHED when it kills a worker on its own."""
        for _attempt in range(2):
            try:
                if restart:
                    self._restart()
                    restart = False
                task = self._pool.submit(_prepare_task, [path], self.thumbnail_size, self.mode,
                                         self.spec)
                return _read_only(task.result()[0][0])
            except BrokenProcessPool:
                restart = True
            except Exception as error:  # noqa: BLE001 - e.g. no new process could start
                return FileResult(error=f"internal error: {type(error).__name__}: {error}")
        return FileResult(error=CRASHED)  # the pool is broken: the next use restarts it


def make_preparer(workers: int, mode: str, thumbnail_size: int, processes: bool | None,
                  prepare: Callable[[str], FileResult], reader: object = None) -> Preparer:
    """Worker processes when asked (``processes=True``) or, by default, where they help and
    work; threads otherwise (``prepare`` is then called on them). The processes read what
    needs the models themselves when ``reader`` can be made there (``reader_spec``); if it
    cannot, numbers (``mode`` "number") are read on threads, where the model is, and in
    ``auto`` mode the processes settle the lone digits and send other pictures back."""
    wanted = processes if processes is not None else workers > 1
    spec = reader_spec(reader) if wanted and mode != "digit" else None
    if wanted and (mode != "number" or spec is not None) and processes_available():
        try:
            return ProcessPreparer(workers, thumbnail_size, mode, spec)
        except Exception:  # noqa: BLE001 - no processes here: threads still work
            pass
    return Preparer(workers, prepare)
