"""``mnist-desktop teach`` and ``evaluate``: labelled folders, the personal model, the JSON
report and exit codes. Fine-tuning runs with tiny settings (1 epoch, no replay) here."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from image_corpus import digit_image

from mnist_desktop.cli import classify as classify_command
from mnist_desktop.cli import main
from mnist_desktop.io.labelled import LabelledSetError, is_labelled_folder, read_labelled

TINY = ["--epochs", "1", "--replay", "0", "--mnist-check", "0", "-q"]


def make_samples(folder: Path, per_digit: int = 3) -> Path:
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        for i in range(per_digit):
            image = digit_image(digit, 80 + 12 * i)
            cv2.imwrite(str(folder / str(digit) / f"{digit}_{i}.png"), image)
    return folder


@pytest.fixture
def use_model(recognizer, monkeypatch):
    """evaluate reads with the session's model (no second TensorFlow load)."""
    def load(model, min_confidence):
        if model is not None:
            from mnist_desktop.reading.recognizer import Recognizer

            return Recognizer.load(model, min_confidence=min_confidence)
        return recognizer

    monkeypatch.setattr(classify_command, "_load_recognizer", load)


# -- labelled folders -------------------------------------------------------------------


def test_digit_folders_and_csv_are_read_with_their_labels(tmp_path):
    make_samples(tmp_path / "set", 2)
    (tmp_path / "set" / "3" / "notes.txt").write_text("not a picture")
    found = read_labelled(tmp_path / "set")
    assert found.per_digit() == [2] * 10
    assert all(Path(item.path).parent.name == str(item.label) for item in found.items)
    assert is_labelled_folder(tmp_path / "set")

    images = tmp_path / "csvset" / "images"
    images.mkdir(parents=True)
    cv2.imwrite(str(images / "a.png"), digit_image(4))
    (tmp_path / "csvset" / "labels.csv").write_text("filename,label\na.png,4\nb.png,x\n")
    found = read_labelled(tmp_path / "csvset")
    assert [(Path(i.path).name, i.label) for i in found.items] == [("a.png", 4)]
    assert "not a digit" in found.problems[0]


def test_teach_learns_every_sample_by_default_and_says_how_the_model_read_them(tmp_path,
                                                                               capsys):
    samples = make_samples(tmp_path / "samples")
    out = tmp_path / "personal.keras"
    assert main(["teach", str(samples), "-o", str(out), *TINY]) == 0
    printed = capsys.readouterr().out
    assert "taught on 30 samples" in printed and "held-back" not in printed
    assert "your samples (30): the model read" in printed and "all were learnt" in printed
    assert "Saved artifact" not in printed and "TensorSpec" not in printed  # converter chatter
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["held_back"]["count"] == 0 and 0.0 <= meta["samples_before"] <= 1.0


def test_a_folder_that_is_not_labelled_says_why(tmp_path):
    with pytest.raises(LabelledSetError, match="no labelled pictures"):
        read_labelled(tmp_path)
    (tmp_path / "7").mkdir()
    (tmp_path / "sevens").mkdir()
    with pytest.raises(LabelledSetError, match="'sevens'"):
        read_labelled(tmp_path)
    assert not is_labelled_folder(tmp_path)


# -- teach ------------------------------------------------------------------------------


def test_teach_writes_a_personal_model_that_the_app_loads(tmp_path, capsys):
    samples = make_samples(tmp_path / "samples")
    out = tmp_path / "personal.keras"
    assert main(["teach", str(samples), "-o", str(out), "--seed", "5", "--holdout", "0.2",
                 *TINY]) == 0
    printed = capsys.readouterr().out
    assert "taught on 20 samples" in printed
    assert "held-back samples (10): before" in printed and "after" in printed
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["model_file"] == "personal.keras" and meta["personal"] is True
    assert meta["held_back"]["count"] == 10
    assert 0.0 <= meta["held_back"]["after"] <= 1.0

    from mnist_desktop.reading.recognizer import Recognizer

    personal = Recognizer.load(out)
    assert personal.uses_lite  # teach wrote its TFLite twin: it reads without TensorFlow
    assert personal.info.name == "personal model (20 samples)"
    assert personal.recognize(digit_image(7, 120)).digit == 7
    from mnist_desktop.pipeline.digit_input import model_input
    from mnist_desktop.pipeline.fingerprint import digit_probes
    from mnist_desktop.reading.keras_models import KerasDigitModel
    from mnist_desktop.reading.model_file import load_keras_model

    probes = [x for x in map(model_input, digit_probes().values()) if x is not None]
    batch = np.stack(probes)
    twin, keras_call = personal.probabilities(batch), KerasDigitModel(load_keras_model(out)[0])
    # the twin (8-bit weights, as the shipped one) answers as its .keras file
    np.testing.assert_allclose(twin, keras_call(batch), atol=0.03)
    assert np.array_equal(twin.argmax(1), keras_call(batch).argmax(1))


def test_teach_is_deterministic_with_a_seed(tmp_path):
    samples = make_samples(tmp_path / "samples", 1)
    weights = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.keras"
        assert main(["teach", str(samples), "-o", str(out), "--seed", "3", *TINY]) == 0
        from mnist_desktop.reading.model_file import load_keras_model

        weights.append(load_keras_model(out)[0].get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*weights, strict=True))


def test_teach_lists_unreadable_pictures_and_uses_the_rest(tmp_path, capsys):
    samples = make_samples(tmp_path / "samples", 1)
    (samples / "4" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    (samples / "5" / "empty.jpg").write_bytes(b"")
    out = tmp_path / "p.keras"
    assert main(["teach", str(samples), "-o", str(out), *TINY]) == 2
    captured = capsys.readouterr()
    assert "2 picture(s) or lines could not be used" in captured.err
    assert "broken.png" in captured.err and "empty.jpg" in captured.err
    assert "taught on 10 samples" in captured.out
    assert out.is_file()


@pytest.mark.parametrize("layout, message", [
    ({}, "no labelled pictures"),
    ({"seven": 1}, "sub-folders must be named 0 to 9"),
])
def test_teach_refuses_a_folder_it_cannot_learn_from(tmp_path, capsys, layout, message):
    for name, count in layout.items():
        (tmp_path / name).mkdir()
        for i in range(count):
            cv2.imwrite(str(tmp_path / name / f"{i}.png"), digit_image(7))
    out = tmp_path / "p.keras"
    assert main(["teach", str(tmp_path), "-o", str(out), *TINY]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_teach_refuses_an_output_that_is_not_a_keras_file(tmp_path, capsys):
    samples = make_samples(tmp_path / "samples", 1)
    assert main(["teach", str(samples), "-o", str(tmp_path / "p.h5"), *TINY]) == 2
    assert "must be a .keras file" in capsys.readouterr().err


@pytest.mark.mnist
def test_teach_replays_mnist_and_reports_forgetting(tmp_path, capsys, mnist_dir):
    samples = make_samples(tmp_path / "samples", 1)
    out = tmp_path / "p.keras"
    assert main(["teach", str(samples), "-o", str(out), "--epochs", "1", "--replay", "200",
                 "--mnist-check", "300", "--data-dir", str(mnist_dir), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "MNIST test digits (300): before" in printed
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["mnist_check"]["after"] > 0.95  # one short epoch must not wreck MNIST
    assert meta["test_count"] == 300


def test_teach_without_mnist_says_how_to_go_on(tmp_path, capsys):
    samples = make_samples(tmp_path / "samples", 1)
    empty = tmp_path / "no-mnist"
    empty.mkdir()
    assert main(["teach", str(samples), "-o", str(tmp_path / "p.keras"), "--epochs", "1",
                 "--data-dir", str(empty), "-q"]) == 2
    err = capsys.readouterr().err
    assert "MNIST is not available" in err and "--replay 0" in err


# -- evaluate ---------------------------------------------------------------------------


def test_evaluate_prints_accuracy_and_writes_the_report(tmp_path, capsys, use_model):
    samples = make_samples(tmp_path / "set", 2)
    cv2.imwrite(str(samples / "3" / "really_an_8.png"), digit_image(8))  # a wrong label
    report, plot = tmp_path / "report.json", tmp_path / "confusion.png"
    assert main(["evaluate", str(samples), "-o", str(report), "--plot", str(plot),
                 "--workers", "1", "-q"]) == 0
    printed = capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["count"] == 21
    assert f"accuracy {data['accuracy']:.2%}" in printed
    assert len(data["confusion"]) == 10 and all(len(row) == 10 for row in data["confusion"])
    assert sum(data["confusion"][3]) + data["no_digit"][3] == 3  # rows are the true digit
    wrong = [e for e in data["errors"] if e["path"].endswith("really_an_8.png")]
    assert wrong and wrong[0]["label"] == 3 and wrong[0]["prediction"] in (8, None)
    assert data["correct"] == round(data["accuracy"] * 21)
    assert set(data["per_digit"]) == {str(d) for d in range(10)}
    assert cv2.imread(str(plot)) is not None


def test_evaluate_exit_codes(tmp_path, capsys, use_model):
    samples = make_samples(tmp_path / "set", 1)
    (samples / "2" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    report = tmp_path / "r.json"
    assert main(["evaluate", str(samples), "-o", str(report), "--workers", "1", "-q"]) == 1
    assert "broken.png" in capsys.readouterr().err
    data = json.loads(report.read_text())
    assert data["count"] == 10 and data["unreadable"][0]["path"].endswith("broken.png")

    assert main(["evaluate", str(tmp_path / "nothing-here"), "-q"]) == 2
    assert main(["evaluate", str(samples), "--model", str(tmp_path / "r.json"), "-q"]) == 2
    assert "not a Keras model file" in capsys.readouterr().err


def test_the_sample_store_is_a_folder_teach_can_read(tmp_path):
    from mnist_desktop.io.samples import SampleError, SampleStore, crop_for_sample

    store = SampleStore(tmp_path / "data")
    photo = np.full((600, 800, 3), 255, np.uint8)
    photo[200:320, 300:400] = digit_image(7, 100, height=120)
    first = store.add(crop_for_sample(photo, (310, 210, 80, 100)), 7, "Image")
    second = store.add(digit_image(7), 7, "Draw")
    assert first != second and first.parent == tmp_path / "data" / "samples" / "7"
    assert cv2.imread(str(first)).shape[:2] == (100 + 2 * 32, 80 + 2 * 32)  # margin kept
    assert store.counts()[7] == 2
    assert read_labelled(store.samples_dir).per_digit()[7] == 2
    with pytest.raises(SampleError):
        store.remove(tmp_path / "elsewhere.png")  # only the store's own files
    with pytest.raises(SampleError):
        store.add(digit_image(1), 10)
    store.remove(first)
    assert store.samples()[7] == [second]
