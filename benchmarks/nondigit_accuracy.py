#!/usr/bin/env python3
"""Non-digits are not digits: how many synthetic non-digits come back as an ok digit.

The test set is ``training/nondigits.py``'s ``split="test"``: letters of other Hershey fonts
than training used (and their italics), arrows, stars, crosses, ticks, L and T shapes,
scribbles, overlapping loops, and two shapes never trained on (# and zigzags), with other
seeds, drawn as pen strokes by random hands. Each is read two ways, as the app reads:

- ``canvas``: dark ink on a 280x280 white canvas, like the Draw tab's picture;
- ``crop``: a small picture cut close around the ink (28-64 px), like a data-set crop;

through ``recognize()`` and through ``read_as(image, "auto")`` (what every tab uses). A
non-digit passes when it comes back ``unsure`` or ``no_digit``. For the other side of the
trade, MNIST *test* digits re-drawn the same way (same renderer, no rarer forms) are read
too: their accuracy and how many come back ok. Prints a markdown table.

    .venv/bin/python benchmarks/nondigit_accuracy.py [--count 600] [--seed 0] [--model FILE]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

CANVAS = 280


def on_canvas(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bright-on-black ink as dark ink on a white 280x280 canvas, somewhere near the middle."""
    h, w = ink.shape
    scale = min(1.0, (CANVAS - 20) / max(h, w))
    if scale < 1.0:
        import cv2

        ink = cv2.resize(ink, (max(1, int(w * scale)), max(1, int(h * scale))),
                         interpolation=cv2.INTER_AREA)
        h, w = ink.shape
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    y = int(rng.integers(0, CANVAS - h + 1))
    x = int(rng.integers(0, CANVAS - w + 1))
    canvas[y : y + h, x : x + w] = ink
    return 255 - canvas


def as_crop(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bright-on-black ink cut close (a pixel or two of paper), dark on white."""
    ys, xs = np.nonzero(ink > 40)
    if len(ys) == 0:
        return 255 - ink
    pad = int(rng.integers(0, 3))
    y0, x0 = max(0, ys.min() - pad), max(0, xs.min() - pad)
    return 255 - ink[y0 : ys.max() + 1 + pad, x0 : xs.max() + 1 + pad]


def pictures(ink: list[np.ndarray], seed: int, style: str) -> list[np.ndarray]:
    rng = np.random.default_rng((seed, 99))
    return [on_canvas(i, rng) if style == "canvas" else as_crop(i, rng) for i in ink]


def read_both(recognizer: object, images: list[np.ndarray]) -> tuple[list, list]:
    direct = recognizer.recognize_many(images)  # type: ignore[attr-defined]
    auto = [recognizer.read_as(image, "auto") for image in images]  # type: ignore[attr-defined]
    return direct, auto


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="non-digits per style")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", help="model file (default: the bundled model)")
    parser.add_argument("--digits", type=int, default=600,
                        help="re-drawn MNIST test digits per style (0 skips)")
    args = parser.parse_args(argv)

    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.nondigits import nondigit_images

    recognizer = Recognizer.load(args.model)
    print(f"model {recognizer.info.summary}\n")
    rng = np.random.default_rng(args.seed)
    heights = rng.integers(40, 200, args.count)
    ink, kinds = [], []
    for i, h in enumerate(heights):
        images, names = nondigit_images(1, 1_000_000 + args.seed * 10_000 + i, "test", int(h))
        ink += images
        kinds += names
    print("| non-digits (held-out set) | pictures | ok digit via recognize() | "
          "ok via read_as auto | unsure or no digit, both |")
    print("|---|---:|---:|---:|---:|")
    failures: Counter[str] = Counter()
    for style in ("canvas", "crop"):
        direct, auto = read_both(recognizer, pictures(ink, args.seed, style))
        ok_direct = np.array([r.status == "ok" for r in direct])
        ok_auto = np.array([r.status == "ok" for r in auto])
        for kind, bad in zip(kinds, ok_direct | ok_auto, strict=True):
            failures[f"{style}:{kind}"] += int(bad)
        print(f"| {style} | {len(ink)} | {ok_direct.mean():.1%} | {ok_auto.mean():.1%} | "
              f"{np.mean(~ok_direct & ~ok_auto):.1%} |", flush=True)
    counts = Counter(kinds)
    worst = [f"{k} {n}/{counts[k.split(':')[1]]}" for k, n in failures.most_common(8) if n]
    print(f"\nread as an ok digit most often: {', '.join(worst) or 'none'}")
    if args.digits:
        digits_side(recognizer, args)
    return 0


def digits_side(recognizer: object, args: argparse.Namespace) -> None:
    """The same renderer's MNIST test digits: still read, still sure."""
    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist
    from mnist_desktop.training.strokes import digit_strokes, render_random

    try:
        data = load_mnist()
    except MnistDataError as error:
        print(f"\n(re-drawn MNIST digits skipped: {error})")
        return
    rng = np.random.default_rng((args.seed, 5))
    first = 7000  # test digits not used by the other benchmarks' rows
    labels = data.y_test[first : first + args.digits]
    ink = [render_random(digit_strokes(d, rng), rng, int(rng.integers(40, 200)))
           for d in data.x_test[first : first + args.digits]]
    print("\n| MNIST test digits re-drawn as strokes | pictures | accuracy | ok and right "
          "(recognize) | ok and right (read_as auto) |")
    print("|---|---:|---:|---:|---:|")
    for style in ("canvas", "crop"):
        direct, auto = read_both(recognizer, pictures(ink, args.seed, style))
        right = np.array([r.digit == y for r, y in zip(direct, labels, strict=True)])
        ok = np.array([r.status == "ok" for r in direct])
        auto_ok = np.array([r.status == "ok" and r.answer == str(y)
                            for r, y in zip(auto, labels, strict=True)])
        print(f"| {style} | {len(ink)} | {right.mean():.2%} | {np.mean(right & ok):.2%} | "
              f"{auto_ok.mean():.2%} |", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
