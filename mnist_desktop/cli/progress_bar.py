"""The terminal progress bar of ``classify`` (on standard error), drawn by tqdm."""

from __future__ import annotations

from typing import IO, Any

from mnist_desktop.batch import BatchProgress


class ProgressBar:
    """Shows a batch run's progress on one line; does nothing when disabled.

    The total is unknown until the background count of files has finished: until then the
    bar shows the count and the rate, then the bar, the ETA and the rate.
    """

    def __init__(self, stream: IO[str], enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self._bar: Any = None

    def _ensure(self, text: str = "") -> Any:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=None, desc=text, unit=" files", file=self.stream,
                             dynamic_ncols=True, mininterval=0.1, leave=False)
        return self._bar

    def message(self, text: str) -> None:
        """A line of text before any file is read (``loading the model…``)."""
        if self.enabled:
            bar = self._ensure(text)
            bar.set_description_str(text)

    def update(self, progress: BatchProgress) -> None:
        if not self.enabled:
            return
        bar = self._ensure()
        if bar.desc:
            bar.set_description_str("", refresh=False)
        if progress.total and bar.total != progress.total:
            bar.total = progress.total
        bar.update(progress.done - bar.n)

    def clear(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
