#!/usr/bin/env python3
"""Accuracy on tight crops: digits whose ink reaches the picture's edges.

Real digit sets (form-field crops, scanner exports, USPS, optdigits, ARDIS) give the digit
cut to its ink, often stretched to fill the frame. This reads, the app's way
(``Recognizer.recognize_many``):

- a folder of real crops with a ``labels.csv`` (``filename,label``; images under
  ``images/``), e.g. ``../shared/data/real/ardis-dev`` (``--real``; measured, never trained on);
- MNIST *test* digits cut to their ink's bounding box and resized to 16x16 (USPS-like)
  and 32x32 (optdigits-like), keeping the aspect ratio (padded) or stretched to fill.

"No digit found" counts as wrong; unsure answers are counted right when the best guess is
right and reported separately. Prints a markdown table.

    .venv/bin/python benchmarks/crop_accuracy.py [--real DIR] [--count 2000]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REAL = REPO.parent / "shared" / "data" / "real" / "ardis-dev"
FIRST = 2000
"""MNIST test digits from here on (train.py's realistic-photo figure uses 0-2999 as photos,
photo_accuracy.py 5000 onwards; crops of the plain digits are a different test)."""


def read_folder(folder: Path) -> tuple[list[np.ndarray], np.ndarray]:
    with open(folder / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    images = [cv2.imread(str(folder / "images" / row["filename"]), cv2.IMREAD_UNCHANGED)
              for row in rows]
    return images, np.array([int(row["label"]) for row in rows])


def score(recognizer: object, name: str, images: list[np.ndarray], labels: np.ndarray
          ) -> np.ndarray:
    start = time.perf_counter()
    results = recognizer.recognize_many(images)  # type: ignore[attr-defined]
    ms = (time.perf_counter() - start) * 1000 / max(1, len(images))
    digits = np.array([-1 if r.digit is None else r.digit for r in results])
    unsure = np.array([r.status == "unsure" for r in results])
    right = digits == labels
    print(f"| {name} | {len(images)} | {np.mean(right):.2%} | {np.mean(right & ~unsure):.2%} "
          f"| {np.sum(digits < 0)} | {int(unsure.sum())} | {ms:.2f} |", flush=True)
    return digits


def confusions(name: str, digits: np.ndarray, labels: np.ndarray) -> None:
    """Per-digit accuracy and the confusions left (best guesses; -1: no digit found)."""
    per = [np.mean(digits[labels == d] == d) for d in range(10)]
    print(f"\n{name} per digit: " + ", ".join(f"{d}: {a:.1%}" for d, a in enumerate(per)))
    pairs: dict[tuple[int, int], int] = {}
    for truth, guess in zip(labels.tolist(), digits.tolist(), strict=True):
        if truth != guess:
            pairs[(truth, guess)] = pairs.get((truth, guess), 0) + 1
    worst = sorted(pairs.items(), key=lambda kv: -kv[1])[:12]
    print("confusions left: " + ", ".join(
        f"{t} read as {'nothing' if g < 0 else g}: {n}" for (t, g), n in worst) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=str(DEFAULT_REAL),
                        help="folder of real crops with labels.csv ('' to skip)")
    parser.add_argument("--count", type=int, default=2000, help="MNIST test digits per row")
    parser.add_argument("--model", help="model file (default: the bundled model)")
    args = parser.parse_args(argv)

    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist
    from mnist_desktop.training.synth import tight_crop

    recognizer = Recognizer.load(args.model)
    print(f"model {recognizer.info.summary}\n")
    print("| set | images | accuracy | sure and right | no digit | unsure | ms per image |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    if args.real and (Path(args.real) / "labels.csv").is_file():
        images, labels = read_folder(Path(args.real))
        digits = score(recognizer, Path(args.real).name, images, labels)
        real_confusions = (Path(args.real).name, digits, labels)
    else:
        real_confusions = None
    try:
        data = load_mnist()
    except MnistDataError as error:
        print(f"\n(MNIST crops skipped: {error})")
        data = None
    if data is not None:
        mnist_crops(recognizer, data, args.count, tight_crop)
    if real_confusions is not None:
        confusions(*real_confusions)
    return 0


def mnist_crops(recognizer: object, data: object, count: int, tight_crop: object) -> None:
    digits = data.x_test[FIRST : FIRST + count]  # type: ignore[attr-defined]
    labels = data.y_test[FIRST : FIRST + count]  # type: ignore[attr-defined]
    for side in (16, 32):
        for stretch in (False, True):
            crops = [tight_crop(d, side, stretch=stretch) for d in digits]  # type: ignore[operator]
            name = f"MNIST test, tight {side}x{side}" + (", stretched" if stretch else "")
            score(recognizer, name, crops, labels)


if __name__ == "__main__":
    raise SystemExit(main())
