"""The TFLite twin of the digit model: same answers, used only when made from this model."""

from __future__ import annotations

import json
import shutil

import numpy as np

from mnist_desktop.reading.lite_model import export_lite, is_fresh, lite_path, load_lite
from mnist_desktop.reading.model_file import load_keras_model
from mnist_desktop.reading.recognizer import Recognizer
from mnist_desktop.reading.resources import bundled_model_path
from tests.test_crops import seven


def inputs() -> np.ndarray:
    rng = np.random.default_rng(0)
    batch = rng.random((6, 28, 28)).astype(np.float32) ** 4
    batch[0] = 0.0
    from mnist_desktop.pipeline.digit_input import model_input

    batch[1] = model_input(seven())
    return batch


def test_shipped_twin_is_fresh_and_answers_like_the_keras_model(recognizer):
    assert is_fresh(bundled_model_path()), (
        "run python -m mnist_desktop.reading.lite_model resources/model.keras")
    assert recognizer.uses_lite
    batch = inputs()
    lite = recognizer.probabilities(batch)  # six digits: the interpreter
    graph = recognizer._run(batch).numpy()  # the compiled tf.function
    np.testing.assert_allclose(lite, graph, atol=1e-4)
    assert int(np.argmax(lite[1])) == 7


def test_a_stale_or_missing_twin_is_never_used(tmp_path):
    model = tmp_path / "model.keras"
    shutil.copy(bundled_model_path(), model)
    assert not is_fresh(model) and load_lite(model) is None  # missing
    keras_model, _ = load_keras_model(model)
    export_lite(keras_model, model)
    assert is_fresh(model) and load_lite(model) is not None
    stamp = tmp_path / "model.tflite.json"
    data = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**data, "source_sha256": "0" * 64}))  # made from another model
    assert not is_fresh(model)
    recognizer = Recognizer.load(model)
    assert not recognizer.uses_lite
    assert int(np.argmax(recognizer.probabilities(inputs()[1:2]))) == 7  # the tf.function answers
    stamp.write_text(json.dumps(data))
    lite_path(model).write_bytes(b"broken")
    assert not is_fresh(model) and load_lite(model) is None
