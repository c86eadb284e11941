#!/usr/bin/env python3
"""The window as a user meets it: a real X window (Xvfb), looped strokes drawn with the mouse.

Starts ``python -m mnist_desktop`` on a virtual X display, draws ``--strokes`` looped strokes
on the Draw tab with xdotool (press, 30 moves, release; the sheet cleared every 10 strokes),
then checks the process is still alive, takes a screenshot and quits with Ctrl+Q, timing how
long the window takes to close. Needs Xvfb and xdotool (Debian: ``apt-get install xvfb
xdotool``; ImageMagick's ``import`` for the screenshot).

    python benchmarks/window_strokes.py --strokes 150 --screenshot /tmp/after.png

Exit status 0 when the window survived every stroke and closed, 1 when it died.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def xdo(display: str, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


def window_geometry(display: str, timeout: float = 60.0) -> tuple[str, int, int, int, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = xdo(display, "search", "--onlyvisible", "--name", "MNIST").split()
        if ids:
            wid = ids[-1]
            values = dict(line.split("=", 1) for line in
                          xdo(display, "getwindowgeometry", "--shell", wid).splitlines()
                          if "=" in line)
            return wid, int(values["X"]), int(values["Y"]), int(values["WIDTH"]), \
                int(values["HEIGHT"])
        time.sleep(0.2)
    raise SystemExit("the window never appeared")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=150)
    parser.add_argument("--display", default=":97")
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            print(f"needs {tool} (apt-get install xvfb xdotool)", file=sys.stderr)
            return 2
    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1400x900x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=args.display, MNIST_DESKTOP_DATA_DIR=str(Path("/tmp") / "mnist-soak"))
    app = None
    try:
        time.sleep(1.0)
        started = time.monotonic()
        app = subprocess.Popen([sys.executable, "-m", "mnist_desktop"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wid, x, y, width, height = window_geometry(args.display)
        except SystemExit:
            app.kill()
            print(app.stdout.read() if app.stdout else "", file=sys.stderr)
            raise
        print(f"window on screen after {time.monotonic() - started:.2f} s ({width}x{height})")
        xdo(args.display, "windowactivate", "--sync", wid)
        time.sleep(4.0)  # the model loads in the background
        # the Draw tab's sheet fills the left part of the window, below the toolbar
        cx, cy = x + int(width * 0.33), y + int(height * 0.45)
        radius = int(min(width, height) * 0.12)
        for stroke in range(args.strokes):
            if app.poll() is not None:
                print(f"DIED at stroke {stroke}: exit {app.returncode}")
                print(app.stdout.read() if app.stdout else "")
                return 1
            ox = cx + (stroke % 3 - 1) * radius * 2
            points = [(ox + int(radius * 0.7 * math.sin(a)), cy - int(radius * math.cos(a)))
                      for a in (i * 2.3 * math.pi / 30 for i in range(31))]
            xdo(args.display, "mousemove", str(points[0][0]), str(points[0][1]), "mousedown", "1")
            moves: list[str] = []
            for px, py in points[1:]:
                moves += ["mousemove", str(px), str(py), "sleep", "0.005"]
            xdo(args.display, *moves, "mouseup", "1")
            if stroke % 10 == 9:
                time.sleep(0.3)
                if stroke < args.strokes - 1:
                    xdo(args.display, "key", "Delete")
        time.sleep(1.0)
        alive = app.poll() is None
        state = "alive" if alive else f"DEAD (exit {app.returncode})"
        print(f"{args.strokes} looped strokes drawn: the window is {state}")
        if args.screenshot and shutil.which("import"):
            subprocess.run(["import", "-display", args.display, "-window", "root",
                            str(args.screenshot)], timeout=30, check=False)
            print(f"screenshot: {args.screenshot}")
        if not alive:
            return 1
        asked = time.monotonic()
        xdo(args.display, "key", "ctrl+q")
        app.wait(timeout=30)
        print(f"Ctrl+Q: the process ended {time.monotonic() - asked:.2f} s later "
              f"(exit {app.returncode})")
        return 0 if app.returncode == 0 else 1
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        xvfb.terminate()
        xvfb.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
