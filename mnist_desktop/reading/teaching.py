"""What a teach asks and answers: the seam between the window, ``mnist-desktop teach`` and
``training.teach`` (which does the teaching). Frozen dataclasses; no training code here, so
the window can name them without loading any.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class TeachError(Exception):
    """Teaching cannot start or finish; the message says why, for the user."""


@dataclass(frozen=True)
class TeachOptions:
    epochs: int = 15
    """Steps of teaching, in epochs of 40 steps, shared by the averaged fine-tunes."""
    seed: int = 0
    holdout: float = 0.0
    """Share of each digit's samples held back to measure the personal model on (none for
    digits with < 3). 0 (default): every sample is learnt, and the figure on your samples
    is the base model's alone (learning all 20 of a digit cuts the error on the rest of a
    hand more than learning 16 and measuring on 4)."""
    replay: int = 5000
    """MNIST training digits replayed alongside the samples (0: none)."""
    mnist_check: int = 2000
    """MNIST test digits read before and after (0: skip)."""
    data_dir: str | None = None
    """MNIST folder (None: ``$MNIST_DIR``, else the Keras download)."""
    workers: int = 1
    """Processes preparing the MNIST digits (1 in the window: no fork from a GUI)."""


@dataclass(frozen=True)
class TeachProgress:
    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class Score:
    """Accuracy of the base model (before) and the personal one (after) on ``count`` digits."""

    count: int
    before: float | None = None
    after: float | None = None


@dataclass(frozen=True)
class TeachResult:
    model_path: str
    trained_on: int
    per_digit: tuple[int, ...]
    held_back: Score
    mnist: Score
    problems: tuple[str, ...]
    seconds: float
    base_model: str
    options: TeachOptions = field(default_factory=TeachOptions)
    samples_before: float | None = None
    """The base model's accuracy on all of your samples (it never learnt them)."""
