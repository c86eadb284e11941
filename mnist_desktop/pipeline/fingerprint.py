"""A fingerprint of what the models see, not of the code that makes it.

A fixed set of probe pictures (drawn, scanned, photographed, ruled, cropped tight, odd
ones) goes through the digit pipeline and through the line model's input contract; the
fingerprint hashes the inputs they give. ``train.py`` stores it with each model and a test
compares it with today's pipeline: moving or tidying code changes nothing, changing what a
model is fed changes some probes' hashes, and the test names those probes.

The probes are drawn here with OpenCV and a seeded numpy generator, so they need no files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

_SCRIPT = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX
_PLAIN = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class InputFingerprint:
    """The hash of each probe's model input, and one hash over all of them."""

    overall: str
    pictures: dict[str, str]

    def to_json(self) -> dict[str, object]:
        return {"overall": self.overall, "pictures": dict(self.pictures)}

    def changed(self, stored: object) -> list[str]:
        """Names of the probes ``stored`` (a ``to_json`` dict) holds whose input differs
        today (or that are gone); probes newer than ``stored`` are ``unstored``."""
        pictures = _pictures(stored)
        return [name for name in sorted(pictures) if self.pictures.get(name) != pictures[name]]

    def unstored(self, stored: object) -> list[str]:
        """Names of today's probes that ``stored`` does not hold (added after it was made)."""
        return sorted(set(self.pictures) - set(_pictures(stored)))


def _pictures(stored: object) -> dict[str, str]:
    pictures = stored.get("pictures", {}) if isinstance(stored, dict) else {}
    return pictures if isinstance(pictures, dict) else {}


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, ink: object,
          thickness: int, font: int = _SCRIPT) -> np.ndarray:
    cv2.putText(image, text, origin, font, scale, ink, thickness, cv2.LINE_AA)
    return image


def _paper(rng: np.random.Generator, h: int, w: int, level: float = 225.0,
           noise: float = 4.0, shadow: int = 0) -> np.ndarray:
    """Uneven paper (uint8): a lighting gradient, grain, a shadow over the first columns."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = level - 40.0 * (xx / w) * (yy / h) + rng.normal(0.0, noise, (h, w))
    light[:, :shadow] -= 45.0
    return np.clip(light + 0.5, 0, 255).astype(np.uint8)


def digit_probes() -> dict[str, np.ndarray]:
    """Pictures of one digit, one for each kind of input the app meets."""
    rng = np.random.default_rng(20261203)
    probes: dict[str, np.ndarray] = {}
    canvas = np.zeros((280, 280), np.uint8)
    cv2.polylines(canvas, [np.array([[70, 60], [200, 60], [120, 230]], np.int32)], False,
                  255, 18, cv2.LINE_AA)
    probes["drawn on the canvas"] = canvas
    mnist_like = np.zeros((28, 28), np.uint8)
    probes["28x28 like MNIST"] = _text(mnist_like, "4", (6, 23), 0.9, 255, 2, _PLAIN)
    scan = np.full((200, 160), 245, np.uint8)
    probes["scanned"] = _text(scan, "3", (35, 150), 4.0, 30, 7)
    photo = _text(_paper(rng, 480, 640, shadow=200), "5", (250, 330), 6.0, 70, 9)
    probes["photographed"] = cv2.GaussianBlur(photo, (5, 5), 1.2)
    ruled = _paper(rng, 240, 320, 235.0, 2.0)
    for y in range(30, 240, 36):
        ruled[y : y + 2, :] = 150
    probes["ruled paper"] = _text(ruled, "2", (120, 170), 4.0, 40, 6)
    squared = _paper(rng, 240, 240, 240.0, 2.0)
    squared[::24, :] = 180
    squared[:, ::24] = 180
    probes["squared paper"] = _text(squared, "8", (70, 180), 4.0, 35, 6)
    tight = np.full((40, 36), 250, np.uint8)
    probes["cropped tight"] = _text(tight, "0", (-4, 42), 1.9, 20, 5, _PLAIN)
    stretched = cv2.resize(_text(np.full((60, 50), 250, np.uint8), "1", (6, 56), 2.2, 10, 6,
                                 _PLAIN), (20, 64), interpolation=cv2.INTER_AREA)
    probes["stretched crop"] = stretched
    colour = np.zeros((200, 200, 3), np.uint8)
    colour[:] = (120, 230, 240)  # yellow paper, BGR
    probes["red ink on yellow"] = _text(colour, "6", (50, 160), 4.5, (40, 40, 200), 7)
    broken = np.full((220, 180), 240, np.uint8)
    cv2.line(broken, (55, 45), (130, 45), 25, 8)  # the bar of a 5, apart from its body
    probes["in two pieces"] = _text(broken, "5", (40, 185), 4.5, 25, 7, _PLAIN)
    faint = _paper(rng, 200, 200, 200.0, 3.0)
    probes["faint pencil"] = _text(faint, "9", (50, 160), 4.5, 140, 4)
    specks = np.full((200, 200), 235, np.uint8)
    spots = rng.integers(0, 200, (40, 2))
    for x, y in spots:
        cv2.circle(specks, (int(x), int(y)), 1, 60, -1)
    probes["specks of dirt"] = _text(specks, "7", (50, 160), 4.5, 30, 7)
    big = _paper(rng, 1200, 1600, 220.0, 3.0)
    probes["large photo"] = _text(big, "2", (600, 800), 16.0, 50, 28)
    probes["blank page"] = np.full((120, 160), 200, np.uint8)
    form = np.full((180, 240), 248, np.uint8)
    form[150:152, :] = 120  # the printed line of a form field, written on
    probes["form field on a line"] = _text(form, "7", (85, 140), 4.0, 30, 7, _PLAIN)
    return probes


def digit_probe_routes() -> dict[str, str]:
    """The route (``ink.Route``) each digit probe's ink is found by."""
    from mnist_desktop.pipeline.digit_input import digit_ink
    from mnist_desktop.pipeline.grey import to_grey

    return {name: digit_ink(to_grey(picture))[0].route
            for name, picture in digit_probes().items()}


def line_probes() -> dict[str, np.ndarray]:
    """Pictures of one line of digits, as the number reader hands them to the line model."""
    rng = np.random.default_rng(20261204)
    probes: dict[str, np.ndarray] = {}
    cheque = _paper(rng, 52, 160, 190.0, 3.0)
    wave = np.rint(12.0 * np.sin(np.arange(160) / 6.0)).astype(np.int16)  # security pattern
    cheque = np.clip(cheque.astype(np.int16) + wave[None, :], 0, 255).astype(np.uint8)
    probes["cheque amount"] = _text(cheque, "1250", (6, 42), 1.5, 40, 2)
    sheet = np.full((60, 300), 245, np.uint8)
    probes["long line"] = _text(sheet, "2026 0412", (8, 46), 1.6, 20, 3)
    chalk = np.full((40, 120), 30, np.uint8)
    probes["light ink on dark"] = _text(chalk, "307", (6, 32), 1.2, 230, 2)
    tall = np.full((120, 70), 240, np.uint8)
    probes["one tall digit"] = _text(tall, "4", (8, 105), 3.5, 30, 5)
    probes["blank strip"] = np.full((32, 96), 210, np.uint8)
    return probes


def _quantised(array: np.ndarray | None) -> bytes:
    """Model inputs rounded to 1/1000 with their shape: tiny float noise is not a change."""
    if array is None:
        return b"none"
    values = np.rint(np.asarray(array, np.float64) * 1000.0).astype(np.int32)
    return repr(values.shape).encode() + values.tobytes()


def _fingerprint(probes: dict[str, np.ndarray],
                 feed: Callable[[np.ndarray], np.ndarray | None]) -> InputFingerprint:
    pictures: dict[str, str] = {}
    overall = hashlib.sha256()
    for name, picture in probes.items():
        digest = hashlib.sha256(_quantised(feed(picture))).hexdigest()[:16]
        pictures[name] = digest
        overall.update(f"{name}={digest};".encode())
    return InputFingerprint(overall.hexdigest()[:16], pictures)


def digit_input_fingerprint() -> InputFingerprint:
    """What the digit model is fed for each digit probe (``preprocess``)."""
    from mnist_desktop.pipeline.digit_input import model_input

    return _fingerprint(digit_probes(), model_input)


def line_input_fingerprint() -> InputFingerprint:
    """What the line model is fed for each line probe (``line_input``)."""
    from mnist_desktop.pipeline.grey import to_grey
    from mnist_desktop.pipeline.line_input import line_input

    return _fingerprint(line_probes(), lambda picture: line_input(to_grey(picture)).image)
