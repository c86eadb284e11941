"""Synthetic register cells: a handwritten number in a ruled cell of a scanned register.

``register_cell(digits, labels, rng)`` writes MNIST digits (28x28, white on black) as one
number in a cell of a scanned ledger: the cell's rules (horizontal and vertical, sometimes
the neighbouring cells' rules cut by the crop), a black scanner border along one or two
edges, small printed text (a column heading, a row number), specks and a stamp-like blot,
on paper of uneven grey, slightly rotated, blurred and JPEG-compressed. Used by
``benchmarks/register_cells.py`` with MNIST *test* digits; never by training.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CLUTTER = ("rules", "border", "print", "specks", "vertical")


@dataclass(frozen=True)
class Cell:
    """A cell picture (grey uint8), the number written in it and the clutter it has."""

    image: np.ndarray
    text: str
    clutter: tuple[str, ...]


def _write(page: np.ndarray, digits: list[np.ndarray], x: int, base: int, height: int,
           gap: float, ink: float, rng: np.random.Generator) -> None:
    for digit in digits:
        ys, xs = np.nonzero(digit > 40)
        crop = digit[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1].astype(np.float32) / 255
        h = int(height * rng.uniform(0.9, 1.1))
        w = max(2, round(crop.shape[1] * h / crop.shape[0]))
        glyph = cv2.resize(crop, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)
        y = base - h + int(rng.integers(-2, 3))
        region = page[y: y + h, x: x + w]
        if region.shape != glyph.shape:
            break
        np.minimum(region, 255 - glyph * (255 - ink), out=region)
        x += w + int(gap * height * rng.uniform(0.6, 1.4))


def register_cell(digits: list[np.ndarray], labels: list[int], rng: np.random.Generator
                  ) -> Cell:
    """One cell holding ``digits`` (MNIST images) as a number, with random clutter."""
    height = int(rng.integers(28, 48))
    gap = float(rng.uniform(0.1, 0.5))
    width = int(len(digits) * height * (0.8 + gap) + rng.integers(3, 6) * height)
    rows = int(height * rng.uniform(1.9, 2.6))
    paper = float(rng.uniform(200, 245))
    page = np.full((rows, width), paper, np.float32)
    page += cv2.GaussianBlur(rng.normal(0, 6, page.shape).astype(np.float32), (0, 0), 15)
    clutter = {name for name in CLUTTER if rng.random() < 0.6} | {"rules"}
    line_ink = paper - rng.uniform(60, 140)
    if "rules" in clutter:  # the cell's top and bottom rules, a little crooked
        for y in (int(rng.integers(1, 6)), rows - int(rng.integers(2, 7))):
            tilt = int(rng.integers(-2, 3))
            cv2.line(page, (0, y), (width, y + tilt), line_ink, int(rng.integers(1, 4)))
    if "vertical" in clutter:  # the cell's side rules, and a column rule inside
        for x in (int(rng.integers(1, 8)), width - int(rng.integers(2, 9))):
            cv2.line(page, (x, 0), (x + int(rng.integers(-2, 3)), rows), line_ink,
                     int(rng.integers(1, 4)))
    if "print" in clutter:  # a printed heading or row number in a corner
        text = str(rng.choice(["No.", "Nr", "Fol.", "Anno", "Kr.", "Sum", "Tot"]))
        if rng.random() < 0.5:
            text += f" {int(rng.integers(1, 400))}"
        scale = height / 80 * rng.uniform(0.7, 1.1)
        corner = (int(rng.integers(8, 20)), int(rng.integers(int(0.25 * height), rows // 3)))
        mask = np.zeros(page.shape, np.uint8)
        cv2.putText(mask, text, corner, cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
        np.minimum(page, paper - (paper - line_ink) * (mask / 255.0), out=page)
    x0 = int(rng.integers(int(1.5 * height), int(2.5 * height)))
    base = int(rows * rng.uniform(0.6, 0.75))
    _write(page, digits, x0, base, height, gap, float(rng.uniform(20, 90)), rng)
    if "specks" in clutter:
        for _ in range(int(rng.integers(5, 40))):
            centre = (int(rng.integers(0, width)), int(rng.integers(0, rows)))
            cv2.circle(page, centre, int(rng.integers(1, 3)), paper - rng.uniform(60, 160),
                       -1)
    turn = cv2.getRotationMatrix2D((width / 2, rows / 2), float(rng.normal(0, 1.0)), 1.0)
    page = cv2.warpAffine(page, turn, (width, rows), borderMode=cv2.BORDER_REPLICATE)
    if "border" in clutter:  # the scanner's black edge along one or two sides
        for side in rng.choice(4, int(rng.integers(1, 3)), replace=False):
            thick = int(rng.integers(3, max(4, height // 2)))
            if side == 0:
                page[:thick] = rng.uniform(0, 40)
            elif side == 1:
                page[-thick:] = rng.uniform(0, 40)
            elif side == 2:
                page[:, :thick] = rng.uniform(0, 40)
            else:
                page[:, -thick:] = rng.uniform(0, 40)
    page = cv2.GaussianBlur(page, (0, 0), float(rng.uniform(0.3, 0.9)))
    page += rng.normal(0, 3, page.shape)
    ok, data = cv2.imencode(".jpg", page.clip(0, 255).astype(np.uint8),
                            [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 90))])
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return Cell(image, "".join(str(int(d)) for d in labels), tuple(sorted(clutter)))


def random_cell(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> Cell:
    """A cell of 1 to 5 random MNIST digits."""
    count = int(rng.integers(1, 6))
    picks = rng.choice(len(images), count, replace=False)
    return register_cell([images[i] for i in picks], [int(labels[i]) for i in picks], rng)
