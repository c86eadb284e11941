"""Both models' opinions of the candidate digits of a number. Qt-free.

The digit model reads a candidate's 28x28 input; the segment model
(:mod:`mnist_desktop.segment_model`) also sees the ink around it and says whether it is one
whole digit at all. :func:`combine` turns the two into one distribution over the digits and
a probability of being whole.
"""

from __future__ import annotations

import numpy as np

from mnist_desktop.ink import InkMap
from mnist_desktop.number_lattice import Lattice
from mnist_desktop.segment_features import features
from mnist_desktop.segment_model import NOT_A_DIGIT

DIGIT_MODEL_WEIGHT = 1.0
"""How much the digit model's opinion counts against the segment model's (which saw the
candidate's surroundings and was trained on candidates like it)."""


def combine(digit_probs: np.ndarray, segment_probs: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Both models' opinions: (N, 10) digit probabilities (product of the two models'
    distributions over the digits) and (N,) how likely each candidate is one whole digit."""
    if segment_probs is None:
        return digit_probs, np.ones(len(digit_probs), np.float32)
    digits = segment_probs[:, :NOT_A_DIGIT]
    joint = DIGIT_MODEL_WEIGHT * np.log(np.maximum(digit_probs, 1e-9)) + np.log(
        np.maximum(digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-9), 1e-9))
    joint = np.exp(joint - joint.max(axis=1, keepdims=True))
    joint /= joint.sum(axis=1, keepdims=True)
    return joint.astype(np.float32), (1.0 - segment_probs[:, NOT_A_DIGIT]).astype(np.float32)


def judge_candidates(recognizer, ink: InkMap, lattices: list[Lattice],
                     probs: dict[int, np.ndarray], whole: dict[int, float]) -> None:
    """Add the probabilities of the candidates not judged yet (one batched call per model):
    the digit model's and, when there is one, the segment model's."""
    todo = [(lattice, [c for c in lattice.candidates if c.kind != "skip" and id(c) not in probs])
            for lattice in lattices]
    todo = [(lattice, found) for lattice, found in todo if found]
    chosen = [c for _, found in todo for c in found]
    if not chosen:
        return
    judge = getattr(recognizer, "segment_judge", None)
    segments = None
    if judge is None:
        table = recognizer.probabilities(np.stack([c.pre.model_input for c in chosen]))
    else:  # the segment model's inputs start with the digit model's: stack them once
        parts = [features(ink, lattice, found) for lattice, found in todo]
        inputs, context, numbers = (np.concatenate(p) for p in zip(*parts, strict=True))
        table = recognizer.probabilities(inputs)
        segments = judge.judge(inputs, context, numbers)
    table, wholeness = combine(table, segments)
    probs.update({id(c): table[i] for i, c in enumerate(chosen)})
    whole.update({id(c): float(wholeness[i]) for i, c in enumerate(chosen)})
