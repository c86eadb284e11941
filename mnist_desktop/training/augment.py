"""Augmentation of 28x28 model inputs: what real handwriting does to a digit.

Applied on the fly to every training batch: rotation, shear, zoom, aspect, small shifts
and perspective (one random warp), stroke thickness (dilate/erode and ink gamma), and now
and then a small gap in a stroke (a broken pencil line). Cheap: ~10 us a digit.

Now and then the digit is also reshaped the way real crops come (``reshape``): stretched
to fill its box (data sets that resize every digit to a square), squashed (a narrow form
field), or cut by the frame (a tight crop that lost an edge of the digit). Each is refitted
the pipeline's way (longest side 20, centre of mass at the centre), as the app would.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.pipeline.normalize import normalize_digit


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
    reshape: float = 0.15
    """Probability of stretching the digit to fill its box, squashing it or cutting it."""

    @property
    def enabled(self) -> bool:
        return any((self.rotation, self.shift, self.zoom, self.shear, self.thickness, self.erase,
                    self.reshape))


NONE = AugmentConfig(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
RESHAPE_SCALE = 4
"""Reshaped digits are thresholded at 4x (as the pipeline thresholds at its work size)."""
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


def reshape_digit(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit stretched to fill its box, squashed, or cut by the frame (chosen at random),
    then normalised exactly as the pipeline normalises a crop (ink mask, strokes brought to
    MNIST's width, 20x20, centre of mass at the centre). uint8 28x28; input untouched.
    """
    ys, xs = np.nonzero(image > 30)
    if len(ys) < 10:
        return image
    ink = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = ink.shape[0] * RESHAPE_SCALE, ink.shape[1] * RESHAPE_SCALE
    kind = rng.integers(3)
    if kind == 0:  # stretched: the short side grows towards the long one
        grow = rng.uniform(0.5, 1.0)
        h, w = (h, round(w + grow * (h - w))) if h >= w else (round(h + grow * (w - h)), w)
    elif kind == 1:  # squashed along one axis
        f = rng.uniform(0.55, 0.85)
        h, w = (max(4, round(h * f)), w) if rng.random() < 0.5 else (h, max(4, round(w * f)))
    big = cv2.resize(ink, (max(1, w), max(1, h)), interpolation=cv2.INTER_CUBIC)
    if kind == 2:  # cut by the frame on one side
        side = rng.integers(4)
        n = max(1, round(rng.uniform(0.06, 0.2) * (h if side < 2 else w)))
        big = (big[n:], big[:-n], big[:, n:], big[:, :-n])[side]
    normalized = normalize_digit(np.where(big >= 128, 255, 0).astype(np.uint8))
    if normalized is None:
        return image
    return np.clip(normalized[1] * 255.0 + 0.5, 0, 255).astype(np.uint8)


def augment_one(image: np.ndarray, rng: np.random.Generator,
                config: AugmentConfig = AugmentConfig()) -> np.ndarray:
    """One randomly changed copy of a uint8 28x28 digit (input untouched)."""
    if rng.random() < config.reshape:
        image = reshape_digit(image, rng)
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
