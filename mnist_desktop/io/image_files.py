"""Load image files as OpenCV arrays, with a clear reason whenever a file can't be used.

Qt-free. Files are read as bytes and decoded with ``cv2.imdecode``, so non-ASCII names work
on every platform. Before decoding, the header is checked: empty, truncated, text or other
non-image files and decompression bombs are refused with a message a user understands.
Phone photos are turned upright by their EXIF orientation; the alpha channel is kept
(the pipeline treats transparent pixels as paper); animated GIFs and multi-page TIFFs give
their first frame.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.io.image_headers import (
    Header,
    describe_start,
    foreign_format,
    jpeg_is_truncated,
    png_is_truncated,
    read_header,
)
from mnist_desktop.io.pixels import to_uint8

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageLoadError",
    "image_extensions",
    "is_image_name",
    "load_image",
    "load_image_reduced",
    "make_thumbnail",
]

MAX_PIXELS = 100_000_000
"""Images claiming more pixels than this are refused before decoding (decompression bombs)."""
MAX_FILE_BYTES = 1 << 30
"""Files bigger than this (1 GiB) are not read into memory."""

_UNCHANGED = cv2.IMREAD_UNCHANGED
_JPEG_FLAGS = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH
"""JPEG has no alpha: these flags keep grey as grey and let OpenCV apply EXIF orientation."""
_REDUCED = {
    (2, False): cv2.IMREAD_REDUCED_COLOR_2,
    (4, False): cv2.IMREAD_REDUCED_COLOR_4,
    (8, False): cv2.IMREAD_REDUCED_COLOR_8,
    (2, True): cv2.IMREAD_REDUCED_GRAYSCALE_2,
    (4, True): cv2.IMREAD_REDUCED_GRAYSCALE_4,
    (8, True): cv2.IMREAD_REDUCED_GRAYSCALE_8,
}

_CODEC_EXTENSIONS = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "PNG": (".png",),
    "TIFF": (".tif", ".tiff"),
    "WEBP": (".webp",),
    "JPEG 2000": (".jp2", ".j2k"),
    "OpenEXR": (".exr",),
    "GIF": (".gif",),
    "HDR": (".hdr", ".pic"),
    "SUNRASTER": (".sr", ".ras"),
    "PXM": (".pbm", ".pgm", ".ppm", ".pnm", ".pxm"),
    "PFM": (".pfm",),
    "AVIF": (".avif",),
}
_FALLBACK_CODECS = ("JPEG", "PNG", "TIFF", "WEBP", "SUNRASTER", "PXM", "PFM", "HDR")


class ImageLoadError(Exception):
    """A file could not be loaded as an image; ``str(error)`` says why, for the user."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else os.fspath(path)


@functools.lru_cache(maxsize=1)
def image_extensions() -> frozenset[str]:
    """Lower-case file extensions (with the dot) this OpenCV build can decode."""
    codecs: set[str] = set()
    in_media = False
    for line in cv2.getBuildInformation().splitlines():
        stripped = line.strip()
        if stripped.startswith("Media I/O"):
            in_media = True
            continue
        if in_media:
            if not line.startswith("    ") or ":" not in stripped:
                break
            name, value = (part.strip() for part in stripped.split(":", 1))
            if name in _CODEC_EXTENSIONS and value.upper() != "NO":
                codecs.add(name)
    if not codecs:
        codecs.update(_FALLBACK_CODECS)
    extensions = {".bmp", ".dib"}
    for codec in codecs:
        extensions.update(_CODEC_EXTENSIONS[codec])
    return frozenset(extensions)


def is_image_name(path: str | os.PathLike[str]) -> bool:
    """Whether the file name has an extension of a format OpenCV can read."""
    return os.path.splitext(os.fspath(path))[1].lower() in image_extensions()


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The whole file, or ImageLoadError saying why it can't be read."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ImageLoadError(
                f"broken link: it points to {os.readlink(path)!r}, which does not exist", path
            ) from None
        raise ImageLoadError("no such file", path) from None
    except PermissionError:
        raise ImageLoadError("permission denied: the file can't be read", path) from None
    except OSError as error:
        raise ImageLoadError(f"cannot read the file: {error.strerror or error}", path) from None
    if stat.S_ISDIR(info.st_mode):
        raise ImageLoadError("this is a folder, not an image file", path)
    if not stat.S_ISREG(info.st_mode):
        raise ImageLoadError("not a regular file (a device, pipe or socket)", path)
    if info.st_size == 0:
        raise ImageLoadError("empty file (0 bytes)", path)
    if info.st_size > MAX_FILE_BYTES:
        raise ImageLoadError(
            f"file too large to load ({info.st_size / 2**20:,.0f} MiB; the limit is "
            f"{MAX_FILE_BYTES / 2**20:,.0f} MiB)", path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except PermissionError:
        raise ImageLoadError("permission denied: the file can't be read", path) from None
    except IsADirectoryError:
        raise ImageLoadError("this is a folder, not an image file", path) from None
    except OSError as error:
        raise ImageLoadError(f"cannot read the file: {error.strerror or error}", path) from None
    if not data:
        raise ImageLoadError("empty file (0 bytes)", path)
    return data


def _signature(data: bytes) -> str | None:
    """PNG or JPEG by the file's first bytes alone (they survive any truncation)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def _check_header(data: bytes, path: str | os.PathLike[str], max_pixels: int) -> Header:
    """Refuse non-images, truncated files and bombs before decoding; returns the header."""
    header = read_header(data)
    fmt = header.format
    if fmt is None:
        foreign = foreign_format(data)
        if foreign is not None:
            raise ImageLoadError(f"not an image OpenCV can read: this is {foreign}", path)
        signed = _signature(data)  # a PNG or JPEG too short for Pillow to read its header
        if signed == "PNG" and png_is_truncated(data) or (
                signed == "JPEG" and jpeg_is_truncated(data)):
            raise ImageLoadError(
                f"truncated {signed}: the file ends before the image does "
                f"({len(data):,} bytes)", path)
        return header
    if header.size is not None:
        width, height = header.size
        if width <= 0 or height <= 0:
            raise ImageLoadError(f"damaged {fmt} header: it claims {width}x{height} pixels", path)
        if width * height > max_pixels:
            raise ImageLoadError(
                f"image too large: the {fmt} header claims {width:,}x{height:,} pixels "
                f"({width * height / 1e6:,.0f} megapixels; the limit is {max_pixels / 1e6:,.0f})",
                path)
    if fmt == "PNG" and png_is_truncated(data):
        raise ImageLoadError(
            f"truncated PNG: the file ends before the image does ({len(data):,} bytes)", path)
    if fmt == "JPEG" and jpeg_is_truncated(data):
        raise ImageLoadError(
            f"truncated JPEG: the file ends before the image does ({len(data):,} bytes)", path)
    return header


_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1),
    6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
    7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
    8: lambda a: np.swapaxes(a, 0, 1)[::-1],
}
"""EXIF orientation -> the transform that shows the picture upright."""


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """A new, contiguous array turned upright for an EXIF orientation value (1-8)."""
    transform = _ORIENT.get(orientation)
    return image if transform is None else np.ascontiguousarray(transform(image))


def _decode(data: bytes, path: str | os.PathLike[str], fmt: str | None, flags: int) -> np.ndarray:
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error as error:
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else "decoder error"
        raise ImageLoadError(f"cannot decode this {fmt or 'file'}: {detail}", path) from None
    if image is None or image.size == 0:
        if fmt is None:
            raise ImageLoadError(f"not an image: {describe_start(data)}", path)
        raise ImageLoadError(
            f"cannot decode this {fmt} file: it is damaged or uses a variant OpenCV can't read",
            path)
    return image


def _load(path: str | os.PathLike[str], max_pixels: int, min_side: int | None,
          grey_jpeg: bool = False) -> tuple[np.ndarray, float]:
    data = _read_bytes(path)
    header = _check_header(data, path, max_pixels)
    fmt = header.format
    if fmt == "JPEG":
        grey = grey_jpeg or header.grey
        factor = _reduce_factor(header.size, min_side)
        if factor > 1:
            image = _decode(data, path, fmt, _REDUCED[(factor, grey)])
            full = header.size or image.shape[1::-1]
            return image, max(image.shape[:2]) / max(full)
        return _decode(data, path, fmt, cv2.IMREAD_GRAYSCALE if grey else _JPEG_FLAGS), 1.0
    image = _decode(data, path, fmt, _UNCHANGED)
    if fmt in ("PNG", "WebP"):  # IMREAD_UNCHANGED ignores EXIF; TIFF is turned by OpenCV
        image = apply_orientation(image, header.orientation)
    return image, 1.0


def _reduce_factor(size: tuple[int, int] | None, min_side: int | None) -> int:
    """The largest JPEG scale-down (2, 4 or 8) that keeps the longest side >= min_side."""
    if size is None or not min_side:
        return 1
    longest = max(size)
    factor = 1
    while factor < 8 and longest // (factor * 2) >= min_side:
        factor *= 2
    return factor


def load_image(path: str | os.PathLike[str], *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Load an image file as OpenCV does: grey, BGR or BGRA; uint8, uint16 or float32.

    Raises ``ImageLoadError`` with a user-readable reason (empty, truncated, not an image,
    a folder, too large, unreadable...). Never returns an empty array.
    """
    return _load(path, max_pixels, None)[0]


def load_image_reduced(path: str | os.PathLike[str], min_side: int, *,
                       max_pixels: int = MAX_PIXELS,
                       grey_jpeg: bool = False) -> tuple[np.ndarray, float]:
    """Like ``load_image`` but big JPEGs may be decoded at 1/2, 1/4 or 1/8 size (much faster).

    The longest side stays at least ``min_side``. ``grey_jpeg`` decodes JPEGs straight to
    grey (libjpeg's luma: the same pixels ``grey.to_grey`` makes of the colour decode, at a
    fraction of the cost). Returns the image and its scale relative to the file's full size
    (1.0 when not reduced), so boxes can be mapped back.
    """
    return _load(path, max_pixels, min_side, grey_jpeg)


def make_thumbnail(image: np.ndarray, size: int) -> np.ndarray:
    """A small read-only BGR uint8 copy (longest side ``size``). Transparent pixels are
    shown as the reader sees them (``pipeline.grey``): on the colour that contrasts with the
    opaque strokes, white behind dark ink, black behind light ink."""
    array = np.asarray(image)
    array = to_uint8(array)
    h, w = array.shape[:2]
    scale = size / max(h, w)
    if scale < 1:
        new = (max(1, round(w * scale)), max(1, round(h * scale)))
        array = cv2.resize(array, new, interpolation=cv2.INTER_AREA)
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    elif array.shape[2] in (2, 4):
        colour = array[..., :-1].astype(np.float32)
        alpha = array[..., -1:].astype(np.float32) / 255.0
        paper = _paper_behind(colour, alpha[..., 0])
        array = (colour * alpha + paper * (1.0 - alpha) + 0.5).astype(np.uint8)
        if array.shape[2] == 1:
            array = np.repeat(array, 3, axis=2)
    out = np.ascontiguousarray(array)
    out.setflags(write=False)
    return out


def _paper_behind(colour: np.ndarray, alpha: np.ndarray) -> float:
    """255 behind dark strokes, 0 behind light ones (the reader's rule, ``pipeline.grey``)."""
    opaque = alpha > 0.5
    if not opaque.any() or opaque.all():
        return 255.0
    return 0.0 if float(np.median(colour[opaque].mean(axis=-1))) > 127.0 else 255.0


def natural_key(name: str) -> tuple:
    """Sort key that puts ``img2`` before ``img10`` (case-insensitive)."""
    parts = re.split(r"(\d+)", name.lower())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), name


def display_name(path: str | os.PathLike[str]) -> str:
    """The file name for messages and tables."""
    return Path(path).name or os.fspath(path)
