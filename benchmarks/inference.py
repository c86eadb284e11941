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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)

    from mnist_desktop.pipeline.digit_input import preprocess
    from mnist_desktop.reading.recognizer import Recognizer

    recognizer = Recognizer.load()
    images = frames(50)
    inputs = [p.model_input for p in map(preprocess, images) if p.model_input is not None]
    batch1 = [x[None] for x in inputs]
    model = recognizer.model
    shaped = [x.reshape((1, *model.input_shape[1:])) for x in inputs]
    for item in images[:10]:
        recognizer.recognize(item)
    model.predict(shaped[0], verbose=0)

    engine = "TFLite twin" if recognizer.uses_lite else "compiled tf.function"
    rows = [
        ("pipeline only (640x480 frame -> 28x28)", timed(preprocess, images, args.runs)),
        (f"model, the app's call for 1 image ({engine})",
         timed(recognizer.probabilities, batch1, args.runs)),
        ("model, compiled tf.function (1 image)",
         timed(lambda x: recognizer._run(x).numpy(), batch1, args.runs)),
        ("model.predict (1 image, the baseline)",
         timed(lambda x: model.predict(x, verbose=0), shaped, max(20, args.runs // 5))),
        ("**recognize(frame): pipeline + model**", timed(recognizer.recognize, images, args.runs)),
        ("pipeline + model.predict (the baseline)",
         timed(lambda im: model.predict(preprocess(im).model_input.reshape(shaped[0].shape),
                                        verbose=0), images, max(20, args.runs // 5))),
    ]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"model {recognizer.info.name}\n")
    print("| step | median ms | p90 ms |\n|---|---:|---:|")
    for name, values in rows:
        p90 = float(np.percentile(values, 90))
        print(f"| {name} | {statistics.median(values):.2f} | {p90:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
