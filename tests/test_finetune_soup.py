"""Teaching averages several short fine-tunes (a model soup) and replays non-digits."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.training.finetune import (
    NOT_A_DIGIT,
    STEPS_PER_EPOCH,
    FinetuneConfig,
    targets,
)


def test_the_members_share_the_work_of_the_epochs():
    config = FinetuneConfig(epochs=10, members=3)
    steps = [config.member_steps(m) for m in range(config.member_count)]
    assert sum(steps) == config.steps == 10 * STEPS_PER_EPOCH
    assert max(steps) - min(steps) <= 1
    assert FinetuneConfig(epochs=1, members=3).member_count == 1
    assert FinetuneConfig(epochs=2, members=3).member_count == 2


def test_replayed_non_digits_are_trained_towards_a_uniform_answer():
    t = targets(np.array([NOT_A_DIGIT, 4]))
    assert np.allclose(t[0], 0.1)
    assert t[1].argmax() == 4 and t[1].sum() == 1


@pytest.mark.slow
def test_the_personal_model_is_the_average_of_its_members():
    import keras

    from mnist_desktop.training import finetune as ft

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (12, 28, 28)).astype(np.uint8)
    y = np.arange(12) % 10
    empty = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    config = FinetuneConfig(epochs=2, members=2, user_batch=4, replay_batch=4)
    soup = ft.finetune(model, x, y, *empty, config)
    members = [ft._one_finetune(model, m, config.member_steps(m), x, y, *empty, config,
                                lambda *_: None, None).get_weights() for m in range(2)]
    for got, a, b in zip(soup.get_weights(), *members, strict=True):
        assert np.allclose(got, (a + b) / 2, atol=1e-5)
    assert not np.allclose(members[0][0], members[1][0])  # the members differ
    assert not np.allclose(soup.get_weights()[0], model.get_weights()[0])
