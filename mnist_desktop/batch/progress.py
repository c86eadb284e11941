"""How far a batch run is, and the one-line summary the CLI and the GUI show. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RowStatus = Literal["ok", "unsure", "no_digit", "error"]
STATUSES: tuple[RowStatus, ...] = ("ok", "unsure", "no_digit", "error")


@dataclass(frozen=True)
class BatchProgress:
    """How far a run is: ``total`` is None until the background count has finished."""

    done: int
    total: int | None
    elapsed: float
    rate: float
    counts: tuple[tuple[str, int], ...] = ()
    skipped: int = 0
    finished: bool = False
    cancelled: bool = False

    @property
    def eta(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.rate)

    def count(self, status: str) -> int:
        return dict(self.counts).get(status, 0)

    def summary(self) -> str:
        """One line for the user, e.g. ``120 files in 1.2 s (100 files/s): 110 ok, ...``."""
        words = {"ok": "ok", "unsure": "unsure", "no_digit": "no digit", "error": "error"}
        parts = [f"{n:,} {words[s]}{'s' * (s == 'error' and n > 1)}"
                 for s in STATUSES if (n := self.count(s))]
        files = f"{self.done:,} file{'s' * (self.done != 1)}"
        line = f"{files} in {self.elapsed:.1f} s ({self.rate:,.0f} files/s)"
        if parts:
            line += ": " + ", ".join(parts)
        if self.skipped:
            line += f"; {self.skipped:,} non-image file{'s' * (self.skipped != 1)} skipped"
        if self.cancelled:
            line += " (cancelled"
            line += f" after {self.done:,} of {self.total:,})" if self.total is not None else ")"
        return line


def format_duration(seconds: float | None) -> str:
    """``0:07``, ``12:30``, ``1:02:03``; ``?`` when unknown."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
