"""Write batch rows as CSV, JSON or JSON Lines: the one writer of the CLI and the GUI. Qt-free.

CSV columns are exactly ``path,prediction,confidence,status,message`` (plus ``digits`` last,
a JSON list of ``{box, digit, confidence, status}``, when numbers were read). JSON is an
array of objects with the same keys; JSONL one object per line. Files are written
atomically: rows stream into a temporary file in the same folder, which replaces the target
only on ``commit()``, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mnist_desktop.batch.items import BatchItem

Format = Literal["csv", "json", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "json", "jsonl")
COLUMNS = ("path", "prediction", "confidence", "status", "message")
DIGITS_COLUMN = "digits"
_EXTENSIONS: dict[str, Format] = {".csv": "csv", ".json": "json", ".jsonl": "jsonl",
                                  ".ndjson": "jsonl"}


class OutputError(Exception):
    """The output can't be written where asked; the message says why."""


def format_for(path: str | os.PathLike[str] | None, requested: str | None = None) -> Format:
    """The format to write: ``requested`` if given, else from the file's extension (CSV for
    stdout). Raises OutputError for an extension it can't tell."""
    if requested:
        if requested not in FORMATS:
            raise OutputError(f"unknown format {requested!r}: use csv, json or jsonl")
        return requested  # type: ignore[return-value]
    if path is None:
        return "csv"
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in _EXTENSIONS:
        raise OutputError(f"can't tell the format from {os.fspath(path)!r}: name it .csv, .json "
                          "or .jsonl, or give --format")
    return _EXTENSIONS[ext]


def record(item: BatchItem, multi: bool = False) -> dict[str, Any]:
    """The row as a JSON-ready dict (confidence rounded to 4 decimals, None when absent)."""
    out: dict[str, Any] = {
        "path": item.path,
        "prediction": item.prediction,
        "confidence": None if item.confidence is None else round(item.confidence, 4),
        "status": item.status,
        "message": item.message,
    }
    if multi:
        out[DIGITS_COLUMN] = [d.as_dict() for d in item.digits or ()]
    return out


class RowWriter:
    """Streams rows to an open text stream in one format; ``close()`` ends a JSON array."""

    def __init__(self, stream: IO[str], fmt: Format, multi: bool = False) -> None:
        self.stream = stream
        self.format = fmt
        self.multi = multi
        self.rows = 0
        self._csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow((*COLUMNS, DIGITS_COLUMN) if multi else COLUMNS)
        elif fmt == "json":
            stream.write("[")

    def write(self, item: BatchItem) -> None:
        data = record(item, self.multi)
        if self._csv is not None:
            confidence = "" if data["confidence"] is None else f"{data['confidence']:.4f}"
            row = [data["path"], data["prediction"], confidence, data["status"], data["message"]]
            if self.multi:
                row.append(json.dumps(data[DIGITS_COLUMN], separators=(",", ":")))
            self._csv.writerow(row)
        elif self.format == "json":
            self.stream.write(("\n  " if self.rows == 0 else ",\n  ")
                              + json.dumps(data, ensure_ascii=False))
        else:
            self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.rows += 1

    def write_all(self, items: Iterable[BatchItem]) -> None:
        for item in items:
            self.write(item)

    def close(self) -> None:
        if self.format == "json":
            self.stream.write("\n]\n" if self.rows else "]\n")
        self.stream.flush()


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise OutputError now if ``path`` can't be written (before any work is done)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{os.fspath(path)!r} is a folder; give a file name")
    if not folder.is_dir():
        raise OutputError(f"the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"the folder {str(folder)!r} is not writable")
    try:  # the permission bits say yes for root everywhere; /proc, read-only mounts say no
        handle, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write {os.fspath(path)!r}: "
                          f"{error.strerror or error}") from error
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)


class AtomicOutput:
    """A RowWriter on a temporary file next to ``path``; ``commit()`` moves it into place.

    Without ``commit()`` (an error) ``discard()`` removes the temporary file and leaves any
    existing file at ``path`` untouched. Use it as a context manager: leaving the block
    without commit discards.
    """

    def __init__(self, path: str | os.PathLike[str], fmt: Format, multi: bool = False) -> None:
        self.path = Path(path)
        check_writable(self.path)
        try:
            handle, temp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".part",
                dir=self.path.parent if str(self.path.parent) else ".")
        except OSError as error:
            raise OutputError(f"cannot write {os.fspath(path)!r}: "
                              f"{error.strerror or error}") from error
        self.temp = Path(temp)
        raw = os.fdopen(handle, "wb")
        self._file = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace",
                                      newline="")
        self.writer = RowWriter(self._file, fmt, multi)
        self.committed = False

    def write(self, item: BatchItem) -> None:
        self.writer.write(item)

    @property
    def rows(self) -> int:
        return self.writer.rows

    def commit(self) -> None:
        """Finish the file and move it into place in one step (os.replace)."""
        self.writer.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        mode = 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(self.temp, mode)
        os.replace(self.temp, self.path)
        self.committed = True

    def discard(self) -> None:
        if self.committed:
            return
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.discard()


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask (read once: setting it back and forth is not thread-safe)."""
    current = os.umask(0)
    os.umask(current)
    return current


def write_items(path: str | os.PathLike[str], items: Iterable[BatchItem],
                fmt: Format | None = None, multi: bool | None = None) -> int:
    """Write all ``items`` to ``path`` atomically; returns the number of rows.

    ``multi`` defaults to whether any row carries digits (numbers were read).
    """
    rows = list(items) if multi is None else items
    if multi is None:
        multi = any(item.digits is not None for item in rows)  # type: ignore[union-attr]
    with AtomicOutput(path, format_for(path, fmt), multi) as out:
        for item in rows:
            out.write(item)
        out.commit()
        return out.rows
