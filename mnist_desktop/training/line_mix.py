"""How often each complication appears in the synthetic lines the line model trains on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineMix:
    """How often each complication happens (per line unless said otherwise)."""

    touching: float = 0.4
    separators: float = 0.45
    trailing_mark: float = 0.45
    underline: float = 0.3
    box: float = 0.08
    letters: float = 0.06
    only_marks: float = 0.03
    european: float = 0.35
    """Per 1 or 7: written the European way (a flag on the 1, a bar through the 7)."""
    security: float = 0.45
    ruled: float = 0.12
    inverted: float = 0.08
    cut_by_frame: float = 0.3


DEFAULT_MIX = LineMix()
CLEAN_MIX = LineMix(touching=0.0, separators=0.0, trailing_mark=0.0, underline=0.0, box=0.0,
                    letters=0.0, only_marks=0.0, european=0.0, security=0.0, ruled=0.0,
                    inverted=0.0, cut_by_frame=0.0)
