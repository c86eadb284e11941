"""The bundled model is what train.py produced with its defaults, for today's pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import train_defaults

from mnist_desktop.io.checksums import file_sha256
from mnist_desktop.pipeline.digit_input import preprocess
from mnist_desktop.reading.resources import bundled_model_path
from mnist_desktop.training.mnist_data import KNOWN_SHA256

REPO = Path(__file__).resolve().parent.parent

# Arguments that say where things go or how loudly, not what is trained.
NOT_TRAINING = {"data_dir", "output", "workers", "quiet", "device", "qmnist_dir", "backup_dir"}
# Arguments of `train.py --task lines` only.
LINES_ONLY = {"task", "lines"}


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads(bundled_model_path().with_suffix(".json").read_text(encoding="utf-8"))


def test_model_was_trained_with_the_default_arguments_on_all_of_mnist(meta):
    defaults = train_defaults()
    used = meta["arguments"]
    differing = {k: (used.get(k), v) for k, v in defaults.items()
                 if k not in NOT_TRAINING | LINES_ONLY and used.get(k) != v}
    assert not differing, f"shipped model trained with non-default arguments: {differing}"
    assert meta["train_count"] + meta["validation_count"] >= 60_000
    assert meta["data_sha256"] == {k: v for k, v in KNOWN_SHA256.items()
                                   if k in meta["data_sha256"]}
    assert len(meta["data_sha256"]) == 4


def test_model_meets_the_accuracy_bar_on_the_whole_test_set(meta):
    assert meta["test_count"] == 10_000
    assert meta["test_accuracy"] >= 0.995
    assert meta["realistic_photos"]["count"] >= 1000


def test_the_shipped_model_reads_the_committed_test_digits(recognizer, mnist_sample):
    """Not the JSON's word for it: the model as the app runs it, on 1,000 MNIST test digits
    through the pipeline (what a fresh clone can measure without the full files)."""
    images, labels = mnist_sample
    results = recognizer.recognize_many(images)
    accuracy = float(np.mean([r.digit == label for r, label in zip(results, labels,
                                                                   strict=True)]))
    assert accuracy >= 0.99, f"{accuracy:.2%} of the first 1,000 MNIST test digits"
    ok = [r.digit == label for r, label in zip(results, labels, strict=True) if r.status == "ok"]
    assert len(ok) >= 950 and np.mean(ok) >= 0.995, "answers marked ok must be right"


def test_model_file_is_the_one_its_json_describes(meta):
    assert meta["model_file"] == bundled_model_path().name
    assert meta["model_sha256"] == file_sha256(bundled_model_path()), (
        "resources/model.keras is not the file train.py wrote beside this model.json")


def test_plots_travel_with_the_model():
    folder = bundled_model_path().parent
    for name in ("model_training.png", "model_confusion.png"):
        assert (folder / name).stat().st_size > 1000


@pytest.mark.mnist
@pytest.mark.slow
def test_recorded_accuracy_is_what_the_app_gets(meta, recognizer, mnist_test_digits):
    images, labels = mnist_test_digits
    inputs = [preprocess(image).model_input for image in images]
    assert all(x is not None for x in inputs)
    predicted = np.argmax(recognizer.probabilities(np.stack(inputs)), axis=1)
    accuracy = float(np.mean(predicted == labels))
    assert accuracy >= 0.995
    assert abs(accuracy - meta["test_accuracy"]) <= 0.0005
