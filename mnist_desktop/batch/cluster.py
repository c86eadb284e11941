"""``classify --scheduler``: the same rows as a local run, made by the workers of a Dask cluster.

Qt-free; Dask (the optional extra ``mnist-desktop[cluster]``) is imported only when a
cluster is used. Files are listed here, as a local run lists them (``batch_walk``); chunks
of a few hundred go to the workers as tasks (``cluster_worker.classify_chunk``: the paths,
on a shared filesystem, or with ``send_bytes`` the files' bytes), and the rows come back
in the walk's order as chunks finish. Only a few chunks per worker are in flight, so memory
stays flat however many files there are.

A worker that dies costs nothing: the scheduler runs its chunks again on another worker,
and each chunk's rows are written once, in order. A chunk that keeps killing workers
(Dask gives up: ``KilledWorker``) is tried again one file at a time, and only a file that
kills a worker on its own gets an error row. A task that fails is sent again a few times;
one that keeps failing, or a worker that can't import the app or load the model, stops
the run (exit 2), with the rows done so far written.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mnist_desktop.batch.cluster_worker import ChunkFile, check_worker, classify_chunk, model_digest
from mnist_desktop.batch.items import BatchItem
from mnist_desktop.batch.pool import CRASHED
from mnist_desktop.batch.run import BatchOptions, BatchRun
from mnist_desktop.batch.walk import Entry
from mnist_desktop.io.image_files import ImageLoadError, _read_bytes
from mnist_desktop.results import DEFAULT_MIN_CONFIDENCE

INSTALL = ('--scheduler needs Dask, which is not installed: pip install "mnist-desktop[cluster]" '
           '(or pip install "dask[distributed]")')
CHUNK_FILES = 256
"""Files per task: few round trips, one batched model call per chunk, smooth progress."""
RETRIES = 2
RESUBMITS = 3
"""A task that fails (a worker or Dask in trouble: bad files never fail a task) is retried
``RETRIES`` times by Dask, and sent again ``RESUBMITS`` times; then the run stops (exit 2)
rather than give rows that are not the files' own. A dying worker is not a failure: Dask
runs its chunks again elsewhere."""
CONNECT_SECONDS = 10.0
WORKER_SECONDS = 60.0
"""How long to wait for a first worker to join the scheduler."""
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False}
"""The workers' statistical profiler (a look at every thread's stack every 10 ms) slows
small files down; off for ``local:N`` (see the README for ``dask worker``)."""
_LOCAL = re.compile(r"local(?::(\d+))?")


class ClusterError(Exception):
    """The cluster can't be used (unreachable, no workers, a worker can't run the app)."""


def dask_available() -> bool:
    return importlib.util.find_spec("distributed") is not None


def parse_scheduler(text: str) -> tuple[str, int | None]:
    """``("local", N)`` for ``local`` / ``local:N``, else ``(address, None)``; ValueError
    when it is neither."""
    text = text.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        workers = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if workers < 1:
            raise ValueError("local:N needs at least one worker")
        return "local", workers
    if re.fullmatch(r"(?:[a-z]+://)?[^\s/:]+:\d+", text):
        return (text if "://" in text else f"tcp://{text}"), None
    raise ValueError(f"not a scheduler address: {text!r} (use tcp://HOST:8786, local or local:N)")


class Cluster:
    """A Dask client on a running scheduler, or on a local cluster started for the run.

    ``Cluster.open`` checks that some worker is there and that each can load the model;
    use it as a context manager (the local cluster stops on leaving).
    """

    def __init__(self, client: Any, local: Any, model: str | None, min_confidence: float,
                 address: str) -> None:
        self.client = client
        self.local = local
        self.model = model
        self.min_confidence = min_confidence
        self.address = address

    @classmethod
    def open(cls, scheduler: str, model: str | None = None,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE,
             connect_seconds: float = CONNECT_SECONDS,
             worker_seconds: float = WORKER_SECONDS, **local_options: Any) -> Cluster:
        """Connect (or start ``local:N``); raises ClusterError saying what is wrong."""
        if not dask_available():
            raise ClusterError(INSTALL)
        import dask
        import distributed

        address, workers = parse_scheduler(scheduler)
        model = os.path.abspath(model) if model else None
        local = None
        try:
            if workers is not None:
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the workers inherit it
                options = {"n_workers": workers, "threads_per_worker": 1, "processes": True,
                           "silence_logs": logging.ERROR, "dashboard_address": ":8787"}
                with dask.config.set(LOCAL_CONFIG):  # the workers get this config
                    local = distributed.LocalCluster(**{**options, **local_options})
                client = distributed.Client(local)
            else:
                client = distributed.Client(address, timeout=connect_seconds)
        except (OSError, TimeoutError, RuntimeError) as error:
            if local is not None:
                local.close()
            if workers is not None:
                raise ClusterError(f"could not start a local Dask cluster: {error}") from None
            raise ClusterError(f"can't reach the Dask scheduler at {address}: {error}") from None
        cluster = cls(client, local, model, min_confidence, address)
        try:
            cluster._check(worker_seconds)
        except BaseException:
            cluster.close()
            raise
        return cluster

    def _check(self, worker_seconds: float) -> None:
        """Some worker is there, and each can run the app's code and load the model."""
        import distributed

        try:
            self.client.wait_for_workers(1, timeout=worker_seconds)
        except (OSError, TimeoutError, distributed.TimeoutError):
            raise ClusterError(f"no Dask worker joined the scheduler at {self.address} within "
                               f"{worker_seconds:.0f} s: start some with "
                               f"dask worker {self.address}") from None
        try:
            answers = self.client.run(check_worker, self.model, self.min_confidence)
        except Exception as error:  # noqa: BLE001 - whatever the worker raised, said plainly
            raise ClusterError(worker_problem(error)) from None
        from mnist_desktop.reading.resources import bundled_model_path

        here = model_digest(self.model or bundled_model_path())
        other = [where for where, digest in answers.values() if here and digest != here]
        if other:
            raise ClusterError(
                f"{len(other)} of {len(answers)} Dask workers have another model file than "
                f"this machine ({other[0]}), so their rows would differ: install the same "
                "mnist-desktop on every worker (or give the same --model file everywhere)")

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    @property
    def dashboard(self) -> str:
        return str(self.client.dashboard_link or "")

    def run(self, paths: Iterable[str | os.PathLike[str]], options: BatchOptions | None = None,
            send_bytes: bool = False, chunk_files: int = CHUNK_FILES) -> ClusterRun:
        return ClusterRun(self, paths, options, send_bytes, chunk_files)

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def worker_problem(error: BaseException) -> str:
    """What to tell the user when a worker could not run a task or load the model."""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, ImportError) or "mnist_desktop" in text:
        return (f"a Dask worker can't run mnist-desktop ({text}): install the app on every "
                'worker machine (pip install "mnist-desktop[cluster]") and restart the workers')
    from mnist_desktop.reading.model_file import ModelError

    if isinstance(error, ModelError):
        return f"a Dask worker could not load the model ({text})"
    return f"Dask workers failed on the same chunk again and again ({text})"


def _stops_the_run(error: BaseException) -> bool:
    """Whether a task's error means no worker can do the work (the app or the model is
    missing there), rather than a problem with these files."""
    from mnist_desktop.reading.model_file import ModelError

    return isinstance(error, (ImportError, ModelError))


@dataclass(frozen=True)
class _Task:
    """One chunk in flight: the rows known here (walk errors, unreadable files) and the
    Future of the rest."""

    files: list[ChunkFile]
    known: tuple[BatchItem, ...]
    future: Any


class ClusterRun(BatchRun):
    """A ``BatchRun`` whose rows are made on the cluster: same progress, cancel and order."""

    def __init__(self, cluster: Cluster, paths: Iterable[str | os.PathLike[str]],
                 options: BatchOptions | None = None, send_bytes: bool = False,
                 chunk_files: int = CHUNK_FILES) -> None:
        super().__init__(None, paths, options)
        self.cluster = cluster
        self.send_bytes = send_bytes
        self.chunk_files = max(1, chunk_files)
        self.failure: str | None = None
        """Why the run stopped early (a worker could not run the app); the rows before
        the failure were produced."""
        self.processes = True
        self._next_index = 0
        self._chunk_number = 0

    def _produce(self) -> Iterator[tuple[BatchItem, ...]]:
        walk = iter(self._walk)
        pending: deque[_Task] = deque()
        window = 2 * self.cluster.workers + 2
        try:
            while not self._cancel.is_set():
                while len(pending) < window and not self._cancel.is_set():
                    task = self._submit(walk)
                    if task is None:
                        break
                    pending.append(task)
                if not pending:
                    return
                rows = self._wait(pending[0])
                if rows is None:
                    return
                pending.popleft()
                self._record(rows)
                yield rows
        finally:
            futures = [task.future for task in pending if task.future is not None]
            if futures:
                self.cluster.client.cancel(futures)

    def _submit(self, walk: Iterator[Entry]) -> _Task | None:
        """The next chunk of the walk, sent to the cluster; None at the end."""
        known: list[BatchItem] = []
        files: list[ChunkFile] = []
        index = self._next_index
        for entry in walk:
            if entry.error:
                known.append(BatchItem(index, entry.path, "", None, "error", entry.error))
            elif self.send_bytes:
                try:
                    files.append(ChunkFile(index, entry.path, _read_bytes(entry.path)))
                except ImageLoadError as error:
                    known.append(BatchItem(index, entry.path, "", None, "error", str(error)))
            else:
                files.append(ChunkFile(index, entry.path))
            index += 1
            if index - self._next_index >= self.chunk_files:
                break
        if index == self._next_index:
            return None
        self._chunk_number += 1
        self._next_index = index
        future = self._send(files, priority=-self._chunk_number) if files else None
        return _Task(files, tuple(known), future)

    def _send(self, files: list[ChunkFile], priority: int = 0) -> Any:
        cluster = self.cluster
        return cluster.client.submit(classify_chunk, files, cluster.model,
                                     cluster.min_confidence, self.options.multi,
                                     self.options.read_mode,
                                     pure=False, priority=priority, retries=RETRIES)

    def _wait(self, task: _Task) -> tuple[BatchItem, ...] | None:
        """The chunk's rows in walk order; None when cancelled or the cluster failed."""
        made = self._result(task.future, task.files)
        if made is None:
            return None
        return tuple(sorted((*task.known, *made), key=lambda item: item.index))

    def _result(self, future: Any, files: list[ChunkFile]) -> tuple[BatchItem, ...] | None:
        """The rows a task made; None when cancelled or the run must stop (``failure``)."""
        import distributed

        if future is None:
            return ()
        resubmits = RESUBMITS
        while not self._cancel.is_set():
            if not future.done():  # polled locally: distributed's result(timeout=) can raise
                time.sleep(0.05)   # UnboundLocalError when it times out while a worker dies
                continue
            try:
                return future.result()
            except (TimeoutError, distributed.TimeoutError):
                continue
            except distributed.KilledWorker:
                if len(files) > 1:
                    return self._one_at_a_time(files)
                return tuple(BatchItem(item.index, item.path, "", None, "error", CRASHED)
                             for item in files)
            except Exception as error:  # noqa: BLE001 - sorted out below
                # classify_chunk never fails for a file (bad files are rows): this is the
                # worker or Dask itself. Send the chunk again; stop when it keeps failing.
                if self._cancel.is_set():
                    return None
                if _stops_the_run(error) or resubmits <= 0:
                    self.failure = worker_problem(error)
                    return None
                resubmits -= 1
                future = self._send(files, priority=1)
        return None

    def _one_at_a_time(self, files: list[ChunkFile]) -> tuple[BatchItem, ...] | None:
        """After a chunk killed workers again and again: each file alone."""
        rows: list[BatchItem] = []
        for item in files:
            made = self._result(self._send([item]), [item])
            if made is None:
                return None
            rows.extend(made)
        return tuple(rows)


def classify_on_cluster(args: Any, write_rows: Callable[[Any], int],
                        report: Callable[[str], None], bar: Any) -> int:
    """``classify --scheduler``: open the cluster, run, write with ``write_rows(run)``;
    returns the exit status (2 when the cluster can't be used)."""
    bar.message("connecting to the cluster…")
    try:
        cluster = Cluster.open(args.scheduler, args.model, args.min_confidence)
    except ClusterError as error:
        bar.clear()
        report(str(error))
        return 2
    except KeyboardInterrupt:
        bar.clear()
        print("interrupted before any file was read; nothing was written", file=sys.stderr)
        return 130
    with cluster:
        if not args.quiet and cluster.dashboard:
            bar.clear()
            where = cluster.dashboard
            if importlib.util.find_spec("bokeh") is None:
                where = f"pip install bokeh to see it at {where}"
            print(f"{cluster.workers} Dask workers; dashboard: {where}", file=sys.stderr)
        run = cluster.run(args.paths, BatchOptions(recursive=args.recursive, multi=args.multi,
                                                   mode=getattr(args, "mode", "auto")),
                          send_bytes=args.send_bytes)
        status = write_rows(run)
    if run.failure:
        report(f"{run.failure}; the {run.progress().done:,} rows done before were written")
        return 2
    return status
