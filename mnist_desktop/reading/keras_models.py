"""Model files without a fresh TFLite twin, read with Keras: the only reading code that
imports TensorFlow, and only when such a file is loaded.

The shipped models and every personal model ``teach`` writes have twins (``lite_model``), so
the app never comes here on its own; a ``--model FILE.keras`` made elsewhere (or a twin gone
stale) does. Such a model is called through one compiled ``tf.function`` (about a
millisecond a call), never ``model.predict``. ``python -m mnist_desktop.reading.lite_model
FILE.keras`` writes the file's twin, after which it loads without TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BATCH = 256


class KerasDigitModel:
    """Probabilities (N, 10) for digit inputs (N, 28, 28), from a Keras digit model."""

    engine = "Keras"

    def __init__(self, model: Any) -> None:
        import tensorflow as tf

        self.model = model
        rank = len(model.input_shape)
        shape = tuple(model.input_shape[1:])

        @tf.function(input_signature=[tf.TensorSpec((None, 28, 28), tf.float32)],
                     reduce_retracing=True)
        def run(batch: Any) -> Any:
            x = tf.reshape(batch, (-1, *shape)) if rank != 3 or shape != (28, 28) else batch
            return tf.cast(model(x, training=False), tf.float32)

        self._run = run
        self._run(np.zeros((1, 28, 28), np.float32))  # trace once, up front

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch, np.float32).reshape(-1, 28, 28)
        parts = [self._run(batch[i: i + BATCH]).numpy() for i in range(0, len(batch), BATCH)]
        if not parts:
            return np.zeros((0, 10), np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)


class KerasLineModel:
    """Logits (N, W / 4, classes) for lines stacked (N, 32, W), from a Keras line model."""

    engine = "Keras"

    def __init__(self, model: Any) -> None:
        import tensorflow as tf

        self.model = model

        @tf.function(input_signature=[tf.TensorSpec((None, 32, None), tf.float32)],
                     reduce_retracing=True)
        def run(batch: Any) -> Any:
            return tf.cast(model(batch[..., None], training=False), tf.float32)

        self._run = run
        self._run(np.zeros((1, 32, 64), np.float32))  # trace once, up front

    def __call__(self, stacked: np.ndarray) -> np.ndarray:
        return np.asarray(self._run(np.asarray(stacked, np.float32)))
