#!/usr/bin/env python3
"""Accuracy on realistic photos: MNIST *test* digits re-drawn as handwriting and photographed.

Each digit is traced into pen strokes of varying width and rendered on paper with uneven
light, shadows, ruled or squared paper, perspective, blur, noise and JPEG loss
(``mnist_desktop.training.synth.render_photo``) at three difficulties, then read by the app exactly
as a user's photo is (``Recognizer.recognize_many``). Uses test digits 5000 onwards, which
neither training nor train.py's own realistic-photo figure (digits 0-2999) touches.
"No digit found" counts as wrong, and so does an unsure answer (below the confidence
threshold) in the first column; "best guess right" counts the best guess of unsure answers
too. Prints a markdown table.

    .venv/bin/python benchmarks/photo_accuracy.py [--count 1000]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

FIRST = 5000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="photos per difficulty")
    parser.add_argument("--model", help="model file (default: the bundled model)")
    args = parser.parse_args(argv)

    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist
    from mnist_desktop.training.synth import render_photo

    try:
        data = load_mnist()
    except MnistDataError as error:
        print(f"needs the MNIST test files: {error}")
        return 2
    recognizer = Recognizer.load(args.model)
    images = data.x_test[FIRST : FIRST + args.count]
    labels = data.y_test[FIRST : FIRST + args.count]
    print(f"model {recognizer.info.summary}; {len(images)} MNIST test digits per row\n")
    print("| photos | accuracy (sure and right) | best guess right | no digit found | unsure "
          "| ms per photo |")
    print("|---|---:|---:|---:|---:|---:|")
    for seed, difficulty in enumerate(("easy", "mixed", "hard")):
        rng = np.random.default_rng(100 + seed)
        photos = [render_photo(image, rng, difficulty=difficulty)[0] for image in images]
        start = time.perf_counter()
        results = recognizer.recognize_many(photos)
        ms = (time.perf_counter() - start) * 1000 / len(photos)
        digits = np.array([-1 if r.digit is None else r.digit for r in results])
        unsure = np.array([r.status == "unsure" for r in results])
        right = digits == labels
        print(f"| {difficulty} | {np.mean(right & ~unsure):.2%} | {np.mean(right):.2%} | "
              f"{np.sum(digits < 0)} | {int(unsure.sum())} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
