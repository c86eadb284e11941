"""``mnist-desktop evaluate``: the app's accuracy on a labelled folder (or CSV).

Reads every picture the way ``classify`` does (same loading, pipeline, model and worker
processes) and scores it against its label (``evaluation``). Qt-free.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from mnist_desktop.batch import OutputError, check_writable
from mnist_desktop.cli.classify import (
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _positive_int,
    _sigint_requests_stop,
    load_or_exit_code,
)
from mnist_desktop.defaults import DEFAULT_MIN_CONFIDENCE

EPILOG = f"""\
DIR:
  a folder of sub-folders 0 to 9 holding pictures of that digit, or a CSV file of
  path,label (or a folder holding labels.csv, the paths relative to it or to its images/).

counting:
  "no digit found" counts as wrong; unsure answers count by their best guess; pictures
  that cannot be read are listed and left out of the figures.

report (-o, JSON):
  accuracy, count, correct, per_digit (accuracy per true digit), per_digit_count,
  confusion (10x10 counts, rows = true digit, columns = prediction), no_digit (per true
  digit), errors (path, label, prediction, confidence; prediction null when no digit was
  found), unreadable (path, message), model.

exit status (as classify):
  {EXIT_OK}    every picture was read
  {EXIT_ERRORS}    some pictures could not be read (listed; the figures are for the rest)
  {EXIT_USAGE}    usage error: no labelled pictures, a sub-folder that is not a digit, model
       missing or invalid, output not writable
  {EXIT_INTERRUPTED}  interrupted by Ctrl+C: nothing was written

examples:
  mnist-desktop evaluate exam_sheets/ -o report.json --plot confusion.png
  mnist-desktop evaluate labels.csv --model personal.keras
"""


def add_evaluate_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate", help="accuracy, per-digit accuracy and confusions on a labelled folder",
        description="Read every picture of a labelled folder and report how many were right.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", metavar="DIR", help="sub-folders 0-9 of pictures, or a CSV")
    parser.add_argument("--model", metavar="FILE",
                        help="a .keras model file instead of the bundled one")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here (JSON)")
    parser.add_argument("--plot", metavar="FILE", help="draw the confusion matrix (PNG)")
    parser.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                        help=f"worker processes reading pictures (default {os.cpu_count()})")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run_evaluate)
    return parser


def _error(message: str) -> None:
    print(f"mnist-desktop evaluate: error: {message}", file=sys.stderr)


def _write_json(path: str, data: dict[str, Any]) -> None:
    target = Path(path)
    temp = target.with_name(f".{target.name}.part")
    temp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(temp, target)


def _plot(path: str, report: Any) -> None:
    import numpy as np

    from mnist_desktop.training.plots import confusion_matrix_image

    title = f"{report.model}: {report.accuracy:.2%} of {report.count:,}"
    target = Path(path)
    temp = target.with_name(f".{target.stem}.part{target.suffix or '.png'}")
    confusion_matrix_image(np.array(report.confusion), temp, title)
    os.replace(temp, target)


def run_evaluate(args: argparse.Namespace) -> int:
    from mnist_desktop.batch import BatchOptions, BatchRun, Scorer, format_report
    from mnist_desktop.cli.progress_bar import ProgressBar
    from mnist_desktop.io import LabelledSetError, read_labelled

    try:
        for target in (args.output, args.plot):
            if target:
                check_writable(target)
        labelled = read_labelled(args.source)
    except (OutputError, LabelledSetError) as error:
        _error(str(error))
        return EXIT_USAGE
    bar = ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    bar.message("loading the model…")
    recognizer = load_or_exit_code(args.model, DEFAULT_MIN_CONFIDENCE, bar, _error)
    if isinstance(recognizer, int):
        return recognizer
    scorer = Scorer({item.path: item.label for item in labelled.items},
                    recognizer.info.name)
    run = BatchRun(recognizer, [item.path for item in labelled.items],
                   BatchOptions(workers=args.workers))
    try:
        with _sigint_requests_stop(run.cancel):
            for chunk in run.chunks():
                scorer.add_items(chunk)
                bar.update(run.progress())
    except KeyboardInterrupt:
        run.cancel()
    bar.clear()
    if run.cancelled:
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    report = scorer.report()
    print(f"{labelled.source}: {report.count:,} pictures, model {recognizer.info.name}")
    print(format_report(report))
    for line in labelled.notes + labelled.problems:
        print(f"left out: {line}", file=sys.stderr)
    if report.unreadable:
        print(f"{len(report.unreadable)} picture(s) could not be read (left out):",
              file=sys.stderr)
        for path, message in report.unreadable:
            print(f"  {path}: {message}", file=sys.stderr)
    if args.output:
        _write_json(args.output, {"source": labelled.source, **report.as_dict(),
                                  "left_out": list(labelled.problems)})
        print(f"wrote {args.output}")
    if args.plot:
        _plot(args.plot, report)
        print(f"wrote {args.plot}")
    return EXIT_ERRORS if report.unreadable or labelled.problems else EXIT_OK
