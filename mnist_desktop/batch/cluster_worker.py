"""What runs on a Dask worker for ``classify --scheduler``: one chunk of files in, rows out.

Qt-free, and free of Dask: the functions here are plain functions that ``batch_cluster``
submits as tasks. Each worker process loads the model once (``recognizer_for`` keeps it,
one per model file and threshold) and classifies a chunk exactly as the local engine
does: ``batch.prepare_file`` for every file, then ``batch.classify_group`` (one batched
model call). So the rows are those of a local run. Results cross the process boundary as
frozen ``BatchItem`` rows.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnist_desktop.batch.files import prepare_file
from mnist_desktop.batch.items import BatchItem
from mnist_desktop.batch.run import classify_group
from mnist_desktop.results import DEFAULT_MIN_CONFIDENCE

_LOAD_LOCK = threading.Lock()
_USE_LOCK = threading.Lock()
"""One chunk at a time per process: the TFLite interpreter is not thread-safe, and
preparing files is mostly Python (the GIL) anyway. Start one worker process per core."""
_RECOGNIZERS: dict[tuple[str | None, float], Any] = {}


@dataclass(frozen=True)
class ChunkFile:
    """One file of a chunk: its row index and path, and its bytes when they were sent."""

    index: int
    path: str
    data: bytes | None = None


def recognizer_for(model: str | None, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Any:
    """The model of this worker process, loaded on first use and kept (raises ModelError)."""
    key = (model, float(min_confidence))
    with _LOAD_LOCK:
        if key not in _RECOGNIZERS:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            import cv2

            from mnist_desktop.reading import Recognizer, native_stderr_silenced

            cv2.setNumThreads(1)  # one worker process per core, as the local pool
            with native_stderr_silenced():  # TensorFlow's start-up chatter
                _RECOGNIZERS[key] = Recognizer.load(model, min_confidence=min_confidence)
        return _RECOGNIZERS[key]


def model_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a model file ("" when it can't be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def check_worker(model: str | None,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> tuple[str, str]:
    """Load the model now (before the first chunk); returns where this worker runs and the
    SHA-256 of its model file (the same rows need the same model everywhere)."""
    recognizer = recognizer_for(model, min_confidence)
    where = f"{socket.gethostname()} (pid {os.getpid()}, model {recognizer.info.path})"
    return where, model_digest(recognizer.info.path)


def classify_chunk(files: Sequence[ChunkFile], model: str | None, min_confidence: float,
                   multi: bool = False, mode: str = "digit") -> tuple[BatchItem, ...]:
    """The rows of ``files``, as a local run makes them (see the module's docstring);
    ``multi`` reads numbers (mode "number"), else ``mode`` says how."""
    recognizer = recognizer_for(model, min_confidence)
    mode = "number" if multi else mode
    reader = recognizer if mode != "digit" else None
    with _USE_LOCK:
        if any(item.data is not None for item in files):
            with tempfile.TemporaryDirectory(prefix="mnist-desktop-chunk-") as folder:
                group = [_prepared(item, reader, mode, Path(folder)) for item in files]
                return classify_group(recognizer, group)
        group = [(item.index, item.path, prepare_file(item.path, 0, reader, mode))  # type: ignore[arg-type]
                 for item in files]
        return classify_group(recognizer, group)


def _prepared(item: ChunkFile, reader: Any, mode: Any, folder: Path) -> tuple[int, str, Any]:
    """Prepare a file from the bytes sent with it (written to a scratch file: the same
    loader as a local run, so the same answers and the same error messages)."""
    if item.data is None:
        return item.index, item.path, prepare_file(item.path, 0, reader, mode)
    scratch = folder / f"{item.index}{os.path.splitext(item.path)[1][:16]}"
    scratch.write_bytes(item.data)
    try:
        return item.index, item.path, prepare_file(str(scratch), 0, reader, mode)
    finally:
        scratch.unlink()
