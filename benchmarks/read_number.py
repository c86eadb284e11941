#!/usr/bin/env python3
"""Speed of ``Recognizer.read``: a 1-megapixel photo of a 6-digit number (target <= 30 ms).

The photos are synthetic (``compose_sheet`` with MNIST test digits when MNIST_DIR is set,
else drawn digits), scaled to about 1000 x 1000 pixels. Prints the median and the 95th
percentile over the runs, and what the stages cost.

    python benchmarks/read_number.py [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnist_desktop.training.synth import compose_sheet  # noqa: E402

TARGET_MS = 30.0


def _digits(count: int, rng: np.random.Generator) -> tuple[list[np.ndarray], str]:
    folder = Path(os.environ.get("MNIST_DIR", ""))
    images = folder / "t10k-images-idx3-ubyte.gz"
    if os.environ.get("MNIST_DIR") and images.exists():
        from mnist_desktop.training.mnist_data import read_idx_images, read_idx_labels

        x = read_idx_images(images)
        y = read_idx_labels(folder / "t10k-labels-idx1-ubyte.gz")
        picks = rng.choice(len(x), count, replace=False)
        return [x[i] for i in picks], "".join(str(int(y[i])) for i in picks)
    out, text = [], ""
    for _ in range(count):
        digit = int(rng.integers(10))
        canvas = np.zeros((28, 28), np.uint8)
        cv2.putText(canvas, str(digit), (5, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2)
        out.append(canvas)
        text += str(digit)
    return out, text


def photo(seed: int, side: int = 1000) -> tuple[np.ndarray, str]:
    """A BGR photo of about ``side`` x ``side`` pixels with a 6-digit number on it."""
    rng = np.random.default_rng(seed)
    digits, text = _digits(6, rng)
    sheet, _ = compose_sheet(digits, rng, difficulty="mixed", digit_height=150)
    h, w = sheet.shape[:2]
    scale = side / max(h, w)
    sheet = cv2.resize(sheet, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_LINEAR)
    top = (side - sheet.shape[0]) // 2
    bottom = side - sheet.shape[0] - top
    paper = [int(v) for v in np.median(sheet.reshape(-1, 3), axis=0)]
    return cv2.copyMakeBorder(sheet, top, bottom, 0, side - sheet.shape[1],
                              cv2.BORDER_CONSTANT, value=paper), text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed reads (default 50)")
    parser.add_argument("--photos", type=int, default=5, help="different photos (default 5)")
    args = parser.parse_args(argv)

    from mnist_desktop.pipeline.grey import to_grey
    from mnist_desktop.pipeline.line_finder import find_lines
    from mnist_desktop.reading.recognizer import Recognizer

    recognizer = Recognizer.load()
    photos = [photo(seed) for seed in range(args.photos)]
    for image, _ in photos:
        recognizer.read(image)  # warm-up: first calls trace and allocate
    times, stage = [], []
    for run in range(args.runs):
        image, _ = photos[run % len(photos)]
        start = time.perf_counter()
        recognizer.read(image)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        find_lines(to_grey(image))
        stage.append(time.perf_counter() - start)
    right = sum(recognizer.read(image).text == text for image, text in photos)
    median, p95 = 1000 * float(np.median(times)), 1000 * float(np.percentile(times, 95))
    print(f"photo: {photos[0][0].shape[1]}x{photos[0][0].shape[0]} px, 6 digits; "
          f"model: {recognizer.info.summary}")
    print(f"read: median {median:.1f} ms, 95th percentile {p95:.1f} ms "
          f"(finding the lines alone: {1000 * float(np.median(stage)):.1f} ms); "
          f"target < {TARGET_MS:.0f} ms: {'OK' if median < TARGET_MS else 'TOO SLOW'}")
    print(f"read right: {right} of {len(photos)} photos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
