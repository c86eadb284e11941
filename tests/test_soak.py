"""Long sessions, the way users have them: hundreds of strokes, thousands of video frames.

The window once aborted after ~47 digits drawn or ~94 s of webcam video (a binding that
dropped references to ``None``). These drive the real widgets with the real model for a
whole session's worth of input and check that the process is alive, still answering, and
that its memory does not grow with the session.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_settings")]

STROKES = 500
FRAMES = 5000
VIDEO_FPS = 240  # the fastest pace the capture thread plays a file at: 5,000 frames in ~21 s


def rss_mib() -> float | None:
    """This process's resident memory (Linux), or None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def none_count() -> int | None:
    return None if sys.version_info >= (3, 12) else sys.getrefcount(None)


def _mouse(widget, kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), Qt.MouseButton.LeftButton,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_500_looped_strokes_with_the_mouse_keep_the_draw_tab_alive(qtbot, show_widget,
                                                                   recognizer):
    from mnist_desktop.gui.draw.draw_tab import DrawTab

    tab = show_widget(DrawTab(), (900, 500))
    tab.set_recognizer(recognizer)
    results: list[object] = []
    tab.resultReady.connect(results.append)
    canvas = tab.canvas
    rect = canvas.sheet_rect()
    rng = np.random.default_rng(0)
    down, up = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    memory: list[float] = []
    nones: list[int] = []
    for stroke in range(STROKES):
        # a looped stroke (an "0" or the loop of a 6/9) of 40 mouse moves, somewhere new
        cx = rect.left() + rect.width() * rng.uniform(0.15, 0.85)
        cy = rect.top() + rect.height() * rng.uniform(0.3, 0.7)
        r = rect.height() * rng.uniform(0.1, 0.25)
        angles = np.linspace(0, 2.2 * np.pi, 40)
        points = [QPointF(cx + r * 0.7 * np.sin(a), cy - r * np.cos(a)) for a in angles]
        _mouse(canvas, QEvent.Type.MouseButtonPress, points[0], down)
        for point in points[1:]:
            _mouse(canvas, QEvent.Type.MouseMove, point, down)
        _mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1], up)
        if stroke % 10 == 9:  # let the live reading and the painting run, as a user waits
            qtbot.wait(30)
        if stroke % 25 == 24:  # a user clears the sheet now and then
            qtbot.wait(200)
            canvas.clear()
        if stroke in (99, STROKES - 1):
            qtbot.wait(300)
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            memory.append(rss_mib() or 0.0)
            nones.append(none_count() or 0)
    canvas.add_stroke([(300, 60), (300, 220)])  # one last "1": still answering?
    qtbot.waitUntil(lambda: results[-1] is not None and results[-1].answer == "1",
                    timeout=10000)
    answered = [r for r in results if r is not None]
    assert len(answered) >= STROKES // 50, "the live reading stopped answering"
    if rss_mib() is not None:
        assert memory[1] - memory[0] < 40, f"memory grew {memory[0]:.0f} -> {memory[1]:.0f} MiB"
    if none_count() is not None:
        assert nones[1] - nones[0] > -1000, "None's reference count is falling: abort ahead"


def _write_video(path: Path, frames: int) -> Path:
    """A small video of a hand-held "3" on paper, written at VIDEO_FPS."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), VIDEO_FPS, (160, 120))
    assert writer.isOpened(), "OpenCV cannot write MJPG .avi here"
    rng = np.random.default_rng(1)
    base = np.full((120, 160, 3), 215, np.uint8)
    cv2.putText(base, "3", (55, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (30, 30, 30), 8)
    for i in range(frames):
        dx, dy = rng.integers(-3, 4, size=2)
        frame = np.roll(base, (int(dy), int(dx)), axis=(0, 1))
        if i % 500 >= 450:  # the paper taken away for a moment: an empty desk
            frame = np.full_like(base, 200)
        writer.write(frame)
    writer.release()
    return path


def test_5000_video_frames_through_the_webcam_tab_keep_it_alive(qtbot, tmp_path, recognizer):
    from mnist_desktop.gui.webcam.webcam_tab import WebcamTab

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    video = _write_video(tmp_path / "long.avi", FRAMES)
    tab = WebcamTab()
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    tab.show()
    tab.set_recognizer(recognizer)
    tab.set_source(str(video))
    results: list[object] = []
    tab.resultReady.connect(results.append)
    tab.start()
    memory: list[float] = []
    nones: list[int] = []
    qtbot.waitUntil(lambda: len(results) >= 50, timeout=30000)
    memory.append(rss_mib() or 0.0)
    nones.append(none_count() or 0)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=240000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    memory.append(rss_mib() or 0.0)
    nones.append(none_count() or 0)
    assert f"({FRAMES} frames)" in tab.message(), tab.message()
    # About 10 results a second reach the tab here (198-204 in 21 s on the 2-core machine,
    # measured 2026-12-05 at this commit and the one before it): the bar checks that reading
    # goes on all through the video, not its pace (benchmarks measure speed).
    assert len(results) >= 150, f"only {len(results)} frames were read out of {FRAMES}"
    answers = {r.answer for r in results if r is not None}
    assert "3" in answers
    if rss_mib() is not None:
        assert memory[1] - memory[0] < 60, f"memory grew {memory[0]:.0f} -> {memory[1]:.0f} MiB"
    if none_count() is not None:
        assert nones[1] - nones[0] > -1000, "None's reference count is falling: abort ahead"
    tab.shutdown()
