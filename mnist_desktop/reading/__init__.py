"""Reading digits and numbers: the recognizer (digit model, line model, number reader),
model files and their metadata, and smoothing answers over webcam frames.

The GUI, the batch engine and the CLI use only these names.
"""

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

__all__ = ["DigitSmoother", "ModelError", "ModelInfo", "NumberSmoother", "Reader",
           "ReadingSmoother", "Recognizer", "Score", "TeachError", "TeachOptions", "TeachProgress",
           "TeachResult", "bundled_model_path", "native_stderr_silenced"]
