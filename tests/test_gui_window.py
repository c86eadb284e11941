"""The main window: model states, menus, drops, paste, remembered settings, clean shutdown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from mnist_desktop.gui.main_window import MainWindow
from mnist_desktop.gui.model_status import about_html
from mnist_desktop.gui.result.result_panel import PANEL_WIDTH, ResultPanel

REPO = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("isolated_settings")


def make_window(qtbot, **kwargs) -> MainWindow:
    window = MainWindow(**kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, recognizer):
    win = make_window(qtbot)
    win.use_recognizer(recognizer)
    yield win
    win.close()


def digit_file(folder: Path, name: str = "seven.png") -> Path:
    image = np.full((240, 200), 250, np.uint8)
    cv2.line(image, (50, 50), (150, 50), 20, 16)
    cv2.line(image, (150, 50), (90, 200), 20, 16)
    path = folder / name
    cv2.imwrite(str(path), image)
    return path


def test_tabs_panel_and_menus(window):
    names = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert names == ["Draw", "Image", "Webcam", "Batch", "My handwriting"]
    assert isinstance(window.splitter.widget(1), ResultPanel)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "View", "Help"]
    texts = {m: [a.text().replace("&", "") for a in menu.actions() if a.text()]
             for m, menu in menus.items()}
    for wanted in ("Open image…", "Open recent", "Open folder…", "Save drawing…",
                   "Load model…", "Quit"):
        assert wanted in texts["File"]
    assert {"Undo stroke", "Redo stroke", "Clear drawing", "Paste image"} <= set(texts["Edit"])
    assert "About MNIST Desktop" in texts["Help"]
    keys = {a.text().replace("&", ""): [k.toString() for k in a.shortcuts()]
            for menu in menus.values() for a in menu.actions()}
    assert keys["Open image…"] == ["Ctrl+O"] and keys["Paste image"] == ["Ctrl+V"]
    assert keys["Redo stroke"] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert keys["Clear drawing"] == ["Del", "Esc"] and keys["Load model…"] == ["Ctrl+L"]
    for menu in menus.values():
        for action in menu.actions():
            assert action.isSeparator() or action.menu() or action.toolTip()


def test_ready_status_names_model_and_accuracy(window, recognizer):
    text = window.badge.text
    assert text.startswith("Ready") and recognizer.info.name in text
    assert "test accuracy" in text
    assert window.banner.isHidden()
    about = about_html(recognizer.info)
    assert recognizer.info.name in about and "Test accuracy" in about


def test_missing_model_window_opens_and_says_what_is_wrong(qtbot):
    win = make_window(qtbot, model_path="/nonexistent/model.keras")
    with qtbot.waitSignal(win.modelFailed, timeout=30000) as failed:
        win.start()
    assert "not found" in failed.args[0]
    assert win.isVisible() and win.banner.isVisible()
    assert "/nonexistent/model.keras" in win.banner.label.text()
    assert "Load model" in win.banner.label.text() and win.load_model_action.isEnabled()
    assert win.badge.text.startswith("No model")
    win.draw_tab.canvas.add_stroke([(100, 40), (100, 240)])  # still usable, nothing crashes
    qtbot.wait(250)
    assert "Load model" in win.panel.verdict.text()
    win.close()


def test_a_broken_line_model_is_said_in_the_window(qtbot, recognizer, tmp_path, monkeypatch):
    from mnist_desktop.reading import Recognizer, line_model

    broken = tmp_path / "lines.keras"
    broken.write_text("not a model")
    monkeypatch.setattr(line_model, "bundled_line_model_path", lambda: broken)
    fresh = Recognizer(recognizer.model, recognizer.info)
    assert fresh.line_model is None
    win = make_window(qtbot)
    win.use_recognizer(fresh)
    assert win.banner.isVisible()
    assert "digit by digit" in win.banner.label.text() and "lines.keras" in win.banner.label.text()
    win.close()


def test_panel_follows_the_current_tab(qtbot, window):
    with qtbot.waitSignal(window.draw_tab.resultReady, timeout=10000):
        window.draw_tab.canvas.add_stroke([(350, 40), (350, 240)], 24)
    drawn = window.panel.result
    assert drawn is not None
    window.tabs.setCurrentWidget(window.image_tab)
    assert window.panel.result is None and "image" in window.panel.verdict.text().lower()
    window.tabs.setCurrentWidget(window.draw_tab)
    assert window.panel.result is drawn


def test_shortcuts_act_on_the_drawing_only_in_the_draw_tab(qtbot, window):
    canvas = window.draw_tab.canvas
    canvas.add_stroke([(100, 40), (100, 240)])
    canvas.add_stroke([(200, 40), (200, 240)])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.strokes) == 1
    window.tabs.setCurrentWidget(window.image_tab)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert len(canvas.strokes) == 1
    window.tabs.setCurrentWidget(window.draw_tab)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert canvas.is_empty()


def _drop(window: MainWindow, mime: QMimeData) -> None:
    pos = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(pos, actions, mime, Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))


def test_drag_and_drop_a_file_opens_it_in_the_image_tab(qtbot, window, tmp_path):
    path = digit_file(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    with qtbot.waitSignal(window.image_tab.resultReady, timeout=15000) as blocker:
        _drop(window, mime)
    assert window.tabs.currentWidget() is window.image_tab
    assert window.image_tab.loaded.name == "seven.png"
    assert window.panel.result is blocker.args[0]
    recent = [a.text() for a in window.recent_menu.actions()]
    assert any("seven.png" in text for text in recent)


def test_dropped_folder_goes_to_the_batch_tab(window, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(window.batch_tab, "start_folder",
                        lambda path, recursive: started.append(path))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path))])
    _drop(window, mime)
    assert started == [str(tmp_path)] and window.tabs.currentWidget() is window.batch_tab


def test_paste_image_data_and_file_urls(qtbot, window, tmp_path):
    image = QImage(160, 160, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(window.image_tab.resultReady, timeout=15000):
        window.paste_action.trigger()
    assert window.image_tab.loaded.name == "pasted image"
    assert window.image_tab.loaded.image.shape[:2] == (160, 160)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(digit_file(tmp_path, "from clipboard.png")))])
    QGuiApplication.clipboard().setMimeData(mime)
    try:
        with qtbot.waitSignal(window.image_tab.resultReady, timeout=15000):
            window.paste_action.trigger()
        assert window.image_tab.loaded.name == "from clipboard.png"
    finally:
        # The clipboard owns the mime data; left there, Qt deletes it after Python has
        # shut down and the process crashes on exit.
        QGuiApplication.clipboard().clear()


def test_window_size_tab_and_brush_are_remembered(qtbot, window):
    window.resize(880, 690)  # the offscreen screen is 800x800: stay close to it
    window.tabs.setCurrentIndex(1)
    window.draw_tab.set_brush_width(33)
    window.close()
    again = make_window(qtbot)
    assert (again.width(), again.height()) == (880, 690)
    assert again.tabs.currentIndex() == 1
    assert again.draw_tab.canvas.brush_width == 33
    again.close()


def test_usable_at_1024_by_700(qtbot, window):
    window.resize(1024, 700)
    qtbot.wait(50)
    assert window.width() <= 1024 and window.height() <= 700
    assert window.panel.isVisible() and window.panel.width() >= PANEL_WIDTH
    canvas = window.draw_tab.canvas
    assert canvas.sheet_rect().width() >= 420 and canvas.sheet_rect().height() >= 160
    bars = window.panel.bars
    assert bars.geometry().bottom() < window.panel.height()  # the bars are not cut off


def test_closing_stops_every_worker(qtbot, window, monkeypatch):
    called = []
    for tab in (window.webcam_tab, window.batch_tab):
        original = tab.shutdown
        monkeypatch.setattr(tab, "shutdown", lambda o=original, t=tab: (called.append(t), o()))
    with qtbot.waitSignal(window.draw_tab.resultReady, timeout=10000):
        window.draw_tab.canvas.add_stroke([(350, 40), (350, 240)])
    window.image_tab.open_array(np.zeros((50, 50), np.uint8), "black")
    window.close()
    assert len(called) == 2
    assert not window.draw_tab.worker.worker.is_running()
    assert not window.image_tab.worker.worker.is_running()
    assert not window.loader.busy


def test_closing_while_the_model_loads_waits_cleanly(qtbot):
    win = make_window(qtbot)
    win.start()
    assert win.loader.busy and win.badge.text.startswith("Loading")
    win.close()  # waits for the loader thread: no "QThread destroyed while running"
    assert not win.loader.busy and not win.isVisible()


def _launch(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MNIST_DESKTOP_QUIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def _events(stdout: str) -> dict[str, float]:
    return {line.split()[0]: float(line.split()[1]) for line in stdout.splitlines()
            if line.split() and line.split()[0] in ("window-shown", "model-ready",
                                                     "model-failed")}


def test_app_starts_in_a_subprocess_and_reports_ready(tmp_path):
    done = _launch([], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    events = _events(done.stdout)
    assert "model-ready" in events and events["window-shown"] <= events["model-ready"]
    assert "QThread: Destroyed while thread" not in done.stderr


def test_app_with_a_missing_model_still_opens_and_says_why(tmp_path):
    done = _launch(["gui", "--model", "/nonexistent/model.keras"], tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "window-shown" in done.stdout
    assert "model-failed" in done.stdout and "not found" in done.stdout
    assert "Traceback" not in done.stderr


def test_window_modules_import_neither_tensorflow_nor_training_code():
    code = ("import sys, mnist_desktop.gui.app, mnist_desktop.gui.main_window; "
            "print(sorted(m for m in sys.modules if m in ('tensorflow', 'keras') "
            "or m.startswith('mnist_desktop.training')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr[-2000:]


def _wrong_shape_model(path: Path) -> None:
    import keras

    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Dense(5, activation="softmax")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, outputs).save(path)


@pytest.mark.parametrize(("kind", "phrase"), [
    ("corrupt", "damaged or not a Keras model"),
    ("wrong shape", "must take 28x28 images"),
])
def test_a_bad_model_file_is_reported_and_file_load_model_recovers(qtbot, tmp_path, monkeypatch,
                                                                   kind, phrase):
    from PySide6.QtWidgets import QFileDialog

    from mnist_desktop.reading import bundled_model_path

    bad = tmp_path / "bad.keras"
    if kind == "corrupt":
        bad.write_bytes(b"PK\x03\x04 the start of a zip and nothing more")
    else:
        _wrong_shape_model(bad)
    win = make_window(qtbot, model_path=str(bad))
    with qtbot.waitSignal(win.modelFailed, timeout=60000) as failed:
        win.start()
    assert phrase in failed.args[0]
    assert win.banner.isVisible() and "bad.keras" in win.banner.label.text()
    assert win.badge.text.startswith("No model")

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(bundled_model_path()), ""))
    with qtbot.waitSignal(win.modelReady, timeout=60000):
        win.load_model_action.trigger()
    assert not win.banner.isVisible()
    assert not win.badge.text.startswith("No model")
    with qtbot.waitSignal(win.draw_tab.resultReady, timeout=10000) as answered:
        win.draw_tab.canvas.add_stroke([(350, 40), (350, 240)])
    assert answered.args[0].found
    win.close()
