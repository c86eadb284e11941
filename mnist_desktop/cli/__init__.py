"""The ``mnist-desktop`` command: the window with no arguments, sub-commands otherwise.

Qt-free: the GUI is imported only when the window is asked for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    """The window's options: the one place they are defined."""
    parser.add_argument("--model", metavar="PATH",
                        help="a .keras model file instead of the bundled one")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="close the window once the model is loaded (start-up checks)")


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the desktop window (the ``mnist-desktop-gui`` entry point); options Qt knows
    (``-platform``, ``-style``...) pass through to Qt."""
    parser = argparse.ArgumentParser(prog="mnist-desktop-gui",
                                     description="Open the desktop window.")
    _add_window_options(parser)
    args, qt_args = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    from mnist_desktop.gui.app import WindowOptions, run_app

    return run_app(WindowOptions(args.model, args.quit_when_ready), qt_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mnist-desktop",
        description="Read handwritten digits and numbers. With no arguments, opens the window.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_window_options(commands.add_parser("gui", help="open the desktop window (the default)"))
    from mnist_desktop.cli.classify import add_classify_parser

    add_classify_parser(commands)
    from mnist_desktop.cli.evaluate import add_evaluate_parser
    from mnist_desktop.cli.teach import add_teach_parser

    add_teach_parser(commands)
    add_evaluate_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        return gui_main([])
    if args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list = ["gui", *args_list]  # `mnist-desktop --model m.keras` opens the window
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command in (None, "gui"):
        extra = ["--model", args.model] if getattr(args, "model", None) else []
        if getattr(args, "quit_when_ready", False):
            extra.append("--quit-when-ready")
        return gui_main(extra)
    return int(args.run(args))
