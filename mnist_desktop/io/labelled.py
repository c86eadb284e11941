"""Labelled sets of pictures: a folder of sub-folders ``0`` … ``9``, or a CSV ``path,label``.

Used by ``teach`` and ``evaluate`` and by the Batch tab (which shows accuracy when the
chosen folder is labelled). Qt-free and TensorFlow-free.

Layouts understood:

- ``DIR/0/*.png`` … ``DIR/9/*.png`` (the layout of the app's own ``samples/`` folder);
- a CSV file ``path,label`` (header optional; ``filename`` is accepted for ``path``), the
  paths relative to the CSV's folder, or to its ``images/`` sub-folder (as data sets often
  come: ``labels.csv`` beside ``images/``);
- a folder holding such a ``labels.csv``.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from mnist_desktop.io.image_files import is_image_name, natural_key

CSV_NAMES = ("labels.csv",)
IGNORED_NAMES = frozenset({"__MACOSX"})


class LabelledSetError(Exception):
    """The folder or CSV is not a labelled set; the message says why, for the user."""


@dataclass(frozen=True)
class LabelledItem:
    path: str
    label: int


@dataclass(frozen=True)
class LabelledSet:
    """The labelled pictures found; ``problems``: entries that could not be used (one line
    each); ``notes``: what was left out on purpose (pictures outside the digit folders)."""

    source: str
    items: tuple[LabelledItem, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def per_digit(self) -> list[int]:
        counts = [0] * 10
        for item in self.items:
            counts[item.label] += 1
        return counts


def _digit(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 1 and text.isdigit() else None


def find_csv(folder: Path) -> Path | None:
    for name in CSV_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def is_labelled_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` looks labelled: a ``labels.csv``, or digit sub-folders only."""
    folder = Path(path)
    if not folder.is_dir():
        return Path(path).suffix.lower() == ".csv" and Path(path).is_file()
    if find_csv(folder) is not None:
        return True
    try:
        subs = [e for e in os.scandir(folder) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return False
    subs = [e for e in subs if e.name not in IGNORED_NAMES]
    return bool(subs) and all(_digit(e.name) is not None for e in subs)


def _from_folders(folder: Path) -> LabelledSet:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: natural_key(e.name))
    except OSError as error:
        raise LabelledSetError(f"{folder}: cannot read the folder ({error.strerror})") from None
    subs = [e for e in entries if e.is_dir() and not e.name.startswith(".")
            and e.name not in IGNORED_NAMES]
    wrong = [e.name for e in subs if _digit(e.name) is None]
    if wrong:
        raise LabelledSetError(
            f"{folder}: sub-folders must be named 0 to 9 (one per digit); "
            f"not a digit: {', '.join(repr(name) for name in wrong[:10])}")
    loose = [e.name for e in entries if e.is_file() and is_image_name(e.name)]
    items: list[LabelledItem] = []
    problems: list[str] = []
    notes: list[str] = []
    if loose:
        notes.append(f"{len(loose)} picture(s) directly in {folder} have no digit folder "
                        f"and were left out (e.g. {loose[0]})")
    for sub in subs:
        label = int(sub.name)
        try:
            files = sorted(os.scandir(sub.path), key=lambda e: natural_key(e.name))
        except OSError as error:
            problems.append(f"{sub.path}: cannot read the folder ({error.strerror})")
            continue
        for entry in files:
            if entry.name.startswith(".") or entry.is_dir():
                continue
            if not is_image_name(entry.name):
                continue  # as classify does in folders: only picture names
            items.append(LabelledItem(entry.path, label))
    return LabelledSet(str(folder), tuple(items), tuple(problems), tuple(notes))


def _resolve(csv_path: Path, name: str) -> Path:
    path = Path(name).expanduser()
    if path.is_absolute():
        return path
    direct = csv_path.parent / path
    if direct.exists():
        return direct
    in_images = csv_path.parent / "images" / path
    return in_images if in_images.exists() else direct


def _from_csv(csv_path: Path) -> LabelledSet:
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as file:
            rows = [row for row in csv.reader(file) if row and any(c.strip() for c in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelledSetError(f"{csv_path}: cannot read the CSV ({error})") from None
    if rows and _digit(rows[0][-1]) is None and len(rows[0]) >= 2:
        header = [c.strip().lower() for c in rows[0]]
        rows = rows[1:]
        path_col = next((header.index(n) for n in ("path", "filename", "file") if n in header), 0)
        label_col = header.index("label") if "label" in header else 1
    else:
        path_col, label_col = 0, 1
    items: list[LabelledItem] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):
        if len(row) <= max(path_col, label_col):
            problems.append(f"{csv_path} line {number}: expected path,label")
            continue
        label = _digit(row[label_col])
        if label is None:
            problems.append(f"{csv_path} line {number}: label {row[label_col]!r} is not a "
                            "digit 0-9, left out")
            continue
        items.append(LabelledItem(str(_resolve(csv_path, row[path_col].strip())), label))
    return LabelledSet(str(csv_path), tuple(items), tuple(problems))


def read_labelled(path: str | os.PathLike[str]) -> LabelledSet:
    """The labelled pictures of a folder or CSV; ``LabelledSetError`` when there are none.

    Pictures are not opened here (see ``problems`` for what was skipped by name).
    """
    source = Path(path).expanduser()
    if not source.exists():
        raise LabelledSetError(f"{source}: no such file or folder")
    if source.is_file():
        if source.suffix.lower() != ".csv":
            raise LabelledSetError(f"{source}: expected a folder of digit sub-folders 0-9 "
                                   "or a CSV file of path,label")
        found = _from_csv(source)
    else:
        csv_path = find_csv(source)
        found = _from_csv(csv_path) if csv_path else _from_folders(source)
    if not found.items:
        reasons = found.problems + found.notes
        detail = f" ({reasons[0]})" if reasons else ""
        raise LabelledSetError(
            f"{source}: no labelled pictures found; expected sub-folders 0 to 9 holding "
            f"pictures, or a CSV of path,label{detail}")
    return found
