"""How numbers read in the window: one rounding of confidence everywhere, plurals."""

from __future__ import annotations

import math


def percent(p: float) -> str:
    """A probability as "97.3 %", rounded down so that nearly-certain never reads 100 %: the
    result panel, the overlays, the batch table and the status bar all use this."""
    return f"{min(math.floor(p * 1000) / 10, 99.9):.1f} %"


def plural(count: int, noun: str) -> str:
    """``1 digit``, ``2 digits``, ``1,200 files``."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
