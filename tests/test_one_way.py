"""One way to do each small thing: 8-bit conversion and box scaling agree everywhere.

A 16-bit scan must look the same in the Batch tab's thumbnail as in what the pipeline
reads, and a digit's box must be the same whether the pipeline shrank the picture or the
batch loaded the file reduced.
"""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.batch.items import scaled_box
from mnist_desktop.io.image_files import make_thumbnail
from mnist_desktop.pipeline import to_grey
from mnist_desktop.pipeline.ink import InkMap
from mnist_desktop.results import scale_box


@pytest.mark.parametrize("level", [0, 257, 32896, 40000, 65535])
def test_a_16_bit_grey_looks_the_same_in_the_thumbnail_and_the_pipeline(level):
    picture = np.full((40, 60), level, np.uint16)
    thumb = make_thumbnail(picture, 30)
    assert int(thumb[5, 5, 0]) == int(to_grey(picture)[5, 5]) == level // 257


def test_float_pictures_are_scaled_alike():
    picture = np.linspace(0.0, 1.0, 40 * 60, dtype=np.float32).reshape(40, 60)
    thumb = make_thumbnail(picture, 60)
    assert np.array_equal(thumb[..., 0], to_grey(picture))


def test_every_box_scaling_is_the_one_covering_box():
    rng = np.random.default_rng(0)
    empty = np.zeros((4, 4), np.uint8)
    for _ in range(500):
        scale = float(rng.uniform(0.05, 4.0))
        x, y = (int(v) for v in rng.integers(0, 300, 2))
        w, h = (int(v) for v in rng.integers(1, 100, 2))
        box = (x, y, w, h)
        ink = InkMap(empty, empty.astype(np.float32), empty, empty.astype(np.int32),
                     np.zeros((1, 5), np.int32), (), scale, True)
        got = scale_box(box, scale)
        assert ink.to_input_box(box) == got == scaled_box(box, scale)
        gx, gy, gw, gh = got
        # it covers the box: every analysis pixel maps inside it
        assert gx <= x / scale and gy <= y / scale
        assert gx + gw >= (x + w) / scale - 1e-9 and gy + gh >= (y + h) / scale - 1e-9
        assert gw < w / scale + 2 and gh < h / scale + 2
