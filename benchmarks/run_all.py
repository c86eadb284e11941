#!/usr/bin/env python3
"""Run every benchmark and collect their tables in benchmarks/RESULTS.md (``make bench``).

Each benchmark runs in its own process, one after another (they compete for the two cores
otherwise). The README's tables are copied from this file.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("Single-image latency (issue 2)", "inference.py", []),
    ("Accuracy on realistic photos (issue 2)", "photo_accuracy.py", []),
    ("Tight crops: real ARDIS digits, MNIST cut to its ink", "crop_accuracy.py", []),
    ("Start-up (issue 3)", "startup.py", []),
    ("Command-line start-up, side by side with import tensorflow (issue 19)",
     "cli_startup.py", []),
    ("Batch throughput (issue 4)", "batch_throughput.py", []),
    ("Reading a number: speed on a 1 MP photo", "read_number.py", []),
    ("Exact-number accuracy on held-out synthetic sheets", "number_accuracy.py", []),
    ("Real cheque amounts (car-a-dev)", "real_numbers.py", []),
]


KEPT = "<!-- kept by run_all.py -->"
"""RESULTS.md keeps what follows this line (profiles and other hand-run sections)."""


def main() -> int:
    lines = [f"# Benchmark results\n\n{time.strftime('%Y-%m-%d %H:%M')}, "
             f"{platform.platform()}, Python {platform.python_version()}\n"]
    failed = 0
    for title, script, args in BENCHMARKS:
        print(f"== {title}: {script}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / script), *args],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
        print(done.stdout, flush=True)
        if done.returncode != 0:
            failed += 1
            print(done.stderr[-3000:], file=sys.stderr)
        lines.append(f"## {title}\n\n`benchmarks/{script}` ({seconds:.0f} s, "
                     f"exit {done.returncode})\n\n{done.stdout.strip()}\n")
    results = HERE / "RESULTS.md"
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    if KEPT in old:  # hand-run sections (profiles) below the marker are kept
        lines.append(old[old.index(KEPT):])
    results.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
