"""Corrections and the My handwriting tab in the window (pytest-qt, offscreen)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from image_corpus import digit_image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from mnist_desktop.gui.main_window import MainWindow
from mnist_desktop.reading import TeachOptions
from mnist_desktop.results import NumberReading

pytestmark = pytest.mark.usefixtures("isolated_settings")
TINY = TeachOptions(epochs=1, replay=0, mnist_check=0)


@pytest.fixture
def window(qtbot, recognizer):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.use_recognizer(recognizer)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    yield win
    win.close()


def saved(window: MainWindow, digit: int) -> list[Path]:
    return window.samples.samples()[digit]


def test_a_drawing_read_wrong_is_saved_with_the_right_digit_and_undone(qtbot, window):
    assert not window.corrections.bar.buttons[7].isEnabled()  # nothing to correct yet
    with qtbot.waitSignal(window.draw_tab.resultReady, timeout=10000):
        window.draw_tab.canvas.add_stroke([(350, 40), (350, 240)], 24)
    assert window.corrections.bar.buttons[7].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_7)  # "it's a 7" (a European one, say)
    [path] = saved(window, 7)
    assert path.parent == window.samples.samples_dir / "7" and path.suffix == ".png"
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert picture is not None and picture.shape[0] > 28  # the picture, not the 28x28 input
    assert window.recognizer.recognize(picture).found  # the pipeline finds the digit again
    assert "<b>1 sample</b>" in window.handwriting_tab.summary.text()  # not "1 samples"
    assert "sample of 7" in window.statusBar().currentMessage()

    qtbot.mouseClick(window.corrections.bar.buttons[4], Qt.MouseButton.LeftButton)
    assert len(saved(window, 4)) == 1
    qtbot.mouseClick(window.corrections.bar.undo_button, Qt.MouseButton.LeftButton)
    assert saved(window, 4) == [] and len(saved(window, 7)) == 1  # only the last one
    assert window.handwriting_tab.list.count() == 1


def test_a_numbers_digits_are_corrected_one_by_one(qtbot, window):
    image = np.full((160, 420, 3), 255, np.uint8)
    for i, digit in enumerate((3, 5, 8)):
        image[20:140, 20 + i * 130 : 140 + i * 130] = digit_image(digit, 120)
    window.tabs.setCurrentWidget(window.image_tab)
    with qtbot.waitSignal(window.image_tab.resultReady, timeout=15000):
        window.image_tab.open_array(image, "three digits")
    result = window.panel.result
    assert isinstance(result, NumberReading) and len(result.digits) == 3
    window.panel.select_digit(0)
    for index, digit in enumerate((3, 5, 8)):
        assert window.panel.selected_digit == index
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{digit}"))
    files = [saved(window, d) for d in (3, 5, 8)]
    assert all(len(f) == 1 for f in files)
    widths = [cv2.imread(str(f[0])).shape[1] for f in files]
    assert max(widths) < 300  # each file is one digit cut out, not the whole number


def test_a_batch_row_can_be_corrected_and_a_labelled_folder_shows_accuracy(qtbot, window,
                                                                         tmp_path):
    folder = tmp_path / "exam"
    for digit in (1, 4):
        (folder / str(digit)).mkdir(parents=True)
        cv2.imwrite(str(folder / str(digit) / "a.png"), digit_image(digit, 100))
    cv2.imwrite(str(folder / "1" / "b.png"), digit_image(7, 100))  # mislabelled on purpose
    window.tabs.setCurrentWidget(window.batch_tab)
    with qtbot.waitSignal(window.batch_tab.runFinished, timeout=30000):
        window.batch_tab.start_folder(str(folder), True)
    accuracy = window.batch_tab.accuracy
    assert accuracy.isVisible()
    report = accuracy.report()
    assert report.count == 3 and report.correct <= 2
    assert f"accuracy {report.accuracy:.2%}" in accuracy.label.text()
    dialog = accuracy.show_matrix()
    assert dialog.table.item(4, 4).text() == "1"  # rows: the true digit
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    view = window.batch_tab.view
    with qtbot.waitSignal(window.batch_tab.resultReady, timeout=10000):
        view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(window, Qt.Key.Key_9)
    assert len(saved(window, 9)) == 1


def test_teach_in_the_tab_then_use_the_personal_model(qtbot, window, tmp_path):
    store = window.samples
    for digit in range(10):
        for size in (90, 110, 130):
            store.add(digit_image(digit, size), digit, "test")
    tab = window.handwriting_tab
    tab.options = replace(TINY, holdout=0.2)
    window.tabs.setCurrentWidget(tab)
    tab.refresh()
    assert tab.list.count() == 30
    with qtbot.waitSignal(tab.teachFinished, timeout=60000) as finished:
        qtbot.mouseClick(tab.teach_button, Qt.MouseButton.LeftButton)
        assert tab.cancel_button.isEnabled() and not tab.teach_button.isEnabled()
    result = finished.args[0]
    assert result.held_back.count == 10
    assert "held back" in tab.figures.text() and f"{result.held_back.after:.1%}" in \
        tab.figures.text()
    assert store.model_path.is_file() and store.model_path.with_suffix(".json").is_file()
    qtbot.waitUntil(lambda: tab.teach_button.isEnabled(), timeout=5000)
    assert not tab.shipped_button.isEnabled()  # the shipped model is the one in use
    with qtbot.waitSignal(window.modelReady, timeout=30000):
        qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert window.recognizer.info.path == store.model_path
    assert tab.shipped_button.isEnabled() and not tab.use_button.isEnabled()
    assert "personal model (20 samples)" in window.badge.text
    with qtbot.waitSignal(window.modelReady, timeout=30000):
        qtbot.mouseClick(tab.shipped_button, Qt.MouseButton.LeftButton)
    assert window.recognizer.info.path != store.model_path


def test_teach_can_be_cancelled_and_saves_nothing(qtbot, window):
    for digit in range(10):
        window.samples.add(digit_image(digit), digit)
    tab = window.handwriting_tab
    tab.options = TeachOptions(epochs=200, replay=0, mnist_check=0)
    with qtbot.waitSignal(tab.worker.progress, timeout=30000,
                          check_params_cb=lambda p: p.stage == "teaching"):
        tab.teach()
    with qtbot.waitSignal(tab.worker.cancelled, timeout=30000):
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.teach_button.isEnabled(), timeout=5000)
    assert "cancelled" in tab.stage.text()
    assert not window.samples.model_path.exists()


def test_deleting_and_importing_samples(qtbot, window, tmp_path, monkeypatch):
    source = tmp_path / "mine"
    (source / "2").mkdir(parents=True)
    cv2.imwrite(str(source / "2" / "x.png"), digit_image(2))
    (source / "2" / "bad.png").write_bytes(b"not a png")
    tab = window.handwriting_tab
    tab.import_folder(str(source))
    assert len(saved(window, 2)) == 1 and tab.list.count() == 1
    assert "1 could not be used" in tab.notice.text() and "bad.png" in tab.notice.text()
    tab.list.item(0).setSelected(True)
    asked: list[str] = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append(text)
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert tab.delete_selected() == 0 and len(saved(window, 2)) == 1  # asked, kept
    assert "Delete 1 sample " in asked[0]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert tab.delete_selected() == 1
    assert saved(window, 2) == [] and tab.list.count() == 0


def test_a_webcam_frame_can_be_corrected(qtbot, window, tmp_path):
    frame = np.full((480, 640, 3), 235, np.uint8)
    frame[160:320, 240:400] = digit_image(4, 160)
    path = tmp_path / "four.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20, (640, 480))
    for _ in range(60):
        writer.write(frame)
    writer.release()
    tab = window.webcam_tab
    window.tabs.setCurrentWidget(tab)
    tab.set_source(str(path))
    tab.start()
    qtbot.waitUntil(lambda: getattr(window.panel.result, "found", False), timeout=15000)
    tab.set_frozen(True)  # a snapshot: the frame stays while the user answers
    qtbot.keyClick(window, Qt.Key.Key_1)
    [sample] = saved(window, 1)
    picture = cv2.imread(str(sample))
    assert picture is not None and 28 < picture.shape[0] < 480  # the frame, cut around it
    tab.stop()


def test_the_figures_say_how_the_model_read_your_samples_when_it_learnt_them_all():
    from mnist_desktop.gui.handwriting.handwriting_tab import result_text
    from mnist_desktop.reading.teaching import Score, TeachResult

    result = TeachResult("personal.keras", 30, (3,) * 10, Score(0), Score(0), (), 5.0,
                         "model.keras", TeachOptions(), samples_before=0.9)
    text = result_text(result)
    assert "<b>90.0%</b> of your samples" in text and "learnt all of them" in text
    assert "held back" not in text and "Too few" not in text
