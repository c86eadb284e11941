#!/usr/bin/env python3
"""``classify`` without options on photos of numbers: how many rows are ok with something
that is not the number (the default reads what is there: one digit, or a number).

Writes seeded synthetic sheets (``number_accuracy.make_sheet``, MNIST *test* digits, 2-6
digits) and as many single-digit photos to a temporary folder as PNGs, runs the batch
engine the way ``mnist-desktop classify DIR`` does (``--digit`` too, for comparison) and
counts per kind of picture: exact, ok, and ok but wrong.

    MNIST_DIR=../shared/data/mnist python benchmarks/classify_numbers.py --sheets 100
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 47190


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=100, help="photos of numbers (100)")
    parser.add_argument("--mnist-dir", help="folder with the MNIST files (default $MNIST_DIR)")
    args = parser.parse_args(argv)

    from number_accuracy import load_test_digits, make_sheet

    from mnist_desktop.batch import classify_paths
    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.synth import render_photo

    images, labels = load_test_digits(args.mnist_dir)
    recognizer = Recognizer.load()
    truth: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="classify-numbers-") as folder:
        rng = np.random.default_rng(SEED)
        for index in range(args.sheets):
            sheet = make_sheet(index, images, labels, SEED)
            name = f"number-{index:04d}.png"
            cv2.imwrite(str(Path(folder) / name), sheet.image)
            truth[name] = ("number", sheet.text.replace("\n", " "))
            k = int(rng.integers(len(images)))
            photo, _ = render_photo(images[k], rng, difficulty="easy")
            name = f"digit-{index:04d}.png"
            cv2.imwrite(str(Path(folder) / name), photo)
            truth[name] = ("digit", str(int(labels[k])))
        print(f"{args.sheets} photos of numbers, {args.sheets} photos of one digit\n")
        print("| mode | pictures | exact | ok | ok but wrong |\n|---|---|---:|---:|---:|")
        for mode in ("auto", "digit"):
            rows = classify_paths(recognizer, [folder], mode=mode)
            for kind in ("number", "digit"):
                mine = [r for r in rows if truth[Path(r.path).name][0] == kind]
                right = [r.prediction == truth[Path(r.path).name][1] for r in mine]
                ok = [r.status == "ok" for r in mine]
                wrong_ok = sum(o and not g for o, g in zip(ok, right, strict=True))
                flag = "(default)" if mode == "auto" else "--digit"
                print(f"| {flag} | {kind} | {100 * np.mean(right):.1f} % | "
                      f"{100 * np.mean(ok):.1f} % | {100 * wrong_ok / len(mine):.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
