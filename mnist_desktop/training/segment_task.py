"""``train.py --task segments``: train the segment model (:mod:`mnist_desktop.segment_model`).

Candidates come from synthetic sheets of MNIST *training* digits
(:mod:`mnist_desktop.training.segments`); the digits held out for validation make the
validation sheets. At the end the whole reader (the bundled digit model with the new segment
model) reads sheets of MNIST *test* digits, and the share of numbers read exactly goes into
the metadata.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

TEST_SHEETS_SEED = 777
"""Seed of the test-digit sheets read at the end (the benchmark and tests use others)."""


def _fit(args: argparse.Namespace, train: tuple, val: tuple) -> tuple[Any, dict]:
    import keras

    from mnist_desktop.segment_model import build_segment_model

    keras.utils.set_random_seed(args.seed)
    model = build_segment_model()
    per_epoch = int(np.ceil(len(train[3]) / args.batch_size))
    steps = per_epoch * args.epochs
    lr = keras.optimizers.schedules.CosineDecay(args.lr / 10, max(1, steps - per_epoch),
                                                warmup_target=args.lr, warmup_steps=per_epoch)
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([train[0][..., None], train[1], train[2]], train[3],
                        validation_data=([val[0][..., None], val[1], val[2]], val[3]),
                        batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                        verbose=0 if args.quiet else 2)
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def _candidate_report(judge: Any, data: tuple) -> dict[str, Any]:
    from mnist_desktop.segment_model import NOT_A_DIGIT

    predicted = np.concatenate([judge.judge(data[0][i: i + 1024], data[1][i: i + 1024],
                                            data[2][i: i + 1024])
                                for i in range(0, len(data[3]), 1024)]).argmax(axis=1)
    truth = data[3]
    digit = truth != NOT_A_DIGIT
    return {"count": int(len(truth)), "accuracy": float(np.mean(predicted == truth)),
            "whole_digits": int(digit.sum()),
            "whole_digits_kept": float(np.mean(predicted[digit] != NOT_A_DIGIT)),
            "not_digits_rejected": float(np.mean(predicted[~digit] == NOT_A_DIGIT))}


def number_accuracy(judge: Any, images: np.ndarray, labels: np.ndarray,
                    sheets: int, seed: int = TEST_SHEETS_SEED) -> dict[str, Any]:
    """Numbers read exactly by the bundled digit model with this segment judge."""
    from mnist_desktop.recognizer import Recognizer
    from mnist_desktop.synth_sheets import random_sheet

    recognizer = Recognizer.load()
    recognizer.use_segment_judge(judge)
    exact = [recognizer.read((s := random_sheet(images, labels,
                                                np.random.default_rng([seed, i])))
                             .image).text == s.text for i in range(sheets)]
    return {"sheets": sheets, "seed": seed, "exact": float(np.mean(exact)) if exact else 0.0,
            "digit_model": recognizer.info.summary}


def run(args: argparse.Namespace, mnist: Any, device: str, started: float) -> dict[str, Any]:
    """Train, evaluate and save; returns the metadata written beside the model."""
    from mnist_desktop.segment_model import SegmentJudge, code_fingerprint
    from mnist_desktop.training.segments import segment_samples

    fingerprint = code_fingerprint()  # of the code the candidates come from, read up front
    rng = np.random.default_rng(args.seed)
    x, y = mnist.x_train, mnist.y_train
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    order = rng.permutation(len(x))
    n_val = int(round(len(order) * args.validation_split))
    val_idx, train_idx = order[:n_val], order[n_val:]
    t = time.perf_counter()
    workers = args.workers or None
    train = segment_samples(x[train_idx], y[train_idx], args.sheets, args.seed, workers)
    val_sheets = max(1, int(round(args.sheets * args.validation_split)))
    val = segment_samples(x[val_idx], y[val_idx], val_sheets, 10_000 + args.seed, workers)
    data_seconds = time.perf_counter() - t
    print(f"  candidates from {args.sheets} + {val_sheets} sheets in {data_seconds:.0f} s: "
          f"{len(train[3])} train, {len(val[3])} validation "
          f"({np.mean(train[3] == 10):.0%} not one whole digit)")
    t = time.perf_counter()
    model, history = _fit(args, train, val)
    fit_seconds = time.perf_counter() - t
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    judge = SegmentJudge.load(output)  # the saved file, as the app will load it
    report = _candidate_report(judge, val)
    print(f"validation candidates: {report['accuracy']:.2%} right; whole digits kept "
          f"{report['whole_digits_kept']:.2%}, others rejected {report['not_digits_rejected']:.2%}")
    numbers = number_accuracy(judge, mnist.x_test, mnist.y_test, args.number_test)
    print(f"numbers read exactly on {numbers['sheets']} sheets of test digits: "
          f"{numbers['exact']:.1%}")
    return {
        "name": "mnist-desktop segments", "model_file": output.name, "task": "segments",
        "parameters": int(model.count_params()), "validation_candidates": report,
        "numbers_read_exactly": numbers, "arguments": vars(args), "data_source": mnist.source,
        "data_sha256": mnist.checksums, "train_count": int(len(train[3])),
        "validation_count": int(len(val[3])), "history": history, "device": device,
        "data_seconds": round(data_seconds, 1), "fit_seconds": round(fit_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "code_fingerprint": fingerprint,
    }
