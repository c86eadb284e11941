"""Reading digits and numbers: the recognizer (digit model, line model, number reader),
model files and their metadata, and smoothing answers over webcam frames.

The GUI, the batch engine and the CLI use only these names. Each is imported from its
module when first named (PEP 562): the command line's parsers name ``TeachOptions``
without loading the pipeline, OpenCV or the runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnist_desktop.reading.model_file import ModelError, ModelInfo
    from mnist_desktop.reading.quiet import native_stderr_silenced
    from mnist_desktop.reading.reader import Reader
    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.reading.resources import bundled_model_path
    from mnist_desktop.reading.smoothing import DigitSmoother, NumberSmoother, ReadingSmoother
    from mnist_desktop.reading.teaching import (
        Score,
        TeachError,
        TeachOptions,
        TeachProgress,
        TeachResult,
    )

_WHERE = {
    "model_file": ("ModelError", "ModelInfo"),
    "quiet": ("native_stderr_silenced",),
    "reader": ("Reader",),
    "recognizer": ("Recognizer",),
    "resources": ("bundled_model_path",),
    "smoothing": ("DigitSmoother", "NumberSmoother", "ReadingSmoother"),
    "teaching": ("Score", "TeachError", "TeachOptions", "TeachProgress", "TeachResult"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = ["DigitSmoother", "ModelError", "ModelInfo", "NumberSmoother", "Reader",
           "ReadingSmoother", "Recognizer", "Score", "TeachError", "TeachOptions", "TeachProgress",
           "TeachResult", "bundled_model_path", "native_stderr_silenced"]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'mnist_desktop.reading' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mnist_desktop.reading.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
