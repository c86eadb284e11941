#!/usr/bin/env python3
"""Latency of single-image recognition on a 640x480 camera frame.

Compares the app's path (pipeline + one call of the model: the TFLite twin when it is
shipped and fresh, else the compiled ``tf.function``) with the same
model through ``model.predict``, which sets up a whole data pipeline on every call. Frames
are synthetic phone photos of MNIST test digits (or drawn digits when MNIST is absent).
Prints a markdown table of medians over the runs.

    .venv/bin/python benchmarks/inference.py [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def frames(count: int) -> list[np.ndarray]:
    """640x480 BGR frames, each with one handwritten digit."""
    from mnist_desktop.training.synth import render_photo

    rng = np.random.default_rng(0)
    try:
        from mnist_desktop.training.mnist_data import load_mnist

        digits = load_mnist().x_test[:count]
    except Exception:  # no local MNIST: strokes drawn by hand
        digits = []
        for i in range(count):
            d = np.zeros((28, 28), np.uint8)
            cv2.putText(d, str(i % 10), (6, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2)
            digits.append(d)
    return [render_photo(d, rng, size=(480, 640))[0] for d in digits]


def timed(function, items, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        item = items[i % len(items)]
        start = time.perf_counter()
        function(item)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def lines_of(width: int, count: int = 8) -> list[np.ndarray]:
    """Line-model inputs (32 x ``width``): strokes of a written number, as ``line_input``
    gives them."""
    from mnist_desktop.pipeline.line_input import line_input

    rng = np.random.default_rng(width)
    out = []
    for _ in range(count):
        picture = np.full((48, int(width * 1.5)), 235, np.uint8)
        digits = "".join(str(d) for d in rng.integers(0, 10, max(1, width // 24)))
        cv2.putText(picture, digits, (4, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 30, 3)
        out.append(line_input(picture).image)
    return out


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | {statistics.median(values):.2f} | {np.percentile(values, 90):.2f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-keras", action="store_true",
                        help="skip the Keras comparisons (they import TensorFlow)")
    args = parser.parse_args(argv)

    from mnist_desktop.pipeline.digit_input import preprocess
    from mnist_desktop.reading.recognizer import Recognizer

    recognizer = Recognizer.load()
    lines = recognizer.line_model
    images = frames(50)
    inputs = [p.model_input for p in map(preprocess, images) if p.model_input is not None]
    batch1 = [x[None] for x in inputs]
    batch64 = [np.stack([inputs[(i + k) % len(inputs)] for k in range(64)]) for i in range(8)]
    for item in images[:10]:
        recognizer.recognize(item)

    def per_digit(batch: np.ndarray) -> None:
        for x in batch:
            recognizer.probabilities(x[None])

    runs = args.runs
    rows = [
        _row("pipeline only (640x480 frame -> 28x28)", timed(preprocess, images, runs)),
        _row(f"digit model, 1 digit ({recognizer.model.engine})",
             timed(recognizer.probabilities, batch1, runs)),
        _row("digit model, 64 digits in one run (resized batch), per digit",
             [t / 64 for t in timed(recognizer.probabilities, batch64, max(20, runs // 10))]),
        _row("digit model, 64 digits one run each, per digit",
             [t / 64 for t in timed(per_digit, batch64, max(20, runs // 10))]),
        _row("**recognize(frame): pipeline + model**", timed(recognizer.recognize, images, runs)),
    ]
    line_rows = []
    for width in (64, 128, 256, 512):
        same = lines_of(width)
        line_rows.append(_row(f"line model ({lines.engine}), one {width}-column line",
                              timed(lambda x: lines.probabilities([x]), same, runs // 4)))
    mixed = [line for width in (120, 136, 200, 248) for line in lines_of(width, 2)]
    line_rows.append(_row("line model, widths 120-248 in turn (input resized every call)",
                          timed(lambda x: lines.probabilities([x]), mixed, runs // 4)))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"model {recognizer.info.name}, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    print("| step | median ms | p90 ms |\n|---|---:|---:|")
    print("\n".join(rows + line_rows))
    if args.no_keras:
        return 0
    from mnist_desktop.reading.keras_models import KerasDigitModel, KerasLineModel
    from mnist_desktop.reading.line_model import LineModel, _check_shapes
    from mnist_desktop.reading.model_file import load_checked_model, load_keras_model

    keras_model = load_keras_model()[0]
    digits = KerasDigitModel(keras_model)
    keras_lines = LineModel(KerasLineModel(load_checked_model(lines.path, _check_shapes)))
    shaped = [x.reshape((1, *keras_model.input_shape[1:])) for x in inputs]
    keras_model.predict(shaped[0], verbose=0)
    print(_row("for comparison (imports TensorFlow): digit model, compiled tf.function, 1 digit",
               timed(digits, batch1, runs)))
    print(_row("… `model.predict` on one digit", timed(
        lambda x: keras_model.predict(x, verbose=0), shaped, max(20, runs // 5))))
    print(_row("… line model, compiled tf.function, one 256-column line",
               timed(lambda x: keras_lines.probabilities([x]), lines_of(256), runs // 4)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
