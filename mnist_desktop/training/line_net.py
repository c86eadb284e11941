"""The line model: a small CNN over a 32-row line, a bidirectional GRU, CTC outputs.

Input (batch, 32, width) floats in [0, 1] (``line_input``); output (batch, width / 4,
``CLASSES``) logits: the ten digits, ``MARK`` (a letter or scribble) and the CTC blank, last.
Any width that is a multiple of 8 works: the network is convolutional along the line.
"""

from __future__ import annotations

from typing import Any

CLASSES = 12
"""0-9, MARK (10) and the CTC blank (11)."""
BLANK = CLASSES - 1
DOWNSAMPLE = 4
"""Input columns per output step."""


def build_line_model(width: int | None = None) -> Any:
    """The line network (``width`` None: any width)."""
    import keras
    from keras import layers

    inputs = keras.Input((32, width, 1) if width else (32, None, 1), name="line")
    x = inputs

    def conv(x: Any, filters: int, pool: tuple[int, int] | None = None) -> Any:
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
        return layers.MaxPooling2D(pool)(x) if pool else x

    x = conv(x, 32, (2, 2))    # 16 x W/2
    x = conv(x, 64, (2, 2))    # 8 x W/4
    x = conv(conv(x, 96), 96, (2, 1))  # 4 x W/4
    x = conv(x, 128, (2, 1))   # 2 x W/4
    x = layers.Conv2D(128, (2, 1), padding="valid", activation="relu")(x)  # 1 x W/4
    x = layers.Reshape((-1, 128))(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.GRU(96, return_sequences=True))(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(CLASSES, dtype="float32", name="logits")(x)
    return keras.Model(inputs, outputs, name="line_reader")


def ctc_loss(y_true: Any, y_pred: Any) -> Any:
    """CTC loss for labels padded with -1 and logits (batch, steps, CLASSES)."""
    from keras import ops

    labels = ops.cast(y_true, "int32")
    label_length = ops.sum(ops.cast(labels >= 0, "int32"), axis=1)
    labels = ops.where(labels >= 0, labels, 0)
    batch = ops.shape(y_pred)[0]
    steps = ops.shape(y_pred)[1]
    logit_length = ops.full((batch,), steps, dtype="int32")
    return ops.ctc_loss(labels, ops.cast(y_pred, "float32"), label_length, logit_length,
                        mask_index=BLANK)
