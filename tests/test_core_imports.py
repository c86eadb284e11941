"""The core is Qt-free, and reading a digit or a number (from Python, the command line or
the window's model loader) loads neither TensorFlow, Keras nor any training code: LiteRT
runs the shipped models."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import mnist_desktop


def _all_modules() -> list[str]:
    found = ["mnist_desktop"]
    for info in pkgutil.walk_packages(mnist_desktop.__path__, "mnist_desktop."):
        found.append(info.name)
    return sorted(found)


CORE_MODULES = [name for name in _all_modules()
                if not name.startswith(("mnist_desktop.gui", "mnist_desktop.__main__"))]


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120)
    return set(out.stdout.split())


def test_every_core_module_is_checked():
    for name in ("mnist_desktop.pipeline", "mnist_desktop.reading", "mnist_desktop.batch",
                 "mnist_desktop.io", "mnist_desktop.cli", "mnist_desktop.training"):
        assert name in CORE_MODULES
    assert len(CORE_MODULES) > 40


def test_core_modules_import_neither_qt_nor_tensorflow():
    loaded = _loaded_after("\n".join(f"import {name}" for name in CORE_MODULES))
    assert "PySide6" not in loaded, "a core module pulled in Qt"
    assert "tensorflow" not in loaded and "keras" not in loaded, "TensorFlow imported eagerly"


@pytest.mark.slow
def test_reading_a_digit_and_a_number_stays_qt_free_and_loads_no_training_code():
    loaded = _loaded_after(
        "import numpy as np, cv2\n"
        "from mnist_desktop.reading import Recognizer\n"
        "image = np.full((120, 120), 240, np.uint8)\n"
        "cv2.line(image, (60, 20), (60, 100), 20, 8)\n"
        "reader = Recognizer.load()\n"
        "result = reader.recognize(image)\n"
        "assert result.digit == 1, result\n"
        "line = np.full((60, 200), 235, np.uint8)\n"
        "cv2.putText(line, '1250', (8, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 20, 4)\n"
        "reading = reader.read(line)\n"
        "assert reading.digits, reading\n"
        "assert reader.uses_lite and reader.line_model.engine == 'LiteRT'\n"
    )
    assert "PySide6" not in loaded
    assert "ai_edge_litert" in loaded  # the models really ran, on LiteRT
    assert "tensorflow" not in loaded and "keras" not in loaded, "reading imported TensorFlow"
    training = sorted(name for name in loaded if name.startswith("mnist_desktop.training"))
    assert not training, f"reading loaded training code: {training}"


@pytest.mark.slow
def test_the_windows_model_loader_loads_both_models_without_tensorflow():
    loaded = _loaded_after(
        "import threading\n"
        "from mnist_desktop.gui.model_loader import _load\n"
        "answers = list(_load(None, threading.Event()))\n"
        "recognizer = answers[0][0]\n"
        "assert recognizer.uses_lite, recognizer.model\n"
        "assert recognizer.line_model is not None and recognizer.line_model.engine == 'LiteRT'\n"
    )
    assert "ai_edge_litert" in loaded
    assert "tensorflow" not in loaded and "keras" not in loaded, "the window imported TensorFlow"


def test_the_command_line_parses_without_heavy_imports():
    loaded = _loaded_after(
        "from mnist_desktop.cli import build_parser\n"
        "build_parser().parse_args(['classify', 'x.png'])\n"
        "build_parser().parse_args(['teach', 'samples', '-o', 'p.keras'])\n"
        "build_parser().parse_args(['evaluate', 'samples'])\n"
    )
    heavy = {"tensorflow", "keras", "ai_edge_litert", "numpy", "cv2", "PySide6", "PIL", "dask"}
    assert not heavy & loaded, f"parsing the command line imported {sorted(heavy & loaded)}"
    training = sorted(name for name in loaded if name.startswith("mnist_desktop.training"))
    assert not training, f"parsing loaded training code: {training}"


@pytest.mark.slow
def test_classify_and_evaluate_commands_run_without_tensorflow(tmp_path):
    import cv2
    import numpy as np

    for digit in (1, 7):
        (tmp_path / str(digit)).mkdir()
        image = np.full((120, 120), 240, np.uint8)
        cv2.line(image, (60, 20), (60, 100), 20, 8)
        if digit == 7:
            cv2.line(image, (30, 20), (60, 20), 20, 8)
        cv2.imwrite(str(tmp_path / str(digit) / "a.png"), image)
    loaded = _loaded_after(
        "from mnist_desktop.cli import main\n"
        f"assert main(['classify', {str(tmp_path)!r}, '-r', '-q', '-o', "
        f"{str(tmp_path / 'rows.csv')!r}]) == 0\n"
        f"assert main(['evaluate', {str(tmp_path)!r}, '-q', '--workers', '1']) == 0\n"
    )
    assert (tmp_path / "rows.csv").read_text().count("\n") == 3
    assert "ai_edge_litert" in loaded
    assert "tensorflow" not in loaded and "keras" not in loaded, "a command imported TensorFlow"
