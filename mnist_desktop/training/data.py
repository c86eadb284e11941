"""Training data made through the app's own pipeline (the one input contract).

Every training and test image goes through ``pipeline.model_input`` exactly as a user's
drawing or photo would, so the model learns what the pipeline really produces. Part of
the training set is MNIST training digits rendered as phone photos of handwriting
(``synth.render_photo``) and then run through the same pipeline.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

import numpy as np

from mnist_desktop.pipeline.digit_input import model_input

PHOTO_CHUNK = 250
"""Synthetic photos are made in chunks of this many digits, one random seed per chunk."""


def _one_input(image: np.ndarray) -> np.ndarray:
    out = model_input(image)
    if out is None:  # never for MNIST digits, but keep the raw image rather than a hole
        return image.astype(np.uint8)
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _inputs_chunk(images: np.ndarray) -> np.ndarray:
    return np.stack([_one_input(image) for image in images])


def _photos_chunk(job: tuple[np.ndarray, int, str]) -> tuple[np.ndarray, np.ndarray]:
    from mnist_desktop.training.synth import render_photo

    digits, seed, difficulty = job
    rng = np.random.default_rng(seed)
    inputs, found = [], []
    for digit in digits:
        photo, _ = render_photo(digit, rng, difficulty=difficulty)
        out = model_input(photo)
        found.append(out is not None)
        inputs.append(np.zeros((28, 28), np.uint8) if out is None
                      else np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return np.stack(inputs), np.array(found, dtype=bool)


def worker_count() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _map(function: Callable, jobs: list, workers: int) -> list:
    if workers <= 1 or len(jobs) <= 1:
        return [function(job) for job in jobs]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(workers) as pool:
        return pool.map(function, jobs, chunksize=1)


def pipeline_inputs(images: np.ndarray, workers: int | None = None) -> np.ndarray:
    """Run 28x28 MNIST images through the app's pipeline; returns uint8 (N, 28, 28)."""
    workers = workers or worker_count()
    chunks = np.array_split(images, max(1, min(len(images), workers * 8)))
    return np.concatenate(_map(_inputs_chunk, [c for c in chunks if len(c)], workers))


def photo_inputs(images: np.ndarray, labels: np.ndarray, seed: int, *,
                 difficulty: str = "mixed", workers: int | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Render each digit as a photo, run it through the pipeline.

    Returns ``(inputs, labels, lost)``: uint8 (M, 28, 28) inputs, their labels, and how
    many photos the pipeline found no digit in (those are left out).
    """
    workers = workers or worker_count()
    # Chunks of a fixed size, each with its own seed: the same photos on any machine,
    # whatever the number of worker processes.
    starts = range(0, len(images), PHOTO_CHUNK)
    jobs = [(images[start : start + PHOTO_CHUNK], seed * 1000 + i, difficulty)
            for i, start in enumerate(starts)]
    results = _map(_photos_chunk, jobs, workers)
    if not results:
        return np.zeros((0, 28, 28), np.uint8), labels[:0], 0
    inputs = np.concatenate([r[0] for r in results])
    found = np.concatenate([r[1] for r in results])
    return inputs[found], labels[found], int((~found).sum())
