"""Teach: a labelled set of one person's digits -> a personal model file, with figures.

Shared by ``mnist-desktop teach`` and the window's *My handwriting* tab (which runs it on a
worker thread). Every picture goes through the app's pipeline (``pipeline.model_input``)
exactly as at recognition; some samples per digit are held back to measure the model
before and after; MNIST training digits are replayed alongside (``training.finetune``) and
a slice of the MNIST test set is read before and after so forgetting is visible.

Qt-free; TensorFlow is imported only when the models are loaded.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.io.labelled import LabelledSet
from mnist_desktop.reading.teaching import (
    Score,
    TeachError,
    TeachOptions,
    TeachProgress,
    TeachResult,
)

MNIST_CHECK_FIRST = 5000
"""The MNIST check reads test digits from here on (benchmarks use other slices too)."""


@dataclass(frozen=True)
class SampleInputs:
    inputs: np.ndarray
    labels: np.ndarray
    paths: tuple[str, ...]
    problems: tuple[str, ...]


ProgressFn = Callable[[TeachProgress], None]
StopFn = Callable[[], bool]


def load_inputs(labelled: LabelledSet) -> SampleInputs:
    """Every picture through the pipeline; unreadable ones and ones with no digit are
    listed in ``problems`` (with the set's own problems) and left out."""
    from mnist_desktop.io.image_files import ImageLoadError, load_image
    from mnist_desktop.pipeline import preprocess

    inputs, labels, paths = [], [], []
    problems = list(labelled.problems)
    for item in labelled.items:
        try:
            image = load_image(item.path)
        except ImageLoadError as error:
            problems.append(f"{item.path}: {error.message}")
            continue
        pre = preprocess(image, steps=False)
        if pre.model_input is None:
            problems.append(f"{item.path}: {pre.message or 'no digit found'}")
            continue
        inputs.append(np.clip(pre.model_input * 255.0 + 0.5, 0, 255).astype(np.uint8))
        labels.append(item.label)
        paths.append(item.path)
    x = np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.uint8)
    return SampleInputs(x, np.array(labels, np.int64), tuple(paths), tuple(problems))


def split_holdout(labels: np.ndarray, fraction: float, seed: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held back): ``round(n * fraction)`` of each digit's n samples held
    back (at least one when n >= 3, none when n < 3), chosen with ``seed``."""
    rng = np.random.default_rng((seed, 12))
    train, held = [], []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        idx = idx[rng.permutation(len(idx))]
        k = 0 if len(idx) < 3 or fraction <= 0 else max(1, round(len(idx) * fraction))
        k = min(k, len(idx) - 1)
        held.extend(idx[:k])
        train.extend(idx[k:])
    return np.sort(np.array(train, np.int64)), np.sort(np.array(held, np.int64))


def mnist_digits(options: TeachOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(replay x, y, check x, y) through the pipeline; ``TeachError`` without MNIST."""
    empty = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    if not options.replay and not options.mnist_check:
        return (*empty, *empty)
    from mnist_desktop.training.data import pipeline_inputs
    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist

    try:
        data = load_mnist(options.data_dir)
    except MnistDataError as error:
        raise TeachError(f"teaching replays MNIST digits so the model does not forget them, "
                         f"but MNIST is not available: {error} (or turn replay and the MNIST "
                         "check off: --replay 0 --mnist-check 0)") from None
    rng = np.random.default_rng((options.seed, 34))
    chosen = np.sort(rng.choice(len(data.x_train), min(options.replay, len(data.x_train)),
                                replace=False))
    replay = ((pipeline_inputs(data.x_train[chosen], options.workers), data.y_train[chosen])
              if options.replay else empty)
    if options.replay >= 10:  # a tenth as many non-digits: the personal model stays unsure
        from mnist_desktop.training.hands import NOT_A_DIGIT, nondigit_inputs

        odd = nondigit_inputs(options.replay // 10, options.seed, workers=options.workers)
        replay = (np.concatenate([replay[0], odd]),
                  np.concatenate([np.asarray(replay[1], np.int64),
                                  np.full(len(odd), NOT_A_DIGIT, np.int64)]))
    end = min(len(data.x_test), MNIST_CHECK_FIRST + options.mnist_check)
    check = ((pipeline_inputs(data.x_test[MNIST_CHECK_FIRST:end], options.workers),
              data.y_test[MNIST_CHECK_FIRST:end]) if options.mnist_check else empty)
    return replay[0], np.asarray(replay[1], np.int64), check[0], np.asarray(check[1], np.int64)


def save_model(model: Any, output: Path, metadata: dict[str, Any]) -> None:
    """Write ``output`` (.keras) and its JSON beside it, each atomically."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}-", suffix=".keras", dir=output.parent)
    os.close(fd)
    try:
        model.save(tmp, overwrite=True)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    meta_path = output.with_suffix(".json")
    tmp_meta = meta_path.with_name(f".{meta_path.name}.tmp")
    tmp_meta.write_text(json.dumps(metadata, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp_meta, meta_path)


def check_output(output: str | os.PathLike[str]) -> Path:
    path = Path(output).expanduser()
    if path.suffix != ".keras":
        raise TeachError(f"{path}: the personal model must be a .keras file")
    if path.is_dir():
        raise TeachError(f"{path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise TeachError(f"{folder}: the folder for the model does not exist or is not writable")
    return path


def teach(labelled: LabelledSet, output: str | os.PathLike[str], *,
          base_model: str | os.PathLike[str] | None = None,
          options: TeachOptions | None = None, progress: ProgressFn | None = None,
          should_stop: StopFn | None = None) -> TeachResult:
    """Fine-tune ``base_model`` (None: the shipped model) on ``labelled`` and write the
    personal model to ``output``. Raises ``TeachError``, or ``FinetuneCancelled`` when
    ``should_stop()`` turned true (nothing is written then)."""
    options = options or TeachOptions()
    from mnist_desktop.training.finetune import FinetuneCancelled, FinetuneConfig

    started = time.perf_counter()
    out = check_output(output)
    report = progress or (lambda _p: None)
    report(TeachProgress("reading your samples", 0, len(labelled.items)))
    samples = load_inputs(labelled)
    if len(samples.inputs) == 0:
        raise TeachError(f"none of the {len(labelled.items)} pictures could be used:\n  "
                         + "\n  ".join(samples.problems[:20]))
    train_idx, held_idx = split_holdout(samples.labels, options.holdout, options.seed)
    report(TeachProgress("preparing MNIST digits to replay", 0, 1))
    x_replay, y_replay, x_check, y_check = mnist_digits(options)
    if should_stop is not None and should_stop():
        raise FinetuneCancelled()
    report(TeachProgress("loading the model", 0, 1))
    from mnist_desktop.reading.model_file import ModelError, load_keras_model
    from mnist_desktop.training import finetune as ft

    try:
        model, info = load_keras_model(base_model)
    except ModelError as error:
        raise TeachError(str(error)) from None
    config = FinetuneConfig(epochs=options.epochs, seed=options.seed)

    def on_step(p: ft.FinetuneProgress) -> None:
        report(TeachProgress("teaching", p.step, p.steps))

    x_held, y_held = samples.inputs[held_idx], samples.labels[held_idx]
    before_held = ft.accuracy(model, x_held, y_held)
    before_all = ft.accuracy(model, samples.inputs, samples.labels)
    before_mnist = ft.accuracy(model, x_check, y_check)
    tuned = ft.finetune(model, samples.inputs[train_idx], samples.labels[train_idx],
                        x_replay, y_replay, config, progress=on_step, should_stop=should_stop)
    report(TeachProgress("measuring", 0, 1))
    held = Score(len(held_idx), before_held, ft.accuracy(tuned, x_held, y_held))
    mnist = Score(len(y_check), before_mnist, ft.accuracy(tuned, x_check, y_check))
    per_digit = tuple(int(np.sum(samples.labels[train_idx] == d)) for d in range(10))
    result = TeachResult(str(out), len(train_idx), per_digit, held, mnist, samples.problems,
                         time.perf_counter() - started, str(info.path), options, before_all)
    if should_stop is not None and should_stop():
        raise FinetuneCancelled()
    report(TeachProgress("saving", 0, 1))
    save_model(tuned, out, _metadata(result, info.name, out))
    from mnist_desktop.reading.lite_model import export_lite

    export_lite(tuned, out)  # its TFLite twin: the personal model reads without TensorFlow
    return result


def _metadata(result: TeachResult, base_name: str, out: Path) -> dict[str, Any]:
    from mnist_desktop.pipeline.fingerprint import digit_input_fingerprint

    meta: dict[str, Any] = {
        "name": f"personal model ({result.trained_on} samples)",
        "model_file": out.name,
        "personal": True,
        "base_model": result.base_model, "base_model_name": base_name,
        "samples_per_digit": list(result.per_digit),
        "held_back": asdict(result.held_back), "mnist_check": asdict(result.mnist),
        "samples_before": result.samples_before,
        "options": asdict(result.options), "seconds": round(result.seconds, 2),
        "problems": list(result.problems[:200]),
        "input_fingerprint": digit_input_fingerprint().to_json(),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if result.mnist.after is not None:
        meta["test_accuracy"] = result.mnist.after  # of result.mnist.count MNIST test digits
        meta["test_count"] = result.mnist.count
    return meta
