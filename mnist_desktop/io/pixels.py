"""Pixels of any numeric type brought to 8 bits, one way for the whole app.

The pipeline's grey image, the Batch tab's thumbnails and the samples saved for teaching
all convert with ``to_uint8``, so a 16-bit scan or a float array looks the same
everywhere: 16-bit divides by 257 (65535 -> 255, 32896 -> 128), floats in [0, 1] are
scaled by 255 and rounded, other numbers are clipped; NaN and infinities are paper (0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["to_uint8"]


def to_uint8(channels: np.ndarray) -> np.ndarray:
    """Scale any numeric array to uint8 without wrapping around (uint8 comes back as is)."""
    if channels.dtype == np.uint8:
        return channels
    if channels.dtype == np.bool_:
        return channels.astype(np.uint8) * 255
    if channels.dtype == np.uint16:
        return (channels // 257).astype(np.uint8)
    if np.issubdtype(channels.dtype, np.integer):
        return np.clip(channels, 0, 255).astype(np.uint8)
    values = np.nan_to_num(channels.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(values.max()) if values.size else 0.0
    low = float(values.min()) if values.size else 0.0
    if low >= 0.0 and peak <= 1.0:
        values = values * 255.0
    return np.clip(values + 0.5, 0, 255).astype(np.uint8)
