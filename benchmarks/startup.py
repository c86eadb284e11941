#!/usr/bin/env python3
"""How fast the desktop app starts: time to the window on screen and to the model ready.

Launches the real app (``python -m mnist_desktop``) in a fresh process several times with
QT_QPA_PLATFORM=offscreen and MNIST_DESKTOP_QUIT_WHEN_READY=1; the app prints the wall-clock
time of its first paint and of the model being ready, and quits. Times are measured from just
before the process is started, so they include the Python interpreter starting and every
import. Prints a markdown table of medians (and min/max) over the runs.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--model PATH]
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

REPO = Path(__file__).resolve().parent.parent


def launch(model: str | None, config_dir: str, qpa: str = "offscreen") -> dict[str, float]:
    """One start-up; returns seconds from launch to each event the app reported."""
    env = {**os.environ, "QT_QPA_PLATFORM": qpa, "MNIST_DESKTOP_QUIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": config_dir, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "mnist_desktop"]
    if model:
        command += ["gui", "--model", model]
    start = time.time()
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    ended = time.time()
    events = {"exit": ended - start}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("window-shown", "model-ready", "model-failed"):
            events[parts[0]] = float(parts[1]) - start
    if done.returncode != 0 or "model-ready" not in events:
        raise RuntimeError(f"the app did not get ready (exit {done.returncode}):\n"
                           f"{done.stdout[-1000:]}\n{done.stderr[-2000:]}")
    return events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-ups to time (default 5)")
    parser.add_argument("--model", help="a model file instead of the bundled one")
    parser.add_argument("--platform", default="offscreen",
                        help="Qt platform (default offscreen; xcb under a display or xvfb-run)")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="mnist-startup-") as config:
        launch(args.model, config, args.platform)  # warm the disk cache; not counted
        for index in range(args.runs):
            runs.append(launch(args.model, config, args.platform))
            print(f"run {index + 1}: window {runs[-1]['window-shown']:.2f} s, "
                  f"model ready {runs[-1]['model-ready']:.2f} s", file=sys.stderr)
    rows = [("Window on screen", "window-shown"), ("Model loaded, app ready", "model-ready"),
            ("Quit after ready (process exit)", "exit")]
    cpu = (f"{platform.machine()}, {os.cpu_count()} CPU cores, load average "
           f"{os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"Start-up of `python -m mnist_desktop` ({args.runs} runs, {args.platform}, {cpu}; "
          "seconds from launching the process):\n")
    print("| Event | Median | Min | Max |")
    print("|---|---:|---:|---:|")
    for label, key in rows:
        values = [run[key] for run in runs]
        print(f"| {label} | {statistics.median(values):.2f} s | {min(values):.2f} s | "
              f"{max(values):.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
