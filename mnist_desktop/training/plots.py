"""PNG plots of a training run, drawn with OpenCV (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

WHITE = (255, 255, 255)
GREY = (200, 200, 200)
TEXT = (40, 40, 40)
COLOURS = [(200, 110, 30), (40, 130, 240), (60, 170, 60), (60, 60, 220)]
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _panel(title: str, series: dict[str, Sequence[float]], size=(520, 360)) -> np.ndarray:
    w, h = size
    img = np.full((h, w, 3), 255, np.uint8)
    left, right, top, bottom = 60, 20, 40, 45
    cv2.putText(img, title, (left, 25), FONT, 0.6, TEXT, 1, cv2.LINE_AA)
    values = [v for s in series.values() for v in s if np.isfinite(v)]
    if not values:
        return img
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    n = max(len(s) for s in series.values())

    def point(i: int, v: float) -> tuple[int, int]:
        x = left + (w - left - right) * (i / max(1, n - 1))
        y = top + (h - top - bottom) * (1 - (v - lo) / (hi - lo))
        return int(x), int(y)

    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = point(0, v)[1]
        cv2.line(img, (left, y), (w - right, y), GREY, 1)
        cv2.putText(img, f"{v:.4g}", (4, y + 4), FONT, 0.38, TEXT, 1, cv2.LINE_AA)
    cv2.putText(img, "epoch", (w // 2 - 20, h - 10), FONT, 0.45, TEXT, 1, cv2.LINE_AA)
    for k, (name, s) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        pts = np.array([point(i, v) for i, v in enumerate(s)], np.int32)
        if len(pts) > 1:
            cv2.polylines(img, [pts], False, colour, 2, cv2.LINE_AA)
        for p in pts:
            cv2.circle(img, tuple(int(c) for c in p), 3, colour, -1, cv2.LINE_AA)
        cv2.putText(img, name, (left + 10 + 130 * k, h - 28), FONT, 0.45, colour, 1, cv2.LINE_AA)
    return img


def training_curves(history: dict[str, list[float]], path: Path) -> None:
    """Loss and accuracy per epoch, training and validation, side by side."""
    loss = {k: history[k] for k in ("loss", "val_loss") if k in history}
    acc = {k: history[k] for k in ("accuracy", "val_accuracy", "val_exact", "car_a_dev_exact")
           if history.get(k)}
    title = "accuracy" if "accuracy" in acc else "numbers read exactly"
    cv2.imwrite(str(path), np.hstack([_panel("loss", loss), _panel(title, acc)]))


def confusion_matrix_image(matrix: np.ndarray, path: Path, title: str) -> None:
    """A 10x10 confusion matrix with counts; the diagonal in green, errors in red."""
    cell, margin = 48, 70
    side = margin + 10 * cell + 20
    img = np.full((side + 20, side, 3), 255, np.uint8)
    cv2.putText(img, title, (10, 25), FONT, 0.55, TEXT, 1, cv2.LINE_AA)
    cv2.putText(img, "predicted", (margin + 4 * cell, margin - 30), FONT, 0.5, TEXT, 1, cv2.LINE_AA)
    cv2.putText(img, "true", (5, margin + 5 * cell), FONT, 0.5, TEXT, 1, cv2.LINE_AA)
    errors = matrix.copy().astype(float)
    np.fill_diagonal(errors, 0)
    worst = max(1.0, errors.max())
    for i in range(10):
        cv2.putText(img, str(i), (margin + i * cell + 18, margin - 8), FONT, 0.5, TEXT, 1)
        cv2.putText(img, str(i), (margin - 20, margin + i * cell + 30), FONT, 0.5, TEXT, 1)
        for j in range(10):
            x, y = margin + j * cell, margin + i * cell
            if i == j:
                colour = (150, 220, 150)
            else:
                t = errors[i, j] / worst
                colour = (int(255 - 200 * t), int(255 - 200 * t), 255)
            cv2.rectangle(img, (x, y), (x + cell - 1, y + cell - 1), colour, -1)
            cv2.rectangle(img, (x, y), (x + cell - 1, y + cell - 1), GREY, 1)
            label = str(int(matrix[i, j]))
            scale = 0.42 if len(label) < 4 else 0.36
            cv2.putText(img, label, (x + 5, y + 30), FONT, scale, TEXT, 1, cv2.LINE_AA)
    cv2.imwrite(str(path), img)
