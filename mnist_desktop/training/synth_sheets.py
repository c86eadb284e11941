"""Seeded random sheets of handwritten numbers, for training, tests and benchmarks.

Each sheet is a phone-photo-like picture of 2 to 6 MNIST digits written as a number
(:func:`mnist_desktop.training.synth.compose_sheet`): mixed difficulty, sometimes two lines,
touching
digits, a broken digit or ruled paper. Training draws them from MNIST *training* digits,
the benchmark and tests from *test* digits with seeds of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.training.synth import compose_sheet

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Sheet:
    """A composed photo, the text written on it (lines joined by newlines), what kind of
    sheet it is ("difficulty:extras") and the true box of every digit in reading order."""

    image: np.ndarray
    text: str
    kind: str
    boxes: tuple[Box, ...]
    labels: tuple[int, ...]
    masks: tuple[np.ndarray, ...] = ()
    """Each digit's ink (bool, the photo's size), when asked for."""


@dataclass(frozen=True)
class SheetMix:
    """How often each complication happens."""

    two_lines: float = 0.2
    touching: float = 0.25
    broken: float = 0.2
    difficulty: tuple[float, float, float] = (0.3, 0.5, 0.2)  # easy, mixed, hard
    mark: float = 0.0
    """A letter or a scribble written among the digits (``NO_DIGIT`` in ``labels``)."""


BENCHMARK_MIX = SheetMix()
TRAINING_MIX = SheetMix(two_lines=0.25, touching=0.45, broken=0.3, mark=0.25)
"""Training sees the hard cases more often, and marks that are no digit."""
NO_DIGIT = -1
MARK_LETTERS = "AEFHKMNPRUVWXdefkmnprvwx&#%@=?"
"""Letters and signs a digit reader must not take for digits (none that looks like one)."""


def mark_image(rng: np.random.Generator) -> np.ndarray:
    """A 28x28 MNIST-like picture (white on black) of a letter, a sign or a scribble."""
    big = np.zeros((112, 112), np.uint8)
    if rng.random() < 0.7:
        font = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                               cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_DUPLEX]))
        letter = str(rng.choice(list(MARK_LETTERS)))
        cv2.putText(big, letter, (20, 90), font, 2.6, 255, 9, cv2.LINE_AA)
    else:
        points = rng.uniform(15, 97, (int(rng.integers(4, 12)), 2)).astype(np.int32)
        cv2.polylines(big, [points], False, 255, 9, cv2.LINE_AA)
    x, y, w, h = cv2.boundingRect(big)
    crop = big[y: y + h, x: x + w]
    scale = 20.0 / max(w, h, 1)
    crop = cv2.resize(crop, (max(1, round(w * scale)), max(1, round(h * scale))),
                      interpolation=cv2.INTER_AREA)
    out = np.zeros((28, 28), np.uint8)
    top, left = (28 - crop.shape[0]) // 2, (28 - crop.shape[1]) // 2
    out[top: top + crop.shape[0], left: left + crop.shape[1]] = crop
    return out


def random_sheet(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
                 mix: SheetMix = BENCHMARK_MIX, masks: bool = False) -> Sheet:
    """One sheet of 2-6 of ``images`` (28x28 MNIST digits) drawn with ``rng`` (with each
    digit's ink when ``masks``)."""
    count = int(rng.integers(2, 7))
    picks = rng.choice(len(images), count, replace=False)
    lines = None
    if count >= 4 and rng.random() < mix.two_lines:
        first = int(rng.integers(2, count - 1))
        lines = [first, count - first]
    touching = bool(rng.random() < mix.touching)
    broken = bool(rng.random() < mix.broken)
    difficulty = str(rng.choice(["easy", "mixed", "hard"], p=list(mix.difficulty)))
    written = [images[i] for i in picks]
    truth = [int(labels[i]) for i in picks]
    if mix.mark and rng.random() < mix.mark:  # (no draw at all when off: series stay put)
        at = int(rng.integers(count))
        written[at], truth[at] = mark_image(rng), NO_DIGIT
    inks: list[np.ndarray] | None = [] if masks else None
    image, boxes = compose_sheet(written, rng, lines=lines, touching=touching, broken=broken,
                                 difficulty=difficulty, masks=inks)
    digits = [str(d) if d != NO_DIGIT else "?" for d in truth]
    parts, start = [], 0
    for n in lines or [count]:
        parts.append("".join(digits[start:start + n]))
        start += n
    kind = ",".join(k for k, on in (("lines", lines), ("touching", touching),
                                    ("broken", broken)) if on) or "plain"
    return Sheet(image, "\n".join(parts), f"{difficulty}:{kind}",
                 tuple(tuple(int(v) for v in b) for b in boxes),  # type: ignore[misc]
                 tuple(truth), tuple(inks or ()))
