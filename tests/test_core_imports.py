"""The core is Qt-free and imports TensorFlow only when a model is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "mnist_desktop", "mnist_desktop.pipeline", "mnist_desktop.grey", "mnist_desktop.ink",
    "mnist_desktop.normalize", "mnist_desktop.models", "mnist_desktop.model_file",
    "mnist_desktop.recognizer", "mnist_desktop.image_io", "mnist_desktop.batch",
    "mnist_desktop.batch_output", "mnist_desktop.cli", "mnist_desktop.classify_command",
    "mnist_desktop.line_reader", "mnist_desktop.line_finder", "mnist_desktop.line_input",
    "mnist_desktop.line_model", "mnist_desktop.mnist_data",
    "mnist_desktop.synth", "mnist_desktop.training.data", "mnist_desktop.camera_source",
    "mnist_desktop.smoothing", "mnist_desktop.synth_sheets", "mnist_desktop.training.line_synth",
    "mnist_desktop.training.line_task", "mnist_desktop.training.line_net",
    "mnist_desktop.labelled", "mnist_desktop.samples", "mnist_desktop.teach",
    "mnist_desktop.teach_command", "mnist_desktop.evaluation", "mnist_desktop.evaluate_command",
    "mnist_desktop.training.finetune",
]


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120)
    return set(out.stdout.split())


def test_core_modules_import_neither_qt_nor_tensorflow():
    loaded = _loaded_after("\n".join(f"import {name}" for name in CORE_MODULES))
    assert "PySide6" not in loaded, "a core module pulled in Qt"
    assert "tensorflow" not in loaded and "keras" not in loaded, "TensorFlow imported eagerly"


@pytest.mark.slow
def test_recognizing_an_image_stays_qt_free():
    loaded = _loaded_after(
        "import numpy as np, cv2\n"
        "from mnist_desktop import Recognizer\n"
        "image = np.full((120, 120), 240, np.uint8)\n"
        "cv2.line(image, (60, 20), (60, 100), 20, 8)\n"
        "result = Recognizer.load().recognize(image)\n"
        "assert result.digit == 1, result\n"
    )
    assert "PySide6" not in loaded
    assert "tensorflow" in loaded  # the model really ran
