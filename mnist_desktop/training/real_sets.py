"""The real handwriting kept beside the project for validation (never for training).

``../shared/data/real`` (or ``$MNIST_DESKTOP_REAL_DIR``) holds ``car-a-dev`` (bank-cheque
amounts) and ``ardis-dev`` (single digits), each an ``images/`` folder and a
``labels.csv`` of ``filename,label``. Benchmarks, tests and train.py's progress report
read them from there; a fresh clone without them simply has none.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


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
