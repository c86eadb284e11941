"""The Draw tab: real MNIST digits written through the canvas's own input path are read."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import (
    QEventPoint,
    QInputDevice,
    QMouseEvent,
    QPointingDevice,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QApplication

from mnist_desktop.gui.draw.canvas import SHEET_HEIGHT, SHEET_WIDTH, DrawingCanvas
from mnist_desktop.gui.draw.draw_tab import DrawTab
from mnist_desktop.results import NumberReading, Recognition
from mnist_desktop.training.synth_strokes import digit_paths, fit

pytestmark = pytest.mark.usefixtures("isolated_settings")


@pytest.fixture
def tab(show_widget):
    widget = show_widget(DrawTab(), (900, 500))
    return widget


@pytest.fixture(scope="module")
def chosen_digits(mnist_sample, recognizer):
    """One MNIST test digit per class that the model reads right from the raw image."""
    images, labels = mnist_sample
    chosen = []
    for digit in range(10):
        for index in np.flatnonzero(labels == digit)[:40]:
            result = recognizer.recognize(images[index])
            if result.digit == digit and result.status == "ok":
                chosen.append((images[index], digit))
                break
    assert len(chosen) == 10, "the model reads fewer than 10 classes from raw MNIST digits"
    return chosen


def write_digit(canvas: DrawingCanvas, digit28: np.ndarray, centre_x: float,
                height: float = 200.0, seed: int = 0) -> None:
    """Trace an MNIST digit into pen strokes and add them through ``add_stroke``."""
    rng = np.random.default_rng(seed)
    pen = 0.11 * height
    paths = fit(digit_paths(digit28, rng), height, pen)
    every = np.concatenate(paths)
    width, tall = every.max(axis=0)
    dx, dy = centre_x - width / 2, (SHEET_HEIGHT - tall) / 2
    for path in paths:
        canvas.add_stroke([(float(x + dx), float(y + dy)) for x, y in path], pen)


def wait_result(qtbot, tab: DrawTab) -> object:
    results: list[object] = []
    tab.resultReady.connect(results.append)
    qtbot.waitUntil(lambda: bool(results) and not tab.worker.busy, timeout=15000)
    tab.resultReady.disconnect(results.append)
    return results[-1]


def test_mnist_digits_written_on_the_canvas_are_read(qtbot, tab, recognizer, chosen_digits):
    tab.set_recognizer(recognizer)
    read = []
    for seed, (image, label) in enumerate(chosen_digits):
        tab.canvas.clear()
        write_digit(tab.canvas, image, SHEET_WIDTH / 2, seed=seed)
        result = wait_result(qtbot, tab)
        assert isinstance(result, Recognition)
        read.append((label, result.digit if result.status == "ok" else None))
    right = sum(label == digit for label, digit in read)
    assert right >= 9, f"read {right}/10 right: {read}"


def test_several_digits_are_read_as_a_number(qtbot, tab, recognizer, chosen_digits):
    tab.set_recognizer(recognizer)
    picks = [chosen_digits[i] for i in (4, 0, 7)]
    for slot, (image, _) in enumerate(picks):
        write_digit(tab.canvas, image, 130 + 220 * slot, height=190, seed=slot)
    result = wait_result(qtbot, tab)
    assert isinstance(result, NumberReading)
    assert result.text == "407"
    assert len(tab.canvas._overlay) == 3  # each digit outlined on the canvas


def test_undo_redo_and_clear(tab):
    canvas = tab.canvas
    canvas.add_stroke([(10, 10), (50, 50)])
    canvas.add_stroke([(60, 10), (90, 90)], width=30)
    assert len(canvas.strokes) == 2 and canvas.strokes[1].width == 30
    canvas.undo()
    assert len(canvas.strokes) == 1
    canvas.redo()
    assert len(canvas.strokes) == 2
    tab.clear_action.trigger()
    assert canvas.is_empty() and not tab.clear_action.isEnabled()
    tab.undo_action.trigger()  # clearing can be undone
    assert len(canvas.strokes) == 2
    canvas.undo()
    canvas.add_stroke([(1, 1), (2, 2)])  # a new stroke ends the redo history
    assert not canvas.can_redo() and not tab.redo_action.isEnabled()


def test_keyboard_shortcuts_undo_redo_and_clear(qtbot, tab):
    canvas = tab.canvas
    canvas.add_stroke([(10, 10), (50, 50)])
    canvas.add_stroke([(60, 10), (90, 90)])
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.strokes) == 1
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert len(canvas.strokes) == 2
    canvas.undo()
    qtbot.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.strokes) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.is_empty()
    tab.undo_action.trigger()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.is_empty()


def _mouse(canvas, kind, pos, buttons):
    event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), Qt.MouseButton.LeftButton,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def test_mouse_strokes_land_where_drawn_and_are_read_live(qtbot, tab, recognizer):
    tab.set_recognizer(recognizer)
    canvas = tab.canvas
    rect = canvas.sheet_rect()
    down = Qt.MouseButton.LeftButton
    start = QPointF(rect.center().x(), rect.top() + rect.height() * 0.15)
    _mouse(canvas, QEvent.Type.MouseButtonPress, start, down)
    results: list[object] = []
    tab.resultReady.connect(results.append)
    for step in range(1, 30):  # a "1" from top to bottom, pen still down
        pos = QPointF(start.x(), start.y() + step * rect.height() * 0.7 / 29)
        _mouse(canvas, QEvent.Type.MouseMove, pos, down)
    assert canvas.drawing and not canvas.strokes
    qtbot.waitUntil(lambda: bool(results), timeout=5000)  # read while the pen is down
    _mouse(canvas, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton)
    assert len(canvas.strokes) == 1 and len(canvas.strokes[0].points) >= 10
    x, y = canvas.strokes[0].points[0]
    assert abs(x - SHEET_WIDTH / 2) < 3 and abs(y - 0.15 * SHEET_HEIGHT) < 3
    image = canvas.to_array()
    assert image.shape == (SHEET_HEIGHT, SHEET_WIDTH)
    assert image[int(SHEET_HEIGHT / 2), int(SHEET_WIDTH / 2)] < 80  # ink under the stroke
    assert image[10, 10] == 255  # paper elsewhere


def test_tablet_and_touch_input_draw_strokes(tab):
    canvas = tab.canvas
    rect = canvas.sheet_rect()
    device = QPointingDevice.primaryPointingDevice()
    points = [QPointF(rect.left() + 100 + 5 * i, rect.top() + 50 + 3 * i) for i in range(10)]
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * 8 + [QEvent.Type.TabletRelease]
    for kind, pos in zip(kinds, points, strict=True):
        event = QTabletEvent(kind, device, pos, canvas.mapToGlobal(pos), 0.7, 0, 0, 0, 0, 0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                             Qt.MouseButton.LeftButton)
        QApplication.sendEvent(canvas, event)
    assert len(canvas.strokes) == 1 and len(canvas.strokes[0].points) >= 5
    touch = QPointingDevice("test touchscreen", 7, QInputDevice.DeviceType.TouchScreen,
                            QPointingDevice.PointerType.Finger,
                            QInputDevice.Capability.Position, 1, 0)
    states = ([QEventPoint.State.Pressed] + [QEventPoint.State.Updated] * 8
              + [QEventPoint.State.Released])
    kinds = ([QEvent.Type.TouchBegin] + [QEvent.Type.TouchUpdate] * 8
             + [QEvent.Type.TouchEnd])
    for kind, state, pos in zip(kinds, states, points, strict=True):
        point = QEventPoint(1, state, pos, canvas.mapToGlobal(pos))
        QApplication.sendEvent(canvas, QTouchEvent(kind, touch, Qt.KeyboardModifier.NoModifier,
                                                   [point]))
    assert len(canvas.strokes) == 2 and len(canvas.strokes[1].points) >= 5


def test_empty_drawing_gives_no_result(qtbot, tab, recognizer):
    tab.set_recognizer(recognizer)
    tab.canvas.add_stroke([(100, 100), (120, 200)])
    wait_result(qtbot, tab)
    with qtbot.waitSignal(tab.resultReady, timeout=2000) as blocker:
        tab.canvas.clear()
    assert blocker.args == [None]


def test_save_png_and_brush_width_is_remembered(tab, tmp_path):
    tab.set_brush_width(40)
    tab.canvas.add_stroke([(100, 140), (600, 140)])
    path = tmp_path / "drawing.png"
    assert tab.save_png(str(path))
    saved = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert saved.shape == (2 * SHEET_HEIGHT, 2 * SHEET_WIDTH)
    assert saved[280, 700] < 50 and saved[20, 20] == 255
    assert tab.brush_slider.value() == 40
    again = DrawTab()
    try:
        assert again.canvas.brush_width == 40
    finally:
        again.shutdown()
        again.deleteLater()
