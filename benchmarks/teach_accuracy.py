#!/usr/bin/env python3
"""Teach it a hand: ``ardis-dev`` as a stand-in user (issue 12).

Runs the real commands in subprocesses, as a user would:

1. picks ``--per-digit`` (20) pictures of each digit of ``../shared/data/real/ardis-dev``
   with a fixed seed: the user's samples (copied to a temporary ``samples/<digit>/``);
2. ``mnist-desktop evaluate`` on all the other pictures with the shipped model;
3. ``mnist-desktop teach`` on the samples (timed: the figure must stay under 60 s on two
   cores for 200 samples);
4. ``evaluate`` on the other pictures again, with the personal model;
5. ``evaluate`` on the 10,000 MNIST test digits (written as PNGs to a temporary folder)
   with the shipped and the personal model, so forgetting is visible.

The personal model is made in a temporary folder and deleted; ardis-dev is read in place
(never copied into the repository, never used to train a shipped model).

    .venv/bin/python benchmarks/teach_accuracy.py [--per-digit 20] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REAL = REPO.parent / "shared" / "data" / "real" / "ardis-dev"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mnist_desktop", *args]


def run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"{' '.join(args[2:])} failed with exit status {done.returncode}")
    return seconds, done


def evaluate(source: Path, report: Path, model: Path | None) -> dict:
    extra = ["--model", str(model)] if model else []
    run(command("evaluate", str(source), "-o", str(report), "-q", *extra))
    return json.loads(report.read_text(encoding="utf-8"))


def split(real: Path, per_digit: int, seed: int, work: Path) -> tuple[Path, Path, int]:
    """(samples folder, CSV of the rest, samples count)."""
    import numpy as np

    with open(real / "labels.csv", newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["filename"])
    rng = np.random.default_rng(seed)
    samples, rest = work / "samples", []
    taught = 0
    for digit in "0123456789":
        names = [r["filename"] for r in rows if r["label"].strip() == digit]
        chosen = set(rng.choice(len(names), min(per_digit, len(names)), replace=False).tolist())
        (samples / digit).mkdir(parents=True)
        for i, name in enumerate(names):
            if i in chosen:
                shutil.copyfile(real / "images" / name, samples / digit / name)
                taught += 1
            else:
                rest.append((str(real / "images" / name), digit))
    with open(work / "rest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "label"])
        writer.writerows(rest)
    return samples, work / "rest.csv", taught


def mnist_folder(work: Path) -> Path | None:
    import cv2

    from mnist_desktop.training.mnist_data import MnistDataError, load_mnist

    try:
        data = load_mnist()
    except MnistDataError as error:
        print(f"(MNIST test skipped: {error})")
        return None
    folder = work / "mnist-test"
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True)
    for i, (image, label) in enumerate(zip(data.x_test, data.y_test, strict=True)):
        cv2.imwrite(str(folder / str(int(label)) / f"{i:05d}.png"), image)
    return folder


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=str(DEFAULT_REAL), help="the stand-in user's folder")
    parser.add_argument("--per-digit", type=int, default=20, help="samples taught per digit")
    parser.add_argument("--seed", type=int, default=0, help="which samples, and teach's seed")
    parser.add_argument("--epochs", type=int, help="teach --epochs (default: teach's own)")
    parser.add_argument("--keep", help="keep the work folder here (personal model included)")
    parser.add_argument("--no-mnist", action="store_true",
                        help="skip the MNIST test set (other draws of the same user, faster)")
    args = parser.parse_args(argv)
    real = Path(args.real)
    if not (real / "labels.csv").is_file():
        print(f"skipped: {real} is not there (needs ../shared/data/real/ardis-dev)")
        return 0
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average before {load_average()}")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="teach-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        samples, rest, taught = split(real, args.per_digit, args.seed, work)
        base = evaluate(rest, work / "base.json", None)
        personal_path = work / "personal.keras"
        extra = ["--epochs", str(args.epochs)] if args.epochs else []
        seconds, done = run(command("teach", str(samples), "-o", str(personal_path),
                                    "--seed", str(args.seed), "-q", *extra))
        load_teach = load_average()
        print(done.stdout.strip())
        after = evaluate(rest, work / "personal.json.report", personal_path)
        mnist = None if args.no_mnist else mnist_folder(work)
        m_base = evaluate(mnist, work / "mnist_base.json", None) if mnist else None
        m_after = evaluate(mnist, work / "mnist_personal.json", personal_path) if mnist else None
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nteach: {taught} samples ({args.per_digit} per digit, seed {args.seed}), "
          f"{seconds:.1f} s wall (load average after teach {load_teach})\n")
    print("| set | pictures | shipped model | personal model | error rate change |")
    print("|---|---:|---:|---:|---:|")

    def row(name: str, a: dict, b: dict) -> None:
        ea, eb = 1 - a["accuracy"], 1 - b["accuracy"]
        change = f"{eb / ea:.2f}x" if ea else "-"
        print(f"| {name} | {a['count']:,} | {a['accuracy']:.2%} | {b['accuracy']:.2%} "
              f"| {change} |")

    row(f"{real.name}, the pictures not taught", base, after)
    if m_base and m_after:
        row("MNIST test (10,000)", m_base, m_after)
    halved = (1 - after["accuracy"]) <= (1 - base["accuracy"]) / 2
    kept = m_after is None or m_after["accuracy"] >= 0.99
    print(f"\nerror rate at least halved: {'yes' if halved else 'NO'}; MNIST >= 99 %: "
          f"{'yes' if kept else 'NO'}; teach <= 60 s: {'yes' if seconds <= 60 else 'NO'}")
    print(f"load average at the end {load_average()} (above ~2 means other work shared the "
          "two cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
