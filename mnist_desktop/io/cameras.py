"""Opening video sources with OpenCV: camera devices, video files and network streams. Qt-free.

A *source* is what the user typed or picked: ``0`` or ``"Camera 1"`` is a camera index, text
with ``://`` is a stream URL (RTSP, or HTTP MJPEG from a phone "IP camera" app), anything else
a video file path. :func:`open_source` returns an opened ``cv2.VideoCapture`` or raises
:class:`SourceError` with a message meant for the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

import cv2

SourceKind = Literal["camera", "file", "stream"]

OPEN_TIMEOUT_MS = 5000
"""How long a network stream may take to open, or to deliver a frame, before we give up."""

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv",
                    ".gif")

_CAMERA = re.compile(r"^(?:cam(?:era)?\s*#?\s*)?(\d{1,3})(?:\s+[-—:(].*)?$", re.I)


class SourceError(Exception):
    """A source could not be opened; ``str(error)`` is a message for the user."""


@dataclass(frozen=True)
class SourceInfo:
    """What was opened: its kind, a short name, size and the frame rate the source reports."""

    kind: SourceKind
    name: str
    width: int
    height: int
    fps: float
    """Native frames per second as reported (0.0 when unknown)."""
    frame_count: int
    """Frames in a video file (0 for cameras, streams, or when unknown)."""


def parse_source(text: str | int) -> int | str:
    """A camera index (``"0"``, ``"Camera 1 — USB"``) or a path/URL; ``ValueError`` if empty."""
    if isinstance(text, int):
        return text
    text = text.strip().strip('"')
    if not text:
        raise ValueError("no source given: pick a camera or type a video file or stream URL")
    match = _CAMERA.match(text)
    if match:
        return int(match.group(1))
    if text.lower().startswith("file://"):
        return unquote(urlparse(text).path)
    return text


def source_kind(source: int | str) -> SourceKind:
    """``camera`` for an index, ``stream`` for a URL, ``file`` for everything else."""
    if isinstance(source, int):
        return "camera"
    return "stream" if "://" in source else "file"


def describe(source: int | str) -> str:
    """A short name for messages: ``camera 0``, a file's name, or the URL."""
    if isinstance(source, int):
        return f"camera {source}"
    return Path(source).name if source_kind(source) == "file" else source


def _quiet() -> None:
    """Keep OpenCV's own warnings (tried backends, missing devices) off the console."""
    with contextlib.suppress(AttributeError):  # very old OpenCV has no log control
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def _capture(source: int | str) -> cv2.VideoCapture:
    if isinstance(source, int):
        return cv2.VideoCapture(source)
    if source_kind(source) == "stream":
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS,
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, OPEN_TIMEOUT_MS]
        return cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    return cv2.VideoCapture(source)


def open_source(text: str | int) -> tuple[cv2.VideoCapture, SourceInfo]:
    """Open a camera index, video file or stream URL; raises :class:`SourceError`."""
    try:
        source = parse_source(text)
    except ValueError as error:
        raise SourceError(str(error)) from None
    kind = source_kind(source)
    name = describe(source)
    if kind == "file":
        path = Path(os.path.expanduser(str(source)))
        if not path.exists():
            raise SourceError(f"Video file not found: {path}")
        if not path.is_file():
            raise SourceError(f"Not a video file: {path}")
        source = str(path)
    _quiet()
    capture = _capture(source)
    if not capture.isOpened():
        capture.release()
        raise SourceError(_open_failure(kind, name))
    info = SourceInfo(
        kind=kind, name=name,
        width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        fps=_sane_fps(capture.get(cv2.CAP_PROP_FPS)),
        frame_count=max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT))) if kind == "file" else 0,
    )
    return capture, info


def _sane_fps(value: float) -> float:
    """Backends report 0, NaN or 1000 when they do not know; keep 1..240 only."""
    return float(value) if value == value and 1.0 <= value <= 240.0 else 0.0


def _open_failure(kind: SourceKind, name: str) -> str:
    if kind == "camera":
        return (f"Cannot open {name}: no camera at that index, or it is in use by another "
                "program. Pick another camera, or type a video file or stream URL.")
    if kind == "stream":
        return (f"Cannot open the stream {name}: check the address, that the phone or camera "
                "is on the same network, and that its app is streaming.")
    return f"Cannot open {name}: not a video format OpenCV can read."


def available_cameras(max_index: int = 8) -> list[tuple[int, str]]:
    """Camera indices worth offering, with a name when the system knows one.

    Cheap: on Linux it lists ``/dev/video*`` capture nodes (skipping the metadata node
    most webcams also expose) without opening any device. Elsewhere opening a device is
    slow and switches its light on, so indices 0 and 1 are offered unverified.
    """
    if not sys.platform.startswith("linux"):
        return [(0, ""), (1, "")]
    found = []
    for index in range(max_index):
        if not os.path.exists(f"/dev/video{index}"):
            continue
        sysfs = Path(f"/sys/class/video4linux/video{index}")
        try:
            if (sysfs / "index").read_text().strip() not in ("", "0"):
                continue  # a second node of the same device (metadata), not a camera
        except OSError:
            pass
        try:
            label = (sysfs / "name").read_text().strip()
        except OSError:
            label = ""
        found.append((index, label))
    return found
