"""Temporal smoothing of live results (pure Python, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.reading.smoothing import DigitSmoother, NumberSmoother
from mnist_desktop.results import NumberReading, Recognition


def rec(digit: int | None, confidence: float = 0.95) -> Recognition:
    if digit is None:
        return Recognition(None, 0.0, np.zeros(10, np.float32), None, None, (), "no_digit",
                           "no digit found")
    probs = np.full(10, (1 - confidence) / 9, np.float32)
    probs[digit] = confidence
    status = "ok" if confidence >= 0.7 else "unsure"
    return Recognition(digit, confidence, probs, np.zeros((28, 28), np.float32), (1, 2, 3, 4),
                       (), status)


def reading(text: str) -> NumberReading:
    digits = tuple(rec(int(c)) for c in text)
    return NumberReading(digits, (tuple(range(len(digits))),) if digits else ())


def labels(smoother: DigitSmoother, digits: list[int | None]) -> list[str]:
    out = []
    for d in digits:
        answer = smoother.update(rec(d))
        out.append(answer.label if answer.steady else "~")
    return out


def test_a_steady_digit_needs_agree_of_window_frames() -> None:
    assert labels(DigitSmoother(7, 4), [3, 3, 3, 3, 3]) == ["~", "~", "~", "3", "3"]


def test_an_odd_frame_does_not_flicker_the_answer() -> None:
    shown = labels(DigitSmoother(7, 4), [3, 3, 3, 3, 5, 3, 3, 8, 3, 3, None, 3])
    assert shown[3:] == ["3"] * 9


def test_noisy_frames_never_show_another_digit() -> None:
    smoother = DigitSmoother(7, 4)
    shown = [smoother.update(rec(d)).result for d in [3, 3, 3, 3, 5, 3, 8, 3, 5, 3, None, 5]]
    assert [r.digit for r in shown] == [3] * 12
    assert shown[10].status == "unsure"  # only 3 of the last 7 frames agree


def test_the_answer_changes_when_the_new_digit_has_the_majority() -> None:
    shown = labels(DigitSmoother(5, 3), [3, 3, 3, 3, 3, 7, 7, 7, 7])
    assert shown == ["~", "~", "3", "3", "3", "3", "3", "7", "7"]


def test_split_votes_are_unsure_with_averaged_probabilities() -> None:
    smoother = DigitSmoother(4, 3)
    for d in (1, 7, 1, 7):
        answer = smoother.update(rec(d, 0.9))
    assert not answer.steady
    assert answer.result.status == "unsure"
    assert answer.result.digit in (1, 7)
    assert answer.result.confidence == pytest.approx(0.45 + 0.05 / 9, abs=1e-4)
    assert answer.result.probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert not answer.result.probabilities.flags.writeable


def test_an_empty_box_is_reported_as_no_digit() -> None:
    smoother = DigitSmoother(5, 3)
    for d in (4, None, None, None):
        answer = smoother.update(rec(d))
    assert answer.steady and answer.label == "-" and answer.result.status == "no_digit"


def test_smoothing_keeps_the_latest_frames_pipeline_images() -> None:
    smoother = DigitSmoother(3, 2)
    frames = [rec(2), rec(2)]
    for r in frames:
        answer = smoother.update(r)
    assert answer.result.model_input is frames[-1].model_input
    assert answer.result.box == frames[-1].box


def test_smoothing_does_not_change_its_inputs() -> None:
    first = rec(6)
    before = first.probabilities.copy()
    smoother = DigitSmoother(3, 2)
    smoother.update(first)
    smoother.update(rec(6, 0.8))
    assert first.digit == 6 and first.confidence == 0.95
    np.testing.assert_array_equal(first.probabilities, before)


def test_reset_forgets_previous_frames() -> None:
    smoother = DigitSmoother(3, 2)
    labels(smoother, [5, 5, 5])
    smoother.reset()
    assert labels(smoother, [1]) == ["~"]


def test_number_text_must_repeat_in_agree_of_window_frames() -> None:
    smoother = NumberSmoother(5, 3)
    texts = ["42", "42", "47", "42", "12", "42", "47", "47", "47", "47"]
    shown = []
    for t in texts:
        answer = smoother.update(reading(t))
        shown.append(answer.label if answer.steady else "~")
    assert shown == ["~", "~", "~", "42", "42", "42", "~", "~", "47", "47"]


def test_steady_number_returns_the_latest_agreeing_reading() -> None:
    smoother = NumberSmoother(3, 2)
    a, b, c = reading("71"), reading("71"), reading("11")
    for r in (a, b, c):
        answer = smoother.update(r)
    assert answer.steady and answer.label == "71" and answer.result is b
    assert answer.votes == 2 and answer.frames == 3


def test_unsteady_number_shows_the_latest_reading() -> None:
    smoother = NumberSmoother(3, 2)
    smoother.update(reading("5"))
    answer = smoother.update(reading("58"))
    assert not answer.steady and answer.label == "58"


@pytest.mark.parametrize("window, agree", [(0, 0), (4, 2), (5, 6), (3, 1)])
def test_agree_must_be_a_strict_majority(window: int, agree: int) -> None:
    with pytest.raises(ValueError):
        DigitSmoother(window, agree)
    with pytest.raises(ValueError):
        NumberSmoother(window, agree)


def test_one_smoother_for_both_kinds_keeps_their_frames_apart():
    from mnist_desktop.reading import ReadingSmoother

    smoother = ReadingSmoother(window=3, agree=2)
    number = NumberReading((rec(1), rec(2)), ((0, 1),))
    smoother.update(rec(7))
    assert smoother.update(number).steady is False  # the 7 does not count for "12"
    assert smoother.update(rec(7)).result.digit == 7
    assert smoother.update(rec(7)).steady
    assert smoother.update(number).result.text == "12"
    smoother.reset()
    assert smoother.update(rec(3)).steady is False
