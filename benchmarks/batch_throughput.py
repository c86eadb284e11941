"""Batch throughput: files per second end to end, and where the time goes.

    .venv/bin/python benchmarks/batch_throughput.py [--small 3000] [--photos 24]
        [--command 2000,12000]

First, as a user runs it: the real ``mnist-desktop classify DIR -o out.csv`` command (a new
process each time, start-up and model load included) on folders of 2,000 and 12,000 small
PNGs. The whole-command rate is files over the command's wall time; the steady rate is the
difference of the two runs' files over the difference of their times (start-up cancels out).

Builds two folders in a temporary directory: small PNGs (28x28 to 128x128, MNIST test
digits when MNIST_DIR is set, typeset digits otherwise) and 3 MP / 12 MP JPEG photos
(synth.render_photo plus sensor noise). Each is run through the batch engine exactly as
``mnist-desktop classify DIR -o out.csv`` does (loading and preprocessing in the worker
processes, one model call per chunk, CSV writing), and again with threads only (the engine
before worker processes, ``--threads-too``); the model load is timed apart. Then one file at
a time on one thread, each stage is timed, to show where the time goes. Prints markdown
tables. Other programs loading the CPU skew the numbers: check with ``top``.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from mnist_desktop.batch import BatchOptions, BatchRun, load_for_batch  # noqa: E402
from mnist_desktop.batch.output import RowWriter  # noqa: E402
from mnist_desktop.pipeline.digit_input import preprocess  # noqa: E402


def mnist_digits(count: int) -> tuple[np.ndarray, str]:
    folder = os.environ.get("MNIST_DIR", "")
    path = Path(folder) / "t10k-images-idx3-ubyte.gz"
    if folder and path.exists():
        from mnist_desktop.training.mnist_data import read_idx_images

        return read_idx_images(path)[:count], "MNIST test digits"
    digits = []
    for i in range(count):
        img = np.zeros((28, 28), np.uint8)
        cv2.putText(img, str(i % 10), (6, 23), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 0.9, 255, 2)
        digits.append(img)
    return np.stack(digits), "typeset digits (set MNIST_DIR for MNIST)"


def make_small(folder: Path, count: int, rng: np.random.Generator) -> str:
    digits, source = mnist_digits(count)
    folder.mkdir(parents=True)
    for i in range(count):
        side = int(rng.integers(28, 129))
        image = 255 - cv2.resize(digits[i % len(digits)], (side, side),
                                 interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / f"{i:06d}.png"), image)
    return source


def make_photos(folder: Path, count: int, size: tuple[int, int],
                rng: np.random.Generator) -> float:
    """JPEG photos of digits; returns the mean file size in MB."""
    from mnist_desktop.training.synth import render_photo

    digits, _ = mnist_digits(max(count, 10))
    folder.mkdir(parents=True)
    total = 0
    for i in range(count):
        photo, _ = render_photo(digits[i], rng, size=size, difficulty="mixed")
        noise = rng.normal(0, 3.0, photo.shape).astype(np.float32)
        photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
        assert ok
        (folder / f"photo_{i:04d}.jpg").write_bytes(buf.tobytes())
        total += len(buf)
    return total / count / 1e6


def command_rates(root: Path, counts: list[int], rng: np.random.Generator) -> None:
    """The ``classify`` command as a user runs it, on folders of ``counts`` small PNGs."""
    make_small(root / "command", max(counts), rng)
    files = sorted((root / "command").iterdir())
    print("`mnist-desktop classify DIR -o out.csv` as a user runs it (new process, model "
          "load included):\n")
    print("| files | command wall time | whole command files/s | rows |")
    print("|---:|---:|---:|---:|")
    timed = []
    for count in sorted(counts):
        folder = root / f"command_{count}"
        folder.mkdir()
        for path in files[:count]:
            os.link(path, folder / path.name)
        out = root / f"out_{count}.csv"
        command = [sys.executable, "-m", "mnist_desktop", "classify", str(folder), "-o",
                   str(out), "-q"]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
        timed.append((count, seconds))
        print(f"| {count:,} | {seconds:.2f} s | {count / seconds:,.0f} | {rows:,} |", flush=True)
    if len(timed) >= 2:
        (n0, t0), (n1, t1) = timed[0], timed[-1]
        if t1 <= t0:
            print("\nSteady rate not measurable: the bigger folder was not slower (CPU busy?)\n")
            return
        print(f"\nSteady rate ({n1:,} - {n0:,} files over the difference of the times): "
              f"**{(n1 - n0) / max(1e-9, t1 - t0):,.0f} files/s**\n")


def end_to_end(recognizer, folder: Path, workers: int | None,
               processes: bool | None = None) -> tuple[float, int, dict]:
    """Files/s for the whole batch (walk, load, preprocess, model, CSV writing)."""
    sink = io.StringIO()
    writer = RowWriter(sink, "csv")
    run = BatchRun(recognizer, [folder], BatchOptions(workers=workers, processes=processes))
    start = time.perf_counter()
    for chunk in run.chunks():
        for item in chunk:
            writer.write(item)
    writer.close()
    seconds = time.perf_counter() - start
    progress = run.progress()
    return progress.done / seconds, progress.done, dict(progress.counts)


def stages(recognizer, folder: Path, limit: int) -> dict[str, float]:
    """Milliseconds per file for each stage, one file at a time on one thread."""
    files = sorted(folder.iterdir())[:limit]
    times = {"read+decode": 0.0, "preprocess": 0.0, "model (batched)": 0.0}
    inputs = []
    for path in files:
        t0 = time.perf_counter()
        image, _ = load_for_batch(str(path))
        t1 = time.perf_counter()
        pre = preprocess(image)
        t2 = time.perf_counter()
        times["read+decode"] += t1 - t0
        times["preprocess"] += t2 - t1
        if pre.model_input is not None:
            inputs.append(pre.model_input)
    batch = np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.float32)
    recognizer.probabilities(batch[:256])  # warm up this batch shape
    t0 = time.perf_counter()
    for i in range(0, len(batch), 256):
        recognizer.probabilities(batch[i : i + 256])
    times["model (batched)"] = time.perf_counter() - t0
    return {name: 1000 * value / len(files) for name, value in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=3000, help="number of small PNGs")
    parser.add_argument("--photos", type=int, default=24, help="photos per size")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads-too", action="store_true",
                        help="also time the thread-only engine (processes=False)")
    parser.add_argument("--command", default="2000,12000",
                        help="folder sizes for the classify command ('' skips it)")
    parser.add_argument("--command-only", action="store_true",
                        help="only time the classify command")
    args = parser.parse_args(argv)
    if args.command:
        with tempfile.TemporaryDirectory() as tmp:
            command_rates(Path(tmp), [int(n) for n in args.command.split(",")],
                          np.random.default_rng(0))
    if args.command_only:
        return 0
    from mnist_desktop.reading.recognizer import Recognizer

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    recognizer = Recognizer.load()
    load_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = make_small(root / "small", args.small, rng)
        sets = [(f"small PNGs 28-128 px ({source})", root / "small", args.small, "")]
        for label, size in (("3 MP", (1500, 2000)), ("12 MP", (3000, 4000))):
            mb = make_photos(root / label, args.photos, size, rng)
            sets.append((f"{label} JPEG photos ({mb:.1f} MB each)", root / label,
                         args.photos, ""))
        cv2.setNumThreads(cv2.getNumThreads())
        print(f"CPU cores: {os.cpu_count()}, workers: {args.workers or os.cpu_count()}, "
              f"model load {load_seconds:.1f} s (not counted below)\n")
        print("| input | files | files/s end to end | threads only | "
              "ok / unsure / no digit / error |")
        print("|---|---:|---:|---:|---|")
        profiles = []
        for label, folder, count, _ in sets:
            end_to_end(recognizer, folder, args.workers)  # warm the file cache and the pool
            rate, done, counts = end_to_end(recognizer, folder, args.workers)
            threads = "-"
            if args.threads_too:
                threads = f"{end_to_end(recognizer, folder, args.workers, False)[0]:,.0f}"
            mix = " / ".join(str(counts.get(s, 0)) for s in ("ok", "unsure", "no_digit", "error"))
            print(f"| {label} | {done:,} | {rate:,.0f} | {threads} | {mix} |")
            profiles.append((label, stages(recognizer, folder, min(count, 500))))
        print("\nOne file at a time, one thread (ms per file):\n")
        print("| input | read+decode | preprocess | model (batched, per file) |")
        print("|---|---:|---:|---:|")
        for label, ms in profiles:
            print(f"| {label} | {ms['read+decode']:.2f} | {ms['preprocess']:.2f} | "
                  f"{ms['model (batched)']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
