"""The stroke renderer, the rarer forms, the non-digits and writer-balanced sampling
(training data only; small counts, no model)."""

from __future__ import annotations

import importlib.util

import cv2
import numpy as np
import pytest
from conftest import REPO

from mnist_desktop.pipeline.digit_input import model_input
from mnist_desktop.training import nondigits, stroke_forms
from mnist_desktop.training.hands import NOT_A_DIGIT, writer_balanced
from mnist_desktop.training.strokes import (
    PenStyle,
    deform,
    digit_strokes,
    mask_strokes,
    normalise,
    render_random,
    render_strokes,
)


def drawn_seven() -> np.ndarray:
    """A 28x28 MNIST-like 7 (bright on black)."""
    img = np.zeros((28, 28), np.uint8)
    cv2.polylines(img, [np.array([[7, 6], [21, 6], [12, 23]], np.int32)], False, 255, 2,
                  cv2.LINE_AA)
    return img


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(image > 60)
    return int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())


def test_render_strokes_draws_the_paths_the_height_asked_with_paper_around():
    paths = [np.array([[0, 0], [0, 10]], np.float32), np.array([[0, 0], [5, 0]], np.float32)]
    img = render_strokes(paths, 4.0, height=40, margin=6)
    assert img.dtype == np.uint8
    top, bottom, left, right = ink_box(img)
    assert 36 <= bottom - top + 1 <= 44
    assert top >= 4 and left >= 4
    assert bottom <= img.shape[0] - 4 and right <= img.shape[1] - 4


def test_a_wider_pen_leaves_more_ink_and_no_paths_a_blank_picture():
    paths = [np.array([[0, 0], [3, 5], [0, 10]], np.float32)]
    thin = render_strokes(paths, 1.5, height=48)
    thick = render_strokes(paths, 8.0, height=48)
    assert (thick > 128).sum() > 2.5 * (thin > 128).sum()
    assert not render_strokes([], 3.0, height=30).any()


def test_pressure_makes_the_width_vary_along_the_stroke():
    line = [np.array([[0, 0], [0, 40]], np.float32)]
    even = render_strokes(line, 8.0, height=100, style=PenStyle(pressure=0.0))
    pressed = render_strokes(line, 8.0, height=100, style=PenStyle(pressure=0.45),
                             rng=np.random.default_rng(3))

    def widths(img: np.ndarray) -> np.ndarray:
        rows = (img > 128).sum(axis=1)
        return rows[rows > 0][10:-10]

    assert np.ptp(widths(even)) <= 1
    assert np.ptp(widths(pressed)) >= 3


def test_deform_is_smooth_and_small():
    paths = normalise([np.array([[0, 0], [0, 1]], np.float32)])
    moved = deform(paths, 0.04, np.random.default_rng(1))[0]
    assert np.abs(moved[:, 0]).max() <= 0.1
    assert np.abs(np.diff(moved[:, 0])).max() <= 0.02  # no jumps between neighbours
    assert deform(paths, 0.0, np.random.default_rng(1))[0].tolist() == paths[0].tolist()


def test_a_redrawn_digit_is_found_by_the_pipeline_and_keeps_its_shape():
    rng = np.random.default_rng(0)
    paths = digit_strokes(drawn_seven(), rng)
    assert paths
    for _ in range(5):
        x = model_input(render_random(paths, rng, int(rng.integers(28, 72))))
        assert x is not None
        # A 7: more ink in the top row band than in the bottom-left corner.
        assert x[4:9].sum() > x[18:26, 4:12].sum()


def test_flagged_one_adds_a_short_falling_stroke_into_the_top():
    one = [np.array([[0.5, 0.0], [0.5, 1.0]], np.float32)]
    rng = np.random.default_rng(2)
    for _ in range(10):
        out = stroke_forms.flagged_one(one, rng)
        flag = out[0]
        assert flag[0, 0] < flag[-1, 0] - 0.1  # starts left of the top
        assert flag[0, 1] > flag[-1, 1] + 0.08  # and below it: a flag, not a flat bar
        assert np.hypot(*(flag[0] - flag[-1])) < 0.5


def test_crossed_seven_puts_a_bar_across_the_stem():
    seven = normalise([np.array([[0, 0], [1, 0], [0.4, 1.0]], np.float32)])
    rng = np.random.default_rng(4)
    for _ in range(10):
        bar = stroke_forms.crossed_seven(seven, rng)[-1]
        assert 0.3 < bar[:, 1].mean() < 0.75
        assert np.ptp(bar[:, 0]) > 2 * np.ptp(bar[:, 1])
        stem_x = 1.0 - 0.6 * bar[:, 1].mean()  # the stem's x at the bar's height
        assert bar[:, 0].min() < stem_x < bar[:, 0].max()


def test_every_form_renders_and_vary_is_seeded():
    rng = np.random.default_rng(5)
    for make in (stroke_forms.open_four, stroke_forms.looped_two, stroke_forms.round_three,
                 stroke_forms.curled_nine):
        assert model_input(render_random(make(rng), rng)) is not None
    one = [np.array([[0.5, 0.0], [0.5, 1.0]], np.float32)]
    a = [stroke_forms.vary(1, one, np.random.default_rng(s))[1] for s in range(40)]
    b = [stroke_forms.vary(1, one, np.random.default_rng(s))[1] for s in range(40)]
    assert a == b
    assert {"flagged_one", "serif_one", "mnist"} <= set(a)
    assert stroke_forms.vary(0, one, np.random.default_rng(0))[1] == "mnist"


def test_letters_are_traced_from_fonts_and_no_digit_like_letter_is_used():
    assert not set(nondigits.LETTERS) & set("OoIlSsZzBbgqG")
    paths = nondigits.letter(np.random.default_rng(0))
    assert paths and sum(len(p) for p in paths) > 5
    mask = np.zeros((40, 40), bool)
    mask[5:35, 18:21] = True
    (chain,) = mask_strokes(mask)
    assert np.ptp(chain[:, 1]) > 20 and np.ptp(chain[:, 0]) < 4


def test_nondigit_sets_are_seeded_and_test_differs_from_training():
    a, kinds = nondigits.nondigit_images(12, 3, "train")
    b, _ = nondigits.nondigit_images(12, 3, "train")
    c, _ = nondigits.nondigit_images(12, 3, "test")
    assert len(a) == 12 and all(x.dtype == np.uint8 and x.any() for x in a)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not any(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert set(kinds) <= {"letter"} | {f.__name__ for f in nondigits.TRAIN_SHAPES}
    assert not set(nondigits.TRAIN_FONTS) & set(nondigits.TEST_FONTS)
    assert set(nondigits.TEST_SHAPES) - set(nondigits.TRAIN_SHAPES)
    with pytest.raises(ValueError):
        nondigits.nondigit_paths(np.random.default_rng(0), "validation")


def test_writer_balanced_sampling_evens_out_the_writers():
    writers = np.repeat(np.arange(10), [400] + [20] * 9)  # one writer holds most digits
    rng = np.random.default_rng(0)
    chosen = writer_balanced(np.arange(len(writers)), writers, 100, rng)
    assert len(set(chosen.tolist())) == 100
    share = np.mean(writers[chosen] == 0)
    assert share < 0.3  # uniform sampling would give about 0.69
    plain = writer_balanced(np.arange(len(writers)), None, 100, rng)
    assert np.mean(writers[plain] == 0) > 0.5


def test_non_digits_train_towards_a_uniform_answer():
    spec = importlib.util.spec_from_file_location("train_script", REPO / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    t = train.targets(np.array([3, NOT_A_DIGIT, 0], np.uint8))
    assert t.shape == (3, 10)
    assert t[0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert np.allclose(t[1], 0.1)
    assert t[2, 0] == 1 and t[2].sum() == 1
