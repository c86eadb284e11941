"""A folder of good and bad image files, built in a test's tmp_path.

Shared by test_image_io.py, test_batch.py and test_classify_cli.py. Every entry says what
a user must see for it: the digit read, ``no_digit``, or an error with a specific phrase.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX


def digit_image(digit: int, size: int = 96, *, height: int | None = None) -> np.ndarray:
    """A dark handwriting-like digit centred on white paper (BGR uint8)."""
    h = height or size
    img = np.full((h, size, 3), 255, np.uint8)
    side = min(size, h)
    scale = side / 36
    thickness = max(2, side // 14)
    (w, th), _ = cv2.getTextSize(str(digit), FONT, scale, thickness)
    cv2.putText(img, str(digit), ((size - w) // 2, (h + th) // 2), FONT, scale, (0, 0, 0),
                thickness, cv2.LINE_AA)
    return img


def png_bytes(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return buf.tobytes()


def jpeg_bytes(image: np.ndarray, quality: int = 92) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims ``width`` x ``height`` pixels."""
    data = bytearray(png_bytes(np.zeros((2, 2), np.uint8)))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF)
    return bytes(data)


def pil_bytes(frames: list, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=len(frames) > 1, append_images=frames[1:], **options)
    return out.getvalue()


def rgb(image_bgr: np.ndarray):
    from PIL import Image

    return Image.fromarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))


def grey(image_bgr: np.ndarray):
    from PIL import Image

    return Image.fromarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY))


def phone_jpeg(digit: int, orientation: int = 6) -> bytes:
    """A JPEG stored sideways (as phones do) with the EXIF tag that turns it upright."""
    from PIL import Image

    upright = digit_image(digit, 120, height=160)
    stored = {6: cv2.ROTATE_90_COUNTERCLOCKWISE, 8: cv2.ROTATE_90_CLOCKWISE, 3: cv2.ROTATE_180}
    image = rgb(cv2.rotate(upright, stored[orientation]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return pil_bytes([image], "JPEG", exif=exif.tobytes(), quality=92)


@dataclass(frozen=True)
class Case:
    """What a file must give: a digit, ``no_digit``, or an error mentioning ``phrase``."""

    status: str  # "ok" (digit read), "no_digit" or "error"
    digit: int | None = None
    phrase: str = ""


NON_ASCII_NAME = "Ziffer_ß_数字_٣.png"


def build_corpus(folder: Path) -> dict[str, Case]:
    """Write the corpus into ``folder``; returns file name -> expected outcome."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Case] = {}

    def put(name: str, data: bytes, case: Case) -> None:
        (folder / name).write_bytes(data)
        cases[name] = case

    three = digit_image(3)
    put("good.png", png_bytes(three), Case("ok", 3))
    put("good.jpg", jpeg_bytes(digit_image(7)), Case("ok", 7))
    put("good.bmp", cv2.imencode(".bmp", digit_image(4))[1].tobytes(), Case("ok", 4))
    put("good.webp", cv2.imencode(".webp", digit_image(5))[1].tobytes(), Case("ok", 5))
    put(NON_ASCII_NAME, png_bytes(digit_image(3)), Case("ok", 3))
    put("empty.png", b"", Case("error", phrase="empty file"))
    put("truncated.png", png_bytes(digit_image(5, 200))[:900],
        Case("error", phrase="truncated PNG"))
    big_jpeg = jpeg_bytes(digit_image(5, 400))
    put("truncated.jpg", big_jpeg[: len(big_jpeg) * 2 // 3], Case("error", phrase="truncated JPEG"))
    put("notes.png", b"shopping list: milk, eggs\n", Case(
        "error", phrase="not an image: the file starts with the text 'shopping list: milk, eggs'"))
    put("report.png", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Case("error", phrase="PDF document"))
    (folder / "folder.png").mkdir()
    cases["folder.png"] = Case("error", phrase="folder")
    put("one_pixel.png", png_bytes(np.zeros((1, 1), np.uint8)), Case("no_digit", phrase="small"))
    put("three_pixels.png", png_bytes(np.full((3, 3), 255, np.uint8)),
        Case("no_digit", phrase="small"))
    put("deep16.png", png_bytes(digit_image(7).astype(np.uint16) * 257), Case("ok", 7))
    # Strokes opaque black, background transparent *black*: only the alpha shows the digit.
    rgba = np.zeros((96, 96, 4), np.uint8)
    rgba[..., 3] = 255 - digit_image(4)[..., 0]
    put("transparent.png", png_bytes(rgba), Case("ok", 4))
    la = Image.fromarray(np.stack([np.zeros((96, 96), np.uint8), rgba[..., 3]], axis=-1), "LA")
    put("grey_alpha.png", pil_bytes([la], "PNG"), Case("ok", 4))
    put("cmyk.jpg", pil_bytes([rgb(digit_image(5)).convert("CMYK")], "JPEG", quality=95),
        Case("ok", 5))
    put("animated.gif", pil_bytes([grey(digit_image(3)), grey(digit_image(7))], "GIF",
                                  duration=200, loop=0), Case("ok", 3))
    put("pages.tif", pil_bytes([grey(digit_image(7)), grey(digit_image(3))], "TIFF"),
        Case("ok", 7))
    put("bomb.png", png_claiming_size(30000, 30000), Case("error", phrase="image too large"))
    put("phone.jpg", phone_jpeg(7, 6), Case("ok", 7))
    os.symlink(folder / "gone.png", folder / "broken_link.png")
    cases["broken_link.png"] = Case("error", phrase="broken link")
    if hasattr(os, "mkfifo"):  # reading a pipe would block forever: it must be refused
        os.mkfifo(folder / "pipe.png")
        cases["pipe.png"] = Case("error", phrase="not a regular file")
    return cases
