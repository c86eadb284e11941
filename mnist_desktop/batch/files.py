"""One file made ready for the batch's model call: loaded, preprocessed (or its number
read), with a thumbnail; never raises. Runs in the batch's worker processes or threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mnist_desktop.batch.items import scaled_box
from mnist_desktop.io.image_files import ImageLoadError, load_image_reduced, make_thumbnail
from mnist_desktop.pipeline.digit_input import lone_digit, preprocess
from mnist_desktop.pipeline.ink import ANALYSIS_MAX_SIDE
from mnist_desktop.results import Box, Reading, ReadMode

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

REDUCE_MARGIN = 2
"""Big JPEGs are decoded at 1/2, 1/4 or 1/8 size (libjpeg's DCT scaling, several times faster)
while their longest side stays at least this many times the pipeline's analysis size, so the
answers match those for the full-size decode (148 of 150 synthetic photos; see the report)."""


@dataclass(frozen=True)
class FileResult:
    """What was made of one file: the model input (or why none), or the number read."""

    model_input: np.ndarray | None = None
    box: Box | None = None
    message: str = ""
    error: str | None = None
    """The file could not be used: the row's error message."""
    thumbnail: np.ndarray | None = None
    reading: Reading | None = None
    """What the reader made of the picture (``number`` and ``auto`` modes)."""
    scale: float = 1.0
    others: int = 0
    """Other digits seen beside the one read (``digit`` mode: the row is then unsure)."""
    image: np.ndarray | None = None
    """``auto`` mode in a worker process (no model there): the loaded picture, to be read
    in the main process because it is no lone digit."""


def load_for_batch(path: str, multi: bool = False) -> tuple[np.ndarray, float]:
    """Load a file as the batch engine does; returns the image and its scale.

    JPEGs come decoded to grey (the pipeline's first step; same pixels, much faster) and big
    ones reduced; other formats exactly as ``load_image`` gives them (alpha kept).
    """
    if multi:
        from mnist_desktop.pipeline.line_finder import NUMBER_MAX_SIDE

        return load_image_reduced(path, REDUCE_MARGIN * NUMBER_MAX_SIDE, grey_jpeg=True)
    return load_image_reduced(path, REDUCE_MARGIN * ANALYSIS_MAX_SIDE, grey_jpeg=True)


def prepare_file(path: str, thumbnail_size: int = 0, reader: Reader | None = None,
                 mode: ReadMode | None = None) -> FileResult:
    """Load one file and make it ready for the model; never raises.

    ``mode`` (default: ``number`` with a ``reader``, else ``digit``): ``digit`` preprocesses
    the one digit; ``number`` reads the number with ``reader``; ``auto`` preprocesses a
    small crop holding one digit (the fast path: no line model) and reads anything else
    with ``reader`` (without one, in a worker process, the picture travels back to be read
    where the model is). Runs on the worker processes or threads; boxes in the file's pixels.
    """
    mode = mode or ("number" if reader is not None else "digit")
    try:
        image, scale = load_for_batch(path, mode != "digit")
        thumb = make_thumbnail(image, thumbnail_size) if thumbnail_size else None
        if mode == "number" and reader is not None:
            return FileResult(reading=reader.read(image), scale=scale, thumbnail=thumb)
        if mode == "auto":
            lone = lone_digit(image, steps=False)
            if lone is None and reader is not None:
                return FileResult(reading=reader.read_as(image, "auto"), scale=scale,
                                  thumbnail=thumb)
            if lone is None:
                return FileResult(image=image, scale=scale, thumbnail=thumb)
            return FileResult(lone.model_input, scaled_box(lone.box, scale), lone.message,
                              thumbnail=thumb)
        pre = preprocess(image, steps=False)  # no display copies: only the input travels
        return FileResult(pre.model_input, scaled_box(pre.box, scale), pre.message,
                          thumbnail=thumb, others=pre.others)
    except ImageLoadError as error:
        return FileResult(error=str(error))
    except MemoryError:
        return FileResult(error="not enough memory to load this image")
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
        return FileResult(error=f"internal error: {type(error).__name__}: {error}")
