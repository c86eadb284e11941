"""The real handwriting kept beside the project for validation (never for training).

``../shared/data/real`` (or ``$MNIST_DESKTOP_REAL_DIR``) holds ``car-a-dev`` (bank-cheque
amounts) and ``ardis-dev`` (single digits), each an ``images/`` folder and a
``labels.csv`` of ``filename,label``. Benchmarks and tests read them from
there (train.py and the package never do: this module is
not part of it); a fresh clone without them simply has none.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import cv2
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]


def real_dir() -> Path | None:
    """The folder of real sets, or None when there is none."""
    env = os.environ.get("MNIST_DESKTOP_REAL_DIR")
    for candidate in ([Path(env)] if env else []) + [REPO_ROOT.parent / "shared/data/real"]:
        if candidate.is_dir():
            return candidate
    return None


def real_set(name: str) -> list[tuple[Path, str]] | None:
    """(image path, label) of a real set (``car-a-dev``, ``ardis-dev``), or None."""
    root = real_dir()
    if root is None or not (root / name / "labels.csv").is_file():
        return None
    with open(root / name / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [(root / name / "images" / row["filename"], row["label"].strip()) for row in rows]


def car_a_inputs() -> tuple[list[np.ndarray], list[str]] | None:
    """The real cheque amounts as line inputs (the whole picture is one line), or None."""
    from mnist_desktop.pipeline.line_input import line_input

    rows = real_set("car-a-dev")
    if not rows:
        return None
    inputs, texts = [], []
    for path, label in rows:
        grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if grey is not None:
            inputs.append(line_input(grey).image)
            texts.append(label)
    return inputs, texts
