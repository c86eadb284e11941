"""Capture and recognition for the Webcam tab, off the GUI thread; newest frame wins.

Design: two :class:`~mnist_desktop.gui.common.worker.Worker` threads per run, owned by one
:class:`CameraWorker` (a QObject that only emits signals; it never touches a widget).

- The **capture thread** opens the source, reads frames at the source's own pace (a camera
  delivers at its rate; a video file is paced to its ``CAP_PROP_FPS`` by sleeping *in this
  thread*), and puts each frame into a one-slot :class:`~mnist_desktop.gui.common.worker.Mailbox`,
  replacing a frame the recogniser has not taken yet. It also offers the frame to the GUI for
  preview, at most one at a time (the GUI acknowledges with :meth:`CameraWorker.frame_shown`), so a
  busy GUI drops preview frames instead of queueing them.
- The **recognition thread** takes the newest frame from the mailbox, recognises the region
  of interest, smooths the answer over recent frames and emits a :class:`FrameResult`.

Why two threads rather than one doing grab-and-recognise: the preview stays at the camera's
frame rate however slow recognition is, and draining the camera's buffer is exact (the
capture thread keeps reading) instead of guessing how many stale frames to ``grab()``. When
recognition is slower than the camera, the frames in between are simply overwritten in the
mailbox, so a result is never older than one recognition time.

Why ``threading`` rather than QThread: a camera read or a stream open can block inside
OpenCV for seconds (an unplugged device, a dead URL). A daemon thread that is still stuck
when the window closes can neither hang the exit nor trigger "QThread: Destroyed while
thread is still running". Signals emitted from these threads reach the GUI as queued calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from PySide6.QtCore import QObject, Signal

from mnist_desktop.gui.common.worker import Mailbox, Worker
from mnist_desktop.io import SourceError, SourceInfo, open_source
from mnist_desktop.reading import ReadingSmoother
from mnist_desktop.results import Box, Reading

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

_log = logging.getLogger(__name__)
Mode = Literal["digit", "number"]
Roi = tuple[float, float, float, float]
"""Region of interest as fractions of the frame: (x, y, width, height), all in 0..1."""

DEFAULT_ROI: Roi = (0.25, 0.2, 0.5, 0.6)
MIN_ROI = 0.05
NO_FRAMES_TIMEOUT = 3.0
"""Seconds without a frame before a camera or stream is reported as gone."""
DEFAULT_FILE_FPS = 25.0
BLANK_FRAMES_RESET = 3
"""Frames in a row with no digit after which the last answer (and its box) is dropped: the
paper changed, not a flicker."""

def clamp_roi(roi: Roi) -> Roi:
    """Keep a region inside the frame and at least ``MIN_ROI`` wide and high."""
    x, y, w, h = (float(v) for v in roi)
    w = min(max(w, MIN_ROI), 1.0)
    h = min(max(h, MIN_ROI), 1.0)
    return (min(max(x, 0.0), 1.0 - w), min(max(y, 0.0), 1.0 - h), w, h)


def roi_pixels(roi: Roi, width: int, height: int) -> Box:
    """The region in pixels of a ``width`` x ``height`` frame (at least 1x1, inside it)."""
    x, y, w, h = clamp_roi(roi)
    left, top = int(round(x * width)), int(round(y * height))
    right, bottom = int(round((x + w) * width)), int(round((y + h) * height))
    left, top = min(left, width - 1), min(top, height - 1)
    return (left, top, max(1, min(right, width) - left), max(1, min(bottom, height) - top))


@dataclass(frozen=True)
class CameraFrame:
    """One captured frame: BGR uint8 (read-only), its number in this run, the measured fps."""

    image: np.ndarray
    index: int
    fps: float
    timestamp: float
    """``time.monotonic()`` when it was read."""


@dataclass(frozen=True)
class FrameResult:
    """The recognition of one frame's region of interest.

    ``raw`` is this frame's answer, ``smoothed`` the steady one over recent frames (what to
    show); boxes in both are relative to ``roi`` (pixels in the frame).
    """

    frame_index: int
    roi: Box
    raw: Reading
    smoothed: Reading
    label: str
    steady: bool
    latency: float
    """Seconds from reading the frame to this result."""
    rate: float
    """Results per second, recently."""
    dropped: int
    """Frames skipped so far because recognition was still busy (newest frame wins)."""
    still: bool = False
    """Recognised once on a frozen frame, not smoothed."""
    picture: np.ndarray | None = None
    """The guide box's pixels of the frame ``smoothed`` was read from (the smoother may keep
    an earlier frame's answer): what a correction cuts its sample from."""

    @property
    def mode(self) -> Mode:
        return "number" if self.raw.is_number else "digit"


@dataclass(frozen=True)
class CaptureStopped:
    """Why a run ended: ``end`` of a video file, an ``error``, or the ``user`` stopped it."""

    reason: Literal["end", "error", "user"]
    message: str
    frames: int


class _Rate:
    """Events per second over the last ``n`` events."""

    def __init__(self, n: int = 30) -> None:
        self._times: deque[float] = deque(maxlen=n)

    def tick(self, now: float) -> float:
        self._times.append(now)
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])


class CameraWorker(QObject):
    """Runs one capture session of one source; create a new worker for each Start."""

    opened = Signal(object)  # SourceInfo
    frameReady = Signal(object)  # CameraFrame; call frame_shown() when it has been taken
    resultReady = Signal(object)  # FrameResult
    notice = Signal(str)  # a non-fatal problem worth telling the user
    stopped = Signal(object)  # CaptureStopped, exactly once per run

    def __init__(self, source: str | int, *, recognizer: Reader | None = None,
                 roi: Roi = DEFAULT_ROI, mode: Mode = "digit",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._lock = threading.Lock()
        self._recognizer = recognizer
        self._roi = clamp_roi(roi)
        self._mode: Mode = mode
        self._generation = 0
        self._paused = threading.Event()
        self._preview_pending = False
        self._inbox: Mailbox[tuple[CameraFrame, bool]] = Mailbox()
        self._dropped = 0
        self._capture = Worker(lambda _stop: self._capture_main(),
                               name=f"camera-capture {source}", on_stop=self._inbox.close,
                               parent=self)
        self._recognition = Worker(lambda _stop: self._recognise_main(),
                                   name="camera-recognise", parent=self)
        self._stop = self._capture.stop_event

    # -- control, from the GUI thread ---------------------------------------------------
    def start(self) -> None:
        self._capture.start()

    def request_stop(self) -> None:
        """Ask both threads to finish; returns at once."""
        self._capture.request_stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True when it has (never started counts as ended)."""
        return self._capture.wait(timeout)

    def is_alive(self) -> bool:
        return self._capture.is_running()

    def set_recognizer(self, recognizer: Reader | None) -> None:
        with self._lock:
            self._recognizer = recognizer
            self._generation += 1

    def set_roi(self, roi: Roi) -> None:
        with self._lock:
            self._roi = clamp_roi(roi)

    def set_mode(self, mode: Mode) -> None:
        with self._lock:
            if mode != self._mode:
                self._mode = mode
                self._generation += 1

    def set_paused(self, paused: bool) -> None:
        """Freeze: stop passing frames on (a video file also stops advancing)."""
        if paused:
            self._paused.set()
        else:
            self._paused.clear()

    def submit_still(self, frame: CameraFrame) -> None:
        """Recognise ``frame`` once, unsmoothed (a frozen frame whose box was moved)."""
        self._inbox.put((frame, True))

    def frame_shown(self) -> None:
        """The GUI has taken the last preview frame; the next one may be sent."""
        with self._lock:
            self._preview_pending = False

    # -- capture thread -------------------------------------------------------------------
    def _emit(self, signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the QObject is gone (application shutting down)
            self._stop.set()

    def _capture_main(self) -> None:
        reason, message, frames = "error", "", 0
        try:
            capture, info = open_source(self.source)
        except SourceError as error:
            message = str(error)
        else:
            self._emit(self.opened, info)
            self._recognition.start()
            try:
                reason, message, frames = self._read_frames(capture, info)
            except Exception as error:  # keep the app alive; say what happened
                _log.error("capture of %r failed", self.source, exc_info=error)
                message = f"Capture failed: {error}"
            finally:
                capture.release()
        finally:
            self._inbox.close()
            self._recognition.wait()
            self._emit(self.stopped, CaptureStopped(reason, message, frames))

    def _read_frames(self, capture: Any, info: SourceInfo) -> tuple[str, str, int]:
        is_file = info.kind == "file"
        period = 1.0 / (info.fps or DEFAULT_FILE_FPS) if is_file else 0.0
        rate = _Rate()
        frames = 0
        deadline = last_ok = time.monotonic()
        while not self._stop.is_set():
            if is_file and self._paused.is_set():
                self._stop.wait(0.03)
                deadline = time.monotonic()
                continue
            ok, image = capture.read()
            now = time.monotonic()
            if not ok or image is None:
                if is_file:
                    return ("end", f"End of the video {info.name} ({frames} frames). "
                            "Press Start to play it again.", frames)
                if now - last_ok > NO_FRAMES_TIMEOUT:
                    return "error", self._silence_message(info, frames), frames
                self._stop.wait(0.02)
                continue
            last_ok = now
            image.setflags(write=False)
            frame = CameraFrame(image, frames, rate.tick(now), now)
            frames += 1
            if not self._paused.is_set():
                if self._inbox.put((frame, False)):
                    self._dropped += 1
                self._offer_preview(frame)
            if period:
                deadline += period
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                elif delay < -period:  # fell behind: carry on from now, never race ahead
                    deadline = time.monotonic()
        return "user", "Stopped.", frames

    @staticmethod
    def _silence_message(info: SourceInfo, frames: int) -> str:
        if frames == 0:
            return (f"{info.name.capitalize()} opened but sent no picture: it may be in use by "
                    "another program. Close that program and press Start again.")
        what = "the camera" if info.kind == "camera" else "the stream"
        return (f"{info.name.capitalize()} stopped sending frames: was {what} unplugged or "
                "switched off? Press Start to try again.")

    def _offer_preview(self, frame: CameraFrame) -> None:
        with self._lock:
            if self._preview_pending:
                return
            self._preview_pending = True
        self._emit(self.frameReady, frame)

    # -- recognition thread --------------------------------------------------------------
    def _recognise_main(self) -> None:
        smoother = ReadingSmoother()
        generation = -1
        rate = _Rate(10)
        recent: deque[tuple[Reading, np.ndarray]] = deque(maxlen=2 * smoother.digits.window + 1)
        last_notice = ""
        blank = 0
        while not self._stop.is_set():
            item = self._inbox.take()
            if item is None:
                return
            frame, still = item
            with self._lock:
                recognizer, roi, mode = self._recognizer, self._roi, self._mode
                if generation != self._generation:
                    generation = self._generation
                    smoother.reset()
                    recent.clear()
            if recognizer is None:
                continue
            height, width = frame.image.shape[:2]
            x, y, w, h = box = roi_pixels(roi, width, height)
            picture = frame.image[y : y + h, x : x + w]
            try:
                raw = recognizer.read_as(picture, mode)
            except Exception as error:  # a bug: say it once, log it, keep the mode asked for
                message = f"Recognition failed: {error or type(error).__name__}"
                if message != last_notice:
                    _log.error("reading a %s frame failed", mode, exc_info=error)
                    self._emit(self.notice, message)
                last_notice = message
                continue
            last_notice = ""
            if still:
                label = raw.answer
                smoothed, steady = raw, True
            else:
                blank = 0 if raw.found else blank + 1
                if blank == BLANK_FRAMES_RESET:
                    smoother.reset()  # the old answer is gone from the paper
                    recent.clear()
                recent.append((raw, picture))
                answer = smoother.update(raw)
                smoothed, label, steady = answer.result, answer.label, answer.steady
                picture = _picture_of(smoothed, recent, picture)
            now = time.monotonic()
            self._emit(self.resultReady, FrameResult(
                frame.index, box, raw, smoothed, label, steady, now - frame.timestamp,
                rate.tick(now), self._dropped, still, picture))


def _picture_of(shown: Reading, recent: deque[tuple[Reading, np.ndarray]],
                default: np.ndarray) -> np.ndarray:
    """The guide-box picture of the frame whose reading ``shown`` is (the smoother hands
    back a recent reading, or a copy of one with averaged probabilities: same boxes, same
    model input arrays)."""
    for raw, picture in reversed(recent):
        if raw is shown or (raw.digits and shown.digits
                            and raw.digits[0].model_input is shown.digits[0].model_input
                            and raw.digits[0].box == shown.digits[0].box):
            return picture
    return default
