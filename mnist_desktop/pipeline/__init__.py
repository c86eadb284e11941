"""The one OpenCV pipeline every input goes through: grey -> threshold -> crop -> 28x28
(and the line model's input contract for whole numbers). Pure functions on numpy arrays.

Others use only these names.
"""

from mnist_desktop.pipeline.digit_input import STEP_NAMES, model_input, preprocess
from mnist_desktop.pipeline.grey import NotAnImageError, to_grey, to_uint8

__all__ = ["STEP_NAMES", "NotAnImageError", "model_input", "preprocess", "to_grey",
           "to_uint8"]
