"""Synthetic lines of handwritten digits for the line model, made from MNIST digits.

``render_line(digits, labels, rng)`` writes a string of MNIST digits as one line of writing
and photographs or scans it: touching and overlapping neighbours, varying size, slant,
baseline drift and stroke width; separators and marks that are no digits (``.`` ``,`` ``-``
``=`` ``/-``), underlines, printed boxes and baselines; European 1s (a flag) and 7s (a
bar) made by adding strokes; letters and scribbles (the label ``MARK``); backgrounds of
plain paper, wavy security patterns, ruled and squared paper, gradients and shadows; blur,
noise, low resolution and JPEG. The result is a grey uint8 picture and its label sequence.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from mnist_desktop.training.line_mix import DEFAULT_MIX, LineMix
from mnist_desktop.training.line_paper import degrade, photograph

MARK = 10
"""Label of a letter, a sign or a scribble: something written that is no digit."""
WORK_HEIGHT = 48
"""Digit height (pixels) at which a line is composed before it is photographed."""
LETTERS = "AEFHKMNPRUVWXYdefhkmnprvwxy&#%@?"
"""Letters and signs a digit reader must not take for digits (none that looks like one)."""


def random_text(rng: np.random.Generator, low: int = 1, high: int = 10) -> list[int]:
    """Digits of a random number: mostly 2-7 long, money-like trailing zeros now and then."""
    n = int(np.clip(round(rng.gamma(4.0, 1.1)), low, high))
    digits = [int(d) for d in rng.integers(0, 10, n)]
    if n >= 3 and rng.random() < 0.35:
        zeros = int(rng.integers(1, n))
        digits[n - zeros:] = [0] * zeros
    if digits[0] == 0 and n > 1 and rng.random() < 0.8:
        digits[0] = int(rng.integers(1, 10))
    return digits


def elastic(image: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Bend strokes the way another hand would: a smooth random displacement field of
    about ``amount`` pixels."""
    h, w = image.shape
    coarse = rng.normal(0.0, 1.0, (2, 4, 4)).astype(np.float32) * amount
    dx = cv2.resize(coarse[0], (w, h), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(coarse[1], (w, h), interpolation=cv2.INTER_CUBIC)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(image, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0.0)


def _glyph(digit: np.ndarray, height: float, stretch: float, shear: float,
           weight: float = 0.3, rng: np.random.Generator | None = None) -> np.ndarray:
    """The digit's ink (float32 0..1) cropped, scaled to ``height`` rows and sheared;
    ``weight`` (0.1 bold to 0.8 thin) is the grey level where the stroke's edge is put."""
    ys, xs = np.nonzero(digit > 30)
    if len(ys) == 0:
        return np.zeros((max(2, int(height)), 2), np.float32)
    crop = digit[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1].astype(np.float32) / 255.0
    h, w = crop.shape
    scale = height / h
    new_w = max(2, round(w * scale * stretch))
    new_h = max(2, round(height))
    big = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_CUBIC)
    if rng is not None and rng.random() < 0.5:
        big = elastic(big, rng, 0.06 * height)
    big = np.clip((big - weight) * 3.0, 0.0, 1.0)
    if abs(shear) > 1e-3:
        pad = int(math.ceil(abs(shear) * new_h)) + 1
        m = np.float32([[1, -shear, shear * new_h if shear > 0 else 0.0], [0, 1, 0]])
        big = cv2.warpAffine(big, m, (new_w + pad, new_h), flags=cv2.INTER_LINEAR)
        cols = np.nonzero(big.max(axis=0) > 0.05)[0]
        if len(cols):
            big = big[:, cols.min(): cols.max() + 1]
    return big


def _stroke(img: np.ndarray, pts: list[tuple[float, float]], width: float) -> None:
    """Draw a polyline of ink (1.0) into ``img`` with anti-aliasing (sub-pixel points)."""
    shift = 3
    arr = np.array([[round(x * 8), round(y * 8)] for x, y in pts], np.int32)
    cv2.polylines(img, [arr], False, 1.0, max(1, round(width)), cv2.LINE_AA, shift)


def _stroke_width(glyph: np.ndarray) -> float:
    ink = (glyph > 0.5).astype(np.uint8)
    if not ink.any():
        return 3.0
    d = cv2.distanceTransform(cv2.copyMakeBorder(ink, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                              cv2.DIST_L2, 3)
    return max(2.0, 4.0 * float(d[d > 0].mean()))


def _europeanise(glyph: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    """A flag on a 1 (up-stroke from the left), a bar through the stem of a 7."""
    h, w = glyph.shape
    width = _stroke_width(glyph)
    if label == 1:
        pad = int(0.45 * h)
        out = np.zeros((h, w + pad), np.float32)
        out[:, pad:] = glyph
        rows = np.nonzero(glyph[: max(2, h // 6)].max(axis=0) > 0.4)[0]
        top_x = pad + (float(rows.mean()) if len(rows) else w / 2)
        length = rng.uniform(0.25, 0.5) * h
        angle = math.radians(rng.uniform(20, 60))
        end = (top_x - length * math.cos(angle), length * math.sin(angle) + 1)
        _stroke(out, [end, (top_x, 1.0)], width)
        if rng.random() < 0.25:  # a foot
            _stroke(out, [(top_x - 0.25 * h + 0.1 * h, h - 2.0), (top_x + 0.25 * h, h - 2.0)],
                    width)
        cols = np.nonzero(out.max(axis=0) > 0.05)[0]
        return out[:, cols.min(): cols.max() + 1] if len(cols) else out
    out = glyph.copy()
    y = rng.uniform(0.45, 0.62) * h
    row = np.nonzero(glyph[int(y)] > 0.4)[0]
    cx = float(row.mean()) if len(row) else w / 2
    half = rng.uniform(0.18, 0.3) * h
    _stroke(out, [(cx - half, y + rng.uniform(-2, 2)), (cx + half, y + rng.uniform(-2, 2))],
            width)
    return out


def _letter(rng: np.random.Generator, height: float) -> np.ndarray:
    """A letter, sign or scribble about ``height`` tall (float32 ink)."""
    big = np.zeros((112, 140), np.float32)
    if rng.random() < 0.75:
        font = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                               cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_DUPLEX,
                               cv2.FONT_HERSHEY_TRIPLEX]))
        text = np.zeros(big.shape, np.uint8)
        cv2.putText(text, str(rng.choice(list(LETTERS))), (20, 90), font, 2.6, 255,
                    int(rng.integers(5, 12)), cv2.LINE_AA)
        big = text.astype(np.float32) / 255.0
    else:
        pts = rng.uniform(15, 125, (int(rng.integers(4, 12)), 2))
        pts[:, 1] = np.clip(pts[:, 1] * 0.8, 10, 100)
        _stroke(big, [tuple(p) for p in pts], float(rng.uniform(5, 11)))
    ys, xs = np.nonzero(big > 0.05)
    crop = big[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    scale = height / max(crop.shape[0], 0.6 * crop.shape[1])
    return cv2.resize(crop, (max(2, round(crop.shape[1] * scale)),
                             max(2, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)


def _mark(kind: str, height: float, width: float) -> np.ndarray:
    """A separator or trailing mark, drawn in a box ``height`` tall (the line's digits)."""
    h = int(round(height))
    if kind in (".", ","):
        w = max(3, int(width * 2.2))
        out = np.zeros((h, w), np.float32)
        cy = h - width * 1.2
        cv2.circle(out, (w // 2, int(cy)), max(1, int(width * 0.7)), 1.0, -1, cv2.LINE_AA)
        if kind == ",":
            _stroke(out, [(w / 2, cy), (w / 2 - width * 0.8, min(h - 1.0, cy + 0.22 * h))],
                    width)
        return out
    w = max(4, int(0.45 * h))
    out = np.zeros((h, w + 2), np.float32)
    if kind == "-":
        _stroke(out, [(1, 0.6 * h), (w, 0.57 * h)], width)
    elif kind == "=":
        _stroke(out, [(1, 0.48 * h), (w, 0.46 * h)], width)
        _stroke(out, [(1, 0.72 * h), (w, 0.70 * h)], width)
    else:  # "/"
        _stroke(out, [(1, 0.95 * h), (w, 0.1 * h)], width)
    return out


def _compose(parts: list[tuple[np.ndarray, float, float]], height: float
             ) -> tuple[np.ndarray, float]:
    """Place glyphs left to right: (ink, gap before it, baseline offset). Returns the ink
    canvas (float32) and the baseline row."""
    top_room = int(0.6 * height)
    rows = int(height * 2.2)
    total = int(sum(max(2, g.shape[1]) + gap for g, gap, _ in parts) + 4 * height)
    canvas = np.zeros((rows, max(8, total)), np.float32)
    x = 2 * height
    base = top_room + height
    for glyph, gap, drop in parts:
        x += gap
        gh, gw = glyph.shape
        y0 = int(round(base + drop - gh))
        x0 = int(round(x))
        y0 = int(np.clip(y0, 0, rows - gh))
        x0 = max(0, x0)
        region = canvas[y0: y0 + gh, x0: x0 + gw]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]], out=region)
        x += gw
    return canvas, base


def _crop(img: np.ndarray, ink: np.ndarray, height: float, rng: np.random.Generator,
          cut: bool) -> np.ndarray:
    """Crop around the ink with random margins (sometimes cutting into the digits)."""
    ys, xs = np.nonzero(ink > 0.3)
    if len(ys) == 0:
        return img
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    lo = -0.12 if cut else 0.0
    top = int(rng.uniform(lo, 0.45) * height)
    bottom = int(rng.uniform(lo, 0.45) * height)
    left = int(rng.uniform(lo / 2, 0.8) * height)
    right = int(rng.uniform(lo / 2, 0.8) * height)
    h, w = img.shape
    return img[max(0, y0 - top): min(h, y1 + bottom), max(0, x0 - left): min(w, x1 + right)]


def _frame(ink: np.ndarray, base: float, height: float, rng: np.random.Generator, mix: LineMix
           ) -> None:
    """Underline, printed baseline or box around the writing (drawn into ``ink``)."""
    ys, xs = np.nonzero(ink > 0.3)
    if len(ys) == 0:
        return
    x0, x1 = int(xs.min() - rng.uniform(0, 0.8) * height), int(xs.max() + rng.uniform(0, 0.8)
                                                               * height)
    if rng.random() < mix.underline:
        y = int(base + rng.uniform(0.02, 0.3) * height)
        thick = int(rng.integers(1, 4))
        if rng.random() < 0.5:
            x0, x1 = 0, ink.shape[1]
        cv2.line(ink, (max(0, x0), y), (x1, y + int(rng.integers(-2, 3))),
                 float(rng.uniform(0.5, 1.0)), thick, cv2.LINE_AA)
    if rng.random() < mix.box:
        top = int(base - height * rng.uniform(1.15, 1.5))
        bottom = int(base + height * rng.uniform(0.1, 0.35))
        cv2.rectangle(ink, (max(0, x0), max(0, top)), (x1, bottom), float(rng.uniform(0.5, 1)),
                      int(rng.integers(1, 3)), cv2.LINE_AA)


def render_line(digits: list[np.ndarray], labels: list[int], rng: np.random.Generator,
                mix: LineMix = DEFAULT_MIX) -> tuple[np.ndarray, list[int]]:
    """A grey picture (uint8) of ``digits`` (28x28 MNIST images) written as one line, and
    the label sequence the line model must read (``MARK`` for letters and scribbles)."""
    height = WORK_HEIGHT * rng.uniform(0.85, 1.15)
    shear = rng.normal(0.0, 0.18)
    stretch = rng.uniform(0.8, 1.3)
    touching = rng.random() < mix.touching
    weight = float(rng.choice([rng.uniform(0.1, 0.4), rng.uniform(0.4, 0.8)]))
    thickness = int(rng.choice([-1, 0, 0, 0, 0, 1])) if weight < 0.5 else int(
        rng.choice([-1, 0, 0]))
    drift = rng.normal(0.0, 0.06) * height
    wobble = rng.uniform(0.0, 0.06) * height
    parts: list[tuple[np.ndarray, float, float]] = []
    sequence: list[int] = []
    only_marks = rng.random() < mix.only_marks
    items: list[tuple[str, object]] = []
    if only_marks:
        items = [("letter", None) for _ in range(int(rng.integers(1, 6)))]
    else:
        items = [("digit", i) for i in range(len(digits))]
        if rng.random() < mix.letters:
            for _ in range(int(rng.integers(1, 3))):
                items.insert(int(rng.integers(0, len(items) + 1)), ("letter", None))
        n = len(digits)
        if n >= 4 and rng.random() < mix.separators:
            sep = "." if rng.random() < 0.7 else ","
            positions = [k for k in range(n - 3, 0, -3)]
            for k in positions:  # indices into the digit order, after which the separator goes
                at = next(j for j, it in enumerate(items) if it == ("digit", k - 1)) + 1
                items.insert(at, ("sep", sep))
        if rng.random() < mix.trailing_mark:
            items.append(("sep", str(rng.choice([".", "-", "=", ".-", ",-", "/-", ",", "-"]))))
    pen = None
    for k, (kind, value) in enumerate(items):
        size = height * rng.uniform(0.9, 1.1)
        drop = drift * (k / max(1, len(items) - 1) - 0.5) + rng.normal(0, wobble + 1e-6)
        overlap = touching and rng.random() < 0.75
        gap = rng.uniform(-0.02, 0.35) * height
        if kind == "digit":
            i = int(value)  # type: ignore[arg-type]
            glyph = _glyph(digits[i], size, stretch * rng.uniform(0.9, 1.1),
                           shear + rng.normal(0, 0.05), weight, rng)
            if labels[i] in (1, 7) and rng.random() < mix.european:
                glyph = _europeanise(glyph, labels[i], rng)
            if thickness:
                kernel = np.ones((3, 3), np.uint8)
                glyph = (cv2.dilate(glyph, kernel, iterations=thickness) if thickness > 0
                         else cv2.erode(glyph, kernel))
            pen = pen or _stroke_width(glyph)
            if overlap and parts:  # into the previous glyph by part of the narrower one
                gap = -rng.uniform(0.05, 0.3) * min(glyph.shape[1], parts[-1][0].shape[1])
            parts.append((glyph, gap, drop))
            sequence.append(int(labels[i]))
        elif kind == "letter":
            parts.append((_letter(rng, size * rng.uniform(0.6, 1.0)), abs(gap) + 0.1 * height,
                          drop))
            sequence.append(MARK)
        else:
            width = pen or max(2.0, 0.08 * height)
            for ch in str(value):
                parts.append((_mark(ch, size, width), rng.uniform(0.05, 0.3) * height, drop))
    ink, base = _compose(parts, height)
    _frame(ink, base, height, rng, mix)
    picture = photograph(ink, base, height, rng, mix)
    picture = _crop(picture, ink, height, rng, rng.random() < mix.cut_by_frame)
    return degrade(picture, height, rng), sequence


def random_line(images: np.ndarray, by_label: list[np.ndarray], rng: np.random.Generator,
                mix: LineMix = DEFAULT_MIX, low: int = 1, high: int = 10
                ) -> tuple[np.ndarray, list[int]]:
    """A random number written with ``images`` (MNIST digits; ``by_label[d]`` lists the
    indices of digit ``d``)."""
    text = random_text(rng, low, high)
    picks = [images[int(rng.choice(by_label[d]))] for d in text]
    return render_line(picks, text, rng, mix)
