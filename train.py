#!/usr/bin/env python3
"""Train the mnist-desktop digit model (or, with ``--task lines``, the line model).

Every image, MNIST or synthetic photo, goes through the app's own pipeline
(``mnist_desktop.pipeline.digit_input.model_input``) before the model sees it, so training and the
app share one input contract. Part of the training set is MNIST training digits rendered
as phone photos of handwriting; batches are augmented on the fly (rotation, shear, zoom,
shift, stroke thickness, broken strokes).

Writes ``model.keras``, a JSON of metadata beside it (accuracy, per-class accuracy,
confusion matrix, arguments, data checksums, device, time, versions) and PNG plots.
Defaults reproduce the shipped model in ``resources/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.training.augment import NONE, AugmentConfig
from mnist_desktop.training.models import ARCHITECTURES

LINES_DEFAULT = 60000
LINES_EPOCHS = 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=("digits", "lines"), default="digits",
                   help="digits: the digit model (default); lines: the line model that "
                   "reads whole numbers (CTC)")
    g = p.add_argument_group("data")
    g.add_argument("--data-dir", help="folder with the four MNIST .gz files or mnist.npz "
                   "(default: $MNIST_DIR, else the Keras download)")
    g.add_argument("--limit", type=int, default=0, metavar="N",
                   help="use only the first N training and N/6 test images (quick runs)")
    g.add_argument("--validation-split", type=float, default=0.05, metavar="F",
                   help="fraction of the training set held out for validation (default 0.05)")
    g.add_argument("--photos", type=int, default=20000, metavar="N",
                   help="MNIST training digits also rendered as synthetic phone photos and "
                   "added to the training set (default 20000; 0 disables)")
    g.add_argument("--strokes", type=int, default=24000, metavar="N",
                   help="MNIST training digits also re-drawn as pen strokes by random hands "
                   "(ballpoint to marker, pressure, slant, aspect, elastic) and added "
                   "(default 24000; 0 disables)")
    g.add_argument("--forms", type=float, default=1.0, metavar="F",
                   help="how often re-drawn digits take forms MNIST barely has (flagged and "
                   "serif 1s, crossed 7s, open 4s, ...): 1 = the rates in "
                   "training/stroke_forms.py, 0 = never (default 1)")
    g.add_argument("--nondigits", type=int, default=10000, metavar="N",
                   help="synthetic non-digits (letters, signs, scribbles) trained towards a "
                   "uniform answer, so they come back unsure (default 10000; 0 disables)")
    g.add_argument("--no-writer-balance", action="store_true",
                   help="choose the digits to re-draw uniformly, not each QMNIST writer "
                   "about equally often")
    g.add_argument("--qmnist-dir", help="folder with QMNIST's writer ids (default: "
                   "$QMNIST_DIR, else qmnist/ beside $MNIST_DIR)")
    g.add_argument("--realistic-test", type=int, default=3000, metavar="N",
                   help="MNIST test digits rendered as photos for the realistic-photo "
                   "accuracy (default 3000; 0 skips)")
    g.add_argument("--lines", type=int, default=LINES_DEFAULT, metavar="N",
                   help=f"lines: synthetic lines of training digits to train on "
                   f"(default {LINES_DEFAULT})")
    g = p.add_argument_group("model and training")
    g.add_argument("--arch", choices=ARCHITECTURES, default="cnn",
                   help="cnn (default, strong) or mlp (the seed baseline, for comparison)")
    g.add_argument("--epochs", type=int,
                   help=f"training epochs (default 14; lines {LINES_EPOCHS})")
    g.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    g.add_argument("--lr", type=float, help="peak learning rate (default 2e-3; lines 1e-3)")
    g.add_argument("--schedule", choices=("cosine", "constant"), default="cosine",
                   help="learning-rate schedule: one warm-up epoch then cosine decay to 0 "
                   "(default), or constant")
    g.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    g = p.add_argument_group("augmentation")
    g.add_argument("--no-augment", action="store_true", help="turn all augmentation off")
    d = AugmentConfig()
    g.add_argument("--rotation", type=float, default=d.rotation, help="max degrees")
    g.add_argument("--shift", type=float, default=d.shift, help="max pixels")
    g.add_argument("--zoom", type=float, default=d.zoom, help="max relative size change")
    g.add_argument("--shear", type=float, default=d.shear, help="max shear factor")
    g.add_argument("--thickness", type=float, default=d.thickness,
                   help="probability of a stroke-thickness change")
    g.add_argument("--erase", type=float, default=d.erase,
                   help="probability of a small gap cut into a stroke")
    g.add_argument("--reshape", type=float, default=d.reshape,
                   help="probability of a digit stretched to fill its box, squashed or cut "
                   "by the frame, as tight crops come")
    g = p.add_argument_group("device and output")
    g.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                   help="auto: GPU if present; gpu uses mixed precision and, with several "
                   "GPUs, MirroredStrategy")
    g.add_argument("--workers", type=int, default=0,
                   help="processes for preparing data (default: all cores)")
    g.add_argument("--output", help="where to write the model (default runs/model.keras; "
                   "lines runs/lines.keras); the JSON and PNG plots go beside it")
    g.add_argument("--backup-dir", help="keep the training state here after every epoch; "
                   "the same command run again resumes an interrupted run from it")
    g.add_argument("--quiet", action="store_true", help="no Keras progress bars")
    args = p.parse_args(argv)
    lines = args.task == "lines"
    if args.epochs is None:
        args.epochs = LINES_EPOCHS if lines else 14
    if args.lr is None:
        args.lr = 1e-3 if lines else 2e-3
    if args.output is None:
        args.output = "runs/lines.keras" if lines else "runs/model.keras"
    if not 0.0 <= args.forms <= 1.0:
        p.error("--forms must be in [0, 1]")
    if not 0.0 <= args.validation_split < 0.5:
        p.error("--validation-split must be in [0, 0.5)")
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be positive")
    return args


def augment_config(args: argparse.Namespace) -> AugmentConfig:
    if args.no_augment:
        return NONE
    return AugmentConfig(args.rotation, args.shift, args.zoom, args.shear, args.thickness,
                         args.erase, args.reshape)


def configure_device(choice: str) -> tuple[Any, str]:
    """Pick CPU or GPU(s); returns a distribution strategy and a description."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if choice == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if choice == "gpu" and not gpus:
        sys.exit("train.py: --device gpu, but TensorFlow sees no GPU "
                 "(install tensorflow[and-cuda] and check nvidia-smi)")
    if not gpus:
        return tf.distribute.get_strategy(), f"cpu ({os.cpu_count()} cores)"
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
    import keras

    keras.mixed_precision.set_global_policy("mixed_float16")
    names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
    if len(gpus) > 1:
        label = f"{len(gpus)} GPUs ({', '.join(names)}), mixed precision"
        return tf.distribute.MirroredStrategy(), label
    return tf.distribute.get_strategy(), f"GPU ({names[0]}), mixed precision"


def prepare(args: argparse.Namespace, data: Any) -> dict[str, np.ndarray]:
    """All model inputs through the app's pipeline, plus synthetic photos."""
    from mnist_desktop.training.data import photo_inputs, pipeline_inputs

    workers = args.workers or None
    x_train, y_train, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
        x_test, y_test = x_test[: max(100, args.limit // 6)], y_test[: max(100, args.limit // 6)]
    t = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(x_train))
    n_val = int(round(len(order) * args.validation_split))
    val_idx, train_idx = order[:n_val], order[n_val:]
    out = {
        "x_train": pipeline_inputs(x_train[train_idx], workers), "y_train": y_train[train_idx],
        "x_val": pipeline_inputs(x_train[val_idx], workers), "y_val": y_train[val_idx],
        "x_test": pipeline_inputs(x_test, workers), "y_test": y_test,
        "x_test_raw": np.asarray(x_test),
    }
    n_photos = min(args.photos, len(train_idx))
    if n_photos:
        chosen = rng.choice(train_idx, n_photos, replace=False)
        px, py, lost = photo_inputs(x_train[chosen], y_train[chosen], args.seed, workers=workers)
        out["x_train"] = np.concatenate([out["x_train"], px])
        out["y_train"] = np.concatenate([out["y_train"], py])
        print(f"  synthetic photos: {len(px)} added ({lost} had no digit found)")
    add_hands(args, data, train_idx, rng, out)
    if args.realistic_test:
        n = min(args.realistic_test, len(x_test))
        rx, ry, lost = photo_inputs(x_test[:n], y_test[:n], 10_000 + args.seed, workers=workers)
        out.update(x_real=rx, y_real=ry, real_lost=np.array(lost))
    print(f"  data through the pipeline in {time.perf_counter() - t:.0f} s: "
          f"{len(out['x_train'])} train, {len(out['x_val'])} validation, {len(x_test)} test")
    return out


def add_hands(args: argparse.Namespace, data: Any, train_idx: np.ndarray,
              rng: np.random.Generator, out: dict[str, Any]) -> None:
    """Digits re-drawn as pen strokes (writer-balanced, rarer forms) and non-digits."""
    from mnist_desktop.io.checksums import file_sha256
    from mnist_desktop.training import hands

    workers = args.workers or None
    writers, folder = None, hands.qmnist_dir(args.qmnist_dir)
    if args.strokes and not args.no_writer_balance:
        if folder is None:
            print("  no QMNIST writer ids found (--qmnist-dir): re-drawn digits chosen uniformly")
        else:
            writers = hands.load_writers(folder, data.y_train)
            out["qmnist_sha256"] = file_sha256(folder / hands.QMNIST_TRAIN)
    out["writer_balanced"] = writers is not None
    if args.strokes:
        chosen = hands.writer_balanced(train_idx, writers, args.strokes, rng)
        sx, sy, lost, varied = hands.stroke_inputs(
            data.x_train[chosen], data.y_train[chosen], args.seed, forms=args.forms,
            workers=workers)
        out["x_train"] = np.concatenate([out["x_train"], sx])
        out["y_train"] = np.concatenate([out["y_train"], sy])
        out["stroke_counts"] = {"added": len(sx), "lost": lost, "rarer_forms": varied,
                                "writers": int(len(np.unique(writers[chosen])))
                                if writers is not None else None}
        print(f"  re-drawn digits: {len(sx)} added ({varied} in rarer forms, {lost} lost)")
    if args.nondigits:
        nd = hands.nondigit_inputs(args.nondigits, args.seed, workers=workers)
        out["x_train"] = np.concatenate([out["x_train"], nd])
        out["y_train"] = np.concatenate([out["y_train"],
                                         np.full(len(nd), hands.NOT_A_DIGIT, np.uint8)])
        print(f"  non-digits: {len(nd)} added (uniform target)")
    out["x_nondigit_test"] = hands.nondigit_inputs(1000, 10_000 + args.seed, split="test",
                                                   workers=workers)


def targets(labels: np.ndarray) -> np.ndarray:
    """One-hot targets for digits; uniform over the ten digits for a non-digit (label 10)."""
    labels = np.asarray(labels).astype(np.int64)
    out = np.zeros((len(labels), 10), np.float32)
    digit = labels < 10
    out[np.flatnonzero(digit), labels[digit]] = 1.0
    out[~digit] = 0.1
    return out


def make_sequence(x: np.ndarray, y: np.ndarray, args: argparse.Namespace, shuffle: bool) -> Any:
    """A Keras PyDataset that augments each batch on the fly."""
    import keras

    from mnist_desktop.training.augment import augment_batch

    config = augment_config(args) if shuffle else NONE

    class Batches(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__(workers=2, use_multiprocessing=False, max_queue_size=16)
            self.epoch = -1
            self.order = np.arange(len(x))
            self.on_epoch_end()

        def __len__(self) -> int:
            return int(np.ceil(len(x) / args.batch_size))

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            # A generator of its own per (seed, epoch, batch): the loader threads share none,
            # so the batches are the same whichever thread makes them, in whatever order.
            idx = self.order[i * args.batch_size : (i + 1) * args.batch_size]
            rng = np.random.default_rng((args.seed, 0 if shuffle else 7, self.epoch, i))
            return augment_batch(x[idx], rng, config), targets(y[idx])

        def on_epoch_end(self) -> None:
            self.epoch += 1
            if shuffle:
                self.order = np.random.default_rng((args.seed, self.epoch)).permutation(len(x))

    return Batches()


def train(args: argparse.Namespace, strategy: Any, data: dict[str, np.ndarray]) -> tuple[Any, dict]:
    import keras

    from mnist_desktop.training.models import build_model

    keras.utils.set_random_seed(args.seed)
    steps = int(np.ceil(len(data["x_train"]) / args.batch_size)) * args.epochs
    warmup = int(np.ceil(len(data["x_train"]) / args.batch_size))
    with strategy.scope():
        model = build_model(args.arch)
        if args.schedule == "cosine":
            lr: Any = keras.optimizers.schedules.CosineDecay(
                args.lr / 10, max(1, steps - warmup), alpha=0.0,
                warmup_target=args.lr, warmup_steps=warmup)
        else:
            lr = args.lr
        model.compile(optimizer=keras.optimizers.Adam(lr),
                      loss="categorical_crossentropy",
                      metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    model.summary(print_fn=lambda line, **_: print("  " + line))
    has_val = len(data["x_val"]) > 0
    history = model.fit(
        make_sequence(data["x_train"], data["y_train"], args, shuffle=True),
        validation_data=(make_sequence(data["x_val"], data["y_val"], args, False)
                         if has_val else None),
        epochs=args.epochs, verbose=0 if args.quiet else 2,
        callbacks=[keras.callbacks.BackupAndRestore(args.backup_dir)] if args.backup_dir else None)
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def hands_figures(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """What the re-drawn digits and non-digits did: counts, and the held-out non-digits'
    share that comes back unsure (top probability below the app's default threshold)."""
    from mnist_desktop.results import DEFAULT_MIN_CONFIDENCE
    from mnist_desktop.training import evaluate

    out: dict[str, Any] = {"more_hands": {
        k: data[k] for k in ("writer_balanced", "stroke_counts", "qmnist_sha256") if k in data}}
    top = evaluate.top_probability(model, data["x_test"])
    out["test_confident_share"] = float(np.mean(top >= DEFAULT_MIN_CONFIDENCE))
    nd = data.get("x_nondigit_test")
    if nd is not None and len(nd):
        top = evaluate.top_probability(model, nd)
        out["nondigit_test"] = {"count": int(len(nd)),
                                "unsure_share": float(np.mean(top < DEFAULT_MIN_CONFIDENCE))}
    return out


def float32_model(model: Any, arch: str) -> Any:
    """The model in float32 (a GPU run trains in mixed precision; CPUs infer in float32)."""
    import keras

    if keras.mixed_precision.global_policy().name == "float32":
        return model
    from mnist_desktop.training.models import build_model

    keras.mixed_precision.set_global_policy("float32")
    clone = build_model(arch)
    clone.set_weights(model.get_weights())
    return clone


def versions() -> dict[str, str]:
    import cv2
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__, "opencv": cv2.__version__}


def train_lines(args: argparse.Namespace, mnist: Any, device: str, started: float) -> int:
    from mnist_desktop.training import line_task, plots

    meta = line_task.run(args, mnist, device, started)
    meta.update(versions=versions(),
                trained_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    output = Path(args.output)
    output.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    plots.training_curves(meta["history"], output.with_name(output.stem + "_training.png"))
    print(f"saved {output} and its metadata; total {meta['total_seconds']:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist

    started = time.perf_counter()
    strategy, device = configure_device(args.device)
    print(f"device: {device}")
    try:
        mnist = load_mnist(args.data_dir)
    except MnistDataError as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 2
    print(f"MNIST from {mnist.source}")
    if args.task == "lines":
        return train_lines(args, mnist, device, started)
    from mnist_desktop.pipeline.fingerprint import digit_input_fingerprint

    fingerprint = digit_input_fingerprint()  # what the pipeline feeds the model, read up front
    data = prepare(args, mnist)
    t = time.perf_counter()
    model, history = train(args, strategy, data)
    fit_seconds = time.perf_counter() - t

    from mnist_desktop.io.checksums import file_sha256
    from mnist_desktop.reading.lite_model import export_lite
    from mnist_desktop.training import evaluate, plots

    test = evaluate.report(data["y_test"], evaluate.predict_classes(model, data["x_test"]))
    raw = evaluate.report(data["y_test"], evaluate.predict_classes(model, data["x_test_raw"]))
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "name": f"mnist-desktop {args.arch}", "model_file": output.name,
        "architecture": args.arch, "parameters": int(model.count_params()),
        "test_accuracy": test["accuracy"],
        "test_accuracy_raw_mnist": raw["accuracy"],
        "per_class_accuracy": test["per_class_accuracy"],
        "confusion_matrix": test["confusion_matrix"],
        "test_count": test["count"],
    }
    if "x_real" in data:
        real = evaluate.report(data["y_real"], evaluate.predict_classes(model, data["x_real"]))
        lost = int(data["real_lost"])
        meta["realistic_photos"] = {
            "count": real["count"] + lost, "no_digit_found": lost,
            "accuracy": real["accuracy"] * real["count"] / max(1, real["count"] + lost),
            "per_class_accuracy": real["per_class_accuracy"],
        }
    meta.update(hands_figures(model, data))
    meta.update({
        "arguments": vars(args), "data_source": mnist.source, "data_sha256": mnist.checksums,
        "train_count": int(len(data["x_train"])), "validation_count": int(len(data["x_val"])),
        "history": history, "device": device, "fit_seconds": round(fit_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "input_fingerprint": fingerprint.to_json(), "versions": versions(),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })
    final = float32_model(model, args.arch)
    final.save(output)
    meta["model_sha256"] = file_sha256(output)
    meta["lite_file"] = export_lite(final, output).name  # single digits in ~0.3 ms
    output.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    plots.training_curves(history, output.with_name(output.stem + "_training.png"))
    plots.confusion_matrix_image(np.array(test["confusion_matrix"]),
                                 output.with_name(output.stem + "_confusion.png"),
                                 f"MNIST test through the pipeline: {test['accuracy']:.2%}")
    print(f"MNIST test accuracy (through the app's pipeline): {test['accuracy']:.4%}")
    print(f"MNIST test accuracy (raw 28x28 images): {raw['accuracy']:.4%}")
    if "realistic_photos" in meta:
        print(f"realistic photos accuracy: {meta['realistic_photos']['accuracy']:.4%}")
    if "nondigit_test" in meta:
        print(f"held-out non-digits unsure: {meta['nondigit_test']['unsure_share']:.2%}; "
              f"MNIST test digits confident: {meta['test_confident_share']:.2%}")
    print(f"saved {output} and its metadata/plots; total {meta['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
