"""Tests of the synthetic "photo of handwriting" generator (no MNIST files needed)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop.training.synth import (
    compose_sheet,
    redraw_as_strokes,
    render_digit_on_canvas,
    render_photo,
)


def ring_digit() -> np.ndarray:
    """A 28x28 MNIST-style "0": white ring on black."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.ellipse(digit, (14, 14), (6, 9), 0, 0, 360, 255, 3, cv2.LINE_AA)
    return digit


def seven_digit() -> np.ndarray:
    """A 28x28 MNIST-style "7": a bar and a slanted stem."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.polylines(digit, [np.array([[7, 6], [21, 6], [12, 23]], np.int32)], False, 255, 3,
                  cv2.LINE_AA)
    return digit


def one_digit() -> np.ndarray:
    digit = np.zeros((28, 28), np.uint8)
    cv2.line(digit, (15, 4), (12, 24), 255, 3, cv2.LINE_AA)
    return digit


DIGITS = [ring_digit(), seven_digit(), one_digit()]


def grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.int32)


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Horizontal overlap in pixels of two (x, y, w, h) boxes."""
    return min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])


# --- redraw_as_strokes -------------------------------------------------------------------------


@pytest.mark.parametrize("height", [20, 64, 300])
def test_redraw_has_the_asked_height_and_is_coverage(height: int) -> None:
    cover = redraw_as_strokes(ring_digit(), height, np.random.default_rng(0), pen_width=3.0)
    assert cover.dtype == np.float32
    assert cover.min() >= 0.0 and cover.max() <= 1.0
    rows = np.nonzero(cover.max(axis=1) > 0.25)[0]
    inked = rows[-1] - rows[0] + 1
    assert abs(inked - height) <= 0.1 * height + 3


def test_redraw_keeps_the_loop_of_a_zero_open() -> None:
    for seed in range(5):
        cover = redraw_as_strokes(ring_digit(), 100, np.random.default_rng(seed))
        paper = (cover < 0.5).astype(np.uint8)
        count, labels = cv2.connectedComponents(paper, connectivity=4)
        border = set(labels[0]) | set(labels[-1]) | set(labels[:, 0]) | set(labels[:, -1])
        assert count - len(border) >= 1, f"seed {seed}: the 0 lost its hole"


def test_thicker_pen_puts_down_more_ink() -> None:
    thin = redraw_as_strokes(seven_digit(), 120, np.random.default_rng(1), pen_width=2.0)
    thick = redraw_as_strokes(seven_digit(), 120, np.random.default_rng(1), pen_width=14.0)
    assert thick.sum() > 3 * thin.sum()


def test_redraw_of_a_blank_digit_is_blank_and_bad_shapes_are_refused() -> None:
    blank = redraw_as_strokes(np.zeros((28, 28), np.uint8), 50, np.random.default_rng(0))
    assert blank.max() == 0.0
    with pytest.raises(ValueError):
        redraw_as_strokes(np.zeros((20, 20), np.uint8), 50, np.random.default_rng(0))


# --- render_photo --------------------------------------------------------------------------------


def test_render_photo_is_deterministic_and_leaves_its_input_alone() -> None:
    digit = seven_digit()
    before = digit.copy()
    first = render_photo(digit, np.random.default_rng(42))
    second = render_photo(digit, np.random.default_rng(42))
    other = render_photo(digit, np.random.default_rng(43))
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    assert not np.array_equal(first[0], other[0]) or first[1] != other[1]
    assert np.array_equal(digit, before)


@pytest.mark.parametrize("difficulty", ["easy", "mixed", "hard"])
def test_render_photo_has_the_asked_size_and_a_box_inside(difficulty: str) -> None:
    rng = np.random.default_rng(7)
    for i in range(12):
        image, (x, y, w, h) = render_photo(DIGITS[i % 3], rng, size=(150, 210),
                                           difficulty=difficulty)
        assert image.shape == (150, 210, 3) and image.dtype == np.uint8
        assert x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 210 and y + h <= 150
        assert 0.08 * 150 <= h <= 0.85 * 150


def test_render_photo_picks_sizes_between_120_and_640() -> None:
    rng = np.random.default_rng(3)
    shapes = [render_photo(ring_digit(), rng)[0].shape for _ in range(20)]
    assert all(120 <= s[0] <= 640 and 120 <= s[1] <= 640 and s[2] == 3 for s in shapes)
    assert len({s[:2] for s in shapes}) > 10


def test_box_covers_the_dark_ink_on_easy_photos() -> None:
    rng = np.random.default_rng(11)
    checked = 0
    for i in range(15):
        image, (x, y, w, h) = render_photo(DIGITS[i % 3], rng, difficulty="easy")
        g = grey(image)
        dark = g < np.median(g) - 40
        if dark.sum() < 20:
            continue  # a light pencil: nothing clearly dark to check
        checked += 1
        inside = np.zeros_like(dark)
        inside[max(y - 2, 0) : y + h + 2, max(x - 2, 0) : x + w + 2] = True
        assert dark[inside].sum() >= 0.97 * dark.sum()
        ys, xs = np.nonzero(dark)
        ink_area = (xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1)
        assert ink_area >= 0.5 * w * h, "box much larger than the ink"
    assert checked >= 10


def ring_mean(g: np.ndarray, box: tuple[int, int, int, int], width: int = 4) -> float:
    """Mean grey level of the band ``width`` pixels wide just around ``box``."""
    x, y, w, h = box
    outer = np.zeros(g.shape, bool)
    outer[max(y - width, 0) : y + h + width, max(x - width, 0) : x + w + width] = True
    outer[y : y + h, x : x + w] = False
    return float(g[outer].mean())


def test_ink_inside_the_box_is_darker_than_the_paper_around_it() -> None:
    checked = darker = 0
    for seed in range(40):
        image, box = render_photo(DIGITS[seed % 3], np.random.default_rng(seed), size=(240, 240))
        g = grey(image)
        x, y, w, h = box
        paper = ring_mean(g, box)
        if paper < 100:
            continue  # light ink on a dark board
        checked += 1
        inside = g[y : y + h, x : x + w]
        darker += inside.mean() < paper
        # the darkest pixels in the box are ink, clearly darker than the paper around it
        assert np.percentile(inside, 3) < paper - 8, f"seed {seed}"
    assert checked >= 32
    # a thin, faint stroke across a lighting gradient may not darken the whole box's mean
    assert darker >= 0.9 * checked


def test_unknown_difficulty_is_refused() -> None:
    with pytest.raises(ValueError):
        render_photo(ring_digit(), np.random.default_rng(0), difficulty="brutal")


# --- compose_sheet -------------------------------------------------------------------------------


def test_compose_sheet_gives_boxes_left_to_right_without_big_overlaps() -> None:
    rng = np.random.default_rng(21)
    for n in (2, 4, 6):
        digits = [DIGITS[i % 3] for i in range(n)]
        image, boxes = compose_sheet(digits, rng, digit_height=40)
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert len(boxes) == n
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert a[0] + a[2] / 2 < b[0] + b[2] / 2, "boxes not in reading order"
            assert overlap(a, b) <= 0.35 * min(a[2], b[2])
        for x, y, w, h in boxes:
            assert x >= 0 and y >= 0 and x + w <= image.shape[1] and y + h <= image.shape[0]


def test_compose_sheet_lines_go_top_to_bottom() -> None:
    digits = [DIGITS[i % 3] for i in range(7)]
    image, boxes = compose_sheet(digits, np.random.default_rng(2), lines=[3, 4], digit_height=36)
    assert len(boxes) == 7
    first, second = boxes[:3], boxes[3:]
    lowest_first = max(y + h / 2 for _, y, _, h in first)
    highest_second = min(y + h / 2 for _, y, _, h in second)
    assert highest_second > lowest_first
    for line in (first, second):
        centres = [x + w / 2 for x, _, w, _ in line]
        assert centres == sorted(centres)
    with pytest.raises(ValueError):
        compose_sheet(digits, np.random.default_rng(2), lines=[3, 3])


def test_touching_digits_touch() -> None:
    rng = np.random.default_rng(8)
    touched = 0
    for _ in range(6):
        _, boxes = compose_sheet([seven_digit(), ring_digit(), one_digit()], rng, touching=True,
                                 digit_height=40)
        touched += any(overlap(a, b) >= 0 for a, b in zip(boxes, boxes[1:], strict=False))
    assert touched == 6


def test_compose_sheet_is_deterministic_and_leaves_inputs_alone() -> None:
    digits = [seven_digit(), ring_digit(), one_digit()]
    copies = [d.copy() for d in digits]
    first = compose_sheet(digits, np.random.default_rng(9), broken=True, ruled=True)
    second = compose_sheet(digits, np.random.default_rng(9), broken=True, ruled=True)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    assert len(first[1]) == 3
    assert all(np.array_equal(d, c) for d, c in zip(digits, copies, strict=True))


# --- render_digit_on_canvas ----------------------------------------------------------------------


def test_canvas_drawing_is_black_on_white_and_inside() -> None:
    canvas = render_digit_on_canvas(ring_digit(), np.random.default_rng(0))
    assert canvas.shape == (280, 280) and canvas.dtype == np.uint8
    assert canvas[0].min() == 255 and canvas[-1].min() == 255
    assert canvas[:, 0].min() == 255 and canvas[:, -1].min() == 255
    assert canvas.min() < 40
    assert 0.02 < (canvas < 128).mean() < 0.4
    other = render_digit_on_canvas(seven_digit(), np.random.default_rng(0), canvas_size=(200, 300))
    assert other.shape == (200, 300)
