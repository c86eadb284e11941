"""The one pipeline: any image -> the 28x28 model input, made the way MNIST was made."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mnist_desktop.pipeline.digit_input import STEP_NAMES, model_input, preprocess
from mnist_desktop.pipeline.normalize import STROKE_RANGE, centre_of_mass, stroke_width


def draw_digit(size=(300, 400), pen=14, ink=30, paper=235, offset=(0, 0)) -> np.ndarray:
    """A '4'-like digit drawn with lines: dark ink on light paper (grey uint8)."""
    h, w = size
    image = np.full((h, w), paper, np.uint8)
    ox, oy = offset
    s = min(h, w) / 300
    pts = [((120, 60), (80, 170)), ((80, 170), (200, 170)), ((170, 80), (170, 250))]
    for (x0, y0), (x1, y1) in pts:
        p0 = (int(w / 2 - 150 * s + x0 * s) + ox, int(y0 * s) + oy)
        p1 = (int(w / 2 - 150 * s + x1 * s) + ox, int(y1 * s) + oy)
        cv2.line(image, p0, p1, ink, max(1, int(pen * s)), cv2.LINE_AA)
    return image


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_output_is_mnist_like():
    pre = preprocess(draw_digit())
    x = pre.model_input
    assert x is not None and x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    cy, cx = centre_of_mass(x)
    assert abs(cy - 14) < 0.6 and abs(cx - 14) < 0.6
    ys, xs = np.nonzero(x > 0.05)
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) <= 22
    assert x[:2].sum() == 0 and x[-2:].sum() == 0  # a black margin like MNIST


def test_named_steps_are_returned_for_display():
    pre = preprocess(draw_digit())
    assert [s.name for s in pre.steps] == list(STEP_NAMES)
    for step in pre.steps:
        assert step.image.dtype == np.uint8 and not step.image.flags.writeable


def test_input_is_never_modified():
    image = draw_digit()
    colour = np.dstack([image, image // 2, image])
    before, colour_before = image.copy(), colour.copy()
    preprocess(image)
    preprocess(colour)
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(colour, colour_before)


def test_box_is_in_input_coordinates():
    image = draw_digit(size=(600, 800), offset=(150, 40))
    pre = preprocess(image)
    x, y, w, h = pre.box
    ys, xs = np.nonzero(image < 128)
    assert abs(x - xs.min()) <= 4 and abs(y - ys.min()) <= 4
    assert abs(x + w - xs.max()) <= 5 and abs(y + h - ys.max()) <= 5


def test_polarity_light_ink_on_dark_gives_the_same_input():
    dark_on_light = model_input(draw_digit())
    light_on_dark = model_input(255 - draw_digit())
    assert similarity(dark_on_light, light_on_dark) > 0.97


def test_colour_16bit_and_float_images_agree_with_grey():
    grey = draw_digit()
    reference = model_input(grey)
    bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    bgr[..., 0] = np.clip(bgr[..., 0].astype(int) + 10, 0, 255)  # bluish paper
    for variant in (bgr, grey.astype(np.uint16) * 257, grey.astype(np.float32) / 255.0):
        assert similarity(reference, model_input(variant)) > 0.97


def test_transparent_background_is_paper():
    grey = draw_digit()
    alpha = (grey < 128).astype(np.uint8) * 255
    for ink in (0, 255):  # black strokes or white strokes on a transparent sheet
        rgba = np.zeros((*grey.shape, 4), np.uint8)
        rgba[..., :3] = ink
        rgba[..., 3] = alpha
        out = model_input(rgba)
        assert out is not None
        assert similarity(model_input(grey), out) > 0.9


def test_uneven_lighting_and_shadow():
    clean = draw_digit()
    h, w = clean.shape
    gradient = np.linspace(0.35, 1.0, w)[None, :] * np.linspace(1.0, 0.7, h)[:, None]
    lit = (clean * gradient).astype(np.uint8)
    lit[:, : w // 3] = (lit[:, : w // 3] * 0.6).astype(np.uint8)  # a hard shadow edge
    assert similarity(model_input(clean), model_input(lit)) > 0.9


def test_ruled_lines_specks_and_paper_edge_are_ignored():
    clean = draw_digit(size=(480, 640))
    messy = clean.copy()
    for y in range(30, 480, 42):
        cv2.line(messy, (0, y), (639, y), 150, 2)
    rng = np.random.default_rng(3)
    for _ in range(25):
        cv2.circle(messy, (int(rng.integers(640)), int(rng.integers(480))), 1, 60, -1)
    messy[:, :25] = 20  # dark desk at the left edge
    assert similarity(model_input(clean), model_input(messy)) > 0.9


def test_thin_pen_in_a_big_photo_gets_an_mnist_stroke():
    thin = preprocess(draw_digit(size=(3000, 4000), pen=4)).model_input
    thick = preprocess(draw_digit(size=(300, 400), pen=60)).model_input
    for x in (thin, thick):
        big = cv2.resize(x, (280, 280), interpolation=cv2.INTER_LINEAR)  # measure finely
        width = stroke_width((big > 0.5).astype(np.uint8) * 255) / 10
        assert STROKE_RANGE[0] - 0.4 <= width <= STROKE_RANGE[1] + 0.4


def test_detached_pieces_form_one_digit():
    image = np.full((300, 300), 240, np.uint8)
    cv2.line(image, (110, 60), (200, 60), 20, 12)  # detached top bar of a 5
    cv2.ellipse(image, (150, 180), (55, 60), 0, -120, 160, 20, 12)
    cv2.line(image, (110, 80), (100, 135), 20, 12)
    pre = preprocess(image)
    x, y, w, h = pre.box
    assert y <= 56 and y + h >= 235


@pytest.mark.parametrize(
    "image",
    [
        np.full((200, 200), 255, np.uint8),
        np.zeros((200, 200), np.uint8),
        np.full((64, 64, 3), 128, np.uint8),
        np.random.default_rng(0).integers(120, 136, (240, 320)).astype(np.uint8),
        np.zeros((100, 100, 4), np.uint8),  # fully transparent
    ],
    ids=["white", "black", "grey", "faint-noise", "transparent"],
)
def test_no_ink_gives_no_digit_not_a_guess(image):
    pre = preprocess(image)
    assert pre.model_input is None and pre.box is None
    assert pre.message


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 50), (0, 0), (5,), (2, 2, 2, 2), (8, 8, 7),
                                   (5, 0, 3), (0, 5, 3), (0, 5, 4), (5, 0, 2), (0, 0, 1)])
def test_odd_shapes_are_reported(shape):
    pre = preprocess(np.zeros(shape, np.uint8))
    assert pre.model_input is None and pre.message


def test_non_numeric_arrays_are_reported():
    assert "not an image" in preprocess(np.array([["a", "b"], ["c", "d"]])).message


EVERY_DTYPE = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64,
               np.int64, np.float16, np.float32, np.float64, np.bool_]
ANY_SHAPE = st.one_of(
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=90),
    st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from([1, 2, 3, 4])),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(dtype=st.sampled_from(EVERY_DTYPE), shape=ANY_SHAPE))
def test_pipeline_never_raises_on_random_arrays(array):
    before = array.copy()
    pre = preprocess(array)
    np.testing.assert_array_equal(array, before)
    if pre.model_input is None:
        assert pre.message
    else:
        x = pre.model_input
        assert x.shape == (28, 28) and x.dtype == np.float32
        assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0


@settings(max_examples=25, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 40), st.integers(1, 40))
def test_pipeline_survives_nan_and_infinite_floats(value, h, w):
    image = np.full((h, w), value, np.float64)
    image[h // 2, :] = 0.0
    pre = preprocess(image)
    assert pre.model_input is None or np.isfinite(pre.model_input).all()


def test_mnist_digits_pass_through_almost_unchanged(mnist_sample):
    images, _ = mnist_sample
    diffs = []
    for image in images[:200]:
        out = model_input(image)
        assert out is not None
        diffs.append(np.abs(out - image / 255.0).mean())
    assert np.median(diffs) < 0.06


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hnp.arrays(dtype=st.sampled_from(EVERY_DTYPE), shape=ANY_SHAPE))
def test_reading_never_raises_on_any_shape_or_dtype(recognizer, array):
    """recognize, read and read_as auto: an answer for every array, "no digit" for no pixels."""
    before = array.copy()
    for reading in (recognizer.recognize(array), recognizer.read(array),
                    recognizer.read_as(array, "auto")):
        assert reading.status in ("ok", "unsure", "no_digit")
        if 0 in array.shape:
            assert reading.status == "no_digit"
    np.testing.assert_array_equal(array, before)
