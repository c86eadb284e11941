"""The installed C extensions keep ``None``'s reference count where it was.

PySide6 6.12.0 on Python 3.10/3.11 dropped one reference to ``None`` on every Qt call that
returns nothing; after a few thousand painting calls the interpreter aborted with "Fatal Python
error: none_dealloc" and took the window (and the drawing) with it. pyproject.toml excludes it;
these tests catch the next binding, OpenCV or numpy build that does the same, by painting the
real widgets and running the real pipeline thousands of times.

On Python 3.12+ ``None`` is immortal (its count is a constant), so there is nothing to measure.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal on Python 3.12+: its count never moves")

TOLERANCE = 20
"""Caches filling up may take a few references; the broken binding lost one per call."""


@pytest.fixture(autouse=True)
def _no_pool_stopping_meanwhile():
    """Worker pools left by earlier tests stop after a minute idle, on a thread of this
    process; objects freed then would move None's count while it is being measured."""
    from mnist_desktop.batch.pool import shutdown_pools

    shutdown_pools()
    gc.collect()


def none_refcount_change(run: Callable[[], None], repeat: int) -> int:
    """How far ``repeat`` calls of ``run`` move ``sys.getrefcount(None)`` (after a warm-up)."""
    for _ in range(10):
        run()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(repeat):
        run()
    gc.collect()
    return sys.getrefcount(None) - before


def test_qt_calls_that_return_nothing_keep_none_alive(qapp):
    """The issue's own check: 1,500 calls to methods returning void (quadTo, setPen,
    drawLine, setText) leave ``None``'s count where it was (6.12.0 on 3.11: -1,498)."""
    from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
    from PySide6.QtWidgets import QLabel

    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    path, label, pen = QPainterPath(), QLabel(), QPen(QColor(0, 0, 0))

    def calls() -> None:
        path.quadTo(1, 2, 3, 4)
        painter.setPen(pen)
        painter.drawLine(0, 0, 5, 5)
        label.setText("7")

    try:
        change = none_refcount_change(calls, 375)  # 1,500 calls
    finally:
        painter.end()
    assert abs(change) <= TOLERANCE, f"1,500 Qt calls moved None's reference count by {change}"


def test_painting_the_canvas_many_times_keeps_none_alive(qtbot):
    from mnist_desktop.gui.draw.canvas import DrawingCanvas

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(420, 180)
    rng = np.random.default_rng(0)
    loop = [(350 + 100 * np.cos(t), 140 + 100 * np.sin(t)) for t in np.linspace(0, 6.2, 60)]

    def stroke_and_paint() -> None:
        jitter = rng.normal(0, 2, (len(loop), 2))
        canvas.add_stroke([(x + dx, y + dy) for (x, y), (dx, dy) in zip(loop, jitter,
                                                                        strict=True)])
        canvas.grab()  # a paintEvent: every stroke's path, pen and overlay
        if len(canvas.strokes) > 20:
            canvas.clear()

    change = none_refcount_change(stroke_and_paint, 300)
    assert abs(change) <= TOLERANCE, f"300 strokes painted moved None's count by {change}"


def test_painting_the_result_panel_many_times_keeps_none_alive(qtbot, recognizer):
    from PySide6.QtCore import QCoreApplication, QEvent

    from mnist_desktop.gui.result.result_panel import ResultPanel

    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 640)
    digit = np.full((80, 80), 255, np.uint8)
    cv2.line(digit, (40, 10), (40, 70), 0, 7)
    number = np.full((80, 240), 255, np.uint8)
    for x in (40, 120, 200):
        cv2.circle(number, (x, 40), 22, 0, 6)
    results = [recognizer.recognize(digit), recognizer.read(number), None]
    state = {"i": 0}

    def show_and_paint() -> None:
        panel.show_result(results[state["i"] % len(results)])
        state["i"] += 1
        panel.grab()  # probability bars, the 28x28 view, the step thumbnails, labels
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the loop does

    change = none_refcount_change(show_and_paint, 300)
    assert abs(change) <= TOLERANCE, f"300 results shown moved None's count by {change}"


def test_painting_the_webcam_overlay_many_times_keeps_none_alive(qtbot, recognizer):
    from mnist_desktop.gui.webcam.camera_worker import FrameResult
    from mnist_desktop.gui.webcam.webcam_preview import WebcamPreview

    preview = WebcamPreview()
    qtbot.addWidget(preview)
    preview.resize(480, 360)
    frame = np.full((240, 320, 3), 220, np.uint8)
    cv2.putText(frame, "42", (90, 170), cv2.FONT_HERSHEY_SIMPLEX, 4, (20, 20, 20), 10)
    reading = recognizer.read(frame)
    result = FrameResult(0, (0, 0, 320, 240), reading, reading, reading.answer, True,
                         0.01, 20.0, 0)

    def frame_and_paint() -> None:
        preview.set_frame(frame)
        preview.set_result(result)
        preview.set_fps_text("20 fps")
        preview.grab()

    change = none_refcount_change(frame_and_paint, 500)
    assert abs(change) <= TOLERANCE, f"500 frames painted moved None's count by {change}"


def test_the_pipeline_on_camera_frames_keeps_none_alive(recognizer):
    """OpenCV, numpy and the inference runtime, called per frame: 1,000 frames through the
    photo path and the digit model, 300 through the number reader and the line model."""
    frame = (np.random.default_rng(1).random((240, 320, 3)) * 40 + 190).astype(np.uint8)
    cv2.putText(frame, "5", (120, 180), cv2.FONT_HERSHEY_SIMPLEX, 4, (30, 30, 30), 9)
    number = frame.copy()
    cv2.putText(number, "2026", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (30, 30, 30), 6)

    change = none_refcount_change(lambda: recognizer.recognize(frame), 1000)
    assert abs(change) <= TOLERANCE, f"1,000 frames moved None's count by {change}"
    change = none_refcount_change(lambda: recognizer.read(number), 300)
    assert abs(change) <= TOLERANCE, f"300 numbers read moved None's count by {change}"


def test_the_result_panel_reuses_its_widgets_but_shows_each_result_right(qtbot, recognizer):
    """Chips and step thumbnails are reused, never left over from the previous result."""
    from mnist_desktop.gui.result.result_panel import ResultPanel

    panel = ResultPanel()
    qtbot.addWidget(panel)
    three = np.full((80, 240), 255, np.uint8)
    for x in (40, 120, 200):
        cv2.line(three, (x, 12), (x, 68), 0, 7)
    two = three[:, :160].copy()

    def visible_chips() -> list[str]:
        return [b.text() for b in panel.chip_group.buttons() if not b.isHidden()]

    first, second = recognizer.read(three), recognizer.read(two)
    panel.show_result(first)
    assert len(visible_chips()) == len(first.digits) == 3
    panel.show_result(second)
    assert visible_chips() == [d.label for d in second.digits]
    assert sum(b.isChecked() for b in panel.chip_group.buttons()) == 1
    panel.show_result(None)
    assert visible_chips() == [] and panel.steps.names() == []
    single = recognizer.recognize(three[:, :80])
    panel.show_result(single)
    assert panel.steps.names() == [step.name for step in single.steps]
