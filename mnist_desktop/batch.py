"""The one batch engine behind ``mnist-desktop classify`` and the Batch tab. Qt-free.

Paths are listed lazily (``batch_walk``), files are loaded and preprocessed on a thread
pool (OpenCV releases the GIL), and each chunk of preprocessed images is classified with
ONE batched model call. Rows come back in a stable order (the walk's), as frozen
``BatchItem``s; memory stays flat however many files there are. A run can be cancelled
from any thread; the rows already produced stay valid.

In ``multi`` mode every image is read as a whole number (``Recognizer.read``) on the pool.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from mnist_desktop.batch_walk import Entry, Walk, count_entries
from mnist_desktop.image_io import ImageLoadError, load_image_reduced
from mnist_desktop.ink import ANALYSIS_MAX_SIDE
from mnist_desktop.pipeline import preprocess
from mnist_desktop.results import Box, NumberReading, Preprocessed, Recognition

RowStatus = Literal["ok", "unsure", "no_digit", "error"]
STATUSES: tuple[RowStatus, ...] = ("ok", "unsure", "no_digit", "error")
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
class BatchProgress:
    """How far a run is: ``total`` is None until the background count has finished."""

    done: int
    total: int | None
    elapsed: float
    rate: float
    counts: tuple[tuple[str, int], ...] = ()
    skipped: int = 0
    finished: bool = False
    cancelled: bool = False

    @property
    def eta(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.rate)

    def count(self, status: str) -> int:
        return dict(self.counts).get(status, 0)

    def summary(self) -> str:
        """One line for the user, e.g. ``120 files in 1.2 s (100 files/s): 110 ok, ...``."""
        words = {"ok": "ok", "unsure": "unsure", "no_digit": "no digit", "error": "error"}
        parts = [f"{n:,} {words[s]}{'s' * (s == 'error' and n > 1)}"
                 for s in STATUSES if (n := self.count(s))]
        files = f"{self.done:,} file{'s' * (self.done != 1)}"
        line = f"{files} in {self.elapsed:.1f} s ({self.rate:,.0f} files/s)"
        if parts:
            line += ": " + ", ".join(parts)
        if self.skipped:
            line += f"; {self.skipped:,} non-image file{'s' * (self.skipped != 1)} skipped"
        if self.cancelled:
            line += " (cancelled"
            line += f" after {self.done:,} of {self.total:,})" if self.total is not None else ")"
        return line


@dataclass(frozen=True)
class BatchOptions:
    recursive: bool = False
    workers: int | None = None
    """Loader threads; default: the number of CPUs."""
    multi: bool = False
    chunk_size: int = 256
    """Images per model call (and most rows per chunk)."""
    chunk_seconds: float = 0.5
    """A chunk is handed out early when it took this long (slow files, smooth progress)."""
    thumbnail_size: int = 0
    """Longest side of the BGR thumbnail kept on each row; 0 for none."""


@dataclass(frozen=True)
class _Prepared:
    """What a pool thread made of one file, ready for the batched model call."""

    pre: Preprocessed | None = None
    item: BatchItem | None = None  # a finished row (errors, multi mode)
    thumbnail: np.ndarray | None = None


def make_thumbnail(image: np.ndarray, size: int) -> np.ndarray:
    """A small read-only BGR uint8 copy (longest side ``size``); alpha shown on white."""
    import cv2

    array = np.asarray(image)
    if array.dtype != np.uint8:
        if array.dtype == np.uint16:
            array = (array >> 8).astype(np.uint8)
        else:
            values = np.nan_to_num(array.astype(np.float32))
            if values.size and values.max() <= 1.0:
                values = values * 255.0
            array = np.clip(values, 0, 255).astype(np.uint8)
    h, w = array.shape[:2]
    scale = size / max(h, w)
    if scale < 1:
        new = (max(1, round(w * scale)), max(1, round(h * scale)))
        array = cv2.resize(array, new, interpolation=cv2.INTER_AREA)
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    elif array.shape[2] == 4:
        alpha = array[..., 3:].astype(np.float32) / 255.0
        array = (array[..., :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    elif array.shape[2] == 2:
        alpha = array[..., 1:].astype(np.float32) / 255.0
        grey = (array[..., :1] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
        array = np.repeat(grey, 3, axis=2)
    out = np.ascontiguousarray(array)
    out.setflags(write=False)
    return out


def load_for_batch(path: str, multi: bool = False) -> tuple[np.ndarray, float]:
    """Load a file as the batch engine does; returns the image and its scale.

    JPEGs come decoded to grey (the pipeline's first step; same pixels, much faster) and big
    ones reduced; other formats exactly as ``load_image`` gives them (alpha kept).
    """
    if multi:
        from mnist_desktop.numbers import NUMBER_MAX_SIDE

        return load_image_reduced(path, REDUCE_MARGIN * NUMBER_MAX_SIDE, grey_jpeg=True)
    return load_image_reduced(path, REDUCE_MARGIN * ANALYSIS_MAX_SIDE, grey_jpeg=True)


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
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="batch")
        try:
            yield from self._chunks(pool)
        finally:
            self._stop_count.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self._end = time.monotonic()
                if not self._cancel.is_set() or self._total is None:
                    self._total = self._done

    def _chunks(self, pool: ThreadPoolExecutor) -> Iterator[tuple[BatchItem, ...]]:
        size = max(1, self.options.chunk_size)
        window = size * 2 + self.workers * 2
        walk = iter(self._walk)
        pending: deque[tuple[int, Entry, Future | None]] = deque()
        next_index = 0

        def fill() -> None:
            nonlocal next_index
            while len(pending) < window and not self._cancel.is_set():
                entry = next(walk, None)
                if entry is None:
                    return
                job = None if entry.error else pool.submit(self._prepare, next_index, entry.path)
                pending.append((next_index, entry, job))
                next_index += 1

        fill()
        while pending and not self._cancel.is_set():
            group: list[tuple[int, str, _Prepared]] = []
            deadline = time.monotonic() + self.options.chunk_seconds
            while pending and len(group) < size and not self._cancel.is_set():
                index, entry, job = pending[0]
                prepared = self._wait(job, deadline if group else None)
                if prepared is None:
                    break
                pending.popleft()
                group.append((index, entry.path, prepared if job else
                              _Prepared(item=_error(index, entry.path, entry.error or ""))))
                fill()
            if not group:
                break
            items = self._classify(group)
            self._record(items)
            yield items

    def _wait(self, job: Future | None, deadline: float | None) -> _Prepared | None:
        """The job's result; None when the deadline passed or the run was cancelled."""
        if job is None:
            return _Prepared()
        while not self._cancel.is_set():
            timeout = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if timeout <= 0:
                return job.result() if job.done() else None
            try:
                return job.result(timeout=timeout)
            except FutureTimeout:
                continue
        return None

    def _prepare(self, index: int, path: str) -> _Prepared:
        """Runs on the pool: load, preprocess (or read the number), make the thumbnail."""
        if self._cancel.is_set():
            return _Prepared(item=_error(index, path, "cancelled"))
        multi = self.options.multi
        try:
            image, scale = load_for_batch(path, multi)
            size = self.options.thumbnail_size
            thumb = make_thumbnail(image, size) if size else None
            if multi:
                reading = self.recognizer.read(image)
                return _Prepared(item=item_from_reading(index, path, reading, scale, thumb))
            pre = preprocess(image)
            light = Preprocessed(pre.model_input, _scaled(pre.box, scale), (), pre.message)
            return _Prepared(pre=light, thumbnail=thumb)
        except ImageLoadError as error:
            return _Prepared(item=_error(index, path, str(error)))
        except MemoryError:
            return _Prepared(item=_error(index, path, "not enough memory to load this image"))
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
            return _Prepared(item=_error(
                index, path, f"internal error: {type(error).__name__}: {error}"))

    def _classify(self, group: Sequence[tuple[int, str, _Prepared]]) -> tuple[BatchItem, ...]:
        """ONE model call for every preprocessed image of the group."""
        todo = [(i, prepared.pre) for i, (_, _, prepared) in enumerate(group)
                if prepared.item is None and prepared.pre is not None]
        answers: dict[int, Recognition] = {}
        failure = ""
        if todo:
            try:
                results = self.recognizer.recognize_preprocessed([pre for _, pre in todo])
                answers = {i: rec for (i, _), rec in zip(todo, results, strict=True)}
            except Exception as error:  # noqa: BLE001 - reported on the rows it concerns
                failure = f"the model failed: {type(error).__name__}: {error}"
        items = []
        for i, (index, path, prepared) in enumerate(group):
            if prepared.item is not None:
                items.append(prepared.item)
            elif i in answers:
                items.append(item_from_recognition(index, path, answers[i], prepared.thumbnail))
            else:
                items.append(_error(index, path, failure or "cancelled"))
        return tuple(items)

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

