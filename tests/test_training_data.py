"""Training data: augmentation as tight crops come, and the same data on any machine."""

from __future__ import annotations

import numpy as np

from mnist_desktop.pipeline.normalize import centre_of_mass
from mnist_desktop.training.augment import AugmentConfig, augment_batch, reshape_digit
from mnist_desktop.training.data import PHOTO_CHUNK, photo_inputs
from mnist_desktop.training.synth import tight_crop
from tests.test_crops import seven


def digit_28() -> np.ndarray:
    """A model input as the pipeline makes it: the 7 fitted into 20x20, centred in 28x28."""
    from mnist_desktop.pipeline.digit_input import model_input

    out = model_input(seven())
    assert out is not None
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)


def box(image: np.ndarray) -> tuple[int, int]:
    ys, xs = np.nonzero(image > 30)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


def test_reshaped_digits_are_stretched_squashed_or_cut_and_refitted():
    image = digit_28()
    before = image.copy()
    shapes = set()
    for seed in range(30):
        out = reshape_digit(image, np.random.default_rng(seed))
        assert out.shape == (28, 28) and out.dtype == np.uint8
        h, w = box(out)
        assert max(h, w) <= 22  # refitted into the 20x20 box (anti-aliased rims)
        cy, cx = centre_of_mass(out.astype(np.float64))
        assert abs(cy - 14) < 1.0 and abs(cx - 14) < 1.0
        shapes.add(w / h)
    np.testing.assert_array_equal(image, before)
    h, w = box(image)
    assert max(shapes) >= w / h + 0.15  # some stretched wider
    assert min(shapes) <= w / h - 0.15  # some squashed narrower


def test_augmentation_is_reproducible_and_reshape_can_be_turned_off():
    batch = np.stack([digit_28()] * 8)
    a = augment_batch(batch, np.random.default_rng(5))
    b = augment_batch(batch, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    only_reshape = AugmentConfig(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    assert only_reshape.enabled
    changed = augment_batch(batch, np.random.default_rng(1), only_reshape)
    assert not np.array_equal(changed[..., 0], batch / 255.0)


def test_synthetic_photos_do_not_depend_on_the_number_of_workers():
    digits = np.stack([tight_crop(seven(), 28, stretch=False)] * (PHOTO_CHUNK + 10))
    labels = np.full(len(digits), 7)
    one = photo_inputs(digits, labels, seed=3, workers=1)
    two = photo_inputs(digits, labels, seed=3, workers=2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert one[2] == two[2]
