"""Read what an image file says about itself without decoding it. Qt-free, OpenCV-free.

Format sniffing from the first bytes, the pixel size from the header (so a decompression
bomb is refused before anything is allocated), truncation checks for PNG and JPEG, and the
EXIF orientation tag. Every function works on the file's bytes and never raises on junk:
it answers ``None`` (or ``False``) when it cannot tell.
"""

from __future__ import annotations

import struct

SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"II+\x00", 0, "TIFF"),
    (b"MM\x00+", 0, "TIFF"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", 0, "JPEG 2000"),
    (b"\xff\x4f\xff\x51", 0, "JPEG 2000"),
    (b"#?RADIANCE", 0, "HDR"),
    (b"#?RGBE", 0, "HDR"),
    (b"\x59\xa6\x6a\x95", 0, "Sun raster"),
    (b"v/1\x01", 0, "OpenEXR"),
    (b"ftypavif", 4, "AVIF"),
    (b"ftypavis", 4, "AVIF"),
)
"""(magic bytes, offset, format) for the formats OpenCV can decode."""

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


def sniff_format(data: bytes) -> str | None:
    """The image format the bytes start with (``"PNG"``, ``"JPEG"``, ...), or None."""
    for magic, offset, name in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if len(data) >= 3 and data[0:1] == b"P" and data[1:2] in b"1234567" and data[2:3].isspace():
        return "PNM"
    if data[:2] in (b"PF", b"Pf") and data[2:3].isspace():
        return "PFM"
    return None


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


# -- pixel size from the header ------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


def _gif_size(data: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None


def _bmp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 26:
        return None
    header = struct.unpack("<I", data[14:18])[0]
    if header == 12:
        width, height = struct.unpack("<hh", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    return abs(width), abs(height)


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


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    for marker, start, end in _jpeg_segments(data):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and end <= len(data):
            height, width = struct.unpack(">HH", data[start + 1 : start + 5])
            return width, height
    return None


def jpeg_components(data: bytes) -> int | None:
    """How many colour components a JPEG has (1 = grey, 3 = colour, 4 = CMYK), or None."""
    for marker, start, end in _jpeg_segments(data):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and end <= len(data):
            return data[start + 5]
    return None


def _tiff_ifd0(data: bytes) -> dict[int, int]:
    """Integer tags of the first IFD of a classic TIFF structure (TIFF file or EXIF block)."""
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return {}
    order = "<" if data[:2] == b"II" else ">"
    if struct.unpack(order + "H", data[2:4])[0] != 42:
        return {}
    offset = struct.unpack(order + "I", data[4:8])[0]
    if offset + 2 > len(data):
        return {}
    count = struct.unpack(order + "H", data[offset : offset + 2])[0]
    tags: dict[int, int] = {}
    for i in range(min(count, 512)):
        entry = offset + 2 + 12 * i
        if entry + 12 > len(data):
            break
        tag, kind, _ = struct.unpack(order + "HHI", data[entry : entry + 8])
        if kind == 3:  # SHORT
            tags[tag] = struct.unpack(order + "H", data[entry + 8 : entry + 10])[0]
        elif kind == 4:  # LONG
            tags[tag] = struct.unpack(order + "I", data[entry + 8 : entry + 12])[0]
    return tags


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    tags = _tiff_ifd0(data)
    if 256 in tags and 257 in tags:
        return tags[256], tags[257]
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _pnm_size(data: bytes) -> tuple[int, int] | None:
    fields: list[int] = []
    for line in data[2:512].split(b"\n"):
        for word in line.split(b"#", 1)[0].split():
            if not word.isdigit():
                return None
            fields.append(int(word))
            if len(fields) == 2:
                return fields[0], fields[1]
    return None


_SIZE_READERS = {
    "PNG": _png_size,
    "GIF": _gif_size,
    "BMP": _bmp_size,
    "JPEG": _jpeg_size,
    "TIFF": _tiff_size,
    "WebP": _webp_size,
    "PNM": _pnm_size,
}


def header_size(data: bytes, fmt: str | None) -> tuple[int, int] | None:
    """(width, height) as the header claims it, or None when unknown for this format."""
    reader = _SIZE_READERS.get(fmt or "")
    if reader is None:
        return None
    try:
        return reader(data)
    except (struct.error, ValueError, IndexError):
        return None


# -- truncation ---------------------------------------------------------------------------


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


def jpeg_is_truncated(data: bytes) -> bool:
    """True when a JPEG has no end-of-image marker after its first scan.

    Inside entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker,
    so the first FF D9 after the start of scan is the real end of the image (an EXIF
    thumbnail's own end marker sits before the scan and is skipped).
    """
    scan_start = None
    for marker, _start, end in _jpeg_segments(data):
        if marker == 0xDA:
            scan_start = end
    if scan_start is None or scan_start > len(data):
        return True
    return data.find(b"\xff\xd9", scan_start) < 0


# -- EXIF orientation ---------------------------------------------------------------------


def _exif_block(data: bytes, fmt: str | None) -> bytes | None:
    """The TIFF-structured EXIF payload of a JPEG, PNG or WebP file, if it has one."""
    if fmt == "JPEG":
        for marker, start, end in _jpeg_segments(data):
            if marker == 0xE1 and data[start : start + 6] == b"Exif\x00\x00":
                return data[start + 6 : end]
        return None
    if fmt == "PNG":
        pos = 8
        while pos + 8 <= len(data):
            length = struct.unpack(">I", data[pos : pos + 4])[0]
            kind = data[pos + 4 : pos + 8]
            if kind == b"eXIf":
                return data[pos + 8 : pos + 8 + length]
            if kind in (b"IDAT", b"IEND"):
                return None
            pos += 12 + length
        return None
    if fmt == "WebP":
        pos = 12
        while pos + 8 <= len(data):
            kind = data[pos : pos + 4]
            length = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
            if kind == b"EXIF":
                block = data[pos + 8 : pos + 8 + length]
                return block[6:] if block.startswith(b"Exif\x00\x00") else block
            pos += 8 + length + (length & 1)
        return None
    return None


def exif_orientation(data: bytes, fmt: str | None) -> int:
    """The EXIF orientation (1 = upright ... 8) of a JPEG, PNG or WebP file; 1 when absent."""
    try:
        block = _exif_block(data, fmt)
        value = _tiff_ifd0(block).get(0x0112, 1) if block else 1
    except (struct.error, ValueError, IndexError):
        return 1
    return value if 1 <= value <= 8 else 1
