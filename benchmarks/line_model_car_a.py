#!/usr/bin/env python3
"""The line model alone on real cheque amounts: the share of ``car-a-dev`` read exactly.

Training never opens the real sets (``train.py --task lines`` reports synthetic validation
lines only); this is the progress report it used to print, run from outside on what a
training wrote: the shipped ``resources/lines.keras`` by default, or any model files
given (a finished run, or several, to compare). Each picture is one line (whole picture,
best path), as ``train.py`` measured it before; the reader's full ``read()`` (segmentation
and reconciliation included) is ``benchmarks/real_numbers.py``.

    python benchmarks/line_model_car_a.py [MODEL.keras ...]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from real_sets import car_a_inputs  # noqa: E402

from mnist_desktop.reading.line_model import LineModel  # noqa: E402
from mnist_desktop.training.line_task import exact  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="*", help="line model files (default: the shipped one)")
    args = p.parse_args(argv)
    found = car_a_inputs()
    if found is None:
        print("car-a-dev not found (../shared/data/real or $MNIST_DESKTOP_REAL_DIR): skipped")
        return 0
    inputs, texts = found
    print(f"# line model alone on car-a-dev ({len(texts)} amounts), {platform.node()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    for path in args.models or [None]:
        model = LineModel.load(path)
        start = time.perf_counter()
        share = exact(model, inputs, texts)
        seconds = time.perf_counter() - start
        print(f"{path or 'shipped lines model'}: exact {share:.1%} ({model.engine}, "
              f"{1000 * seconds / len(texts):.1f} ms an amount)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
