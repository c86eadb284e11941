"""``mnist-desktop teach``: fine-tune the model on one person's labelled digits.

Qt-free; TensorFlow is imported only once the samples have been read.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import Any

from mnist_desktop.cli.classify import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _positive_int,
    _sigint_requests_stop,
)

EPILOG = f"""\
DIR:
  a folder of sub-folders 0 to 9 holding pictures of that digit (the layout of the app's
  own samples/ folder), or a CSV file of path,label (or a folder holding labels.csv).
  Every picture goes through the same pipeline as recognition.

recipe:
  your samples are learnt with augmentation while MNIST training digits are replayed
  alongside (--replay), so the model does not forget other hands; MNIST test digits are
  read before and after (--mnist-check) so any forgetting shows. Every sample is learnt
  by default; --holdout 0.2 holds a fifth of each digit back to measure the personal
  model on pictures it did not learn (it then learns from fewer). Works from one sample per
  digit upwards; the same --seed gives the same model on the same machine.

output:
  an ordinary model file (use it with --model, or Load model… in the window) and a JSON
  of the figures beside it (personal.json for personal.keras).

exit status:
  {EXIT_OK}    the personal model was written
  {EXIT_USAGE}    nothing to learn from or bad usage: empty folder, a sub-folder that is not a
       digit, model missing or invalid, output not writable, MNIST missing for replay;
       also when some pictures were unreadable: they are listed, the rest were used and
       the model was written
  {EXIT_INTERRUPTED}  interrupted by Ctrl+C: nothing was written

examples:
  mnist-desktop teach my_digits/ -o personal.keras
  mnist-desktop teach labels.csv -o personal.keras --epochs 5 --seed 3
  mnist-desktop evaluate exam_sheets/ --model personal.keras
"""


def _checked(convert: Any, ok: Any, rule: str) -> Any:
    """An argparse type: ``convert(text)``, refused unless ``ok(value)``."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, not {text}")
        return value

    return parse


_fraction = _checked(float, lambda v: 0.0 <= v < 1.0, "at least 0 and below 1")
_count = _checked(int, lambda v: v >= 0, "0 or more")


def add_teach_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mnist_desktop.reading import TeachOptions

    d = TeachOptions()
    parser = subparsers.add_parser(
        "teach", help="learn your handwriting: fine-tune the model on labelled pictures",
        description="Fine-tune the digit model on a folder of one person's labelled digits "
                    "and write a personal model file.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", metavar="DIR", help="sub-folders 0-9 of pictures, or a CSV")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="where to write the personal model (.keras)")
    parser.add_argument("--model", metavar="FILE", help="the model to start from "
                        "(default: the bundled one)")
    parser.add_argument("--epochs", type=_positive_int, default=d.epochs, metavar="N",
                        help=f"training epochs (default {d.epochs}; each is a fixed number of "
                             "steps, whatever the number of samples)")
    parser.add_argument("--seed", type=int, default=d.seed, metavar="S",
                        help=f"random seed (default {d.seed})")
    parser.add_argument("--holdout", type=_fraction, default=d.holdout, metavar="F",
                        help=f"share of each digit's samples held back to measure (default "
                             f"{d.holdout}: learn them all; digits with fewer than 3 samples "
                             "keep all)")
    parser.add_argument("--replay", type=_count, default=d.replay, metavar="N",
                        help=f"MNIST training digits replayed alongside (default {d.replay}; "
                             "0: none, the model forgets more)")
    parser.add_argument("--mnist-check", type=_count, default=d.mnist_check, metavar="N",
                        help=f"MNIST test digits read before and after (default "
                             f"{d.mnist_check}; 0 skips)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="MNIST folder (default: $MNIST_DIR, else the Keras download)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    parser.set_defaults(run=run_teach)
    return parser


def _error(message: str) -> None:
    print(f"mnist-desktop teach: error: {message}", file=sys.stderr)


def _percent(value: float | None) -> str:
    return "   n/a  " if value is None else f"{value:7.2%}"


def print_result(result: Any, stream: Any = None) -> None:
    out = stream or sys.stdout
    counts = " ".join(f"{d}:{n}" for d, n in enumerate(result.per_digit))
    print(f"taught on {result.trained_on} samples ({counts}) in {result.seconds:.1f} s",
          file=out)
    held = result.held_back
    if held.count:
        print(f"held-back samples ({held.count}): before {_percent(held.before)}   "
              f"after {_percent(held.after)}", file=out)
    elif result.options.holdout > 0:
        print("held-back samples: none (a digit needs 3 samples or more to hold one back)",
              file=out)
    if not held.count and result.samples_before is not None:
        before = _percent(result.samples_before).strip()
        print(f"your samples ({result.trained_on}): the model read {before} of them before; "
              "all were learnt (--holdout 0.2 keeps a fifth back to measure the personal "
              "model)", file=out)
    if result.mnist.count:
        print(f"MNIST test digits ({result.mnist.count}): before {_percent(result.mnist.before)}"
              f"   after {_percent(result.mnist.after)}", file=out)
    print(f"wrote {result.model_path} (use it with --model, or Load model… in the window)",
          file=out)


def run_teach(args: argparse.Namespace) -> int:
    from mnist_desktop.io import LabelledSetError, read_labelled
    from mnist_desktop.reading import TeachError, TeachOptions
    from mnist_desktop.training.finetune import FinetuneCancelled
    from mnist_desktop.training.teach import check_output, teach

    try:
        check_output(args.output)
        labelled = read_labelled(args.source)
    except (TeachError, LabelledSetError) as error:
        _error(str(error))
        return EXIT_USAGE
    options = TeachOptions(epochs=args.epochs, seed=args.seed, holdout=args.holdout,
                           replay=args.replay, mnist_check=args.mnist_check,
                           data_dir=args.data_dir, workers=os.cpu_count() or 1)
    show = not args.quiet and sys.stderr.isatty()
    stop = threading.Event()

    def progress(p: Any) -> None:
        if show:
            done = f" {p.done}/{p.total}" if p.total > 1 else ""
            sys.stderr.write(f"\r\033[K{p.stage}…{done}")
            sys.stderr.flush()

    for line in labelled.notes:
        print(f"left out: {line}", file=sys.stderr)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        from mnist_desktop.reading import native_stderr_silenced

        with native_stderr_silenced():
            import keras  # noqa: F401 - TensorFlow's start-up chatter goes nowhere
        with _sigint_requests_stop(stop.set):
            result = teach(labelled, args.output, base_model=args.model, options=options,
                           progress=progress, should_stop=stop.is_set)
    except (FinetuneCancelled, KeyboardInterrupt):
        if show:
            sys.stderr.write("\r\033[K")
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TeachError as error:
        if show:
            sys.stderr.write("\r\033[K")
        _error(str(error))
        return EXIT_USAGE
    if show:
        sys.stderr.write("\r\033[K")
    print_result(result)
    if result.problems:
        print(f"{len(result.problems)} picture(s) or lines could not be used (the rest were):",
              file=sys.stderr)
        for line in result.problems:
            print(f"  {line}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
