"""The ``mnist-desktop`` command: the window with no arguments, sub-commands otherwise.

Qt-free: the GUI is imported only when the window is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

COMMANDS = ("gui", "classify", "teach", "evaluate")
EXIT_USAGE = 2


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    """The window's options: the one place they are defined."""
    parser.add_argument("--model", metavar="PATH",
                        help="a .keras model file instead of the bundled one")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="close the window once the model is loaded (start-up checks)")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="add mnist-desktop to the desktop's menus and 'Open with' "
                             "(~/.local/share/applications), then exit")
    parser.add_argument("path", nargs="?", default=None,
                        help="an image to open in the Image tab, or a folder to read in the "
                             "Batch tab")


def _missing(path: str | None) -> int:
    """Exit status 2 and a message naming ``path`` when it does not exist, else 0."""
    if path is None or os.path.exists(path):
        return 0
    print(f"mnist-desktop: {path}: no such file or folder (commands: {', '.join(COMMANDS)})",
          file=sys.stderr)
    return EXIT_USAGE


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the desktop window (the ``mnist-desktop-gui`` entry point); options Qt knows
    (``-platform``, ``-style``...) pass through to Qt."""
    parser = argparse.ArgumentParser(prog="mnist-desktop-gui",
                                     description="Open the desktop window.")
    _add_window_options(parser)
    args, qt_args = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if args.install_desktop_entry:
        from mnist_desktop.cli.desktop_entry import install_desktop_entry

        return install_desktop_entry()
    if _missing(args.path):
        return EXIT_USAGE
    from mnist_desktop.gui.app import WindowOptions, run_app

    return run_app(WindowOptions(args.model, args.quit_when_ready, args.path), qt_args)


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
    first = args_list[0]
    if (first.startswith("-") and first not in ("-h", "--help")) or first not in COMMANDS:
        # `mnist-desktop --model m.keras`, `mnist-desktop photo.jpg`: the window
        args_list = ["gui", *args_list]
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command in (None, "gui"):
        extra = ["--model", args.model] if getattr(args, "model", None) else []
        if getattr(args, "quit_when_ready", False):
            extra.append("--quit-when-ready")
        if getattr(args, "install_desktop_entry", False):
            extra.append("--install-desktop-entry")
        if getattr(args, "path", None):
            extra.append(args.path)
        return gui_main(extra)
    return int(args.run(args))
