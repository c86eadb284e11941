"""Synthetic non-digits drawn as pen strokes, for outlier exposure.

Letters traced from OpenCV's Hershey fonts (drawn with ``cv2.putText``, thinned and traced
into pen paths), arrows, stars, crosses, ticks, L and T shapes, scribbles and overlapping
loops, all drawn by the one stroke renderer (``strokes.render_strokes``) with a random hand.
The digit model is trained to answer them with a uniform distribution over the ten digits,
so its top probability falls below the unsure threshold.

Training and test sets differ: the training set uses some fonts and seeds, the test set
(``split="test"``) other fonts, the italic variants, other seeds and some shapes never
trained on. Letters that are written like digits (O, I, l, S, Z, B, b, g, q, G...) are left
out: they are not a reasonable "not a digit".
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from mnist_desktop.training.strokes import Paths, mask_strokes, render_random

LETTERS = "ACEFHKMNPRUVWXYacefhkmnprtvwx"
"""Letters that no hand writes as a digit."""
TRAIN_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
               cv2.FONT_HERSHEY_SCRIPT_SIMPLEX)
TEST_FONTS = (cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
              cv2.FONT_HERSHEY_SIMPLEX | cv2.FONT_ITALIC,
              cv2.FONT_HERSHEY_COMPLEX | cv2.FONT_ITALIC)


def letter(rng: np.random.Generator, fonts: tuple[int, ...] = TRAIN_FONTS,
           letters: str = LETTERS) -> Paths:
    """One letter of a Hershey font, thinned and traced into pen paths."""
    char = letters[rng.integers(len(letters))]
    font = int(fonts[rng.integers(len(fonts))])
    canvas = np.zeros((140, 140), np.uint8)
    cv2.putText(canvas, char, (25, 105), font, 2.6, 255, int(rng.integers(2, 6)), cv2.LINE_8)
    return mask_strokes(canvas > 0, rng)


def _curve(points: list[tuple[float, float]], rng: np.random.Generator,
           jitter: float = 0.03, smooth: int = 2) -> np.ndarray:
    p = np.asarray(points, np.float32) + rng.normal(0, jitter, (len(points), 2)).astype(np.float32)
    for _ in range(smooth):
        cut = np.empty((2 * len(p) - 2, 2), np.float32)
        cut[0::2] = 0.75 * p[:-1] + 0.25 * p[1:]
        cut[1::2] = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.vstack([p[:1], cut, p[-1:]])
    return p


def _line(a: tuple[float, float], b: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return _curve([a, mid, b], rng, 0.02, 1)


def _turn(paths: Paths, rng: np.random.Generator, max_angle: float = 180.0) -> Paths:
    a = np.deg2rad(rng.uniform(-max_angle, max_angle))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return [(p - 0.5) @ rot.T + 0.5 for p in paths]


def arrow(rng: np.random.Generator) -> Paths:
    head = rng.uniform(0.15, 0.35)
    shaft = _line((0.0, 0.5), (1.0, 0.5), rng)
    wings = _curve([(1 - head, 0.5 - head), (1.0, 0.5), (1 - head, 0.5 + head)], rng, 0.02, 1)
    return _turn([shaft, wings], rng)


def star(rng: np.random.Generator) -> Paths:
    if rng.random() < 0.5:  # a pentagram in one stroke
        t = np.pi / 2 + np.arange(6) * 4 * np.pi / 5
        return [_curve([(0.5 + 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)) for a in t], rng, 0.03, 0)]
    n = int(rng.integers(3, 5))  # an asterisk
    angles = np.arange(n) * np.pi / n + rng.uniform(0, np.pi)
    return [_line((0.5 - 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)),
                  (0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)), rng) for a in angles]


def cross(rng: np.random.Generator) -> Paths:
    paths = [_line((0.0, 0.0), (1.0, 1.0), rng), _line((1.0, 0.0), (0.0, 1.0), rng)]
    return _turn(paths, rng, 45.0)


def tick(rng: np.random.Generator) -> Paths:
    low = (rng.uniform(0.3, 0.45), 1.0)
    return [_curve([(0.0, rng.uniform(0.5, 0.7)), low, (1.0, 0.0)], rng, 0.03, 1)]


def l_shape(rng: np.random.Generator) -> Paths:
    foot = rng.uniform(0.45, 1.0)
    # Upright only: an L turned over is a 7 without its slant.
    return _turn([_curve([(0.0, 0.0), (0.0, 1.0), (foot, 1.0)], rng, 0.02, 0)], rng, 12.0)


def t_shape(rng: np.random.Generator) -> Paths:
    x = rng.uniform(0.35, 0.65)
    return _turn([_line((0.0, 0.0), (1.0, 0.0), rng), _line((x, 0.0), (x, 1.0), rng)], rng, 12.0)


def scribble(rng: np.random.Generator) -> Paths:
    n = int(rng.integers(8, 15))
    return [_curve([tuple(p) for p in rng.uniform(0, 1, (n, 2))], rng, 0.0, 3)]


def loops(rng: np.random.Generator) -> Paths:
    """Three or four overlapping ellipses (two stacked ones would be an 8)."""
    out = []
    for _ in range(int(rng.integers(3, 5))):
        c = rng.uniform(0.25, 0.75, 2)
        r = rng.uniform(0.15, 0.3, 2)
        t = np.linspace(0, 2 * np.pi, 16) + rng.uniform(0, np.pi)
        out.append(_curve([(c[0] + r[0] * np.cos(a), c[1] + r[1] * np.sin(a)) for a in t],
                          rng, 0.01, 2))
    return out


def hash_sign(rng: np.random.Generator) -> Paths:
    return _turn([_line((0.3, 0.0), (0.25, 1.0), rng), _line((0.7, 0.0), (0.65, 1.0), rng),
                  _line((0.0, 0.33), (1.0, 0.33), rng), _line((0.0, 0.67), (1.0, 0.67), rng)],
                 rng, 15.0)


def zigzag(rng: np.random.Generator) -> Paths:
    n = int(rng.integers(4, 8))
    xs = np.linspace(0, 1, n)
    return _turn([_curve([(x, float(i % 2)) for i, x in enumerate(xs)], rng, 0.03, 0)], rng, 90.0)


TRAIN_SHAPES: tuple[Callable[[np.random.Generator], Paths], ...] = (
    arrow, star, cross, tick, l_shape, t_shape, scribble, loops)
TEST_SHAPES = (*TRAIN_SHAPES, hash_sign, zigzag)
"""The test set also holds shapes never trained on."""


def nondigit_paths(rng: np.random.Generator, split: str = "train") -> tuple[Paths, str]:
    """One random non-digit's pen paths and its kind (a letter or a shape's name)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    fonts = TRAIN_FONTS if split == "train" else TEST_FONTS
    shapes = TRAIN_SHAPES if split == "train" else TEST_SHAPES
    if rng.random() < 0.45:
        return letter(rng, fonts), "letter"
    make = shapes[rng.integers(len(shapes))]
    return make(rng), make.__name__


def nondigit_images(count: int, seed: int, split: str = "train",
                    height: int = 48) -> tuple[list[np.ndarray], list[str]]:
    """``count`` non-digits drawn by random hands: uint8 images (ink bright) and kinds."""
    rng = np.random.default_rng((seed, 0 if split == "train" else 1))
    images, kinds = [], []
    while len(images) < count:
        paths, kind = nondigit_paths(rng, split)
        if not paths:
            continue
        images.append(render_random(paths, rng, height))
        kinds.append(kind)
    return images, kinds
