"""mnist-desktop: read handwritten digits and numbers from drawings, photos, webcams and folders.

The core (pipeline, model, inference, image loading, batch, CLI) is Qt-free; reading runs
the models on LiteRT and imports TensorFlow only to train, convert, or read a model file
that has no TFLite twin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["NumberReading", "Preprocessed", "Recognition", "Recognizer", "preprocess"]

if TYPE_CHECKING:
    from mnist_desktop.pipeline.digit_input import preprocess
    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.results import NumberReading, Preprocessed, Recognition

_LAZY = {
    "Recognizer": "mnist_desktop.reading.recognizer",
    "Recognition": "mnist_desktop.results",
    "NumberReading": "mnist_desktop.results",
    "Preprocessed": "mnist_desktop.results",
    "preprocess": "mnist_desktop.pipeline.digit_input",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mnist_desktop' has no attribute {name!r}")
