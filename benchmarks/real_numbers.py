#!/usr/bin/env python3
"""Exact-number accuracy and speed of ``Recognizer.read`` on real cheque amounts.

Reads ``car-a-dev`` (403 real bank-cheque amounts, ``../shared/data/real`` or
``$MNIST_DESKTOP_REAL_DIR``; never trained on) exactly as a user's picture: the file
loaded with OpenCV, the public API called. An amount counts only when every digit is right
and nothing is extra (separators and marks are not digits). Prints the accuracy by length,
where the misses are (too few, too many, wrong digits), and the time per amount.

    python benchmarks/real_numbers.py [--failures]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from real_sets import real_set  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="car-a-dev", help="real set (default car-a-dev)")
    parser.add_argument("--model", help="digit model file (default: the bundled model)")
    parser.add_argument("--failures", action="store_true", help="list the misread amounts")
    args = parser.parse_args(argv)
    rows = real_set(args.set)
    if rows is None:
        print(f"{args.set} not found (../shared/data/real or $MNIST_DESKTOP_REAL_DIR): skipped")
        return 0

    from mnist_desktop.reading.recognizer import Recognizer

    recognizer = Recognizer.load(args.model)
    pictures = [(cv2.imread(str(path), cv2.IMREAD_COLOR), label, path.name)
                for path, label in rows]
    recognizer.read(pictures[0][0])  # warm-up: loads the line model, traces the call
    by_length: dict[int, list[bool]] = {}
    misses = {"too few digits": 0, "too many digits": 0, "right count, wrong digit(s)": 0}
    times, failures = [], []
    for image, label, name in pictures:
        start = time.perf_counter()
        text = recognizer.read(image).text
        times.append(time.perf_counter() - start)
        ok = text == label
        by_length.setdefault(len(label), []).append(ok)
        if not ok:
            got = text.replace("\n", "")
            key = ("too few digits" if len(got) < len(label) else "too many digits"
                   if len(got) > len(label) else "right count, wrong digit(s)")
            misses[key] += 1
            failures.append((name, label, text))
    every = [ok for oks in by_length.values() for ok in oks]
    print(f"Set: {args.set}, {len(every)} real amounts; digit model {recognizer.info.summary}; "
          f"line model {recognizer.line_model.path.name if recognizer.line_model else 'none'}\n")
    print("| digits | amounts | read exactly |\n|---|---|---|")
    for length in sorted(by_length):
        oks = by_length[length]
        print(f"| {length} | {len(oks)} | {100 * np.mean(oks):.1f} % |")
    print(f"| **all** | {len(every)} | **{100 * np.mean(every):.1f} %** |\n")
    print("| misread amounts | count |\n|---|---|")
    for key, count in misses.items():
        print(f"| {key} | {count} |")
    width = int(np.median([p[0].shape[1] for p in pictures]))
    height = int(np.median([p[0].shape[0] for p in pictures]))
    print(f"\nTime per amount (`read`, median picture {width}x{height} px): median "
          f"{1000 * float(np.median(times)):.1f} ms, 95th percentile "
          f"{1000 * float(np.percentile(times, 95)):.1f} ms")
    if args.failures:
        for name, want, got in failures:
            print(f"{name}: want {want!r}, read {got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
