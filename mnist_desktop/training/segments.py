"""Training data for the segment model: every candidate digit the reader considers on
synthetic sheets, labelled by where the true digits are.

A sheet (:mod:`mnist_desktop.synth_sheets`) is read the app's way up to the lattice
(:func:`mnist_desktop.numbers.analyse`, :func:`~mnist_desktop.number_lattice.build_lattice`
with nothing settled, so every candidate is there). A candidate that holds one true
digit's ink (nearly all of it, next to nothing of another digit) is labelled with that
digit; one that holds too little of any digit or much of two (half a digit, two digits, a
digit and a piece of the next, a speck) is labelled ``NOT_A_DIGIT``; the few in between
are left out.
"""

from __future__ import annotations

import cv2
import numpy as np

from mnist_desktop.number_lattice import build_lattice, pen_width, whole_groups
from mnist_desktop.segment_features import features
from mnist_desktop.synth_sheets import NO_DIGIT, TRAINING_MIX, Sheet, SheetMix, random_sheet

NOT_A_DIGIT = 10
WHOLE = 0.92
"""A candidate is a digit when it holds this share of that digit's ink..."""
STRAY = 0.12
"""... and at most this share of any other digit's;"""
NOT_WHOLE = 0.6
"""it is not one when it holds less than this of every digit, or this much of two."""

Samples = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Model inputs (N, 28, 28), context (N, 32, 32, 2), scalars (N, S), labels (N,)."""


def truth_planes(ink, sheet: Sheet) -> list[np.ndarray]:
    """Each digit's ink as found on the ink map (bool, analysis resolution)."""
    found = ink.labels > 0
    size = (ink.shape[1], ink.shape[0])
    return [found & (cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
                     > 0.25) for mask in sheet.masks]


def label_for(candidate, planes: list[np.ndarray], labels: tuple[int, ...]) -> int | None:
    """The candidate's label: a digit, ``NOT_A_DIGIT``, or None (too close to call)."""
    if candidate.mask is None or not planes:
        return None
    x, y, w, h = candidate.box
    mine = candidate.mask > 0
    held = np.array([np.count_nonzero(p[y: y + h, x: x + w] & mine) / max(1, np.count_nonzero(p))
                     for p in planes])
    best = int(np.argmax(held))
    others = np.delete(held, best)
    if held[best] >= WHOLE and not (others > STRAY).any():
        return labels[best] if labels[best] != NO_DIGIT else NOT_A_DIGIT
    if held[best] < NOT_WHOLE or (others >= NOT_WHOLE).any():
        return NOT_A_DIGIT
    return None


def sheet_samples(sheet: Sheet) -> Samples:
    """Every candidate of every reading of ``sheet`` (made with its masks), with its label."""
    from mnist_desktop.numbers import analyse

    parts: list[Samples] = []
    for ink, lines in analyse(sheet.image):
        if not lines:
            continue
        pen = pen_width(ink, lines)
        planes = truth_planes(ink, sheet)
        for line in lines:
            lattice = build_lattice(ink, line, pen, whole_groups(ink, line))
            chosen, labels = [], []
            for candidate in lattice.candidates:
                if candidate.kind == "skip" or candidate.pre.model_input is None:
                    continue
                label = label_for(candidate, planes, sheet.labels)
                if label is not None:
                    chosen.append(candidate)
                    labels.append(label)
            if chosen:
                parts.append((*features(ink, lattice, chosen), np.asarray(labels, np.int32)))
    if not parts:
        return empty_samples()
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def empty_samples() -> Samples:
    from mnist_desktop.segment_features import CONTEXT, SCALARS

    return (np.zeros((0, 28, 28), np.float32), np.zeros((0, CONTEXT, CONTEXT, 2), np.float32),
            np.zeros((0, SCALARS), np.float32), np.zeros(0, np.int32))


_DIGITS: tuple[np.ndarray, np.ndarray] | None = None
"""The digits sheets are drawn from, for forked workers (not pickled with every job)."""


def _chunk(job: tuple[tuple[np.ndarray, np.ndarray] | None, int, int, int, SheetMix]
           ) -> Samples:
    digits, seed, start, count, mix = job
    images, labels = digits if digits is not None else _DIGITS  # type: ignore[misc]
    parts = [sheet_samples(random_sheet(images, labels, np.random.default_rng([seed, i]), mix,
                                        masks=True))
             for i in range(start, start + count)]
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def segment_samples(images: np.ndarray, labels: np.ndarray, sheets: int, seed: int,
                    workers: int | None = None, mix: SheetMix = TRAINING_MIX) -> Samples:
    """Labelled candidates of ``sheets`` random sheets of ``images`` (seeded)."""
    import os

    from mnist_desktop.training.data import _map, worker_count

    global _DIGITS
    if sheets <= 0:
        return empty_samples()
    _DIGITS = (images, labels)
    shared = None if os.name == "posix" else (images, labels)  # forked workers inherit them
    step = 50
    jobs = [(shared, seed, s, min(step, sheets - s), mix) for s in range(0, sheets, step)]
    parts = _map(_chunk, jobs, workers or worker_count())
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]
