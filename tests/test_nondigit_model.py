"""The shipped model: non-digits drawn on the canvas come back unsure or "no digit",
digits drawn the same way stay sure (issue 21)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop.reading.resources import bundled_model_path


@pytest.fixture(scope="module")
def reader():
    if not bundled_model_path().exists():
        pytest.skip(f"no bundled model at {bundled_model_path()} (run make train)")
    from mnist_desktop.reading.recognizer import Recognizer

    return Recognizer.load()


def canvas_with(strokes: list[np.ndarray], width: int = 14) -> np.ndarray:
    """Black strokes on a white 280x280 canvas, as the Draw tab hands them over."""
    canvas = np.full((280, 280), 255, np.uint8)
    for points in strokes:
        cv2.polylines(canvas, [np.round(points).astype(np.int32)], False, 0, width, cv2.LINE_AA)
    return canvas


def ellipse(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 60)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def not_ok(reader, image: np.ndarray) -> list[str]:
    """What was called an ok digit or number: [] when both readings say unsure/no digit."""
    direct = reader.recognize(image)
    auto = reader.read_as(image, "auto")
    return [f"{name}: {r.answer} {r.confidence:.0%}"
            for name, r in (("recognize", direct), ("auto", auto)) if r.status == "ok"]


def test_an_l_shaped_stroke_is_not_a_digit(reader):
    image = canvas_with([np.array([[100, 50], [100, 220], [190, 220]], np.float32)])
    assert not_ok(reader, image) == []


def test_an_l_shaped_stroke_is_said_to_be_no_digit_not_a_weak_one(reader):
    """The window says the L does not look like a digit, not "looks most like 1 (10 %)"."""
    pytest.importorskip("PySide6")
    from mnist_desktop.gui.result.result_panel import describe

    result = reader.recognize(
        canvas_with([np.array([[100, 50], [100, 220], [190, 220]], np.float32)]))
    assert result.status == "unsure" and "does not look like a digit" in result.message
    big, verdict, _ = describe(result)
    assert big == "?" and verdict.startswith("Doesn't look like a digit")
    seven = reader.recognize(canvas_with([np.array([[70, 60], [200, 60], [120, 230]],
                                                   np.float32)]))
    assert "does not look like a digit" not in seven.message
    assert not describe(seven)[1].startswith("Doesn't")


def test_three_overlapping_loops_are_not_a_digit(reader):
    image = canvas_with([ellipse(120, 110, 50, 45), ellipse(160, 140, 50, 45),
                         ellipse(125, 170, 50, 45)])
    assert not_ok(reader, image) == []


def test_a_small_held_out_set_of_non_digits_comes_back_unsure(reader):
    from mnist_desktop.training.nondigits import nondigit_images

    images, kinds = nondigit_images(40, 77, "test", height=150)
    called = [kind for image, kind in zip(images, kinds, strict=True)
              if not_ok(reader, 255 - image)]
    assert len(called) <= 4, f"called a digit: {called}"


@pytest.mark.mnist
def test_digits_redrawn_with_the_same_pens_stay_sure(reader, mnist_test_digits):
    from mnist_desktop.training.strokes import digit_strokes, render_random

    images, labels = mnist_test_digits
    rng = np.random.default_rng(11)
    picked = range(9000, 9060)
    drawn = [255 - render_random(digit_strokes(images[i], rng), rng, 150) for i in picked]
    results = reader.recognize_many(drawn)
    sure_right = [r.status == "ok" and r.digit == labels[i]
                  for r, i in zip(results, picked, strict=True)]
    assert np.mean(sure_right) >= 0.93
