"""Pen paths from MNIST digits: thinning, tracing into smooth strokes, and drawing them.

Helpers of :mod:`mnist_desktop.training.synth`. A digit is upscaled 2x, thresholded (keeping its
loops
open), thinned with Zhang-Suen, traced into chains between end points and junctions, smoothed and
re-drawn with an anti-aliased pen of any width.
"""

from __future__ import annotations

import cv2
import numpy as np

_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))  # P2 ... P9
_KERNEL = np.zeros((3, 3), np.float32)
for _i, (_dy, _dx) in enumerate(_RING):
    _KERNEL[1 + _dy, 1 + _dx] = 2**_i


def _removable() -> tuple[np.ndarray, np.ndarray]:
    """Zhang-Suen deletion rules of both sub-iterations as tables over the 8-neighbour code."""
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1
    count = bits.sum(axis=1)
    turns = ((bits == 0) & (np.roll(bits, -1, axis=1) == 1)).sum(axis=1)
    p2, _, p4, _, p6, _, p8, _ = bits.T
    base = (count >= 2) & (count <= 6) & (turns == 1)
    return (base & (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0),
            base & (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0))


_TABLES = _removable()


def zhang_suen(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to one-pixel-wide lines."""
    img = mask.astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for table in _TABLES:
            code = cv2.filter2D(img, cv2.CV_32F, _KERNEL, borderType=cv2.BORDER_CONSTANT)
            drop = table[code.astype(np.int32)] & (img == 1)
            if drop.any():
                img[drop] = 0
                changed = True
    return img.astype(bool)


def _link_table() -> list[tuple[int, ...]]:
    """Per 8-neighbour code: ring positions to link to, skipping a diagonal whenever one of the
    two 4-neighbours beside it is set (that path already connects the two pixels)."""
    table = []
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        table.append(tuple(i for i in range(8) if bits[i] and not (
            i % 2 and (bits[i - 1] or bits[(i + 1) % 8]))))
    return table


_LINKS = _link_table()


def _graph(skeleton: np.ndarray) -> dict[int, list[int]]:
    """Skeleton pixels (flat indices) and the pixels each one links to."""
    w = skeleton.shape[1]
    step = [dy * w + dx for dy, dx in _RING]
    img = skeleton.astype(np.uint8)
    codes = cv2.filter2D(img, cv2.CV_32F, _KERNEL, borderType=cv2.BORDER_CONSTANT)
    flat = np.flatnonzero(img)
    return {p: [p + step[i] for i in _LINKS[c]]
            for p, c in zip(flat.tolist(), codes.ravel()[flat].astype(int).tolist(), strict=True)}


def _tip(end: np.ndarray, inner: np.ndarray, radius: float) -> np.ndarray:
    way = end - inner
    return end + way / max(float(np.hypot(*way)), 1e-6) * 0.8 * radius


def trace(skeleton: np.ndarray, radius: np.ndarray) -> list[np.ndarray]:
    """Split a skeleton into chains of (x, y) points between end points and junctions.

    Short spurs are dropped. Chains that stop at a free end are lengthened by most of the stroke
    ``radius`` there, since thinning leaves the skeleton short of the stroke's real tip.
    """
    graph = _graph(skeleton)
    w, n = skeleton.shape[1], skeleton.size
    seen: set[int] = set()  # edges p-q as min * n + max
    passed: set[int] = set()  # pixels inside a chain
    chains = []

    def walk(start: int, nxt: int) -> list[int]:
        chain, prev, cur = [start, nxt], start, nxt
        seen.add(min(start, nxt) * n + max(start, nxt))
        while len(graph[cur]) == 2:
            passed.add(cur)
            a, b = graph[cur]
            step = a if b == prev else b
            key = min(cur, step) * n + max(cur, step)
            if key in seen:
                break
            seen.add(key)
            chain.append(step)
            prev, cur = cur, step
        return chain

    nodes = [p for p in graph if len(graph[p]) != 2]
    loops = [p for p in graph if len(graph[p]) == 2]
    for p in nodes + loops:  # end points and junctions first, then closed loops
        if p in passed:
            continue
        for q in graph[p]:
            if min(p, q) * n + max(p, q) not in seen:
                chains.append(walk(p, q))
    ends = {p for p in graph if len(graph[p]) == 1}
    size = radius.ravel()
    if max((len(c) for c in chains), default=0) >= 5:
        chains = [c for c in chains if not ((c[0] in ends) != (c[-1] in ends) and len(c) < max(
            5.0, 2.0 * size[c[-1] if c[0] in ends else c[0]]))]
    out = []
    for chain in chains:
        flat = np.array(chain)
        pts = np.stack([flat % w, flat // w], axis=1).astype(np.float32)
        if len(pts) > 1 and chain[0] in ends:
            pts = np.vstack([_tip(pts[0], pts[min(3, len(pts) - 1)], size[chain[0]]), pts])
        if len(pts) > 1 and chain[-1] in ends:
            pts = np.vstack([pts, _tip(pts[-1], pts[-min(4, len(pts))], size[chain[-1]])])
        out.append(pts)
    return out


def _smooth(chain: np.ndarray, wobble: np.ndarray) -> np.ndarray:
    """Smooth a pixel chain, bend it a little like a hand would and thin out its points."""
    pts = chain.copy()
    closed = len(pts) > 3 and np.abs(pts[0] - pts[-1]).max() <= 1
    for _ in range(7):
        if len(pts) < 3:
            break
        inner = (pts[:-2] + 2 * pts[1:-1] + pts[2:]) / 4
        pts = np.concatenate([pts[:1], inner, pts[-1:]])
        if closed:
            pts[0] = pts[-1] = (pts[1] + pts[-2]) / 2
    pts = pts + wobble[0] * np.sin(pts[:, ::-1] * wobble[1] + wobble[2])
    return pts if len(pts) < 5 else np.concatenate([pts[:-1:2], pts[-1:]])


def _holes(mask: np.ndarray) -> int:
    """Number of background regions of 3+ pixels enclosed by ink (4-connected background)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), None, 4)
    edge = set(labels[0].tolist() + labels[-1].tolist() + labels[:, 0].tolist()
               + labels[:, -1].tolist())
    return sum(1 for i in range(1, count) if i not in edge and stats[i, cv2.CC_STAT_AREA] >= 3)


def _ink_mask(big: np.ndarray, peak: float) -> np.ndarray:
    """Threshold the digit, raising the level where that opens loops (a thick 9 or 6)."""
    best = big >= 0.4 * peak
    parts = cv2.connectedComponents(best.astype(np.uint8), None, 8)[0]
    loops = _holes(best)
    for share in (0.55, 0.7):
        mask = big >= share * peak
        holes = _holes(mask)
        if holes > loops and cv2.connectedComponents(mask.astype(np.uint8), None, 8)[0] <= parts:
            best, loops = mask, holes
    return best


def digit_paths(digit: np.ndarray, rng: np.random.Generator) -> list[np.ndarray] | None:
    """Pen paths (x, y) of an MNIST digit in its 28x28 pixel coordinates; None if it has none."""
    if np.shape(digit) != (28, 28):
        raise ValueError(f"expected a 28x28 digit, got shape {np.shape(digit)}")
    big = cv2.resize(np.asarray(digit, np.float32), (56, 56), interpolation=cv2.INTER_LINEAR)
    peak = float(big.max())
    if peak <= 0:
        return None
    mask = _ink_mask(big, peak)
    radius = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    chains = trace(zhang_suen(mask), radius)
    if sum(len(c) for c in chains) < 6:
        return None
    wobble = np.stack([rng.uniform(0, 0.9, 2), rng.uniform(0.03, 0.12, 2),
                       rng.uniform(0, 2 * np.pi, 2)]).astype(np.float32)
    return [(_smooth(c, wobble) + 0.5) / 2 for c in chains]


def pen_width(height: float, rng: np.random.Generator) -> float:
    """A random pen width: thin ballpoint (1.5% of the digit height) to marker (15%)."""
    return float(height * np.exp(rng.uniform(np.log(0.015), np.log(0.15))))


def fit(paths: list[np.ndarray], height: float, pen: float, angle: float = 0.0,
        shear: float = 0.0, width: float | None = None) -> list[np.ndarray]:
    """Rotate, shear and scale paths so the inked digit is ``height`` tall (and fits ``width``).

    The result starts at (0, 0); add ``pen / 2`` to leave room for the pen.
    """
    rad = np.deg2rad(angle)
    rot = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]]) @ [[1, shear], [0, 1]]
    turned = [(p @ rot.T).astype(np.float32) for p in paths]
    every = np.concatenate(turned)
    low = every.min(axis=0)
    extent = np.maximum(every.max(axis=0) - low, 1e-3)
    scale = max(height - pen, 1.0) / extent[1]
    if width is not None:
        scale = min(scale, max(width - pen, 1.0) / extent[0])
    return [(p - low) * np.float32(scale) for p in turned]


def _chaikin(p: np.ndarray) -> np.ndarray:
    """One round of Chaikin corner cutting (keeps both end points)."""
    cut = np.empty((2 * len(p) - 2, 2), np.float32)
    cut[0::2] = 0.75 * p[:-1] + 0.25 * p[1:]
    cut[1::2] = 0.25 * p[:-1] + 0.75 * p[1:]
    return np.vstack([p[:1], cut, p[-1:]])


def draw(paths: list[np.ndarray], pen: float,
         rng: np.random.Generator) -> tuple[np.ndarray, tuple[int, int]]:
    """Draw (x, y) paths with a pen ``pen`` pixels wide whose width wobbles a little.

    Returns float32 coverage in [0, 1] and the image position of its top-left pixel.
    """
    every = np.concatenate(paths)
    x0, y0 = np.floor(every.min(axis=0) - pen / 2 - 1).astype(int)
    x1, y1 = np.ceil(every.max(axis=0) + pen / 2 + 1).astype(int)
    scale = int(np.clip(np.ceil(8 / pen), 1, 4))  # supersample thin pens: finer widths
    scale = max(1, min(scale, int((250_000 / ((y1 - y0) * (x1 - x0))) ** 0.5)))
    canvas = np.zeros(((y1 - y0) * scale, (x1 - x0) * scale), np.uint8)
    for p in paths:
        for _ in range(2):
            if len(p) < 3 or np.abs(np.diff(p, axis=0)).sum() < 6 * (len(p) - 1):
                break
            p = _chaikin(p)
        q = np.round((p - (x0, y0)) * scale * 16).astype(np.int32)
        widths = pen * scale * (1 + 0.12 * np.cumsum(rng.uniform(-1, 1, len(q))) / len(q) ** 0.5)
        for a, b, width in zip(q[:-1].tolist(), q[1:].tolist(), widths[1:].tolist(), strict=True):
            cv2.line(canvas, a, b, 255, max(1, round(width)), cv2.LINE_AA, 4)
        for i in (0, -1) if widths.max() > 3 or len(q) == 1 else ():  # round caps
            cv2.circle(canvas, q[i].tolist(), round(widths[i] * 8), 255, -1, cv2.LINE_AA, 4)
    if scale > 1:
        canvas = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    return canvas.astype(np.float32) * np.float32(1 / 255), (int(x0), int(y0))


def smooth_upscale(digit: np.ndarray, height_px: int) -> np.ndarray:
    """Fallback for digits without a usable skeleton: smooth upscale and soft threshold."""
    ys, xs = np.nonzero(digit)
    if len(ys) == 0:
        return np.zeros((max(height_px, 1), max(height_px // 2, 1)), np.float32)
    crop = np.asarray(digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], np.float32)
    scale = height_px / crop.shape[0]
    size = (max(1, round(crop.shape[1] * scale)), max(1, height_px))
    big = cv2.resize(crop, size, interpolation=cv2.INTER_CUBIC) / max(float(crop.max()), 1.0)
    return np.clip((big - 0.3) / 0.4, 0.0, 1.0).astype(np.float32)
