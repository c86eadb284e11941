"""Shared fixtures. Tests run headless: Qt uses the offscreen platform."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# The property tests draw the same examples on every run, so a red run means the code
# changed, never that this run happened to draw a new case (HYPOTHESIS_PROFILE=explore
# draws new ones; a case found that way goes in as an @example).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

from mnist_desktop.reading.resources import bundled_model_path  # noqa: E402
from mnist_desktop.training.mnist_data import IDX_FILES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _mnist_dir() -> Path | None:
    value = os.environ.get("MNIST_DIR", "")
    if not value:
        return None
    path = Path(value)
    if all((path / f"{name}.gz").exists() for name in IDX_FILES.values()):
        return path
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four original MNIST files; skips when it is not available."""
    path = _mnist_dir()
    if path is None:
        pytest.skip("needs the full MNIST files: set MNIST_DIR to a folder holding them "
                    "(make test uses ../shared/data/mnist when it exists)")
    return path


@pytest.fixture(scope="session")
def mnist_test_digits(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST *test* images and labels (never used for training)."""
    from mnist_desktop.training.mnist_data import read_idx_images, read_idx_labels

    return (read_idx_images(mnist_dir / "t10k-images-idx3-ubyte.gz"),
            read_idx_labels(mnist_dir / "t10k-labels-idx1-ubyte.gz"))


SAMPLE = REPO / "tests" / "data" / "mnist_test_first1000.npz"


@pytest.fixture(scope="session")
def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """The first 1,000 MNIST *test* images and labels, committed with the tests, so the
    tests of reading, drawing, photos and video run on a fresh clone without the full files
    (``tests/test_mnist_data.py`` checks they are the originals' first 1,000)."""
    with np.load(SAMPLE) as data:
        return data["images"], data["labels"]


def train_defaults(*argv: str) -> dict:
    """The arguments ``train.py`` uses when given ``argv`` (its defaults for that task)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_script", REPO / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    return vars(train.parse_args(list(argv)))


@pytest.fixture(scope="session")
def recognizer():
    """The bundled model, loaded once for the whole test session."""
    from mnist_desktop.reading.recognizer import Recognizer

    if not bundled_model_path().exists():
        pytest.fail(f"the bundled model is missing: {bundled_model_path()} (run make train)")
    return Recognizer.load()


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Keep QSettings and samples written by a test away from the user's real ones."""
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("MNIST_DESKTOP_DATA_DIR", str(tmp_path / "app-data"))

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))


@pytest.fixture
def show_widget(qtbot):
    """Show a widget as a user sees it (``show(widget, size)``); shut it down afterwards."""
    shown = []

    def show(widget, size: tuple[int, int]):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
        shown.append(widget)
        return widget

    yield show
    for widget in shown:
        widget.shutdown()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the MNIST files carry the ``mnist`` marker (``-m "not mnist"``)."""
    for item in items:
        if "mnist_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mnist)
