"""Model files: check them, read their metadata, load them and check they fit our input
contract. A model with a fresh TFLite twin (``lite_model``) is loaded without TensorFlow or
Keras, its shapes read from the interpreter; one without is loaded with Keras (safe mode),
which is imported only then."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnist_desktop.reading.lite_model import LiteDigitModel, load_lite
from mnist_desktop.reading.resources import METADATA_FILENAME, bundled_model_path


class ModelError(Exception):
    """The model file is missing, broken or not a digit model; the message says which."""


@dataclass(frozen=True)
class ModelInfo:
    """What the user sees about a model: where it came from and how good it is."""

    path: Path
    name: str
    test_accuracy: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def summary(self) -> str:
        accuracy = (f"{self.test_accuracy:.2%} on MNIST test" if self.test_accuracy
                    else "accuracy unknown")
        return f"{self.name} ({accuracy})"


def metadata_path(model_path: Path) -> Path:
    """The JSON written by train.py beside a model: ``model.json`` for ``model.keras``."""
    candidate = model_path.with_suffix(".json")
    return candidate if candidate.exists() else model_path.parent / METADATA_FILENAME


def read_metadata(model_path: Path) -> dict[str, Any]:
    """The model's training metadata, or an empty dict when there is none or it is unreadable."""
    path = metadata_path(model_path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    if data.get("model_file") not in (None, model_path.name):
        return {}
    return data


def io_shapes(model: Any, path: Path) -> tuple[tuple, tuple]:
    """The model's input and output shapes; ``ModelError`` when it has not one of each."""
    try:
        return tuple(model.input_shape), tuple(model.output_shape)
    except (AttributeError, ValueError, TypeError) as error:
        raise ModelError(f"{path}: the model has no single input and output ({error})") from error


def check_digit_shapes(in_shape: tuple, out_shape: tuple, path: Path) -> None:
    """``ModelError`` unless the shapes (batch first) are a digit model's."""
    in_shape = tuple(None if v == -1 else v for v in in_shape)
    out_shape = tuple(None if v == -1 else v for v in out_shape)
    if in_shape[1:] not in ((28, 28, 1), (28, 28), (784,)):
        raise ModelError(
            f"{path}: the model expects inputs of shape {in_shape[1:]}, "
            "but a digit model must take 28x28 images"
        )
    if out_shape[1:] != (10,):
        raise ModelError(
            f"{path}: the model gives outputs of shape {out_shape[1:]}, "
            "but a digit model must give 10 probabilities"
        )


def _check_shapes(model: Any, path: Path) -> None:
    check_digit_shapes(*io_shapes(model, path), path)


def check_model_file(model_path: Path) -> None:
    """``ModelError`` when ``model_path`` is missing, not a file, not a Keras model file or
    not a ``.keras`` archive (checked without loading anything)."""
    if not model_path.exists():
        raise ModelError(f"model file not found: {model_path}")
    if not model_path.is_file():
        raise ModelError(f"{model_path} is not a file")
    if model_path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ModelError(f"{model_path}: not a Keras model file (expected a .keras file)")
    if model_path.suffix == ".keras" and not zipfile.is_zipfile(model_path):
        raise ModelError(f"{model_path}: the file is damaged or not a Keras model "
                         "(not a .keras archive)")


def load_checked_model(model_path: Path, check: Callable[[Any, Path], None]) -> Any:
    """Load a Keras model file in safe mode (no arbitrary code) and ``check`` its shapes;
    every failure is a ``ModelError`` that names the file and says what is wrong."""
    check_model_file(model_path)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    try:
        model = keras.models.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for bad files
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(f"{model_path}: could not load the model ({reason[:300]})") from error
    check(model, model_path)
    return model


def model_info(model_path: Path) -> ModelInfo:
    """What the user sees about ``model_path``, from the JSON beside it (no model loaded)."""
    metadata = read_metadata(model_path)
    accuracy = metadata.get("test_accuracy")
    name = str(metadata.get("name") or model_path.stem)
    return ModelInfo(model_path, name, float(accuracy) if accuracy else None, metadata)


def load_keras_model(path: str | os.PathLike[str] | None = None) -> tuple[Any, ModelInfo]:
    """Load a digit model with Keras safe mode (no arbitrary code) and check its shapes."""
    model_path = Path(path) if path is not None else bundled_model_path()
    model = load_checked_model(model_path, _check_shapes)
    return model, model_info(model_path)


def load_digit_model(path: str | os.PathLike[str] | None = None) -> tuple[Any, ModelInfo]:
    """A digit model ready to call (``model(inputs (N, 28, 28)) -> (N, 10)``) and its info:
    its fresh TFLite twin in LiteRT when it has one (no TensorFlow), else the ``.keras``
    file through Keras. Raises ``ModelError``."""
    model_path = Path(path) if path is not None else bundled_model_path()
    check_model_file(model_path)
    lite = load_lite(model_path)
    if lite is not None:
        check_digit_shapes(lite.input_signature, lite.output_signature, model_path)
        return LiteDigitModel(lite), model_info(model_path)
    from mnist_desktop.reading.keras_models import KerasDigitModel

    model, info = load_keras_model(model_path)
    return KerasDigitModel(model), info
