"""The recipe that turns a model and a few of one person's digits into a personal model.

Inputs are 28x28 uint8 model inputs made by the app's pipeline (``pipeline.model_input``,
the one input contract), so the model learns exactly what it will see. Each step trains on
one batch that is half the user's samples (drawn with replacement, so 1 sample per digit
works, each augmented afresh by ``training.augment``) and half MNIST training digits
(*replay*, also augmented), so the model learns the new hand without forgetting the old
ones. Batch normalisation stays frozen (its statistics come from 60,000 digits; a few
hundred would only move them about) and the learning rate is small and decays to zero.

The work (``epochs``) is shared by ``members`` fine-tunes from the same start, each with its
own seed, whose weights are averaged at the end (a "model soup"): one fine-tune's result
depends on which samples it happened to draw and how they were augmented; the average of
several is steadier and, on held-out digits of the same hand, better than any one of them.
Replayed digits may include non-digits (label ``NOT_A_DIGIT``), trained towards a uniform
answer as ``train.py`` does, so a personal model still says "not sure" to a scribble.

Deterministic for a given seed on a given machine: the batches and augmentations come
from generators seeded by ``(seed, step)`` and TensorFlow's ops run deterministically.
TensorFlow is imported inside the functions. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnist_desktop.training.augment import AugmentConfig, augment_batch

STEPS_PER_EPOCH = 40
"""Training steps in one epoch (an epoch is a fixed amount of work, whatever the number of
samples: 3 samples or 3,000 both get ``epochs * STEPS_PER_EPOCH`` steps)."""


class FinetuneCancelled(Exception):
    """``should_stop`` said stop; no model is made."""


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 15
    """All members together (a member gets ``epochs / members`` of the steps)."""
    seed: int = 0
    members: int = 3
    """Fine-tunes whose weights are averaged (at most ``epochs``)."""
    user_batch: int = 32
    replay_batch: int = 32
    learning_rate: float = 2e-3
    """Adam's first rate, decaying to zero (2e-3 cut the error on the rest of a hand more
    than 1e-3 on each of four draws with the model of 2026-12-05)."""
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    @property
    def steps(self) -> int:
        return max(1, self.epochs) * STEPS_PER_EPOCH

    @property
    def member_count(self) -> int:
        return max(1, min(self.members, self.epochs))

    def member_steps(self, member: int) -> int:
        """Steps of fine-tune ``member`` (they add up to ``steps``)."""
        n = self.member_count
        return self.steps // n + (1 if member < self.steps % n else 0)


@dataclass(frozen=True)
class FinetuneProgress:
    step: int
    steps: int
    loss: float


def _freeze_batch_norm(model: Any) -> None:
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False


NOT_A_DIGIT = 10
"""Label of a replayed non-digit (its target is uniform over the ten digits)."""


def targets(labels: np.ndarray) -> np.ndarray:
    """One-hot targets; uniform for ``NOT_A_DIGIT``."""
    labels = np.asarray(labels).astype(np.int64)
    out = np.zeros((len(labels), 10), np.float32)
    digit = labels < 10
    out[np.flatnonzero(digit), labels[digit]] = 1.0
    out[~digit] = 0.1
    return out


def _batch(x: np.ndarray, y: np.ndarray, count: int, rng: np.random.Generator,
           config: AugmentConfig) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.integers(0, len(x), count)
    return augment_batch(x[idx], rng, config), targets(y[idx])


def finetune(model: Any, x_user: np.ndarray, y_user: np.ndarray,
             x_replay: np.ndarray, y_replay: np.ndarray, config: FinetuneConfig = FinetuneConfig(),
             *, progress: Callable[[FinetuneProgress], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Any:
    """A fine-tuned copy of ``model`` (uncompiled; ``model`` itself is untouched).

    ``x_user``/``x_replay`` are uint8 (N, 28, 28) pipeline outputs; ``x_replay`` may be
    empty (no replay: faster, but the model forgets more). Raises ``FinetuneCancelled``
    when ``should_stop()`` turns true (checked every step) and ``ValueError`` when there
    are no user samples.
    """
    if len(x_user) == 0:
        raise ValueError("no samples to learn from")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    total, done, members = config.steps, 0, []
    for member in range(config.member_count):
        steps = config.member_steps(member)

        def report(step: int, loss: float, before: int = done) -> None:
            if progress is not None:
                progress(FinetuneProgress(before + step, total, loss))

        tuned = _one_finetune(model, member, steps, x_user, y_user, x_replay, y_replay, config,
                              report, should_stop)
        done += steps
        members.append(tuned.get_weights())
    clean = keras.models.clone_model(model)  # no optimizer state, layers trainable as before
    clean.set_weights([np.mean(ws, axis=0) for ws in zip(*members, strict=True)])
    return clean


def _one_finetune(model: Any, member: int, steps: int, x_user: np.ndarray, y_user: np.ndarray,
                  x_replay: np.ndarray, y_replay: np.ndarray, config: FinetuneConfig,
                  progress: Callable[[int, float], None],
                  should_stop: Callable[[], bool] | None) -> Any:
    """One member of the soup: ``steps`` steps from ``model``'s weights."""
    import keras

    tuned = keras.models.clone_model(model)
    tuned.set_weights(model.get_weights())
    _freeze_batch_norm(tuned)
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps, alpha=0.0)
    tuned.compile(optimizer=keras.optimizers.Adam(schedule), loss="categorical_crossentropy")
    replay = len(x_replay) > 0
    user_count = config.user_batch if replay else config.user_batch + config.replay_batch
    for step in range(steps):
        if should_stop is not None and should_stop():
            raise FinetuneCancelled()
        # Member 0 draws exactly the batches a single fine-tune drew before members came.
        rng = np.random.default_rng((config.seed, step) if member == 0
                                    else (config.seed, step, member))
        xb, yb = _batch(x_user, y_user, user_count, rng, config.augment)
        if replay:
            xr, yr = _batch(x_replay, y_replay, config.replay_batch, rng, config.augment)
            xb, yb = np.concatenate([xb, xr]), np.concatenate([yb, yr])
        loss = tuned.train_on_batch(xb, yb)
        progress(step + 1, float(np.asarray(loss).reshape(-1)[0]))
    return tuned


def predict_classes(model: Any, inputs: np.ndarray, batch: int = 512) -> np.ndarray:
    """Predicted digits for uint8 (N, 28, 28) inputs, the model called directly in batches."""
    from mnist_desktop.training.evaluate import predict_classes as direct

    return direct(model, inputs, batch)


def accuracy(model: Any, inputs: np.ndarray, labels: np.ndarray) -> float | None:
    """Share of ``inputs`` read as ``labels`` (None when there are none)."""
    if len(inputs) == 0:
        return None
    return float(np.mean(predict_classes(model, inputs) == labels))
