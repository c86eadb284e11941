"""The one batch engine behind ``mnist-desktop classify`` and the Batch tab. Qt-free.

Paths are listed lazily (``batch_walk``), files are loaded and preprocessed in worker
processes (``batch_pool``; threads where processes can't be used), and each chunk of
preprocessed images is classified with ONE batched model call in this process. Rows come
back in a stable order (the walk's), as frozen ``BatchItem``s; memory stays flat however
many files there are. A run can be cancelled from any thread; the rows already produced
stay valid.

In ``multi`` mode every image is read as a whole number (``Recognizer.read``) on threads.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mnist_desktop.batch.files import FileResult, prepare_file
from mnist_desktop.batch.items import (
    BatchItem,
    error_item,
    item_from_reading,
    item_from_recognition,
    scaled_box,
)
from mnist_desktop.batch.pool import Preparer, make_preparer
from mnist_desktop.batch.progress import STATUSES, BatchProgress
from mnist_desktop.batch.walk import Entry, Walk, count_entries
from mnist_desktop.results import NumberReading, Preprocessed, ReadMode, Recognition

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

__all__ = ["BatchOptions", "BatchProgress", "BatchRun", "classify_group", "classify_paths"]


@dataclass(frozen=True)
class _Job:
    """Consecutive walk entries handed to the preparer as one task."""

    start: int
    entries: list[Entry]
    paths: list[str]
    """The entries' paths to prepare (walk errors left out)."""
    future: Future | None

    def rows(self, results: list[FileResult]) -> Iterator[tuple[int, str, FileResult]]:
        prepared = iter(results)
        for offset, entry in enumerate(self.entries):
            result = FileResult(error=entry.error) if entry.error else next(prepared)
            yield self.start + offset, entry.path, result


@dataclass(frozen=True)
class BatchOptions:
    recursive: bool = False
    workers: int | None = None
    """Worker processes (or threads) loading and preprocessing; default: the number of CPUs."""
    processes: bool | None = None
    """Prepare files in worker processes; None: when that helps (more than one worker,
    single digits) and works here. False: threads in this process."""
    multi: bool = False
    """Read whole numbers (``mode`` "number"); kept for callers that only know digit or
    number."""
    mode: ReadMode = "auto"
    """``auto`` (default, as the Image tab: one digit, or a number), ``digit`` or ``number``."""
    chunk_size: int = 256
    """Images per model call (and most rows per chunk)."""
    chunk_seconds: float = 0.5
    """A chunk is handed out early when it took this long (slow files, smooth progress)."""
    thumbnail_size: int = 0
    """Longest side of the BGR thumbnail kept on each row; 0 for none."""

    @property
    def read_mode(self) -> ReadMode:
        """How each file is read: ``number`` with ``multi``, else ``mode``."""
        return "number" if self.multi else self.mode


def _read_deferred(recognizer: Reader, result: FileResult) -> FileResult:
    """``auto`` mode: a picture the worker process could not settle (no lone digit) is
    read here, where the model is."""
    try:
        return FileResult(reading=recognizer.read_as(result.image, "auto"), scale=result.scale,
                          thumbnail=result.thumbnail)
    except Exception as error:  # noqa: BLE001 - reported on its own row
        return FileResult(error=f"internal error: {type(error).__name__}: {error}")


def classify_group(recognizer: Reader,
                   group: Sequence[tuple[int, str, FileResult]]) -> tuple[BatchItem, ...]:
    """The rows of prepared files (index, path, result): ONE model call for every
    preprocessed image of the group. Used by ``BatchRun`` and by the Dask workers."""
    group = [(index, path, _read_deferred(recognizer, result) if result.image is not None
              else result) for index, path, result in group]
    todo = [(i, Preprocessed(result.model_input, result.box, (), result.message,
                             others=result.others))
            for i, (_, _, result) in enumerate(group)
            if result.error is None and result.reading is None]
    answers: dict[int, Recognition] = {}
    failure = ""
    if todo:
        try:
            results = recognizer.recognize_preprocessed([pre for _, pre in todo])
            answers = {i: rec for (i, _), rec in zip(todo, results, strict=True)}
        except Exception as error:  # noqa: BLE001 - reported on the rows it concerns
            failure = f"the model failed: {type(error).__name__}: {error}"
    items = []
    for i, (index, path, result) in enumerate(group):
        if result.error is not None:
            items.append(error_item(index, path, result.error))
        elif isinstance(result.reading, NumberReading):
            items.append(item_from_reading(index, path, result.reading, result.scale,
                                           result.thumbnail))
        elif result.reading is not None:
            rec = result.reading
            items.append(item_from_recognition(
                index, path, replace(rec, box=scaled_box(rec.box, result.scale)),
                result.thumbnail))
        elif i in answers:
            items.append(item_from_recognition(index, path, answers[i], result.thumbnail))
        else:
            items.append(error_item(index, path, failure or "cancelled"))
    return tuple(items)


class BatchRun:
    """One run over some paths: iterate ``chunks()`` (or the run itself) for the rows.

    ``cancel()`` may be called from any thread; iteration then stops after the chunk in
    hand. ``progress()`` is a thread-safe snapshot.
    """

    def __init__(self, recognizer: Reader, paths: Iterable[str | os.PathLike[str]],
                 options: BatchOptions | None = None) -> None:
        self.recognizer = recognizer
        self.paths = [os.fspath(p) for p in paths]
        self.options = options or BatchOptions()
        self.workers = max(1, self.options.workers or os.cpu_count() or 1)
        self.processes = False
        """Whether the files are prepared in worker processes (known once running)."""
        self._cancel = threading.Event()
        self._stop_count = threading.Event()
        self._lock = threading.Lock()
        self._done = 0
        self._counts = {s: 0 for s in STATUSES}
        self._total: int | None = None
        self._start: float | None = None
        self._end: float | None = None
        self._recent: deque[tuple[float, int]] = deque(maxlen=64)
        self._walk = Walk(self.paths, self.options.recursive)

    # -- control and progress -------------------------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self) -> BatchProgress:
        with self._lock:
            now = self._end if self._end is not None else time.monotonic()
            elapsed = 0.0 if self._start is None else now - self._start
            rate = self._rate(now, elapsed)
            total = self._total
            if total is not None and self._done > total:  # the folder changed meanwhile
                total = None
            return BatchProgress(self._done, total, elapsed, rate,
                                 tuple(self._counts.items()), self._walk.skipped,
                                 self._end is not None, self._cancel.is_set())

    def _rate(self, now: float, elapsed: float) -> float:
        """Files per second: over the last few seconds while running, overall at the end."""
        if self._end is None and len(self._recent) >= 2:
            while len(self._recent) > 2 and now - self._recent[0][0] > 5.0:
                self._recent.popleft()
            t0, d0 = self._recent[0]
            if now - t0 > 0.2:
                return (self._done - d0) / (now - t0)
        return self._done / elapsed if elapsed > 0 else 0.0

    def _count_in_background(self) -> None:
        total = count_entries(self.paths, self.options.recursive, self._stop_count)
        with self._lock:
            if total is not None and self._end is None:
                self._total = total

    # -- the work ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[BatchItem]:
        for chunk in self.chunks():
            yield from chunk

    def chunks(self) -> Iterator[tuple[BatchItem, ...]]:
        """Rows in walk order, a chunk (one model call) at a time."""
        with self._lock:
            self._start = time.monotonic()
            self._recent.append((self._start, 0))
        threading.Thread(target=self._count_in_background, name="batch-count",
                         daemon=True).start()
        try:
            yield from self._produce()
        finally:
            self._stop_count.set()
            with self._lock:
                self._end = time.monotonic()
                if not self._cancel.is_set() or self._total is None:
                    self._total = self._done

    def _produce(self) -> Iterator[tuple[BatchItem, ...]]:
        """The chunks of rows, made on this machine (``batch.cluster`` overrides this)."""
        preparer = make_preparer(self.workers, self.options.read_mode,
                                 self.options.thumbnail_size, self.options.processes,
                                 self._prepare, self.recognizer)
        self.processes = preparer.processes
        try:
            yield from self._chunks(preparer)
        finally:
            preparer.close()

    def _chunks(self, preparer: Preparer) -> Iterator[tuple[BatchItem, ...]]:
        size = max(1, self.options.chunk_size)
        walk = iter(self._walk)
        pending: deque[_Job] = deque()
        ready: deque[tuple[int, str, FileResult]] = deque()
        queued = 0  # files in pending and ready: listed, not yet handed out
        next_index = 0

        def fill() -> None:
            nonlocal next_index, queued
            while not self._cancel.is_set():
                task = preparer.task_size()
                if (queued >= size * 2 + self.workers * task * 2
                        or len(pending) >= preparer.max_tasks()):
                    return
                entries = list(itertools.islice(walk, task))
                if not entries:
                    return
                paths = [entry.path for entry in entries if not entry.error]
                job = preparer.submit(paths) if paths else None
                pending.append(_Job(next_index, entries, paths, job))
                next_index += len(entries)
                queued += len(entries)

        fill()
        while (pending or ready) and not self._cancel.is_set():
            group: list[tuple[int, str, FileResult]] = []
            deadline = time.monotonic() + self.options.chunk_seconds
            while len(group) < size and not self._cancel.is_set():
                if not ready:
                    if not pending:
                        break
                    results = self._wait(preparer, pending[0], deadline if group else None)
                    if results is None:
                        break
                    ready.extend(pending.popleft().rows(results))
                group.append(ready.popleft())
                queued -= 1
                fill()
            if not group:
                break
            items = self._classify(group)
            self._record(items)
            yield items

    def _wait(self, preparer: Preparer, job: _Job,
              deadline: float | None) -> list[FileResult] | None:
        """The job's results; None when the deadline passed or the run was cancelled."""
        if job.future is None:
            return []
        while not self._cancel.is_set():
            timeout = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if timeout <= 0 and not job.future.done():
                return None
            try:
                job.future.result(timeout=max(0.0, timeout))
            except FutureTimeout:
                continue
            except Exception:  # noqa: BLE001, S110 - collect() says what it means
                pass
            return preparer.collect(job.future, job.paths, self._cancel.is_set)
        return None

    def _prepare(self, path: str) -> FileResult:
        """Runs on the threads: as ``prepare_file``, with the model there to read numbers."""
        if self._cancel.is_set():
            return FileResult(error="cancelled")
        mode = self.options.read_mode
        return prepare_file(path, self.options.thumbnail_size,
                            self.recognizer if mode != "digit" else None, mode)

    def _classify(self, group: Sequence[tuple[int, str, FileResult]]) -> tuple[BatchItem, ...]:
        return classify_group(self.recognizer, group)

    def _record(self, items: Sequence[BatchItem]) -> None:
        with self._lock:
            for item in items:
                self._counts[item.status] += 1
            self._done += len(items)
            self._recent.append((time.monotonic(), self._done))


def classify_paths(recognizer: Reader, paths: Iterable[str | os.PathLike[str]],
                   **options: Any) -> list[BatchItem]:
    """Convenience: every row for ``paths`` as a list (small jobs, tests, scripts)."""
    return list(BatchRun(recognizer, paths, BatchOptions(**options)))

