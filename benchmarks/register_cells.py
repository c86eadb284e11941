#!/usr/bin/env python3
"""Clutter is not handwriting: exact reads of synthetic register cells.

Each cell (``mnist_desktop.training.register_cells``) is a number of 1-5 MNIST *test*
digits in a ruled cell of a scanned register: the cell's rules, often its side rules, a
black scanner border, small printed text, specks. Every cell is read the way the app reads
a picture by default (``read_as(image, "auto")``: one digit or a number); a cell counts
when the text is exact. Prints the exact share overall and per kind of clutter, and how
many readings marked ok are wrong.

    MNIST_DIR=../shared/data/mnist python benchmarks/register_cells.py --cells 200
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 90210


def answer_text(reading) -> str:  # noqa: ANN001 - a Reading
    return reading.text if reading.is_number else reading.label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200, help="number of cells (200)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"series seed ({SEED})")
    parser.add_argument("--mnist-dir", help="folder with the MNIST files (default $MNIST_DIR)")
    parser.add_argument("--failures", action="store_true", help="list the misread cells")
    args = parser.parse_args(argv)

    from number_accuracy import load_test_digits

    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.register_cells import CLUTTER, random_cell

    images, labels = load_test_digits(args.mnist_dir)
    recognizer = Recognizer.load()
    rows = []
    for index in range(args.cells):
        cell = random_cell(images, labels, np.random.default_rng([args.seed, index]))
        reading = recognizer.read_as(cell.image, "auto")
        rows.append((cell, answer_text(reading), reading.status))
    right = np.array([text == cell.text for cell, text, _ in rows])
    ok = np.array([status == "ok" for _, _, status in rows])
    print(f"Register cells: {args.cells} (seed {args.seed})\n")
    print("| cells | count | read exactly |\n|---|---:|---:|")
    print(f"| **all** | {len(rows)} | **{100 * right.mean():.1f} %** |")
    for name in CLUTTER:
        has = np.array([name in cell.clutter for cell, _, _ in rows])
        if has.any():
            print(f"| with {name} | {int(has.sum())} | {100 * right[has].mean():.1f} % |")
    for count in range(1, 6):
        has = np.array([len(cell.text) == count for cell, _, _ in rows])
        if has.any():
            print(f"| {count} digit(s) | {int(has.sum())} | {100 * right[has].mean():.1f} % |")
    wrong_ok = 100 * float(np.mean(~right[ok])) if ok.any() else 0.0
    print(f"\nmarked ok: {100 * ok.mean():.1f} %, of which wrong {wrong_ok:.1f} %")
    if args.failures:
        for index, (cell, text, status) in enumerate(rows):
            if text != cell.text:
                print(f"cell {index} {cell.clutter}: want {cell.text!r}, read {text!r} "
                      f"({status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
