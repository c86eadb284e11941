#!/usr/bin/env python3
"""How far "ok" can be trusted: error among accepted numbers against the share accepted.

Reads synthetic sheets (``number_accuracy.make_sheet``; ``--seed``: the tuning series
``TUNING_SEED`` calibrated the number confidence, the test series ``number_accuracy.SEED``
checks it) and, when present, the real cheque amounts of ``car-a-dev`` (measured only),
and prints for each threshold on the number's confidence the share of readings accepted
and how many of those are wrong, and the same for the reader's own "ok" status. Cheque
readers report their read rate at a fixed error rate; this is that curve.

    MNIST_DIR=../shared/data/mnist python benchmarks/number_confidence.py --sheets 300
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TUNING_SEED = 31337
THRESHOLDS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9)


def curve(rows: list[tuple[bool, float, str]], default: float) -> list[str]:
    """Markdown table: per threshold the share accepted and the error among them."""
    right = np.array([r[0] for r in rows], bool)
    conf = np.array([r[1] for r in rows], float)
    ok = np.array([r[2] == "ok" for r in rows], bool)
    out = ["| accepted when | share accepted | wrong among accepted |", "|---|---:|---:|"]
    for t in THRESHOLDS:
        take = conf >= t
        mark = " (default)" if abs(t - default) < 1e-9 else ""
        err = 100 * float(np.mean(~right[take])) if take.any() else 0.0
        out.append(f"| confidence ≥ {t:g}{mark} | {100 * float(np.mean(take)):.1f} % | "
                   f"{err:.1f} % |")
    err = 100 * float(np.mean(~right[ok])) if ok.any() else 0.0
    out.append(f"| status \"ok\" | {100 * float(np.mean(ok)):.1f} % | {err:.1f} % |")
    out.append(f"\nexact: {100 * float(np.mean(right)):.1f} % of {len(rows)}")
    return out


def read_sheets(recognizer, count: int, seed: int, mnist_dir: str | None
                ) -> list[tuple[bool, float, str, str, str]]:
    from number_accuracy import load_test_digits, make_sheet

    images, labels = load_test_digits(mnist_dir)
    rows = []
    for index in range(count):
        sheet = make_sheet(index, images, labels, seed)
        reading = recognizer.read(sheet.image)
        rows.append((reading.text == sheet.text, reading.confidence, reading.status,
                     sheet.text, reading.text))
    return rows


def read_real(recognizer, name: str) -> list[tuple[bool, float, str, str, str]] | None:
    import cv2
    from real_sets import real_set

    found = real_set(name)
    if found is None:
        return None
    rows = []
    for path, label in found:
        reading = recognizer.read(cv2.imread(str(path), cv2.IMREAD_COLOR))
        rows.append((reading.text == label, reading.confidence, reading.status, label,
                     reading.text))
    return rows


def tuning_lines(count: int, mnist_dir: str | None, seed: int = 4242
                 ) -> list[tuple[np.ndarray, str]]:
    """Synthetic cheque-style lines (``training.line_synth``) of MNIST *test* digits: the
    second tuning set (separators, marks, security patterns, touching digits)."""
    from number_accuracy import load_test_digits

    from mnist_desktop.training.line_synth import random_line

    images, labels = load_test_digits(mnist_dir)
    by_label = [np.nonzero(labels == d)[0] for d in range(10)]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        image, sequence = random_line(images, by_label, rng, low=2, high=7)
        out.append((image, "".join("?" if c == 10 else str(c) for c in sequence)))
    return out


def fit(recognizer, sheets: int, lines: int, mnist_dir: str | None,
        dump: str | None = None) -> None:
    """Fit the number confidence's logistic model on the tuning sets and print it."""
    from number_accuracy import load_test_digits, make_sheet

    from mnist_desktop.reading import line_reader, number_confidence

    seen: list = []
    original = line_reader.number_confidence

    def spy(evidence):  # noqa: ANN001, ANN202 - a test double
        seen.append(number_confidence.features(evidence))
        return original(evidence)

    line_reader.number_confidence = spy
    images, labels = load_test_digits(mnist_dir)
    pictures = [(s.image, s.text) for s in (make_sheet(i, images, labels, TUNING_SEED)
                                            for i in range(sheets))]
    pictures += tuning_lines(lines, mnist_dir)
    x, y = [], []
    for image, text in pictures:
        seen.clear()
        reading = recognizer.read(image)
        if seen and reading.is_number:
            x.append(seen[-1])
            y.append(reading.text == text)
    line_reader.number_confidence = original
    x_arr, y_arr = np.array(x), np.array(y, float)
    if dump:
        np.savez(dump, x=x_arr, y=y_arr)
    mean, std = x_arr.mean(axis=0), x_arr.std(axis=0) + 1e-9
    z = (x_arr - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(3000):  # logistic regression, L2 0.01, plain gradient descent
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.5 * (z.T @ (p - y_arr) / len(y_arr) + 0.01 * w)
        b -= 0.5 * float(np.mean(p - y_arr))
    weights = w / std
    bias = b - float(mean / std @ w)
    print(f"fitted on {len(y_arr)} tuning readings ({100 * y_arr.mean():.1f} % right)")
    print("WEIGHTS = np.array([" + ", ".join(f"{v:.4f}" for v in weights) + "])")
    print(f"BIAS = {bias:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=300, help="synthetic sheets (300)")
    parser.add_argument("--seed", type=int, default=TUNING_SEED,
                        help=f"sheet series (default the tuning series {TUNING_SEED})")
    parser.add_argument("--real", default="car-a-dev", help="real set ('' for none)")
    parser.add_argument("--mnist-dir", help="folder with the MNIST files (default $MNIST_DIR)")
    parser.add_argument("--dump", help="write every reading to this JSON file")
    parser.add_argument("--lines", type=int, default=0,
                        help="also synthetic cheque-style lines (tuning seed 4242)")
    parser.add_argument("--fit", action="store_true",
                        help="fit the number confidence on the tuning sets and print it")
    args = parser.parse_args(argv)

    from mnist_desktop.reading.recognizer import Recognizer

    recognizer = Recognizer.load()
    if args.fit:
        fit(recognizer, args.sheets, args.lines, args.mnist_dir, args.dump)
        return 0
    default = recognizer.min_number_confidence
    dump = {}
    if args.sheets:
        rows = read_sheets(recognizer, args.sheets, args.seed, args.mnist_dir)
        dump["sheets"] = rows
        print(f"## Synthetic sheets, series {args.seed}, {args.sheets} sheets\n")
        print("\n".join(curve([r[:3] for r in rows], default)) + "\n")
    if args.lines:
        rows = []
        for image, text in tuning_lines(args.lines, args.mnist_dir):
            reading = recognizer.read(image)
            rows.append((reading.text == text, reading.confidence, reading.status, text,
                         reading.text))
        dump["lines"] = rows
        print(f"## Synthetic cheque-style lines (tuning), {args.lines}\n")
        print("\n".join(curve([r[:3] for r in rows], default)) + "\n")
    real = read_real(recognizer, args.real) if args.real else None
    if real is not None:
        dump["real"] = real
        print(f"## {args.real} (real cheque amounts, measured only)\n")
        print("\n".join(curve([r[:3] for r in real], default)))
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump))
    return 0


if __name__ == "__main__":
    sys.exit(main())
