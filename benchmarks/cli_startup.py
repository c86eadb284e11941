#!/usr/bin/env python3
"""How long the command line takes as a whole process: one photo, ``--help``, a usage error,
side by side with a bare ``python -c "import tensorflow"``.

Each command is a new process, started the way a user starts it; the commands take turns
(one run of each, then the next round), so a change in the machine's load hits them all
alike. The first round warms the disk cache and is not counted. Prints a markdown table of
medians (and min/max) and the ratio of ``classify one.jpg`` to ``import tensorflow``.

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent


def photo(path: Path) -> Path:
    """A phone-sized JPEG of one handwritten-looking digit on uneven paper."""
    yy, xx = np.mgrid[0:960, 0:1280].astype(np.float32)
    paper = 215.0 - 30.0 * (xx / 1280.0) * (yy / 960.0)
    image = np.clip(paper + np.random.default_rng(0).normal(0, 3, paper.shape), 0, 255)
    image = image.astype(np.uint8)
    cv2.putText(image, "7", (520, 640), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 12.0, 40, 24,
                cv2.LINE_AA)
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    return path


def timed(command: list[str], expect: int) -> float:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}, expected {expect}\n"
                           f"{done.stdout[-500:]}\n{done.stderr[-1500:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    args = parser.parse_args(argv)
    app = [sys.executable, "-m", "mnist_desktop"]
    with tempfile.TemporaryDirectory(prefix="mnist-cli-startup-") as folder:
        one = photo(Path(folder) / "one.jpg")
        commands = {
            "`mnist-desktop classify one.jpg` (1280x960 photo)":
                (app + ["classify", str(one)], 0),
            "`mnist-desktop --help`": (app + ["--help"], 0),
            "`mnist-desktop classify --bogus` (usage error)": (app + ["classify", "--bogus"], 2),
            "`mnist-desktop teach --help`": (app + ["teach", "--help"], 0),
            '`python -c "import tensorflow"` (for comparison)':
                ([sys.executable, "-c", "import tensorflow"], 0),
        }
        load_before = os.getloadavg()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.runs + 1):
            for name, (command, expect) in commands.items():
                seconds = timed(command, expect)
                if round_:
                    times[name].append(seconds)
            if round_:
                print(f"round {round_}: " + ", ".join(f"{t[-1]:.2f}" for t in times.values()),
                      file=sys.stderr)
        load_after = os.getloadavg()
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"Whole processes, {args.runs} runs each taking turns, {time.strftime('%Y-%m-%d %H:%M')}"
          f", {platform.machine()}, {os.cpu_count()} CPU cores, load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after:\n")
    print("| command | median | min | max |\n|---|---:|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {medians[name]:.2f} s | {min(values):.2f} s | {max(values):.2f} s |")
    names = list(commands)
    ratio = medians[names[0]] / medians[names[-1]]
    print(f"\n`classify one.jpg` / `import tensorflow`: **{ratio:.2f}x**")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
