"""``train.py --task lines``: train the line model (:mod:`mnist_desktop.reading.line_model`).

Lines are rendered from MNIST *training* digits (:mod:`mnist_desktop.training.line_synth`)
and go through the reader's own :func:`~mnist_desktop.pipeline.line_input.line_input`. The digits
held out for validation make the validation lines. Training never opens the real sets:
``benchmarks/line_model_car_a.py`` measures a trained model (or its checkpoints) on the real
cheque amounts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from typing import Any

import cv2
import numpy as np

TRAIN_WIDTH = 192
"""Training lines are padded (or squeezed) to this many columns (6 x the height)."""
MAX_LABEL = 12
CHUNK = 500
"""Lines made from one seed: the data depend on the seed, not on the number of workers."""


def _fit_width(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros((image.shape[0], TRAIN_WIDTH), np.uint8)
    if image.shape[1] > TRAIN_WIDTH:
        image = cv2.resize(image, (TRAIN_WIDTH, image.shape[0]), interpolation=cv2.INTER_AREA)
    left = int(rng.integers(0, min(8, TRAIN_WIDTH - image.shape[1]) + 1))
    out[:, left: left + image.shape[1]] = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def _chunk(job: tuple[np.ndarray, np.ndarray, tuple[int, ...], int, str]
           ) -> tuple[np.ndarray, np.ndarray]:
    from mnist_desktop.pipeline.line_input import line_input
    from mnist_desktop.training.line_mix import CLEAN_MIX, DEFAULT_MIX
    from mnist_desktop.training.line_synth import random_line

    images, labels, seed, count, mix_name = job
    mix = CLEAN_MIX if mix_name == "clean" else DEFAULT_MIX
    rng = np.random.default_rng(seed)
    by_label = [np.nonzero(labels == d)[0] for d in range(10)]
    xs = np.zeros((count, 32, TRAIN_WIDTH), np.uint8)
    ys = np.full((count, MAX_LABEL), -1, np.int32)
    for i in range(count):
        picture, sequence = random_line(images, by_label, rng, mix)
        xs[i] = _fit_width(line_input(picture).image, rng)
        ys[i, : len(sequence)] = sequence[:MAX_LABEL]
    return xs, ys


def make_lines(images: np.ndarray, labels: np.ndarray, count: int, seed: int,
               workers: int = 0, mix: str = "default") -> tuple[np.ndarray, np.ndarray]:
    """``count`` synthetic lines through ``line_input``: uint8 (N, 32, TRAIN_WIDTH) inputs
    and labels (N, MAX_LABEL) padded with -1."""
    jobs = [(images, labels, (seed, k), min(CHUNK, count - start), mix)
            for k, start in enumerate(range(0, count, CHUNK))]
    workers = workers or max(1, min(8, os.cpu_count() or 1))
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_chunk, jobs, chunksize=1)
    else:
        parts = [_chunk(job) for job in jobs]
    if not parts:
        return np.zeros((0, 32, TRAIN_WIDTH), np.uint8), np.zeros((0, MAX_LABEL), np.int32)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def label_text(row: np.ndarray) -> str:
    return "".join("?" if v == 10 else str(int(v)) for v in row if v >= 0)


def read_texts(model: Any, inputs: list[np.ndarray], batch: int = 256) -> list[str]:
    """What the model (a Keras line model or a ``LineModel``) reads in each line input
    (float 32 x W), digits only (marks dropped)."""
    from mnist_desktop.pipeline.line_input import stack_lines
    from mnist_desktop.reading.line_model import MARK, greedy_decode, softmax

    order = np.argsort([im.shape[1] for im in inputs])  # similar widths batch together
    out: dict[int, str] = {}
    for i in range(0, len(order), batch):
        idx = order[i: i + batch]
        lines = [inputs[j] for j in idx]
        if hasattr(model, "probabilities"):  # a LineModel: the reader's own call
            probs = model.probabilities(lines)
        else:
            probs = softmax(np.asarray(model(stack_lines(lines)[..., None], training=False)))
        for j, lg in zip(idx, probs, strict=True):
            out[int(j)] = "".join(str(e.label) for e in greedy_decode(lg) if e.label != MARK)
    return [out[j] for j in range(len(inputs))]


def exact(model: Any, inputs: list[np.ndarray], texts: list[str]) -> float:
    read = read_texts(model, inputs)
    return float(np.mean([a == b for a, b in zip(read, texts, strict=True)])) if texts else 0.0


def _fit(args: argparse.Namespace, train: tuple, val: tuple) -> tuple[Any, dict]:
    import keras

    from mnist_desktop.training.line_net import build_line_model, ctc_loss

    keras.utils.set_random_seed(args.seed)
    model = build_line_model()
    per_epoch = int(np.ceil(len(train[0]) / args.batch_size))
    steps = per_epoch * args.epochs
    lr = keras.optimizers.schedules.CosineDecay(args.lr / 10, max(1, steps - per_epoch),
                                                warmup_target=args.lr, warmup_steps=per_epoch)
    model.compile(optimizer=keras.optimizers.Adam(lr, clipnorm=5.0), loss=ctc_loss)
    val_inputs = [x.astype(np.float32) / 255.0 for x in val[0]]
    val_texts = [label_text(r).replace("?", "") for r in val[1]]
    history: dict[str, list[float]] = {"val_exact": []}

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            history["val_exact"].append(exact(model, val_inputs, val_texts))
            line = f"  epoch {epoch + 1}: synthetic validation exact {history['val_exact'][-1]:.1%}"
            print(line, flush=True)

    fit = model.fit(train[0].astype(np.float32) / 255.0, train[1],
                    validation_data=(val[0].astype(np.float32) / 255.0, val[1]),
                    batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                    callbacks=[Report()], verbose=0 if args.quiet else 2)
    history.update({k: [float(v) for v in vals] for k, vals in fit.history.items()})
    return model, history


def float32_line_model(model: Any) -> Any:
    """The model in float32 (a GPU run trains in mixed precision)."""
    import keras

    if keras.mixed_precision.global_policy().name == "float32":
        return model
    from mnist_desktop.training.line_net import build_line_model

    keras.mixed_precision.set_global_policy("float32")
    clone = build_line_model()
    clone.set_weights(model.get_weights())
    return clone


def run(args: argparse.Namespace, mnist: Any, device: str, started: float) -> dict[str, Any]:
    """Make the lines, train, evaluate and save; returns the metadata."""
    from pathlib import Path

    from mnist_desktop.pipeline.fingerprint import line_input_fingerprint

    fingerprint = line_input_fingerprint()  # what the model is fed, read before any data
    rng = np.random.default_rng(args.seed)
    x, y = mnist.x_train, mnist.y_train
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    order = rng.permutation(len(x))
    n_val = int(round(len(x) * args.validation_split))
    val_idx, train_idx = order[:n_val], order[n_val:]
    t = time.perf_counter()
    train = make_lines(x[train_idx], y[train_idx], args.lines, args.seed, args.workers)
    val = make_lines(x[val_idx], y[val_idx], max(200, args.lines // 40), args.seed + 1,
                     args.workers)
    data_seconds = time.perf_counter() - t
    print(f"  {len(train[0])} training and {len(val[0])} validation lines in "
          f"{data_seconds:.0f} s", flush=True)
    t = time.perf_counter()
    model, history = _fit(args, train, val)
    fit_seconds = time.perf_counter() - t
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    final = float32_line_model(model)
    final.save(output)
    from mnist_desktop.reading.lite_model import export_lite

    lite_file = export_lite(final, output).name  # the reader runs this twin on LiteRT
    meta: dict[str, Any] = {
        "name": "mnist-desktop line reader", "model_file": output.name, "task": "lines",
        "parameters": int(model.count_params()), "arguments": vars(args),
        "data_source": mnist.source, "data_sha256": mnist.checksums,
        "train_lines": int(len(train[0])), "validation_lines": int(len(val[0])),
        "validation_exact": history["val_exact"][-1] if history["val_exact"] else None,
        "history": history, "device": device, "data_seconds": round(data_seconds, 1),
        "fit_seconds": round(fit_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "input_fingerprint": fingerprint.to_json(), "lite_file": lite_file,
    }
    return meta
