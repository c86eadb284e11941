"""The pipeline's components helper gives exactly what OpenCV gives for the whole picture.

``pipeline.components`` labels only the box round the ink (a camera frame's digit sits in a
small part of it); a digit, a box or a speck must come out the same as before: same
labels, same boxes and areas, so every reading stays the same.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop.pipeline.components import components, lookup


def _masks(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for i in range(count):
        h, w = (int(v) for v in rng.integers(1, 400, 2))
        mask = np.zeros((h, w), np.uint8)
        kind = i % 5
        if kind == 0:  # noise all over: labelled whole
            mask = (rng.random((h, w)) < rng.random()).astype(np.uint8) * 255
        elif kind == 1:  # all ink
            mask[:] = 255
        elif kind in (2, 3):  # writing in one part, at odd and even offsets
            y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
            y1, x1 = int(rng.integers(y0, h + 1)), int(rng.integers(x0, w + 1))
            part = (rng.random((y1 - y0, x1 - x0)) < 0.3).astype(np.uint8) * 255
            if kind == 3 and part.size:
                part = cv2.dilate(part, np.ones((3, 3), np.uint8))
            mask[y0:y1, x0:x1] = part
        else:  # a single speck
            mask[int(rng.integers(0, h)), int(rng.integers(0, w))] = 255
        yield mask


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_components_are_opencvs_for_the_whole_picture(seed):
    for mask in _masks(seed, 600):
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        got_count, got_labels, got_stats = components(mask)
        assert got_count == count
        assert got_labels.dtype == labels.dtype and np.array_equal(got_labels, labels)
        assert got_stats.dtype == stats.dtype and np.array_equal(got_stats, stats), (
            mask.shape, stats[:3], got_stats[:3])


def test_a_digit_in_a_frame_keeps_its_box_and_area():
    frame = np.zeros((240, 320), np.uint8)
    cv2.putText(frame, "7", (141, 151), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, 5)
    count, labels, stats = components(frame)
    assert count == 2
    x, y, w, h, area = (int(v) for v in stats[1])
    assert (x, y) == tuple(int(v) for v in cv2.boundingRect(frame)[:2])
    assert area == np.count_nonzero(frame) == np.count_nonzero(labels)
    assert stats[0, 4] == frame.size - area and tuple(stats[0, :4]) == (0, 0, 320, 240)


@pytest.mark.parametrize("labels_count", [3, 256, 300])
def test_lookup_is_indexing(labels_count):
    rng = np.random.default_rng(labels_count)
    labels = rng.integers(0, labels_count, (50, 70)).astype(np.int32)
    table = rng.integers(0, 256, labels_count).astype(np.uint8)
    assert np.array_equal(lookup(table, labels), table[labels])
