"""The shipped models run on LiteRT, the stand-alone TFLite runtime: no TensorFlow, no Keras.

Importing TensorFlow takes seconds; ``ai_edge_litert`` imports in about 0.1 s and runs the
same float32 networks as fast as TensorFlow's own interpreter. Every ``.keras`` file the app
ships (and every personal model ``teach`` writes) has a twin beside it: ``model.tflite`` for
``model.keras``, with a small JSON (``model.tflite.json``) naming the SHA-256 of the
``.keras`` file it was made from and of the twin itself. A stale, missing or damaged twin is
never used, so a retrained model can never be shadowed by an old conversion (the
``.keras`` file is then read with Keras, see ``keras_models``).

``export_lite`` writes both; ``train.py`` and ``teach`` call it, and
``python -m mnist_desktop.reading.lite_model FILE.keras`` does it for any model file. Only
``export_lite`` needs TensorFlow, and it imports it itself.

- The digit model converts as it is: its batch dimension stays free, so a batch of N
  digits is one interpreter run with the input resized to N. Its weights are stored as
  8-bit integers (TFLite's dynamic-range quantisation; activations stay float): a digit
  costs about 0.1 ms instead of 0.28 ms, and on the 10,000 MNIST test digits and
  ardis-dev's 2,650 every best guess is the float model's (probabilities within 0.02; 6 of
  12,650 cross the 0.7 "sure" line one way or the other). That cost bounds how many files
  a second the batch reads on two cores.
- The line model reads lines of any width. Converted as it is (batch and width free) its
  GRU does not convert with built-in ops; converted through a wrapper whose batch is fixed
  at 1 and width free, it does (the GRU's loop runs over however many steps the line has),
  and answers as Keras does to 1e-5. So each line is one run, the input resized to that
  line's width (resizing costs tens of microseconds; see the README's speed section).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.io.checksums import file_sha256


def lite_path(model_path: Path) -> Path:
    """``model.tflite`` for ``model.keras``."""
    return model_path.with_suffix(".tflite")


def stamp_path(model_path: Path) -> Path:
    """``model.tflite.json`` for ``model.keras``."""
    return model_path.with_name(model_path.stem + ".tflite.json")


def _conversion_model(model: Any) -> Any:
    """The model to hand the converter: itself when only its batch is free, else a wrapper
    with the batch fixed at 1 (the other free dimensions stay free)."""
    shape = tuple(model.input_shape)
    if None not in shape[1:]:
        return model
    import keras

    inputs = keras.Input(shape[1:], batch_size=1, name="input")
    return keras.Model(inputs, model(inputs, training=False))


def is_digit_model(model: Any) -> bool:
    """A digit model answers (N, 10); the line model (N, steps, classes)."""
    return len(tuple(model.output_shape)) == 2


def convert(model: Any) -> bytes:
    """The TFLite flatbuffer of a Keras model, built-in ops only (imports TensorFlow); a
    digit model's weights are quantised to 8 bits (see the module's docstring)."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from mnist_desktop.reading.quiet import native_stderr_silenced

    # The converter prints where it saved its temporary SavedModel and every captured
    # tensor (Python's stdout) and logs from C++: none of it is for the user.
    with (warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()),
          native_stderr_silenced()):
        warnings.simplefilter("ignore")
        converter = tf.lite.TFLiteConverter.from_keras_model(_conversion_model(model))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if is_digit_model(model):
            converter.optimizations = [tf.lite.Optimize.DEFAULT]  # int8 weights
        return bytes(converter.convert())


def export_lite(model: Any, model_path: Path) -> Path:
    """Convert a Keras model (saved at ``model_path``) to TFLite and write the twin and its
    stamp beside it (each atomically); returns the twin's path."""
    blob = convert(model)
    out = lite_path(model_path)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(blob)
    tmp.replace(out)
    stamp = {"source": model_path.name, "source_sha256": file_sha256(model_path),
             "sha256": file_sha256(out),
             "weights": "int8 (dynamic range)" if is_digit_model(model) else "float32"}
    stamp_file = stamp_path(model_path)
    tmp_stamp = stamp_file.with_name(f".{stamp_file.name}.tmp")
    tmp_stamp.write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    tmp_stamp.replace(stamp_file)
    return out


def is_fresh(model_path: Path) -> bool:
    """Whether ``model.tflite`` was made from this very ``.keras`` file, and is intact."""
    path, stamp_file = lite_path(model_path), stamp_path(model_path)
    if not path.is_file() or not stamp_file.is_file():
        return False
    try:
        stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
        return (stamp.get("source_sha256") == file_sha256(model_path)
                and stamp.get("sha256") == file_sha256(path))
    except (OSError, ValueError, AttributeError):
        return False


def _interpreter(path: Path) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Interpreter(model_path=str(path), num_threads=1)


class LiteModel:
    """One TFLite model in a LiteRT interpreter; its input is resized to whatever shape a
    call brings. Thread-safe: one call at a time."""

    engine = "LiteRT"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._interpreter = _interpreter(path)
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(f"{path}: not one input and one output")
        self._input = int(inputs[0]["index"])
        self._output = int(outputs[0]["index"])
        self.input_signature = tuple(int(v) for v in inputs[0]["shape_signature"])
        """The input's shape, -1 where it is free."""
        self.output_signature = tuple(int(v) for v in outputs[0]["shape_signature"])
        self._interpreter.allocate_tensors()  # now, so that load time pays for it
        self._shape: tuple[int, ...] | None = tuple(int(v) for v in inputs[0]["shape"])
        self._lock = threading.Lock()

    def run(self, x: np.ndarray) -> np.ndarray:
        """The model's output for ``x`` (shaped like its input), a fresh float32 array."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        with self._lock:
            if x.shape != self._shape:
                self._interpreter.resize_tensor_input(self._input, list(x.shape), strict=True)
                self._interpreter.allocate_tensors()
                self._shape = x.shape
            self._interpreter.set_tensor(self._input, x)
            self._interpreter.invoke()
            return np.array(self._interpreter.get_tensor(self._output), np.float32)


DIGIT_BATCH = 256
"""Digits per interpreter run (a longer batch is cut into runs of this size)."""


class LiteDigitModel:
    """The digit model's twin: probabilities (N, 10) for inputs (N, 28, 28)."""

    engine = "LiteRT"

    def __init__(self, lite: LiteModel) -> None:
        self.lite = lite
        self._shape = tuple(28 if v == -1 else v for v in lite.input_signature[1:])

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch, np.float32)
        parts = [self.lite.run(batch[i: i + DIGIT_BATCH].reshape(-1, *self._shape))
                 for i in range(0, len(batch), DIGIT_BATCH)]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)


class LiteLineModel:
    """The line model's twin: logits (N, W / 4, classes) for lines stacked (N, 32, W); one
    interpreter run per line, at the stack's width (the width Keras would read them at)."""

    engine = "LiteRT"

    def __init__(self, lite: LiteModel) -> None:
        self.lite = lite

    def __call__(self, stacked: np.ndarray) -> np.ndarray:
        return np.concatenate([self.lite.run(line[None, ..., None]) for line in stacked])


def load_lite(model_path: Path) -> LiteModel | None:
    """The fresh TFLite twin of ``model_path`` in an interpreter, or None (missing, stale
    or unloadable)."""
    if not is_fresh(model_path):
        return None
    try:
        return LiteModel(lite_path(model_path))
    except (ValueError, RuntimeError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    """``python -m mnist_desktop.reading.lite_model MODEL.keras``: (re)write its TFLite twin
    (a digit model or a line model; needs TensorFlow)."""
    import argparse

    from mnist_desktop.reading.model_file import ModelError, load_checked_model

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("model", type=Path, help="the .keras file (train.py does this itself)")
    args = parser.parse_args(argv)
    try:
        model = load_checked_model(args.model, lambda _model, _path: None)
    except ModelError as error:
        print(error)
        return 2
    print(f"wrote {export_lite(model, args.model)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
