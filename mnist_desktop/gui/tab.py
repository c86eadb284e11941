"""What the main window and the corrections expect of every tab.

Each tab (``draw/``, ``image/``, ``webcam/``, ``batch/``, ``handwriting/``) is a QWidget with
the signals ``resultReady(object)`` (a ``Reading`` or None, for the shared result panel) and
``statusMessage(str)``, and these methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from mnist_desktop.reading import Reader


@runtime_checkable
class Tab(Protocol):
    def set_recognizer(self, recognizer: Reader | None) -> None:
        """Use ``recognizer`` from now on (None while the model loads or when it failed)."""

    def shutdown(self) -> None:
        """Ask the tab's threads to stop and wait for them; save its settings."""

    def correction_picture(self) -> np.ndarray | None:
        """The picture the tab's current result was read from (the boxes of that result are
        in its pixels), or None when there is none."""

    def highlight_digit(self, index: int) -> None:
        """Single out digit ``index`` of the current number (-1: none)."""
