"""Training data for more hands than MNIST's: re-drawn digits, their rarer forms, non-digits.

- ``stroke_inputs``: MNIST training digits thinned into pen paths and re-drawn by a random
  hand (``strokes.render_random``: ballpoint to marker, pressure, slant, aspect, elastic
  deformation), some turned into forms MNIST barely has (``stroke_forms.vary``: flagged and
  serif 1s, crossed 7s, open 4s, looped 2s, round-top 3s, curled 9s).
- ``nondigit_inputs``: synthetic non-digits (``nondigits``), labelled ``NOT_A_DIGIT``; the
  model learns a uniform answer for them.
- ``writer_balanced``: which training digits to re-draw, each of QMNIST's writers about
  equally often, so augmentation does not repeat the writers MNIST holds most of.

Everything goes through the app's pipeline (``pipeline.model_input``) like every training
image. Seeds go by fixed chunks, so the data do not depend on the number of processes.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from mnist_desktop.pipeline.digit_input import model_input
from mnist_desktop.training.data import _map, worker_count

NOT_A_DIGIT = 10
"""Label of a non-digit in the training arrays (its target is uniform over the 10 digits)."""
CHUNK = 250
QMNIST_TRAIN = "qmnist-train-labels-idx2-int.gz"


def _as_input(image: np.ndarray) -> np.ndarray | None:
    out = model_input(image)
    return None if out is None else np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _strokes_chunk(job: tuple[np.ndarray, np.ndarray, int, float]) -> tuple[np.ndarray, ...]:
    from mnist_desktop.training.stroke_forms import vary
    from mnist_desktop.training.strokes import digit_strokes, render_random

    digits, labels, seed, forms = job
    rng = np.random.default_rng(seed)
    inputs, kept, varied = [], [], []
    for digit, label in zip(digits, labels, strict=True):
        height = int(rng.integers(28, 72))
        paths = digit_strokes(digit, rng)
        form = "mnist"
        if paths and rng.random() < forms:
            paths, form = vary(int(label), paths, rng)
        x = _as_input(render_random(paths, rng, height)) if paths else None
        kept.append(x is not None)
        varied.append(form != "mnist")
        inputs.append(np.zeros((28, 28), np.uint8) if x is None else x)
    return np.stack(inputs), np.array(kept, bool), np.array(varied, bool)


def stroke_inputs(images: np.ndarray, labels: np.ndarray, seed: int, *, forms: float = 1.0,
                  workers: int | None = None) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Re-draw digits as pen strokes (``forms``: share of them that may change form).

    Returns ``(inputs, labels, lost, varied)``: uint8 (M, 28, 28) model inputs, their labels,
    how many digits had no usable strokes or no digit found, how many got a rarer form.
    """
    starts = range(0, len(images), CHUNK)
    jobs = [(images[s : s + CHUNK], labels[s : s + CHUNK], seed * 1000 + 500 + i, forms)
            for i, s in enumerate(starts)]
    results = _map(_strokes_chunk, jobs, workers or worker_count())
    if not results:
        return np.zeros((0, 28, 28), np.uint8), labels[:0], 0, 0
    inputs = np.concatenate([r[0] for r in results])
    kept = np.concatenate([r[1] for r in results])
    varied = np.concatenate([r[2] for r in results])
    return inputs[kept], labels[kept], int((~kept).sum()), int(varied[kept].sum())


def _nondigits_chunk(job: tuple[int, int, str]) -> np.ndarray:
    from mnist_desktop.training.nondigits import nondigit_images

    count, seed, split = job
    rng = np.random.default_rng(seed)
    images, _ = nondigit_images(count, seed, split, height=int(rng.integers(28, 64)))
    found = [x for x in map(_as_input, images) if x is not None]
    return np.stack(found) if found else np.zeros((0, 28, 28), np.uint8)


def nondigit_inputs(count: int, seed: int, *, split: str = "train",
                    workers: int | None = None) -> np.ndarray:
    """``count`` synthetic non-digits through the pipeline (fewer where no ink is found)."""
    jobs = [(min(CHUNK, count - s), seed * 1000 + 700 + i, split)
            for i, s in enumerate(range(0, count, CHUNK))]
    results = _map(_nondigits_chunk, jobs, workers or worker_count())
    return np.concatenate(results) if results else np.zeros((0, 28, 28), np.uint8)


def qmnist_dir(explicit: str | None = None) -> Path | None:
    """The QMNIST folder: ``explicit``, ``$QMNIST_DIR``, or ``qmnist/`` beside ``$MNIST_DIR``."""
    candidates = [explicit, os.environ.get("QMNIST_DIR")]
    if os.environ.get("MNIST_DIR"):
        candidates.append(str(Path(os.environ["MNIST_DIR"]).parent / "qmnist"))
    for c in candidates:
        if c and (Path(c) / QMNIST_TRAIN).exists():
            return Path(c)
    return None


def load_writers(folder: Path, labels: np.ndarray) -> np.ndarray:
    """NIST writer id of each MNIST training digit (QMNIST's column 2), checked by label."""
    with gzip.open(folder / QMNIST_TRAIN) as f:
        raw = f.read()
    rows, cols = np.frombuffer(raw[4:12], ">i4")
    table = np.frombuffer(raw[12:], ">i4").reshape(rows, cols)
    if rows != len(labels) or not np.array_equal(table[:, 0], labels):
        raise ValueError(f"{folder / QMNIST_TRAIN} does not match the MNIST training labels")
    return table[:, 2].astype(np.int64)


def writer_balanced(candidates: np.ndarray, writers: np.ndarray | None, count: int,
                    rng: np.random.Generator) -> np.ndarray:
    """``count`` of ``candidates`` (indices), each writer about equally likely.

    Each digit is drawn with probability proportional to 1 / (its writer's digit count);
    without writer ids, uniformly. Without replacement while ``count`` allows.
    """
    count = min(count, len(candidates))
    if writers is None:
        return rng.choice(candidates, count, replace=False)
    ids = writers[candidates]
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse]
    return rng.choice(candidates, count, replace=False, p=weights / weights.sum())
