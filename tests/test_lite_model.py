"""The TFLite twins: the shipped models run on LiteRT, answer as their ``.keras`` files do on
the probe pictures, and a twin is used only when it was made from that very file."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from mnist_desktop.pipeline.digit_input import model_input
from mnist_desktop.pipeline.fingerprint import digit_probes, line_probes
from mnist_desktop.pipeline.grey import to_grey
from mnist_desktop.pipeline.line_input import line_input
from mnist_desktop.reading.keras_models import KerasDigitModel
from mnist_desktop.reading.line_model import LineModel, bundled_line_model_path, decode_text
from mnist_desktop.reading.lite_model import export_lite, is_fresh, lite_path, load_lite
from mnist_desktop.reading.model_file import (
    ModelError,
    load_checked_model,
    load_digit_model,
    load_keras_model,
)
from mnist_desktop.reading.recognizer import Recognizer
from mnist_desktop.reading.resources import bundled_model_path
from tests.test_crops import seven

TWIN_HINT = "run python -m mnist_desktop.reading.lite_model resources/{}"


def inputs() -> np.ndarray:
    rng = np.random.default_rng(0)
    batch = rng.random((6, 28, 28)).astype(np.float32) ** 4
    batch[0] = 0.0
    batch[1] = model_input(seven())
    return batch


@pytest.fixture(scope="module")
def keras_digits() -> KerasDigitModel:
    return KerasDigitModel(load_keras_model(bundled_model_path())[0])


@pytest.mark.parametrize("path", [bundled_model_path(), bundled_line_model_path()],
                         ids=["digit model", "line model"])
def test_shipped_twins_are_fresh(path):
    assert is_fresh(path), TWIN_HINT.format(path.name)


def test_the_bundled_models_run_on_litert(recognizer):
    assert recognizer.uses_lite and recognizer.model.engine == "LiteRT"
    assert recognizer.line_model is not None and recognizer.line_model.engine == "LiteRT"


QUANTISED = 0.03
"""The digit twin's weights are 8-bit: its probabilities may differ from the float model's
by this much (0.02 at most on the 12,650 MNIST and ardis-dev digits measured), never its
answer."""


def test_digit_twin_answers_like_the_keras_model_on_the_probes(recognizer, keras_digits):
    probes = {name: model_input(picture) for name, picture in digit_probes().items()}
    found = {name: x for name, x in probes.items() if x is not None}
    assert len(found) >= len(probes) - 1  # only the blank page has no digit
    batch = np.stack([*found.values(), *inputs()])
    lite = recognizer.probabilities(batch)  # one LiteRT run for the whole batch
    graph = keras_digits(batch)
    np.testing.assert_allclose(lite, graph, atol=QUANTISED)
    assert np.array_equal(lite.argmax(1), graph.argmax(1))
    one_by_one = np.concatenate([recognizer.probabilities(x[None]) for x in batch])
    np.testing.assert_allclose(one_by_one, lite, atol=1e-5)  # the batch size changes nothing
    assert int(np.argmax(lite[len(found) + 1])) == 7


def test_digit_twin_gives_the_float_models_answer_on_a_thousand_mnist_digits(
        recognizer, keras_digits, mnist_sample):
    images, labels = mnist_sample
    batch = np.stack([model_input(image) for image in images]).astype(np.float32)
    lite, graph = recognizer.probabilities(batch), keras_digits(batch)
    assert np.array_equal(lite.argmax(1), graph.argmax(1))
    assert float(np.abs(lite - graph).max()) <= QUANTISED
    assert float(np.mean(lite.argmax(1) == labels)) >= 0.99
    stamp = json.loads(lite_path(bundled_model_path()).with_suffix(".tflite.json")
                       .read_text(encoding="utf-8"))
    assert stamp["weights"] == "int8 (dynamic range)"
    assert lite_path(bundled_model_path()).stat().st_size < 0.3 * (
        bundled_model_path().stat().st_size)  # a quarter of the float weights' bytes


def test_line_twin_answers_like_the_keras_model_on_the_probes():
    lite = LineModel.load()
    assert lite.engine == "LiteRT"
    keras_line = LineModel(load_checked_model(bundled_line_model_path(), lambda _m, _p: None))
    assert keras_line.engine == "Keras"
    lines = [line_input(to_grey(picture)).image for picture in line_probes().values()]
    for line in lines:  # each alone, at its own width
        a, b = lite.probabilities([line]), keras_line.probabilities([line])
        assert a.shape == b.shape and a.shape[1] == -(-line.shape[1] // 8) * 2
        np.testing.assert_allclose(a, b, atol=1e-4)
        assert decode_text(a[0]) == decode_text(b[0])
    together_lite, together_keras = lite.probabilities(lines), keras_line.probabilities(lines)
    np.testing.assert_allclose(together_lite, together_keras, atol=1e-4)  # padded together
    assert [decode_text(p) for p in together_lite] == [decode_text(p) for p in together_keras]
    assert decode_text(together_lite[0]) == "1250"  # the cheque probe reads


def test_a_stale_or_missing_twin_is_never_used(tmp_path):
    model = tmp_path / "model.keras"
    shutil.copy(bundled_model_path(), model)
    assert not is_fresh(model) and load_lite(model) is None  # missing
    assert not Recognizer.load(model).uses_lite  # Keras answers
    keras_model, _ = load_keras_model(model)
    export_lite(keras_model, model)
    assert is_fresh(model) and load_lite(model) is not None
    assert Recognizer.load(model).uses_lite
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


def test_a_twin_of_the_wrong_shape_is_refused_like_its_keras_file(tmp_path):
    import keras

    inputs_ = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(5, activation="softmax")(keras.layers.Flatten()(inputs_))
    wrong = keras.Model(inputs_, outputs)
    path = tmp_path / "wrong.keras"
    wrong.save(path)
    with pytest.raises(ModelError, match="must take 28x28 images") as without_twin:
        load_digit_model(path)
    export_lite(wrong, path)
    assert is_fresh(path)
    with pytest.raises(ModelError, match="must take 28x28 images") as with_twin:
        load_digit_model(path)
    assert str(with_twin.value) == str(without_twin.value)
    with pytest.raises(ModelError, match="not a line model"):
        LineModel.load(path)


@pytest.mark.parametrize(("content", "phrase"), [
    (None, "model file not found"),
    (b"PK\x03\x04 the start of a zip and nothing more", "damaged or not a Keras model"),
])
def test_missing_and_broken_files_are_named_without_loading_keras(tmp_path, content, phrase):
    path = tmp_path / "model.keras"
    if content is not None:
        path.write_bytes(content)
    for load in (load_digit_model, LineModel.load):
        with pytest.raises(ModelError, match=phrase):
            load(path)
