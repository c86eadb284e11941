"""The line model: its input contract, its CTC decoding, its training data and the shipped
file (trained by train.py --task lines with its defaults, through today's line_input)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import train_defaults

from mnist_desktop.pipeline.fingerprint import line_input_fingerprint
from mnist_desktop.pipeline.line_input import LINE_HEIGHT, line_input, stack_lines
from mnist_desktop.reading.line_model import (
    BLANK,
    MARK,
    bundled_line_model_path,
    decode_text,
    greedy_decode,
)
from mnist_desktop.training.mnist_data import KNOWN_SHA256

REPO = Path(__file__).resolve().parent.parent
NOT_TRAINING = {"data_dir", "output", "workers", "quiet", "device"}
DIGITS_ONLY = {"arch", "photos", "realistic_test", "no_augment", "rotation", "shift", "zoom",
               "shear", "thickness", "erase", "reshape", "schedule",
               "strokes", "forms", "nondigits", "no_writer_balance"}  # the digit model's data


def one_hot(labels: list[int]) -> np.ndarray:
    probs = np.full((len(labels), 12), 0.001, np.float32)
    probs[np.arange(len(labels)), labels] = 1.0
    return probs / probs.sum(axis=1, keepdims=True)


def test_greedy_decoding_merges_repeats_and_drops_blanks():
    b = BLANK
    probs = one_hot([b, 3, 3, b, 0, b, 0, 0, b, MARK, b, 7])
    emissions = greedy_decode(probs)
    assert [e.label for e in emissions] == [3, 0, 0, MARK, 7]
    assert [(e.first, e.last) for e in emissions] == [(1, 2), (4, 4), (6, 7), (9, 9), (11, 11)]
    assert decode_text(probs) == "300?7"
    assert decode_text(probs, steps=5) == "30"  # padding beyond the line is not read


def written_line(text: str, dark: bool = True) -> np.ndarray:
    image = np.full((60, 40 * len(text) + 40), 210 if dark else 30, np.uint8)
    cv2.putText(image, text, (20, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 40 if dark else 220, 3)
    return image


def test_line_input_is_32_rows_ink_bright_and_pure():
    image = written_line("2026")
    before = image.copy()
    li = line_input(image)
    np.testing.assert_array_equal(image, before)
    assert li.image.shape[0] == LINE_HEIGHT and li.image.dtype == np.float32
    assert not li.image.flags.writeable
    assert li.dark_ink
    assert li.image.max() > 0.9 and np.median(li.image) < 0.1  # ink bright, paper dark
    assert li.image.shape[1] == pytest.approx(image.shape[1] * LINE_HEIGHT / 60, abs=1)


def test_chalk_on_a_board_gives_the_same_input_as_ink_on_paper():
    ink = line_input(written_line("357")).image
    chalk = line_input(written_line("357", dark=False)).image
    assert np.abs(ink - chalk).mean() < 0.02


def test_paper_shading_does_not_look_like_ink():
    image = written_line("48").astype(np.float32)
    image *= np.linspace(0.55, 1.0, image.shape[1])[None, :]  # a shadow across the line
    li = line_input(image.astype(np.uint8)).image
    text = li > 0.35
    assert text[:, :8].mean() < 0.02  # the dark end of the paper is still paper


def test_lines_are_padded_with_paper():
    a, b = np.ones((32, 20), np.float32), np.ones((32, 45), np.float32)
    batch = stack_lines([a, b])
    assert batch.shape == (2, 32, 48)
    assert batch[0, :, 20:].max() == 0 and batch[1, :, 45:].max() == 0


def test_synthetic_lines_carry_their_labels(mnist_sample):
    from mnist_desktop.training.line_mix import DEFAULT_MIX, LineMix
    from mnist_desktop.training.line_synth import random_line

    images, labels = mnist_sample
    by_label = [np.nonzero(labels == d)[0] for d in range(10)]
    rng = np.random.default_rng(0)
    letters = LineMix(only_marks=1.0)
    picture, sequence = random_line(images, by_label, rng, letters)
    assert sequence and set(sequence) == {MARK}
    for _ in range(30):
        picture, sequence = random_line(images, by_label, rng, DEFAULT_MIX)
        assert picture.dtype == np.uint8 and picture.ndim == 2 and min(picture.shape) >= 8
        assert 1 <= len(sequence) <= 12 and all(0 <= s <= MARK for s in sequence)


def test_training_lines_depend_on_the_seed_not_on_the_workers(mnist_sample):
    from mnist_desktop.training.line_task import make_lines

    images, labels = mnist_sample
    one = make_lines(images[:2000], labels[:2000], 30, seed=3, workers=1)
    two = make_lines(images[:2000], labels[:2000], 30, seed=3, workers=2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])


@pytest.fixture(scope="module")
def line_meta() -> dict:
    return json.loads(bundled_line_model_path().with_suffix(".json").read_text("utf-8"))


def test_shipped_line_model_was_trained_by_train_py_defaults(line_meta):
    defaults = train_defaults("--task", "lines")
    used = line_meta["arguments"]
    differing = {k: (used.get(k), v) for k, v in defaults.items()
                 if k not in NOT_TRAINING | DIGITS_ONLY and used.get(k) != v}
    assert not differing, f"shipped line model trained with non-default arguments: {differing}"
    assert line_meta["data_sha256"] == {k: v for k, v in KNOWN_SHA256.items()
                                        if k in line_meta["data_sha256"]}
    assert line_meta["train_lines"] >= defaults["lines"]


def test_shipped_line_model_reads_real_cheque_amounts(line_meta):
    """The shipped file, re-measured here on every third real amount the way train.py
    measured all of them (whole picture, best path): it must be what train.py recorded."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from real_sets import car_a_inputs

    from mnist_desktop.reading.line_model import LineModel
    from mnist_desktop.training.line_task import exact

    found = car_a_inputs()
    if found is None:
        pytest.skip("../shared/data/real/car-a-dev is not beside the project")
    inputs, texts = found
    model = LineModel.load()  # the shipped twin on LiteRT, as the reader runs it
    assert model.engine == "LiteRT"
    measured = exact(model, inputs[::3], texts[::3])
    # Models trained before the report moved out of train.py recorded it; a newer one is
    # held to the figure benchmarks/line_model_car_a.py gave the shipped model (51.1 %).
    recorded = line_meta.get("car_a_dev_exact_model_only", 0.511)
    assert measured >= recorded - 0.06, (measured, recorded)


def test_training_code_never_opens_the_real_sets():
    """The real sets are for validation only: train.py and the package never open them."""
    sources = [REPO / "train.py", *sorted((REPO / "mnist_desktop").rglob("*.py"))]
    naming = [str(path.relative_to(REPO)) for path in sources
              if any(word in path.read_text("utf-8")
                     for word in ("real_sets", "data/real", "MNIST_DESKTOP_REAL_DIR"))]
    assert not naming, naming


@pytest.mark.slow
def test_train_py_lines_task_writes_a_model_and_its_metadata(tmp_path, mnist_dir):
    out = tmp_path / "lines.keras"
    done = subprocess.run(
        [sys.executable, str(REPO / "train.py"), "--task", "lines", "--data-dir", str(mnist_dir),
         "--limit", "1200", "--lines", "200", "--epochs", "1", "--workers", "1",
         "--device", "cpu", "--quiet", "--output", str(out)],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    meta = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert meta["train_lines"] == 200 and meta["arguments"]["task"] == "lines"
    assert meta["input_fingerprint"] == line_input_fingerprint().to_json()
    from mnist_desktop.reading.line_model import LineModel

    model = LineModel.load(out)  # a float32 model the reader can load
    assert model.probabilities([line_input(written_line("12")).image]).shape[-1] == 12
    from mnist_desktop.reading.lite_model import is_fresh
    from mnist_desktop.reading.model_file import load_checked_model

    assert meta["lite_file"] == "lines.tflite" and is_fresh(out)  # train.py wrote its twin
    assert model.engine == "LiteRT"
    keras_read = LineModel(load_checked_model(out, lambda _m, _p: None))
    lines = [line_input(written_line(text)).image for text in ("12", "3075", "906")]
    np.testing.assert_allclose(model.probabilities(lines), keras_read.probabilities(lines),
                               atol=1e-4)
