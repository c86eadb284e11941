"""What an image file says about itself, read without decoding it. Qt-free, OpenCV-free.

Pillow's lazy ``Image.open`` reads only the header: the format, the pixel size (so a
decompression bomb is refused before anything is allocated, by ``image_files``'s limit,
with a message that names the size) and the EXIF orientation. What Pillow cannot tell
without decoding stays here: whether a PNG or JPEG file ends before its image does, and
what a file that is not an image is (a PDF, a HEIC photo, a text file), for the error
message. Every function works on the file's bytes and never raises on junk.
"""

from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@functools.cache
def _pillow() -> ModuleType:
    """Pillow's ``Image``, imported on the first header read (not when the window starts),
    with the plugins of the formats OpenCV decodes registered and its own pixel limit off:
    Pillow never decodes here (OpenCV does, after the size was checked), so the caller's
    limit (``image_files.MAX_PIXELS``, with a message naming the claimed size) applies."""
    from PIL import (  # noqa: F401 - importing a plugin registers its format
        Image,
        Jpeg2KImagePlugin,
        SunImagePlugin,
        TiffImagePlugin,
        WebPImagePlugin,
    )

    Image.MAX_IMAGE_PIXELS = None
    return Image


_OPENCV_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "PPM", "JPEG2000", "SUN")
"""The formats Pillow may name: those OpenCV can decode (anything else is left to OpenCV)."""
_NAMES = {"MPO": "JPEG", "WEBP": "WebP", "PPM": "PNM", "JPEG2000": "JPEG 2000",
          "SUN": "Sun raster"}
"""Pillow's format names -> the names used in messages (and by ``image_files``)."""
ORIENTATION_TAG = 0x0112

FOREIGN: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF", 0, "a PDF document"),
    (b"ftypheic", 4, "a HEIC photo (convert it to JPEG or PNG)"),
    (b"ftypheix", 4, "a HEIC photo (convert it to JPEG or PNG)"),
    (b"ftypmif1", 4, "a HEIF image (convert it to JPEG or PNG)"),
    (b"ftypmsf1", 4, "a HEIF image (convert it to JPEG or PNG)"),
    (b"8BPS", 0, "a Photoshop document"),
    (b"PK\x03\x04", 0, "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"%!PS", 0, "a PostScript document"),
)
"""Files people may mistake for images, named in the error message."""


@dataclass(frozen=True)
class Header:
    """What the header says. ``format`` is None when Pillow does not know the file (OpenCV
    may still: OpenEXR, Radiance HDR, AVIF...); ``size`` is (width, height)."""

    format: str | None = None
    size: tuple[int, int] | None = None
    orientation: int = 1
    """EXIF orientation, 1 (upright) to 8."""
    grey: bool = False
    """A single-channel picture (a grey JPEG decodes straight to grey)."""


def _orientation(image: Any) -> int:
    raw = image.info.get("exif")
    if not raw:
        return 1
    try:
        value = _pillow().Exif()
        value.load(raw if raw.startswith(b"Exif") or raw[:2] in (b"II", b"MM")
                   else b"Exif\x00\x00" + raw)
        orientation = int(value.get(ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - a damaged EXIF block is no orientation
        return 1
    return orientation if 1 <= orientation <= 8 else 1


def read_header(data: bytes) -> Header:
    """The header of an image file's bytes; an empty ``Header`` when Pillow can't tell."""
    try:
        with _pillow().open(io.BytesIO(data), formats=_OPENCV_FORMATS) as image:
            fmt = _NAMES.get(str(image.format), str(image.format))
            return Header(fmt, (int(image.size[0]), int(image.size[1])), _orientation(image),
                          image.mode in ("L", "1", "I;16", "I", "F"))
    except (OSError, ValueError, SyntaxError, struct.error, IndexError, KeyError, EOFError):
        # (Pillow's UnidentifiedImageError is an OSError)
        return Header()


def foreign_format(data: bytes) -> str | None:
    """A description of a known non-image (or unsupported) file type, or None."""
    for magic, offset, name in FOREIGN:
        if data[offset : offset + len(magic)] == magic:
            return name
    head = data[:256].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()):
        return "an SVG drawing (export it as PNG)"
    return None


def describe_start(data: bytes) -> str:
    """How the file starts, for 'not an image' messages: quoted text or hex bytes."""
    head = data[:48]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
        if len(data) > 48:  # a multi-byte character may have been cut at the end
            try:
                text = data[:45].decode("utf-8")
            except UnicodeDecodeError:
                text = ""
    if text and all(ch.isprintable() or ch in "\t\r\n" for ch in text):
        shown = " ".join(text.split())
        if len(shown) > 32:
            shown = shown[:32] + "…"
        return f"the file starts with the text {shown!r}"
    return "the file starts with the bytes " + " ".join(f"{b:02x}" for b in data[:8])


# -- truncation: Pillow finds it only by decoding -------------------------------------------


def png_is_truncated(data: bytes) -> bool:
    """True when the PNG chunk chain ends before its IEND chunk."""
    pos = 8
    size = len(data)
    while pos + 8 <= size:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size:
            return True
        if kind == b"IEND":
            return False
        pos = end
    return True


def _jpeg_segments(data: bytes):
    """Yield (marker, payload start, payload end) for the segments before the image data."""
    pos = 2
    size = len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # stand-alone markers
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        yield marker, pos + 4, pos + 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return
        pos += 2 + length


def jpeg_is_truncated(data: bytes) -> bool:
    """True when a JPEG has no end-of-image marker after its first scan.

    Inside entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker,
    so the first FF D9 after the start of scan is the real end of the image (an EXIF
    thumbnail's own end marker sits before the scan and is skipped).
    """
    scan_start = None
    try:
        for marker, _start, end in _jpeg_segments(data):
            if marker == 0xDA:
                scan_start = end
    except struct.error:
        return True
    if scan_start is None or scan_start > len(data):
        return True
    return data.find(b"\xff\xd9", scan_start) < 0
