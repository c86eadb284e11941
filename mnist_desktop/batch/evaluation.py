"""Accuracy of the app on a labelled set: overall, per digit, confusions, the errors.

Scores the rows of a batch run (``batch.BatchItem``: the same loading, pipeline and model
as ``classify``) against the labels of ``labelled.read_labelled``. Used by
``mnist-desktop evaluate`` and the Batch tab. Qt-free, TensorFlow-free.

Counting: every picture that could be read counts; "no digit found" counts as wrong (its
prediction is null in ``errors``) and unsure answers count by their best guess. Pictures
that could not be read at all are listed in ``unreadable`` and left out of the figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Misread:
    path: str
    label: int
    prediction: int | None
    confidence: float | None


@dataclass(frozen=True)
class EvalReport:
    count: int
    correct: int
    confusion: tuple[tuple[int, ...], ...]
    """10x10 counts, rows = true digit, columns = prediction (no-digit rows not included)."""
    no_digit: tuple[int, ...]
    """Per true digit, the pictures in which no digit was found."""
    errors: tuple[Misread, ...]
    unreadable: tuple[tuple[str, str], ...] = ()
    model: str = ""

    @property
    def accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def per_digit(self) -> tuple[float | None, ...]:
        """Accuracy for each true digit (None when the set has none of it)."""
        out = []
        for digit in range(10):
            total = sum(self.confusion[digit]) + self.no_digit[digit]
            out.append(self.confusion[digit][digit] / total if total else None)
        return tuple(out)

    def per_digit_counts(self) -> tuple[int, ...]:
        return tuple(sum(self.confusion[d]) + self.no_digit[d] for d in range(10))

    def worst_confusions(self, n: int = 3) -> list[tuple[int, int, int]]:
        """The most frequent (true, predicted, count) mix-ups."""
        pairs = [(self.confusion[t][p], t, p) for t in range(10) for p in range(10)
                 if t != p and self.confusion[t][p]]
        return [(t, p, c) for c, t, p in sorted(pairs, key=lambda x: (-x[0], x[1], x[2]))[:n]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "accuracy": round(self.accuracy, 6),
            "count": self.count,
            "correct": self.correct,
            "per_digit": {str(d): (None if a is None else round(a, 6))
                          for d, a in enumerate(self.per_digit)},
            "per_digit_count": {str(d): c for d, c in enumerate(self.per_digit_counts())},
            "confusion": [list(row) for row in self.confusion],
            "no_digit": list(self.no_digit),
            "errors": [{"path": e.path, "label": e.label, "prediction": e.prediction,
                        "confidence": None if e.confidence is None else round(e.confidence, 4)}
                       for e in self.errors],
            "unreadable": [{"path": p, "message": m} for p, m in self.unreadable],
        }


class Scorer:
    """Adds batch rows one by one (the Batch tab scores as rows arrive)."""

    def __init__(self, labels: Mapping[str, int], model: str = "") -> None:
        self.labels = {os.path.normpath(p): label for p, label in labels.items()}
        self.model = model
        self._confusion = np.zeros((10, 10), np.int64)
        self._no_digit = [0] * 10
        self._errors: list[Misread] = []
        self._unreadable: list[tuple[str, str]] = []

    def label_of(self, path: str) -> int | None:
        return self.labels.get(os.path.normpath(path))

    def add(self, path: str, status: str, prediction: str, confidence: float | None,
            message: str = "") -> bool | None:
        """Score one row; returns whether it was right (None: unlabelled or unreadable)."""
        label = self.label_of(path)
        if label is None:
            return None
        if status == "error":
            self._unreadable.append((path, message))
            return None
        if status == "no_digit" or not prediction.isdigit() or len(prediction) != 1:
            self._no_digit[label] += 1
            self._errors.append(Misread(path, label, None, None))
            return False
        predicted = int(prediction)
        self._confusion[label, predicted] += 1
        if predicted != label:
            self._errors.append(Misread(path, label, predicted, confidence))
        return predicted == label

    def add_items(self, items: Iterable[Any]) -> None:
        for item in items:
            self.add(item.path, item.status, item.prediction, item.confidence, item.message)

    def report(self) -> EvalReport:
        correct = int(np.trace(self._confusion))
        count = int(self._confusion.sum()) + sum(self._no_digit)
        return EvalReport(count, correct, tuple(tuple(int(v) for v in row)
                                                for row in self._confusion),
                          tuple(self._no_digit), tuple(self._errors), tuple(self._unreadable),
                          self.model)


def format_report(report: EvalReport) -> str:
    """The text ``evaluate`` prints: accuracy, per-digit accuracy, the worst mix-ups."""
    lines = [f"accuracy {report.accuracy:.2%} ({report.correct:,} of {report.count:,} right)"]
    counts = report.per_digit_counts()
    lines.append("digit     " + " ".join(f"{d:>6}" for d in range(10)))
    lines.append("accuracy  " + " ".join("     -" if a is None else f"{a:6.1%}"
                                         for a in report.per_digit))
    lines.append("pictures  " + " ".join(f"{c:>6}" for c in counts))
    worst = report.worst_confusions()
    if worst:
        lines.append("most often confused: " + ", ".join(
            f"{t} read as {p} ({c}x)" for t, p, c in worst))
    if sum(report.no_digit):
        lines.append(f"no digit found in {sum(report.no_digit)} picture(s) (counted wrong)")
    return "\n".join(lines)
