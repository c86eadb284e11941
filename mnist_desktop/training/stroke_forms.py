"""Forms of digits MNIST barely has, made by editing pen paths.

MNIST's writers were American census staff: their 1s are bare strokes, their 7s are not
crossed, their 4s are closed. European and cursive hands write flagged and serif 1s,
crossed 7s, open 4s, looped 2s, round-topped 3s and 9s whose tail curls like a g. Here an
MNIST digit's paths (``strokes.digit_strokes``) get a flag, a base bar or a cross bar, and
the other forms are drawn from jittered templates; both are then drawn by
``strokes.render_strokes`` like every re-drawn digit.

All functions take and return unit paths (``strokes.normalise``: ink 1 tall, y down).
A flag stays moderate: short and falling steeply enough that it is not a 7's top bar.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mnist_desktop.training.strokes import Paths, normalise, resample


def _all(paths: Paths) -> np.ndarray:
    return np.concatenate(paths)


def _curve(points: list[tuple[float, float]], rng: np.random.Generator,
           jitter: float = 0.04) -> np.ndarray:
    """A smooth curve through jittered control points (Chaikin corner cutting)."""
    p = np.asarray(points, np.float32) + rng.normal(0, jitter, (len(points), 2)).astype(np.float32)
    for _ in range(3):
        cut = np.empty((2 * len(p) - 2, 2), np.float32)
        cut[0::2] = 0.75 * p[:-1] + 0.25 * p[1:]
        cut[1::2] = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.vstack([p[:1], cut, p[-1:]])
    return p


def flagged_one(paths: Paths, rng: np.random.Generator) -> Paths:
    """A 1 with a flag: a short up-stroke into its top, falling to the left (European 1)."""
    paths = normalise(paths)
    every = _all(paths)
    top = every[np.argmin(every[:, 1])]
    length = rng.uniform(0.22, 0.42)
    fall = np.deg2rad(rng.uniform(28, 60))  # below horizontal: a 7's bar is flat and long
    start = top + length * np.array([-np.cos(fall), np.sin(fall)], np.float32)
    bend = (start + top) / 2 + rng.normal(0, 0.02, 2).astype(np.float32)
    flag = _curve([tuple(start), tuple(bend), tuple(top)], rng, 0.01)
    out = [flag, *paths]
    if rng.random() < 0.35:
        out = serif_one(out, rng)
    return out


def serif_one(paths: Paths, rng: np.random.Generator) -> Paths:
    """A 1 standing on a base bar."""
    paths = normalise(paths)
    every = _all(paths)
    foot = every[np.argmax(every[:, 1])]
    half = rng.uniform(0.12, 0.25)
    tilt = rng.normal(0, 0.02)
    bar = _curve([(foot[0] - half, foot[1] - tilt), (foot[0], foot[1]),
                  (foot[0] + half * rng.uniform(0.8, 1.2), foot[1] + tilt)], rng, 0.01)
    return [*paths, bar]


def crossed_seven(paths: Paths, rng: np.random.Generator) -> Paths:
    """A 7 with a bar through its stem, about half-way down."""
    paths = normalise(paths)
    every = np.concatenate([resample(p, 0.02) for p in paths])
    level = rng.uniform(0.42, 0.62)
    near = every[np.abs(every[:, 1] - level) < 0.08]
    if len(near) == 0:
        return paths
    x = float(np.median(near[:, 0]))
    width = float(every[:, 0].max() - every[:, 0].min())
    half = max(0.12, rng.uniform(0.25, 0.45) * max(width, 0.4))
    tilt = rng.normal(0, 0.03)
    bar = _curve([(x - half * rng.uniform(0.7, 1.2), level + tilt), (x, level),
                  (x + half * rng.uniform(0.7, 1.2), level - tilt)], rng, 0.012)
    return [*paths, bar]


def open_four(rng: np.random.Generator) -> Paths:
    """A 4 whose top is open: the slanted stroke never meets the upright."""
    left = rng.uniform(0.0, 0.15)
    bar = rng.uniform(0.55, 0.7)
    right = rng.uniform(0.85, 1.0)
    stem_x = rng.uniform(0.6, 0.75)
    a = _curve([(rng.uniform(0.25, 0.45), 0.0), (left + 0.05, bar * 0.6), (left, bar),
                (stem_x, bar + rng.normal(0, 0.02)), (right, bar - rng.uniform(0, 0.05))], rng)
    b = _curve([(stem_x + rng.uniform(0.0, 0.08), rng.uniform(0.02, 0.3)),
                (stem_x + rng.normal(0, 0.02), 0.6), (stem_x - rng.uniform(0, 0.06), 1.0)], rng)
    return [a, b]


def looped_two(rng: np.random.Generator) -> Paths:
    """A 2 with a small loop where the diagonal meets the base."""
    y = rng.uniform(0.8, 0.9)
    return [_curve([(0.08, 0.28), (0.3, 0.02), (0.65, 0.0), (0.85, 0.18), (0.75, 0.45),
                    (0.35, 0.75), (0.18, y), (0.2, 1.0), (0.38, 0.98), (0.34, y - 0.04),
                    (0.2, y + 0.04), (0.4, 1.0), (rng.uniform(0.8, 1.0), 0.97)], rng, 0.025)]


def round_three(rng: np.random.Generator) -> Paths:
    """A 3 with a round top bowl and a round lower bowl."""
    mid = rng.uniform(0.42, 0.52)
    return [_curve([(0.1, 0.18), (0.45, 0.0), (0.85, 0.12), (0.8, mid - 0.12), (0.4, mid),
                    (0.85, mid + 0.12), (0.9, 0.82), (0.5, 1.0), (0.05, 0.85)], rng, 0.03)]


def curled_nine(rng: np.random.Generator) -> Paths:
    """A 9 whose tail curls to the left like a g."""
    r = rng.uniform(0.22, 0.3)
    cx, cy = 0.5, r + 0.02
    t = np.linspace(0.1, 2 * np.pi + 0.2, 12)
    loop = [(cx + r * np.cos(-a), cy + r * np.sin(-a)) for a in t]
    tail = [(cx + r, cy + 0.1), (cx + r * 0.9, 0.65), (cx + 0.05, 0.95),
            (cx - 0.25, rng.uniform(0.95, 1.0)), (cx - rng.uniform(0.3, 0.45), 0.82)]
    return [_curve(loop + tail, rng, 0.02)]


EDITS: dict[int, tuple[tuple[float, Callable[[Paths, np.random.Generator], Paths]], ...]] = {
    1: ((0.45, flagged_one), (0.15, serif_one)),
    7: ((0.35, crossed_seven),),
}
"""Per digit: (probability, edit of its MNIST paths)."""

TEMPLATES: dict[int, tuple[float, Callable[[np.random.Generator], Paths]]] = {
    2: (0.12, looped_two),
    3: (0.08, round_three),
    4: (0.25, open_four),
    9: (0.2, curled_nine),
}
"""Per digit: (probability, a template drawn instead of the MNIST digit)."""


def vary(label: int, paths: Paths, rng: np.random.Generator) -> tuple[Paths, str]:
    """The digit's paths, turned at random into a form MNIST lacks; returns (paths, form).

    ``form`` is ``"mnist"`` when the paths were left as they are.
    """
    u = rng.random()
    for p, edit in EDITS.get(label, ()):
        if u < p:
            return edit(paths, rng), edit.__name__
        u -= p
    if label in TEMPLATES and u < TEMPLATES[label][0]:
        make = TEMPLATES[label][1]
        return make(rng), make.__name__
    return paths, "mnist"
