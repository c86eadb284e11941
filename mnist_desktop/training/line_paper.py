"""Paper and camera for the synthetic lines: backgrounds (plain, wavy security patterns,
ruled and squared paper, gradients, shadows), ink on them, and the photograph's blur,
resolution and JPEG. Used by :mod:`mnist_desktop.training.line_synth`."""

from __future__ import annotations

import math

import cv2
import numpy as np

from mnist_desktop.training.line_mix import LineMix


def _security(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A wavy guilloche-like pattern of fine lines (float32, 0..1)."""
    h, w = shape
    out = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(int(rng.integers(1, 3))):
        period = rng.uniform(0.6, 2.5) * h
        amp = rng.uniform(0.05, 0.6) * h
        spacing = rng.uniform(0.07, 0.25) * h
        tilt = rng.uniform(-0.6, 0.6)
        phase = rng.uniform(0, 2 * math.pi)
        field = (yy + tilt * xx + amp * np.sin(2 * math.pi * xx / period + phase)) / spacing
        frac = np.abs(field - np.round(field))
        thick = rng.uniform(0.06, 0.2)
        out = np.maximum(out, np.clip(1.0 - frac / thick, 0.0, 1.0))
    if rng.random() < 0.3:  # a fine dot screen
        step = int(rng.integers(3, 6))
        dots = np.zeros((h, w), np.float32)
        dots[::step, ::step] = 1.0
        out = np.maximum(out, cv2.GaussianBlur(dots, (3, 3), 0.6) * 2.0)
    return np.clip(out, 0.0, 1.0)


def _ruled(shape: tuple[int, int], base: float, height: float, rng: np.random.Generator
           ) -> np.ndarray:
    h, w = shape
    out = np.zeros((h, w), np.float32)
    spacing = rng.uniform(0.8, 1.6) * height
    start = base + rng.uniform(-0.1, 0.3) * height
    ys = np.arange(start % spacing, h, spacing)
    for y in ys:
        cv2.line(out, (0, int(y)), (w, int(y + rng.uniform(-2, 2))), 1.0, 1, cv2.LINE_AA)
    if rng.random() < 0.5:  # squared paper
        for x in np.arange(rng.uniform(0, spacing), w, spacing):
            cv2.line(out, (int(x), 0), (int(x), h), 1.0, 1, cv2.LINE_AA)
    return out


def photograph(ink: np.ndarray, base: float, height: float, rng: np.random.Generator,
               mix: LineMix) -> np.ndarray:
    """Put ``ink`` (float32 0..1) on paper and photograph it: grey uint8."""
    h, w = ink.shape
    paper = rng.uniform(120, 240)
    contrast = rng.uniform(0.35, 0.95) * paper
    img = np.full((h, w), paper, np.float32)
    if rng.random() < 0.5:  # lighting gradient
        gx, gy = rng.uniform(-0.25, 0.25, 2)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        img *= 1.0 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5)
    if rng.random() < mix.security:
        img -= _security((h, w), rng) * rng.uniform(0.06, 0.3) * paper
    elif rng.random() < mix.ruled / max(1e-6, 1 - mix.security):
        img -= _ruled((h, w), base, height, rng) * rng.uniform(0.1, 0.4) * paper
    if rng.random() < 0.15:  # a soft shadow
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = rng.uniform(0.3, 1.0) * w
        img *= 1.0 - rng.uniform(0.1, 0.35) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / r**2)
    ink_alpha = ink * rng.uniform(0.75, 1.0)
    img = img * (1.0 - ink_alpha) + (img - contrast) * ink_alpha
    img += rng.normal(0, rng.uniform(1.0, 7.0), (h, w)).astype(np.float32)
    if rng.random() < mix.inverted:
        img = 255.0 - img
    return np.clip(img, 0, 255).astype(np.uint8)


def degrade(img: np.ndarray, height: float, rng: np.random.Generator) -> np.ndarray:
    """Blur, bring the digits to a random size in pixels, compress as JPEG."""
    sigma = rng.uniform(0.0, 1.4)
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    target = rng.uniform(12, 60)
    scale = target / height
    size = (max(8, round(img.shape[1] * scale)), max(8, round(img.shape[0] * scale)))
    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    if rng.random() < 0.7:
        quality = int(rng.integers(25, 95))
        ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return img
