"""``mnist-desktop classify``: read the digit (or number) in every image of files and folders.

Qt-free and quick to start: TensorFlow is imported only when the model is loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from mnist_desktop.batch import (
    FORMATS,
    AtomicOutput,
    OutputError,
    RowWriter,
    check_writable,
    format_for,
)
from mnist_desktop.defaults import DEFAULT_MIN_CONFIDENCE

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141

EPILOG = f"""\
output:
  CSV columns, in this order: path,prediction,confidence,status,message
  (--multi adds a last column "digits": a JSON list of {{box, digit, confidence, status}}).
  By default each picture is read for what it holds, as the window's Image tab reads it:
  one digit (prediction "7"), or a number (prediction "4719"; two lines of writing are
  separated by a space; confidence is the number's, ok only when the whole number is
  very likely right). --digit reads one digit, --multi a number, whatever the picture.
  status is ok, unsure (confidence below --min-confidence), no_digit or error;
  message says why for anything but ok. JSON is an array of objects with the same keys,
  JSONL one object per line. The output file is written atomically (temporary file +
  rename): an interrupted run never leaves a half-written file.

folders:
  files with an image extension, hidden files skipped, in natural name order
  (2.png before 10.png); -r also searches sub-folders (symbolic-link loops reported).
  Files named on the command line are always tried, whatever their extension.

exit status:
  {EXIT_OK}    every file was processed (rows may be unsure or no_digit)
  {EXIT_ERRORS}    at least one row has status error (not an image, truncated, unreadable...)
  {EXIT_USAGE}    usage error: bad option, a file or folder that does not exist, unknown output
       format, output not writable, model file missing or invalid, --scheduler: the
       Dask cluster can't be used (all said before any model is loaded, but the last two)
  {EXIT_INTERRUPTED}  interrupted by Ctrl+C: the rows done so far were written (a complete file);
       a second Ctrl+C stops at once and writes nothing

examples:
  mnist-desktop classify scans/ -r -o results.csv
  mnist-desktop classify a.png b.jpg --format jsonl | jq .prediction
  mnist-desktop classify forms/ --multi -o numbers.json
  mnist-desktop classify mnist_pngs/ --digit -o digits.csv
  mnist-desktop classify /archive -r -o results.csv --scheduler tcp://SCHEDULER:8786
"""


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _scheduler(text: str) -> str:
    from mnist_desktop.batch import parse_scheduler

    try:
        parse_scheduler(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def add_classify_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``classify`` on the sub-parsers of ``cli.build_parser()``."""
    parser = subparsers.add_parser(
        "classify",
        help="read the digit in every image of some files and folders (CSV, JSON, JSONL)",
        description="Read the handwritten digit in every image of the given files and "
                    "folders and write one row per file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image files and folders")
    parser.add_argument("-r", "--recursive", action="store_true",
                        help="also search the sub-folders of folders")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write here (format from the extension: .csv, .json, .jsonl); "
                             "default: standard output")
    parser.add_argument("--format", choices=FORMATS,
                        help="output format (default: from --output's extension, else csv)")
    parser.add_argument("--model", metavar="FILE",
                        help="a .keras model file instead of the bundled one")
    parser.add_argument("--min-confidence", type=_probability, default=DEFAULT_MIN_CONFIDENCE,
                        metavar="X",
                        help="below this probability a row is marked unsure "
                             f"(0 to 1, default {DEFAULT_MIN_CONFIDENCE})")
    parser.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                        help="worker processes loading and preprocessing images (threads "
                             "with 1 or --multi; default: the CPU count, "
                             f"{os.cpu_count()})")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no summary on standard error")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--multi", action="store_true",
                      help="read every image as a whole number (adds the digits column)")
    kind.add_argument("--digit", action="store_true",
                      help="read every image as one digit (a picture of several digits is "
                           "unsure: 'several digits: use --multi')")
    parser.add_argument("--scheduler", type=_scheduler, metavar="ADDRESS",
                        help="classify on a Dask cluster: tcp://HOST:8786 for a running "
                             "scheduler, local or local:N to start N worker processes here "
                             '(needs pip install "mnist-desktop[cluster]")')
    parser.add_argument("--send-bytes", action="store_true",
                        help="with --scheduler: send the files' bytes to the workers "
                             "(default: the paths, for a filesystem the workers share)")
    parser.set_defaults(run=lambda args: run_classify(args, parser))
    return parser


def _stdout() -> tuple[IO[str], bool]:
    """A UTF-8 text stream on standard output (and whether it must be detached after)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return sys.stdout, False
    sys.stdout.flush()
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="backslashreplace",
                            newline=""), True


@contextlib.contextmanager
def _sigint_requests_stop(on_stop: Any) -> Iterator[None]:
    """First Ctrl+C calls ``on_stop`` (finish cleanly); a second one raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        on_stop()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Hold Ctrl+C while the output is moved into place."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _error(message: str) -> None:
    print(f"mnist-desktop classify: error: {message}", file=sys.stderr)


def run_classify(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the command; returns the exit status (see EPILOG)."""
    try:
        fmt = format_for(args.output, args.format)
        if args.output:
            check_writable(args.output)
    except OutputError as error:
        parser.error(str(error))
    missing = [path for path in args.paths if not os.path.lexists(path)]
    if missing:  # a typo: say so now, before seconds of model loading, and read nothing
        for path in missing:
            _error(f"no such file or folder: {path}")
        return EXIT_USAGE
    args.mode = "number" if args.multi else "digit" if args.digit else "auto"
    if args.send_bytes and not args.scheduler:
        parser.error("--send-bytes goes with --scheduler")
    from mnist_desktop.cli.progress_bar import ProgressBar

    show = not args.quiet and sys.stderr.isatty() and (args.output or not sys.stdout.isatty())
    bar = ProgressBar(sys.stderr, enabled=bool(show))
    if args.scheduler:
        from mnist_desktop.batch import classify_on_cluster

        return classify_on_cluster(args, lambda run: _write_rows(args, fmt, run, bar),
                                   _error, bar)
    bar.message("loading the model…")
    workers = args.workers or os.cpu_count() or 1
    if not args.multi and workers > 1 and not few_files(args.paths):
        from mnist_desktop.batch import warm_up

        warm_up(workers)  # the worker processes start while the model loads
    recognizer = load_or_exit_code(args.model, args.min_confidence, bar, _error)
    if isinstance(recognizer, int):
        return recognizer
    if args.multi and getattr(recognizer, "line_model", True) is None:
        bar.clear()  # whole numbers asked for, and the model that reads them is broken
        problem = getattr(recognizer, "line_model_error", None) or "it is missing"
        _error(f"--multi needs the line model, which could not be loaded: {problem}")
        return EXIT_USAGE
    return _classify(args, fmt, recognizer, bar)


def load_or_exit_code(model: str | None, min_confidence: float, bar: Any,
                      error: Any) -> Any:
    """The Recognizer, or the exit status after saying why there is none (``error``)."""
    try:
        return _load_recognizer(model, min_confidence)
    except KeyboardInterrupt:
        bar.clear()
        print("interrupted before any file was read; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as problem:  # noqa: BLE001 - ModelError and TensorFlow's own errors
        bar.clear()
        error(str(problem))
        return EXIT_USAGE


def _load_recognizer(model: str | None, min_confidence: float) -> Reader:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from mnist_desktop.reading import Recognizer, native_stderr_silenced

    with native_stderr_silenced():
        return Recognizer.load(model, min_confidence=min_confidence)


def _classify(args: argparse.Namespace, fmt: str, recognizer: Reader, bar: Any) -> int:
    from mnist_desktop.batch import BatchOptions, BatchRun

    run = BatchRun(recognizer, args.paths,
                   BatchOptions(recursive=args.recursive, workers=args.workers,
                                multi=args.multi, mode=args.mode,
                                processes=False if few_files(args.paths) else None))
    return _write_rows(args, fmt, run, bar)


FEW_FILES = 8
"""Up to this many files named one by one are prepared on threads: starting worker
processes (~0.3 s) would cost more than it saves."""


def few_files(paths: list[str]) -> bool:
    """Whether ``paths`` are a few files (no folder)."""
    return len(paths) <= FEW_FILES and all(os.path.isfile(p) for p in paths)


def _write_rows(args: argparse.Namespace, fmt: str, run: Any, bar: Any) -> int:
    """Write the rows of ``run`` (a BatchRun, local or on a cluster) as they come."""
    if args.output:
        try:
            target: Any = AtomicOutput(args.output, fmt, args.multi)  # type: ignore[arg-type]
        except OutputError as error:  # the folder went away or filled up since the check
            bar.clear()
            _error(str(error))
            return EXIT_USAGE
        stream, detach = None, False
    else:
        stream, detach = _stdout()
        target = RowWriter(stream, fmt, args.multi)  # type: ignore[arg-type]
    broken_pipe = False
    try:
        with _sigint_requests_stop(run.cancel):
            try:
                for chunk in run.chunks():
                    for item in chunk:
                        target.write(item)
                    bar.update(run.progress())
            except BrokenPipeError:
                broken_pipe = True
                run.cancel()
        with _sigint_ignored():
            _finish(target, broken_pipe)
    except KeyboardInterrupt:
        bar.clear()
        if isinstance(target, AtomicOutput):
            target.discard()
        print("interrupted twice: stopped at once, nothing more was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BaseException:
        if isinstance(target, AtomicOutput):
            target.discard()
        raise
    finally:
        if detach and stream is not None:
            with contextlib.suppress(ValueError, OSError):
                stream.detach()  # type: ignore[attr-defined]
    bar.clear()
    progress = run.progress()
    if broken_pipe:
        return EXIT_BROKEN_PIPE
    where = f"to {args.output}" if args.output else "to standard output"
    if run.cancelled:
        total = f" of {progress.total:,}" if progress.total is not None else ""
        print(f"interrupted: the {progress.done:,} rows done so far{total} were written {where} "
              "(a complete file)", file=sys.stderr)
    if not args.quiet:
        print(progress.summary(), file=sys.stderr)
    if run.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_ERRORS if progress.count("error") else EXIT_OK


def _finish(target: Any, broken_pipe: bool) -> None:
    """Close the JSON array / commit the atomic file."""
    if isinstance(target, AtomicOutput):
        target.commit()
        return
    if broken_pipe:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    try:
        target.close()
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
