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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnist_desktop.batch_pool import FileResult, Preparer, make_preparer
from mnist_desktop.batch_progress import STATUSES, BatchProgress, RowStatus
from mnist_desktop.batch_walk import Entry, Walk, count_entries
from mnist_desktop.image_io import ImageLoadError, load_image_reduced, make_thumbnail
from mnist_desktop.ink import ANALYSIS_MAX_SIDE
from mnist_desktop.pipeline import preprocess
from mnist_desktop.results import Box, NumberReading, Preprocessed, Recognition

__all__ = ["STATUSES", "BatchItem", "BatchOptions", "BatchProgress", "BatchRun", "DigitBox",
           "RowStatus", "classify_group", "classify_paths", "load_for_batch", "make_thumbnail",
           "prepare_file"]

REDUCE_MARGIN = 2
"""Big JPEGs are decoded at 1/2, 1/4 or 1/8 size (libjpeg's DCT scaling, several times faster)
while their longest side stays at least this many times the pipeline's analysis size, so the
answers match those for the full-size decode (148 of 150 synthetic photos; see the report)."""


@dataclass(frozen=True)
class DigitBox:
    """One digit of a number read in ``multi`` mode; ``box`` is in the file's pixels."""

    box: Box | None
    digit: int | None
    confidence: float
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"box": list(self.box) if self.box else None, "digit": self.digit,
                "confidence": round(self.confidence, 4), "status": self.status}


@dataclass(frozen=True)
class BatchItem:
    """One row of the result: what was read from one file (or why nothing could be)."""

    index: int
    path: str
    prediction: str
    confidence: float | None
    status: RowStatus
    message: str = ""
    digits: tuple[DigitBox, ...] | None = None
    thumbnail: np.ndarray | None = field(default=None, compare=False, repr=False)


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
    chunk_size: int = 256
    """Images per model call (and most rows per chunk)."""
    chunk_seconds: float = 0.5
    """A chunk is handed out early when it took this long (slow files, smooth progress)."""
    thumbnail_size: int = 0
    """Longest side of the BGR thumbnail kept on each row; 0 for none."""


def load_for_batch(path: str, multi: bool = False) -> tuple[np.ndarray, float]:
    """Load a file as the batch engine does; returns the image and its scale.

    JPEGs come decoded to grey (the pipeline's first step; same pixels, much faster) and big
    ones reduced; other formats exactly as ``load_image`` gives them (alpha kept).
    """
    if multi:
        from mnist_desktop.line_finder import NUMBER_MAX_SIDE

        return load_image_reduced(path, REDUCE_MARGIN * NUMBER_MAX_SIDE, grey_jpeg=True)
    return load_image_reduced(path, REDUCE_MARGIN * ANALYSIS_MAX_SIDE, grey_jpeg=True)


def prepare_file(path: str, thumbnail_size: int = 0, reader: Any = None) -> FileResult:
    """Load one file and preprocess it (or, with ``reader``, read its number); never raises.

    Runs on the worker processes or threads; the box is in the file's pixels.
    """
    try:
        image, scale = load_for_batch(path, reader is not None)
        thumb = make_thumbnail(image, thumbnail_size) if thumbnail_size else None
        if reader is not None:
            return FileResult(reading=reader.read(image), scale=scale, thumbnail=thumb)
        pre = preprocess(image, steps=False)  # no display copies: only the input travels
        return FileResult(pre.model_input, _scaled(pre.box, scale), pre.message,
                          thumbnail=thumb)
    except ImageLoadError as error:
        return FileResult(error=str(error))
    except MemoryError:
        return FileResult(error="not enough memory to load this image")
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
        return FileResult(error=f"internal error: {type(error).__name__}: {error}")


def _error(index: int, path: str, message: str) -> BatchItem:
    return BatchItem(index, path, "", None, "error", message)


def item_from_recognition(index: int, path: str, rec: Recognition,
                          thumbnail: np.ndarray | None = None) -> BatchItem:
    """The row for a single-digit answer."""
    if rec.status == "no_digit" or rec.digit is None:
        return BatchItem(index, path, "", None, "no_digit", rec.message or "no digit found",
                         thumbnail=thumbnail)
    return BatchItem(index, path, str(rec.digit), float(rec.confidence), rec.status,
                     rec.message if rec.status != "ok" else "", thumbnail=thumbnail)


def _scaled(box: Box | None, scale: float) -> Box | None:
    if box is None or scale == 1.0:
        return box
    x, y, w, h = box
    x0, y0 = int(x / scale), int(y / scale)
    return x0, y0, max(1, round((x + w) / scale) - x0), max(1, round((y + h) / scale) - y0)


def item_from_reading(index: int, path: str, reading: NumberReading, scale: float = 1.0,
                      thumbnail: np.ndarray | None = None) -> BatchItem:
    """The row for a number read in ``multi`` mode (lines separated by a space)."""
    digits = tuple(DigitBox(_scaled(d.box, scale), d.digit, float(d.confidence), d.status)
                   for d in reading.digits)
    if reading.status == "no_digit":
        return BatchItem(index, path, "", None, "no_digit", "no digits found", digits, thumbnail)
    text = reading.text.replace("\n", " ")
    message = ""
    if reading.status != "ok":
        unsure = sum(d.status != "ok" for d in reading.digits)
        message = f"not sure about {unsure} of {len(digits)} digits (shown as ?)"
    return BatchItem(index, path, text, float(reading.confidence), reading.status, message,
                     digits, thumbnail)


def classify_group(recognizer: Any,
                   group: Sequence[tuple[int, str, FileResult]]) -> tuple[BatchItem, ...]:
    """The rows of prepared files (index, path, result): ONE model call for every
    preprocessed image of the group. Used by ``BatchRun`` and by the Dask workers."""
    todo = [(i, Preprocessed(result.model_input, result.box, (), result.message))
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
            items.append(_error(index, path, result.error))
        elif result.reading is not None:
            items.append(item_from_reading(index, path, result.reading, result.scale,
                                           result.thumbnail))
        elif i in answers:
            items.append(item_from_recognition(index, path, answers[i], result.thumbnail))
        else:
            items.append(_error(index, path, failure or "cancelled"))
    return tuple(items)


class BatchRun:
    """One run over some paths: iterate ``chunks()`` (or the run itself) for the rows.

    ``cancel()`` may be called from any thread; iteration then stops after the chunk in
    hand. ``progress()`` is a thread-safe snapshot.
    """

    def __init__(self, recognizer: Any, paths: Iterable[str | os.PathLike[str]],
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
        """The chunks of rows, made on this machine (``batch_cluster`` overrides this)."""
        preparer = make_preparer(self.workers, self.options.multi,
                                 self.options.thumbnail_size, self.options.processes,
                                 self._prepare)
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
        """Runs on the threads: as ``prepare_file``, with the model in ``multi`` mode."""
        if self._cancel.is_set():
            return FileResult(error="cancelled")
        return prepare_file(path, self.options.thumbnail_size,
                            self.recognizer if self.options.multi else None)

    def _classify(self, group: Sequence[tuple[int, str, FileResult]]) -> tuple[BatchItem, ...]:
        return classify_group(self.recognizer, group)

    def _record(self, items: Sequence[BatchItem]) -> None:
        with self._lock:
            for item in items:
                self._counts[item.status] += 1
            self._done += len(items)
            self._recent.append((time.monotonic(), self._done))


def classify_paths(recognizer: Any, paths: Iterable[str | os.PathLike[str]],
                   **options: Any) -> list[BatchItem]:
    """Convenience: every row for ``paths`` as a list (small jobs, tests, scripts)."""
    return list(BatchRun(recognizer, paths, BatchOptions(**options)))

