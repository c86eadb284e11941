"""The user's own samples: ``<root>/samples/<digit>/<name>.png``, and their personal model.

A correction in the window ("Wrong? It's a 7") saves the picture here. The layout is the
one ``teach`` reads, so a person can look at the files, back them up or hand the folder to
``mnist-desktop teach``. The personal model and its JSON live beside ``samples/``.

Qt-free: the window passes the folder (``QStandardPaths.AppDataLocation``) in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.io.image_files import ImageLoadError, is_image_name, load_image, natural_key
from mnist_desktop.io.pixels import to_uint8
from mnist_desktop.results import Box

SAMPLES_DIR = "samples"
PERSONAL_MODEL = "personal.keras"
SAMPLE_MARGIN = 0.3
"""A sample cut from a bigger picture keeps this much of the box's size around the digit."""
MAX_SIDE = 1024
"""Longer pictures are scaled down to this before saving (a sample, not an archive)."""


class SampleError(Exception):
    """A sample could not be saved or imported; the message says why."""


@dataclass(frozen=True)
class ImportResult:
    added: int
    problems: tuple[str, ...]


def crop_for_sample(image: np.ndarray, box: Box | None) -> np.ndarray:
    """The part of ``image`` around ``box`` (with a margin) that a sample keeps; the whole
    picture without a box. Scaled down when large."""
    out = np.asarray(image)
    if box is not None:
        x, y, w, h = box
        m = int(round(max(w, h) * SAMPLE_MARGIN)) + 2
        height, width = out.shape[:2]
        x0, y0 = max(0, x - m), max(0, y - m)
        x1, y1 = min(width, x + w + m), min(height, y + h + m)
        if x1 > x0 and y1 > y0:
            out = out[y0:y1, x0:x1]
    longest = max(out.shape[:2])
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
        size = (max(1, round(out.shape[1] * scale)), max(1, round(out.shape[0] * scale)))
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
    return out


def _as_png_bytes(image: np.ndarray) -> bytes:
    array = np.asarray(image)
    if array.dtype != np.uint16:  # a 16-bit picture is kept at 16 bits
        array = to_uint8(array)
    ok, data = cv2.imencode(".png", np.ascontiguousarray(array))
    if not ok:
        raise SampleError("the picture could not be encoded as PNG")
    return data.tobytes()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


class SampleStore:
    """The samples and personal model under ``root`` (created on first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.samples_dir = self.root / SAMPLES_DIR
        self.model_path = self.root / PERSONAL_MODEL

    def digit_dir(self, digit: int) -> Path:
        if digit not in range(10):
            raise SampleError(f"not a digit: {digit!r}")
        return self.samples_dir / str(digit)

    def _new_name(self, folder: Path, stem: str) -> Path:
        base = f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}" if stem else time.strftime(
            "%Y%m%d-%H%M%S")
        for n in range(1, 100_000):
            candidate = folder / f"{base}-{n}.png"
            if not candidate.exists():
                return candidate
        raise SampleError(f"{folder}: too many samples with the same name")

    def add(self, image: np.ndarray, digit: int, source: str = "") -> Path:
        """Save ``image`` as a sample of ``digit``; returns its path."""
        folder = self.digit_dir(digit)
        data = _as_png_bytes(image)
        stem = "".join(c if c.isalnum() else "-" for c in source.lower())[:20].strip("-")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self._new_name(folder, stem)
            _write_atomic(path, data)
        except OSError as error:
            raise SampleError(f"could not save the sample in {folder}: "
                              f"{error.strerror or error}") from None
        return path

    def remove(self, path: str | os.PathLike[str]) -> None:
        """Delete one sample (only files inside this store)."""
        target = Path(path).resolve()
        if self.samples_dir.resolve() not in target.parents:
            raise SampleError(f"{path} is not one of the samples")
        try:
            target.unlink(missing_ok=True)
        except OSError as error:
            raise SampleError(f"could not delete {path}: {error.strerror or error}") from None

    def samples(self) -> dict[int, list[Path]]:
        """Every sample, by digit, in name (so time) order."""
        out: dict[int, list[Path]] = {d: [] for d in range(10)}
        for digit in range(10):
            folder = self.samples_dir / str(digit)
            if folder.is_dir():
                names = [p for p in folder.iterdir()
                         if p.is_file() and not p.name.startswith(".") and is_image_name(p)]
                out[digit] = sorted(names, key=lambda p: natural_key(p.name))
        return out

    def counts(self) -> tuple[int, ...]:
        found = self.samples()
        return tuple(len(found[d]) for d in range(10))

    def import_folder(self, source: str | os.PathLike[str]) -> ImportResult:
        """Copy the pictures of a labelled folder or CSV (see ``labelled``) in as samples;
        unreadable ones are listed and skipped. ``LabelledSetError`` for no labels."""
        from mnist_desktop.io.labelled import read_labelled

        found = read_labelled(source)
        problems = list(found.problems)
        added = 0
        for item in found.items:
            try:
                image = load_image(item.path)
            except ImageLoadError as error:
                problems.append(f"{item.path}: {error.message}")
                continue
            folder = self.digit_dir(item.label)
            folder.mkdir(parents=True, exist_ok=True)
            target = self._new_name(folder, Path(item.path).stem[:20])
            if Path(item.path).suffix.lower() == ".png":
                shutil.copyfile(item.path, target)
            else:
                _write_atomic(target, _as_png_bytes(crop_for_sample(image, None)))
            added += 1
        return ImportResult(added, tuple(problems))
