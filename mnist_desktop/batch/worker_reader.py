"""The reader a batch worker process uses to read numbers itself.

The main process describes its reader (``reader_spec``: the model files on LiteRT, the
thresholds, each file's time and size); each worker process makes the same reader once
(``worker_reader``) and reads with it, so the rows are those the main process would make.
Only rows travel back: ``light`` leaves the pipeline's pictures behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mnist_desktop.batch.files import FileResult
from mnist_desktop.results import NumberReading

__all__ = ["ReaderSpec", "light", "reader_spec", "worker_reader"]


@dataclass(frozen=True)
class ReaderSpec:
    """What a worker process needs to make the main process's reader: the digit model's
    file, the line model's file (None: read without one) and the thresholds."""

    model: str
    lines: str | None
    min_confidence: float
    min_number_confidence: float
    versions: tuple[tuple[int, int], ...] = ()
    """Modification time and size of each model file and its twin: a model taught again
    under the same name is a new reader, never the one a worker kept."""


def reader_spec(reader: object) -> ReaderSpec | None:
    """The spec of ``reader`` when a worker process can make the same one (a ``Recognizer``
    whose models run on LiteRT); None otherwise (its pictures are read in this process)."""
    from mnist_desktop.reading import Recognizer
    from mnist_desktop.reading.lite_model import lite_path

    if type(reader) is not Recognizer or not reader.uses_lite:
        return None
    lines = reader.line_model
    if lines is not None and (lines.path is None
                              or getattr(lines.model, "engine", None) != "LiteRT"):
        return None
    files = [Path(reader.info.path)] + ([] if lines is None else [Path(lines.path)])
    try:
        stats = [f.stat() for model in files for f in (model, lite_path(model))]
    except OSError:
        return None
    return ReaderSpec(str(files[0]), None if lines is None else str(files[1]),
                      reader.min_confidence, reader.min_number_confidence,
                      tuple((st.st_mtime_ns, st.st_size) for st in stats))


_READERS: dict[ReaderSpec, Any] = {}


def worker_reader(spec: ReaderSpec) -> Any:
    """This worker process's reader for ``spec``, made on first use and kept."""
    if spec not in _READERS:
        from mnist_desktop.reading import Recognizer, native_stderr_silenced
        from mnist_desktop.reading.line_model import LineModel

        with native_stderr_silenced():  # LiteRT says which delegate it made
            reader = Recognizer.load(spec.model, min_confidence=spec.min_confidence)
            reader.min_number_confidence = spec.min_number_confidence
            reader.use_line_model(None if spec.lines is None else LineModel.load(spec.lines))
        _READERS[spec] = reader
    return _READERS[spec]


def light(result: FileResult) -> FileResult:
    """A row needs no pipeline pictures: leave the steps behind, they need not travel."""
    reading = result.reading
    if reading is None:
        return result
    if isinstance(reading, NumberReading):
        digits = tuple(replace(d, steps=()) for d in reading.digits)
        return replace(result, reading=replace(reading, digits=digits))
    return replace(result, reading=replace(reading, steps=()))
