"""Where the runtime assets (the bundled model and its metadata) live.

In a wheel they are installed as the ``mnist_desktop.resources`` package; in a source
checkout they are the top-level ``resources/`` folder.
"""

from __future__ import annotations

from pathlib import Path

MODEL_FILENAME = "model.keras"
METADATA_FILENAME = "model.json"


def resources_dir() -> Path:
    """Return the folder that holds the bundled model."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("mnist_desktop.resources")))
        if (candidate / MODEL_FILENAME).exists():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "resources"


def bundled_model_path() -> Path:
    """Path of the model shipped with the package."""
    return resources_dir() / MODEL_FILENAME
