"""The segment model: shipped as train.py made it, and it tells whole digits from pairs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mnist_desktop.mnist_data import KNOWN_SHA256
from mnist_desktop.segment_model import (
    NOT_A_DIGIT,
    SegmentJudge,
    bundled_segment_model_path,
    code_fingerprint,
)
from mnist_desktop.synth import compose_sheet
from mnist_desktop.synth_sheets import Sheet

REPO = Path(__file__).resolve().parent.parent
NOT_TRAINING = {"data_dir", "output", "workers", "quiet", "device"}


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads(bundled_segment_model_path().with_suffix(".json").read_text("utf-8"))


def _segment_defaults() -> dict:
    spec = importlib.util.spec_from_file_location("train_script", REPO / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    return vars(train.parse_args(["--task", "segments"]))


def test_segment_model_was_trained_with_the_default_arguments(meta):
    used = meta["arguments"]
    differing = {k: (used.get(k), v) for k, v in _segment_defaults().items()
                 if k not in NOT_TRAINING and used.get(k) != v}
    assert not differing, f"shipped segment model trained with other arguments: {differing}"
    assert meta["data_sha256"] == {k: v for k, v in KNOWN_SHA256.items()
                                   if k in meta["data_sha256"]}
    assert len(meta["data_sha256"]) == 4
    assert meta["train_count"] > 50_000


def test_segment_model_was_trained_on_the_current_reader_code(meta):
    assert meta["code_fingerprint"] == code_fingerprint(), (
        "the pipeline or the segmentation changed after the segment model was trained: run "
        "`make train-segments` and commit resources/segments.keras and segments.json")


def test_recorded_number_accuracy_is_from_enough_sheets(meta):
    numbers = meta["numbers_read_exactly"]
    assert numbers["sheets"] >= 300
    assert numbers["exact"] >= 0.65
    assert meta["validation_candidates"]["whole_digits_kept"] >= 0.9


def _sheet(digits: list[np.ndarray], truth: list[int], seed: int) -> Sheet:
    rng = np.random.default_rng(seed)
    masks: list[np.ndarray] = []
    image, boxes = compose_sheet(digits, rng, difficulty="easy", masks=masks)
    return Sheet(image, "".join(str(d) if d >= 0 else "?" for d in truth), "easy:plain",
                 tuple(boxes), tuple(truth), tuple(masks))


def _lattice(image):
    from mnist_desktop.number_lattice import build_lattice, pen_width, whole_groups
    from mnist_desktop.numbers import analyse

    ink, lines = analyse(image)[0]
    assert len(lines) == 1
    line = lines[0]
    return ink, build_lattice(ink, line, pen_width(ink, lines), whole_groups(ink, line))


def _spaced(digits: list[np.ndarray], truth: list[int]) -> Sheet:
    """An easy photo of ``digits`` well apart."""
    for seed in range(40):
        sheet = _sheet(digits, truth, seed)
        gaps = [b[0] - (a[0] + a[2]) for a, b in zip(sheet.boxes, sheet.boxes[1:], strict=False)]
        if min(gaps) > 0.15 * max(box[3] for box in sheet.boxes):
            return sheet
    raise AssertionError("no spaced sheet")


def _spaced_pair(mnist_test_digits) -> Sheet:
    """An easy photo of two MNIST test digits (a 4 and a 7) well apart."""
    images, labels = mnist_test_digits
    four, seven = int(np.flatnonzero(labels == 4)[3]), int(np.flatnonzero(labels == 7)[3])
    return _spaced([images[four], images[seven]], [4, 7])


@pytest.mark.mnist
def test_candidates_are_labelled_by_the_digits_ink(mnist_test_digits):
    from mnist_desktop.training.segments import label_for, truth_planes

    sheet = _spaced_pair(mnist_test_digits)
    ink, lattice = _lattice(sheet.image)
    planes = truth_planes(ink, sheet)
    by_kind = {(c.kind, c.groups): label_for(c, planes, sheet.labels)
               for c in lattice.candidates if c.kind != "skip"}
    assert by_kind[("group", (0, 0))] == 4
    assert by_kind[("group", (1, 1))] == 7
    assert by_kind[("merge", (0, 1))] == NOT_A_DIGIT


@pytest.mark.mnist
def test_letters_and_scribbles_are_labelled_not_a_digit(mnist_test_digits):
    from mnist_desktop.synth_sheets import NO_DIGIT, mark_image
    from mnist_desktop.training.segments import label_for, truth_planes

    images, labels = mnist_test_digits
    four = images[int(np.flatnonzero(labels == 4)[3])]
    for seed in (2, 4):  # an R, then a scribble
        sheet = _spaced([four, mark_image(np.random.default_rng(seed))], [4, NO_DIGIT])
        ink, lattice = _lattice(sheet.image)
        planes = truth_planes(ink, sheet)
        groups = {c.groups: label_for(c, planes, sheet.labels)
                  for c in lattice.candidates if c.kind == "group"}
        assert groups == {(0, 0): 4, (1, 1): NOT_A_DIGIT}


@pytest.mark.mnist
def test_judge_tells_two_digits_from_one(mnist_test_digits):
    from mnist_desktop.segment_features import features

    sheet = _spaced_pair(mnist_test_digits)
    ink, lattice = _lattice(sheet.image)
    chosen = {c.groups: c for c in lattice.candidates
              if (c.kind, c.groups) in {("group", (0, 0)), ("group", (1, 1)), ("merge", (0, 1))}}
    order = [(0, 0), (1, 1), (0, 1)]
    probs = SegmentJudge.load().judge(*features(ink, lattice, [chosen[k] for k in order]))
    assert probs[0].argmax() == 4 and probs[1].argmax() == 7
    assert probs[2].argmax() == NOT_A_DIGIT


@pytest.mark.mnist
def test_letters_between_digits_are_mostly_reported_unsure(recognizer, mnist_test_digits):
    """20 letters, signs and scribbles between a 4 and a 7: the digit model alone forces
    all but 3 of them into digits; with the segment model at least half read "4?7"."""
    from mnist_desktop.synth_sheets import NO_DIGIT, mark_image

    images, labels = mnist_test_digits
    four = images[int(np.flatnonzero(labels == 4)[3])]
    seven = images[int(np.flatnonzero(labels == 7)[3])]
    texts = [recognizer.read(_spaced([four, mark_image(np.random.default_rng(seed)), seven],
                                     [4, NO_DIGIT, 7]).image).text for seed in range(20)]
    assert sum(text == "4?7" for text in texts) >= 9, texts
    assert all(text.startswith("4") and text.endswith("7") for text in texts), texts


@pytest.mark.mnist
def test_numbers_are_still_read_without_the_segment_model(recognizer, mnist_test_digits,
                                                          monkeypatch):
    sheet = _spaced_pair(mnist_test_digits)
    monkeypatch.setattr(recognizer, "_segments", None)
    monkeypatch.setattr(recognizer, "_segments_tried", True)
    assert recognizer.segment_judge is None
    assert recognizer.read(sheet.image).text == "47"


def test_a_missing_segment_model_is_a_clear_error(tmp_path):
    from mnist_desktop.model_file import ModelError

    with pytest.raises(ModelError, match="segment model not found"):
        SegmentJudge.load(tmp_path / "nothing.keras")


@pytest.mark.mnist
@pytest.mark.slow
def test_train_py_trains_a_segment_model(tmp_path, mnist_dir):
    output = tmp_path / "segments.keras"
    env = {**os.environ, "MNIST_DIR": str(mnist_dir), "CUDA_VISIBLE_DEVICES": "-1"}
    done = subprocess.run(
        [sys.executable, str(REPO / "train.py"), "--task", "segments", "--limit", "3000",
         "--sheets", "60", "--epochs", "1", "--number-test", "5", "--workers", "1",
         "--quiet", "--output", str(output)],
        env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    meta = json.loads(output.with_suffix(".json").read_text("utf-8"))
    assert meta["arguments"]["sheets"] == 60 and meta["train_count"] > 100
    assert meta["code_fingerprint"] == code_fingerprint()
    assert 0.0 <= meta["numbers_read_exactly"]["exact"] <= 1.0
    judge = SegmentJudge.load(output)
    assert judge.judge(np.zeros((2, 28, 28)), np.zeros((2, 32, 32, 2)),
                       np.zeros((2, 15))).shape == (2, 11)
