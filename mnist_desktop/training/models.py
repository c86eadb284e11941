"""Keras model architectures. Keras is imported inside the functions (lazily)."""

from __future__ import annotations

from typing import Any

ARCHITECTURES = ("cnn", "mlp")
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def build_cnn() -> Any:
    """The default: a compact CNN (538,026 parameters) that trains in minutes on a CPU.

    Two 5x5 convolution blocks with batch normalisation, a 3x3 block, then a small dense
    head with dropout. With augmentation it reaches about 99.6 % on MNIST.
    """
    import keras
    from keras import layers

    def block(x: Any, filters: int, kernel: int, padding: str = "same") -> Any:
        x = layers.Conv2D(filters, kernel, padding=padding, use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        return layers.ReLU()(x)

    inputs = keras.Input(INPUT_SHAPE, name="digit")
    x = block(inputs, 32, 5)
    x = layers.MaxPooling2D()(x)
    x = block(x, 64, 5)
    x = layers.MaxPooling2D()(x)
    x = block(x, 128, 3, padding="valid")
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Dense(128, use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(NUM_CLASSES)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cnn")


def build_mlp() -> Any:
    """The seed project's baseline: Flatten -> Dense 128 -> Dense 128 -> softmax."""
    import keras
    from keras import layers

    inputs = keras.Input(INPUT_SHAPE, name="digit")
    x = layers.Flatten()(inputs)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dense(NUM_CLASSES)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mlp")


def build_model(arch: str = "cnn") -> Any:
    """Build an uncompiled model by architecture name (one of ``ARCHITECTURES``)."""
    builders = {"cnn": build_cnn, "mlp": build_mlp}
    if arch not in builders:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    return builders[arch]()
