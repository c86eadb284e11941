"""Starting the app: a picture or folder on the command line, the desktop entry, the model
remembered only when it loads, and the log file that keeps tracebacks."""

from __future__ import annotations

import configparser
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from mnist_desktop import cli
from mnist_desktop.cli.desktop_entry import install_desktop_entry

REPO = Path(__file__).resolve().parent.parent


def seven(path: Path) -> Path:
    image = np.full((240, 200), 250, np.uint8)
    cv2.line(image, (50, 50), (150, 50), 20, 16)
    cv2.line(image, (150, 50), (90, 200), 20, 16)
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture
def launched(monkeypatch):
    """``run_app`` replaced: the WindowOptions the command line asked for."""
    from mnist_desktop.gui import app

    calls: list[object] = []
    monkeypatch.setattr(app, "run_app", lambda options, qt=(): calls.append(options) or 0)
    return calls


def test_a_picture_or_a_folder_on_the_command_line_opens_the_window(launched, tmp_path):
    photo = seven(tmp_path / "photo.png")
    assert cli.main([str(photo)]) == 0
    assert cli.main([str(tmp_path)]) == 0
    assert cli.main(["--model", "m.keras", str(photo)]) == 0
    assert [o.open_path for o in launched] == [str(photo), str(tmp_path), str(photo)]
    assert launched[2].model == "m.keras"


def test_a_path_that_does_not_exist_is_exit_2_naming_it(launched, capsys):
    assert cli.main(["/no/such/photo.jpg"]) == 2
    err = capsys.readouterr().err
    assert "/no/such/photo.jpg" in err and "no such file or folder" in err
    assert launched == []


def test_the_command_opens_a_picture_and_keeps_the_window_alive(tmp_path):
    photo = seven(tmp_path / "photo.png")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MNIST_DESKTOP_QUIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "mnist_desktop", str(photo)], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "model-ready" in done.stdout and "Traceback" not in done.stderr
    missing = subprocess.run([sys.executable, "-m", "mnist_desktop", str(tmp_path / "x.jpg")],
                             env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "x.jpg" in missing.stderr
    assert "window-shown" not in missing.stdout


def test_window_open_path_picks_the_tab(qtbot, isolated_settings, tmp_path):
    from mnist_desktop.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    photo = seven(tmp_path / "photo.png")
    window.open_path(str(photo))
    assert window.tabs.currentWidget() is window.image_tab
    qtbot.waitUntil(lambda: window.image_tab.loaded is not None, timeout=10000)
    assert window.image_tab.loaded.name == "photo.png"
    window.open_path(str(tmp_path))
    assert window.tabs.currentWidget() is window.batch_tab
    assert window.batch_tab.folder_label.text() == str(tmp_path)
    window.close()


def test_desktop_entry_offers_the_app_for_images(tmp_path, capsys):
    assert install_desktop_entry(tmp_path) == 0
    entry = tmp_path / "applications" / "mnist-desktop.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(entry, encoding="utf-8")
    section = parser["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "MNIST Desktop"
    assert section["Exec"].endswith(" %f") and "mnist-desktop" in section["Exec"]
    mime = section["MimeType"].split(";")
    assert {"image/png", "image/jpeg", "inode/directory"} <= set(mime)
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{section['Icon']}.svg"
    assert icon.read_text().lstrip().startswith("<?xml") and "<svg" in icon.read_text()
    assert str(entry) in capsys.readouterr().out


def test_a_model_that_fails_to_load_is_not_remembered(qtbot, isolated_settings, tmp_path,
                                                      monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from mnist_desktop.gui.common.settings import app_settings
    from mnist_desktop.gui.main_window import MainWindow

    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04 the start of a zip and nothing more")
    window = MainWindow()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.modelReady, timeout=60000):
        window.start()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    with qtbot.waitSignal(window.modelFailed, timeout=60000):
        window.load_model_action.trigger()
    assert str(app_settings().value("model/path", "") or "") == ""
    window.close()

    again = MainWindow()  # the next start: the bundled model, no complaint
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.modelReady, timeout=60000):
        again.start()
    assert again.recognizer is not None and again.banner.isHidden()
    again.close()


def test_a_remembered_model_that_broke_falls_back_to_the_shipped_one(
        qtbot, isolated_settings, tmp_path):
    from mnist_desktop.gui.common.settings import app_settings
    from mnist_desktop.gui.main_window import MainWindow

    broken = tmp_path / "my-model.keras"
    broken.write_bytes(b"PK\x03\x04 truncated")
    app_settings().setValue("model/path", str(broken))  # it loaded last time; then it broke
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.modelReady, timeout=60000):
        window.start()
    assert window.recognizer is not None
    assert "my-model.keras" in window.banner.label.text()
    assert "using the shipped model" in window.banner.label.text()
    assert str(app_settings().value("model/path", "") or "") == ""
    window.close()


def test_worker_errors_keep_their_traceback_in_the_log(qtbot, tmp_path):
    from mnist_desktop.gui.common.app_data import setup_logging
    from mnist_desktop.gui.common.worker import Worker

    log = tmp_path / "app-data" / "mnist-desktop.log"
    assert setup_logging(log) == log
    try:
        def buggy(_stop):
            return {}["no such key"]

        worker = Worker(buggy, name="buggy")
        with qtbot.waitSignal(worker.errored, timeout=5000) as errored:
            worker.start()
        assert worker.wait(5)
        assert errored.args == ["'no such key'"]  # what the user sees
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log.read_text()
        assert "Traceback" in text and "KeyError" in text and "buggy" in text
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "mnist_desktop_log", None) == str(log):
                root.removeHandler(handler)
                handler.close()



def test_quit_ends_the_process_at_once(tmp_path):
    """Closing used to wait for the number model still loading and then for Python's
    teardown of TensorFlow (2.4 s and more): the process now ends once the window is closed
    and its threads are stopped (a model load is waited for at most QUIT_WAIT_S)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MNIST_DESKTOP_QUIT_WHEN_READY": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "mnist_desktop"], env=env, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    closing = None
    for line in process.stdout:
        if line.startswith("closing "):
            closing = float(line.split()[1])
    process.wait(timeout=120)
    ended = time.time()
    assert process.returncode == 0 and closing is not None
    assert ended - closing < 2.0, f"{ended - closing:.2f} s from closing to the process end"


def test_the_canvas_sits_right_under_its_toolbar(qtbot, isolated_settings):
    from mnist_desktop.gui.draw.draw_tab import DrawTab

    tab = DrawTab()
    qtbot.addWidget(tab)
    tab.resize(900, 800)  # much taller than the canvas needs
    tab.show()
    qtbot.waitExposed(tab)
    toolbar_bottom = tab.brush_slider.geometry().bottom()
    assert tab.canvas.geometry().top() - toolbar_bottom < 24
