"""Augmentation of 28x28 model inputs: what real handwriting does to a digit.

Applied on the fly to every training batch: rotation, shear, zoom, aspect, small shifts
and perspective (one random warp), stroke thickness (dilate/erode and ink gamma), and now
and then a small gap in a stroke (a broken pencil line). Cheap: ~10 us a digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class AugmentConfig:
    rotation: float = 10.0
    """Maximum rotation in degrees."""
    shift: float = 1.5
    """Maximum shift in pixels (the pipeline centres digits; this covers its jitter)."""
    zoom: float = 0.1
    """Maximum relative change of size."""
    shear: float = 0.15
    """Maximum shear factor."""
    thickness: float = 0.3
    """Probability of changing the stroke thickness."""
    erase: float = 0.05
    """Probability of cutting a small gap into a stroke."""

    @property
    def enabled(self) -> bool:
        return any((self.rotation, self.shift, self.zoom, self.shear, self.thickness, self.erase))


NONE = AugmentConfig(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
_KERNEL = np.ones((2, 2), np.uint8)


def _warp_matrix(rng: np.random.Generator, config: AugmentConfig) -> np.ndarray:
    angle = np.deg2rad(rng.uniform(-config.rotation, config.rotation))
    zoom = 1.0 + rng.uniform(-config.zoom, config.zoom)
    aspect = 1.0 + rng.uniform(-config.zoom, config.zoom)
    shear = rng.uniform(-config.shear, config.shear)
    c, s = np.cos(angle), np.sin(angle)
    linear = np.array([[c, -s], [s, c]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    linear = linear @ np.diag([zoom * aspect, zoom])
    centre = np.array([13.5, 13.5])
    offset = centre - linear @ centre + rng.uniform(-config.shift, config.shift, 2)
    return np.hstack([linear, offset[:, None]]).astype(np.float32)


def augment_one(image: np.ndarray, rng: np.random.Generator,
                config: AugmentConfig = AugmentConfig()) -> np.ndarray:
    """One randomly changed copy of a uint8 28x28 digit (input untouched)."""
    out = cv2.warpAffine(image, _warp_matrix(rng, config), (28, 28), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    if rng.random() < config.thickness:
        choice = rng.integers(3)
        if choice == 0:
            out = cv2.dilate(out, _KERNEL)
        elif choice == 1 and np.count_nonzero(out > 128) > 60:
            out = cv2.erode(out, _KERNEL)
        else:
            gamma = rng.uniform(0.5, 1.8)
            out = (255.0 * (out / 255.0) ** gamma).astype(np.uint8)
    if rng.random() < config.erase:
        ys, xs = np.nonzero(out > 128)
        if len(ys):
            i = rng.integers(len(ys))
            r = int(rng.integers(1, 3))
            cv2.circle(out, (int(xs[i]), int(ys[i])), r, 0, -1)
    return out


def augment_batch(images: np.ndarray, rng: np.random.Generator,
                  config: AugmentConfig = AugmentConfig()) -> np.ndarray:
    """Augment a uint8 batch (N, 28, 28); returns float32 (N, 28, 28, 1) in [0, 1]."""
    if config.enabled:
        out = np.stack([augment_one(image, rng, config) for image in images])
    else:
        out = np.asarray(images)
    return (out.astype(np.float32) / 255.0)[..., None]
