"""One stroke renderer for training data: pen paths -> a drawn image.

``digit_strokes(mnist_digit)`` gives the pen paths of an MNIST digit (thinned with
Zhang-Suen and traced, :mod:`synth_strokes`); ``mask_strokes(mask)`` does the same for any
ink mask (letters drawn with OpenCV's fonts). ``render_strokes(paths, width, ...)`` redraws
paths with a pen from thin ballpoint to marker: pen pressure (the width varies along the
stroke and tapers where the pen lands and lifts), slant, aspect and a smooth elastic
deformation of the paths. The digit model (re-drawn MNIST digits, forms MNIST barely has,
non-digits) and the line model can both draw with it.

Paths are lists of float32 (x, y) arrays, y down, in any unit; ``render_strokes`` fits them
to the height asked for. Images are uint8, ink bright (255) on black, as MNIST's are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.training.synth_strokes import _smooth, digit_paths, trace, zhang_suen

Paths = list[np.ndarray]


@dataclass(frozen=True)
class PenStyle:
    """How a hand draws: pen width (fraction of the ink height), pressure, slant, aspect."""

    width: float = 0.09
    pressure: float = 0.3
    """Relative variation of the width along a stroke (0: an even pen)."""
    slant: float = 0.0
    """Shear factor: positive leans the top to the right."""
    aspect: float = 1.0
    """Width multiplier of the paths (0.7: narrow, 1.3: wide)."""
    elastic: float = 0.0
    """Amplitude of the smooth deformation, as a fraction of the ink height."""
    angle: float = 0.0
    """Rotation in degrees."""


def random_style(rng: np.random.Generator) -> PenStyle:
    """A random hand: ballpoint (2 % of the height) to marker (16 %), pressure, slant, aspect."""
    return PenStyle(
        width=float(np.exp(rng.uniform(np.log(0.025), np.log(0.16)))),
        pressure=float(rng.uniform(0.0, 0.45)),
        slant=float(rng.normal(0.0, 0.18)),
        aspect=float(np.exp(rng.normal(0.0, 0.16))),
        elastic=float(rng.uniform(0.0, 0.045)),
        angle=float(rng.normal(0.0, 5.0)),
    )


def digit_strokes(mnist_digit: np.ndarray, rng: np.random.Generator | None = None) -> Paths:
    """Pen paths of a 28x28 MNIST digit in its pixel coordinates ([] when it has none)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    return digit_paths(mnist_digit, rng) or []


def mask_strokes(mask: np.ndarray, rng: np.random.Generator | None = None) -> Paths:
    """Pen paths (skeleton traced into smooth chains) of any boolean ink mask."""
    rng = rng if rng is not None else np.random.default_rng(0)
    mask = np.asarray(mask, bool)
    if not mask.any():
        return []
    radius = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    chains = trace(zhang_suen(mask), radius)
    wobble = np.stack([rng.uniform(0, 0.5, 2), rng.uniform(0.02, 0.06, 2),
                       rng.uniform(0, 2 * np.pi, 2)]).astype(np.float32)
    return [_smooth(c, wobble) for c in chains if len(c) > 1]


def resample(path: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` along a path (its ends kept)."""
    path = np.asarray(path, np.float32)
    if len(path) < 2:
        return path
    seg = np.hypot(*np.diff(path, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    if along[-1] <= step:
        return path
    at = np.linspace(0.0, along[-1], int(np.ceil(along[-1] / step)) + 1)
    return np.stack([np.interp(at, along, path[:, 0]),
                     np.interp(at, along, path[:, 1])], axis=1).astype(np.float32)


def _bounds(paths: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    every = np.concatenate([np.asarray(p, np.float32).reshape(-1, 2) for p in paths])
    return every.min(axis=0), every.max(axis=0)


def normalise(paths: Sequence[np.ndarray]) -> Paths:
    """Paths scaled so the ink is 1 tall, top-left at (0, 0) (the shape unchanged)."""
    low, high = _bounds(paths)
    scale = 1.0 / max(float(high[1] - low[1]), float(high[0] - low[0]) * 0.25, 1e-6)
    return [((np.asarray(p, np.float32) - low) * scale).astype(np.float32) for p in paths]


def deform(paths: Sequence[np.ndarray], amount: float, rng: np.random.Generator) -> Paths:
    """A smooth random (elastic) displacement of unit-height paths, ``amount`` high."""
    if amount <= 0:
        return [np.asarray(p, np.float32) for p in paths]
    k = 3
    freq = rng.uniform(1.0, 3.5, (2, k, 2)) * rng.choice([-1, 1], (2, k, 2)) * np.pi
    phase = rng.uniform(0, 2 * np.pi, (2, k))
    amp = rng.uniform(0.3, 1.0, (2, k)) * amount / np.sqrt(k)
    out = []
    for p in paths:
        q = resample(p, 0.02)
        shift = np.stack([(amp[a] * np.sin(q @ freq[a].T + phase[a])).sum(axis=1)
                          for a in range(2)], axis=1)
        out.append((q + shift).astype(np.float32))
    return out


def transform(paths: Sequence[np.ndarray], style: PenStyle) -> Paths:
    """Slant, aspect and rotation applied to paths (about the origin)."""
    rad = np.deg2rad(style.angle)
    rot = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]])
    linear = rot @ np.array([[1.0, -style.slant], [0.0, 1.0]]) @ np.diag([style.aspect, 1.0])
    return [(np.asarray(p, np.float32) @ linear.T).astype(np.float32) for p in paths]


def _widths(n: int, pressure: float, rng: np.random.Generator) -> np.ndarray:
    """Relative pen width at each of ``n`` points: smooth pressure and tapered ends."""
    if n == 1:
        return np.ones(1)
    noise = np.cumsum(rng.normal(0.0, 1.0, n)) / np.sqrt(n)
    noise = noise - noise.mean()
    bend = np.sin(np.linspace(0, np.pi * rng.uniform(0.5, 2.0), n) + rng.uniform(0, 6.3))
    rel = 1.0 + pressure * (0.6 * noise + 0.7 * bend)
    t = np.linspace(0.0, 1.0, n)
    lands = rng.uniform(0.0, 0.12)
    lifts = rng.uniform(0.0, 0.18)
    taper = np.minimum(1.0, np.minimum((t + 0.02) / max(lands, 0.02),
                                       (1.02 - t) / max(lifts, 0.02)))
    taper = 1.0 - pressure * 1.5 * (1.0 - taper)
    return np.clip(rel * taper, 0.3, 1.8)


def render_strokes(paths: Sequence[np.ndarray], width: float, *, height: int = 48,
                   style: PenStyle | None = None, rng: np.random.Generator | None = None,
                   margin: int | None = None) -> np.ndarray:
    """Draw pen paths ``height`` pixels tall with a pen ``width`` pixels wide.

    ``style`` adds pressure, slant, aspect, rotation and elastic deformation (its ``width``
    is not used: ``width`` is). Returns uint8, ink bright on black, with ``margin`` pixels
    of paper around the ink (default: a quarter of the height). Empty paths: a blank image.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    style = style or PenStyle(width=width / max(height, 1), pressure=0.0)
    margin = max(1, height // 4) if margin is None else margin
    paths = [np.asarray(p, np.float32).reshape(-1, 2) for p in paths if len(p)]
    if not paths:
        return np.zeros((height + 2 * margin, height + 2 * margin), np.uint8)
    unit = deform(normalise(paths), style.elastic, rng)
    unit = transform(unit, style)
    low, high = _bounds(unit)
    ink_h = max(height - width, 1.0)
    scale = ink_h / max(float(high[1] - low[1]), 1e-3)
    scale = min(scale, 3.0 * ink_h / max(float(high[0] - low[0]), 1e-3))
    placed = [(p - low) * scale + margin + width / 2 for p in unit]
    right = float(max(p[:, 0].max() for p in placed))
    bottom = float(max(p[:, 1].max() for p in placed))
    out_w = int(np.ceil(right + width / 2 + margin))
    out_h = int(np.ceil(bottom + width / 2 + margin))
    sup = int(np.clip(np.ceil(6.0 / max(width, 0.5)), 1, 4))
    canvas = np.zeros((out_h * sup, out_w * sup), np.uint8)
    for p in placed:
        p = resample(p, max(1.5, width * 0.5))
        rel = _widths(len(p), style.pressure, rng)
        q = np.round(p * sup * 16).astype(np.int32).tolist()
        if len(q) == 1:
            cv2.circle(canvas, q[0], int(round(width * sup * 8)), 255, -1, cv2.LINE_AA, 4)
        thick = np.maximum(1, np.round(width * sup * (rel[1:] + rel[:-1]) / 2)).astype(int)
        for a, b, t in zip(q[:-1], q[1:], thick.tolist(), strict=True):
            cv2.line(canvas, a, b, 255, t, cv2.LINE_AA, 4)  # thick lines have round caps
    if sup > 1:
        canvas = cv2.resize(canvas, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return canvas


def render_random(paths: Sequence[np.ndarray], rng: np.random.Generator,
                  height: int = 48) -> np.ndarray:
    """Paths drawn by a random hand (``random_style``) ``height`` pixels tall."""
    style = random_style(rng)
    return render_strokes(paths, max(1.0, style.width * height), height=height, style=style,
                          rng=rng)
