"""Keep TensorFlow's start-up chatter off the terminal while a model loads."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Keep TensorFlow's start-up chatter (written by C++ straight to fd 2) off the terminal.

    Python exceptions are unaffected. Set MNIST_DESKTOP_DEBUG=1 to see that output.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0 or os.environ.get("MNIST_DESKTOP_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
