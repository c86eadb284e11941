"""A one-line progress bar for a terminal (used by ``classify`` on standard error)."""

from __future__ import annotations

import shutil
import time
from typing import IO

from mnist_desktop.batch import BatchProgress, format_duration


def progress_text(progress: BatchProgress, width: int = 80) -> str:
    """``[#####-----] 1,234/5,000  812 files/s  ETA 0:05`` fitted to ``width`` columns."""
    rate = f"{progress.rate:,.0f} files/s"
    if progress.total:
        counts = f"{progress.done:,}/{progress.total:,}"
        tail = f" {counts}  {rate}  ETA {format_duration(progress.eta)}"
        room = max(10, width - len(tail) - 3)
        filled = min(room, int(room * progress.done / progress.total))
        return f"[{'#' * filled}{'-' * (room - filled)}]{tail}"[: width - 1]
    return f"{progress.done:,} files  {rate}  (counting…)"[: width - 1]


class ProgressBar:
    """Redraws one line in place, at most ten times a second; does nothing when disabled."""

    def __init__(self, stream: IO[str], enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self._last = 0.0
        self._shown = False

    def _write(self, text: str) -> None:
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self._shown = True

    def message(self, text: str) -> None:
        if self.enabled:
            self._write(text)

    def update(self, progress: BatchProgress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        self._write(progress_text(progress, shutil.get_terminal_size((80, 20)).columns))

    def clear(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
