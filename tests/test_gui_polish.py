"""What a user notices (issue 18's tour): words, rounding, lines, corrections that show,
webcam messages said once, the Batch and My handwriting details, thumbnails."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from image_corpus import digit_image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QToolButton

from mnist_desktop.gui.common.settings import app_settings, read_bool, read_list, write_bool
from mnist_desktop.gui.common.text import percent, plural
from mnist_desktop.gui.main_window import MainWindow
from mnist_desktop.gui.result.result_panel import ResultPanel
from mnist_desktop.gui.tab import Tab
from mnist_desktop.gui.webcam.camera_worker import BLANK_FRAMES_RESET, CameraWorker
from mnist_desktop.gui.webcam.webcam_tab import WebcamTab
from mnist_desktop.io.image_files import make_thumbnail
from mnist_desktop.results import NumberReading, Recognition

pytestmark = pytest.mark.usefixtures("isolated_settings")


def digit(value: int | None, box=(0, 0, 10, 10), confidence: float = 0.99) -> Recognition:
    probs = np.full(10, 0.001, np.float32)
    if value is not None:
        probs[value] = confidence
    status = "ok" if value is not None else "no_digit"
    return Recognition(value, confidence if value is not None else 0.0, probs,
                       np.zeros((28, 28), np.float32), box, status=status)


def number(lines: list[str]) -> NumberReading:
    digits, indices = [], []
    for row, line in enumerate(lines):
        indices.append(tuple(range(len(digits), len(digits) + len(line))))
        digits += [digit(int(c), (30 * i, 40 * row, 20, 30)) for i, c in enumerate(line)]
    return NumberReading(tuple(digits), tuple(indices))


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    yield win
    win.close()


def test_words_and_one_rounding():
    assert plural(1, "digit") == "1 digit" and plural(2, "digit") == "2 digits"
    assert percent(0.9996) == "99.9 %" and percent(0.5) == "50.0 %"


def test_every_tab_meets_the_tab_protocol(window):
    tabs = [window.tabs.widget(i) for i in range(window.tabs.count())]
    assert len(tabs) == 5 and all(isinstance(tab, Tab) for tab in tabs)


def test_yes_no_settings_read_back_however_stored():
    settings = app_settings()
    write_bool(settings, "x/a", True)
    settings.setValue("x/b", True)  # a bool through QSettings' own conversion
    settings.setValue("x/c", "false")
    settings.setValue("x/d", 1)
    settings.sync()
    again = app_settings()
    assert read_bool(again, "x/a", False) and read_bool(again, "x/b", False)
    assert not read_bool(again, "x/c", True) and read_bool(again, "x/d", False)
    assert read_bool(again, "x/missing", True) and not read_bool(again, "x/missing", False)


def test_one_digit_of_a_number_is_1_digit_not_1_digits(qtbot):
    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_result(number(["7"]))
    assert panel.verdict.text().startswith("1 digit ")


def test_a_page_of_four_lines_is_shown_as_four_lines(qtbot):
    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_result(number(["012", "345", "678", "9"]))
    assert panel.big.text() == "012\n345\n678\n9"  # not "012 345 678 9"
    assert "10 digits on 4 lines" in panel.verdict.text()
    rows = {}
    layout = panel.chips_layout
    for i in range(layout.count()):
        row, column, _, _ = layout.getItemPosition(i)
        rows.setdefault(row, []).append(layout.itemAt(i).widget().text())
    assert [rows[r] for r in sorted(rows)] == [["0", "1", "2"], ["3", "4", "5"],
                                              ["6", "7", "8"], ["9"]]


def test_a_correction_names_the_place_and_the_digit_and_the_number_shows_it(qtbot, window):
    image = np.full((60, 120, 3), 255, np.uint8)
    window.tabs.setCurrentWidget(window.image_tab)
    window.image_tab.open_array(image, "a number")
    qtbot.waitUntil(lambda: window.image_tab.loaded is not None, timeout=10000)
    window._on_result(window.image_tab, number(["358"]))
    window.panel.select_digit(1)
    qtbot.keyClick(window, Qt.Key.Key_6)  # "the 5 is a 6"
    message = window.statusBar().currentMessage()
    assert "digit 2 of 3 (read as 5)" in message and "sample of 6" in message
    assert window.panel.big.text() == "368"
    assert window.panel.result.digits[1].digit == 6
    assert "orrected by you" in window.panel.verdict.text()
    assert window.panel.selected_digit == 2  # on to the next digit
    window.tabs.setCurrentWidget(window.draw_tab)
    window.tabs.setCurrentWidget(window.image_tab)
    assert window.panel.big.text() == "368"  # kept for the tab
    qtbot.mouseClick(window.corrections.bar.undo_button, Qt.MouseButton.LeftButton)
    assert window.panel.big.text() == "358"


def test_another_tabs_news_stays_out_of_the_status_bar(window):
    window.tabs.setCurrentWidget(window.handwriting_tab)
    window.statusBar().clearMessage()
    window.image_tab.statusMessage.emit("Read 00290.png: 7 (99.9 % sure)")
    assert window.statusBar().currentMessage() == ""
    window.handwriting_tab.statusMessage.emit("Deleted 1 sample")
    assert window.statusBar().currentMessage() == "Deleted 1 sample"


def test_the_shipped_model_button_is_off_while_it_is_in_use(qtbot, window, recognizer):
    window.use_recognizer(recognizer)
    assert not window.handwriting_tab.shipped_button.isEnabled()
    window.tabs.setCurrentWidget(window.handwriting_tab)
    assert not window.handwriting_tab.progress.isVisible()  # no empty bar before teaching


def test_the_batch_controls_sit_together_before_the_first_run(qtbot, show_widget):
    from mnist_desktop.gui.batch.batch_tab import BatchTab

    tab = show_widget(BatchTab(), (900, 700))
    gap = tab.filter_box.geometry().top() - tab.choose_button.geometry().bottom()
    assert gap < 60  # not spread over the empty tab


def test_a_webcam_source_that_fails_is_said_once_and_leaves_the_recent_list(qtbot, tmp_path):
    tab = WebcamTab()
    qtbot.addWidget(tab)
    bad = str(tmp_path / "gone.avi")
    settings = app_settings()
    settings.setValue("webcam/recent_sources", [bad, "/elsewhere/other.avi"])
    tab.source_picker.combo.addItem(bad)
    news: list[str] = []
    tab.statusMessage.connect(news.append)
    tab.set_source(bad)
    tab.start()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert "not found" in tab.message() and tab.message_label.styleSheet()  # in red, once
    assert not any("not found" in n for n in news)  # not again in the status bar
    assert "not found" not in tab.preview._placeholder  # nor on the preview
    assert read_list(app_settings(), "webcam/recent_sources") == ["/elsewhere/other.avi"]
    assert tab.source_picker.combo.findText(bad) < 0


class PaperChanges:
    """Reads a 3 on the first ``found`` frames, then nothing (the paper was taken away)."""

    def __init__(self, found: int) -> None:
        self.left = found

    def read_as(self, image: np.ndarray, mode: str) -> Recognition:
        time.sleep(0.005)
        self.left -= 1
        return digit(3) if self.left >= 0 else digit(None, box=None)


def test_the_old_answer_and_box_go_when_the_digit_leaves(qtbot, tmp_path):
    path = tmp_path / "paper.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (80, 60))
    for _ in range(40):
        writer.write(np.full((60, 80, 3), 200, np.uint8))
    writer.release()
    worker = CameraWorker(str(path), recognizer=PaperChanges(found=12))
    results = []
    worker.resultReady.connect(results.append)
    worker.frameReady.connect(lambda _f: worker.frame_shown())
    with qtbot.waitSignal(worker.stopped, timeout=20000):
        worker.start()
    assert worker.wait(5)
    blank = [r for r in results if not r.raw.found]
    assert len(blank) > BLANK_FRAMES_RESET + 2
    assert results[0].smoothed.found
    assert not blank[BLANK_FRAMES_RESET - 1].smoothed.found  # gone after a few blank frames
    assert all(not r.smoothed.found and r.smoothed.box is None for r in blank[BLANK_FRAMES_RESET:])


def test_batch_progress_close_button_and_export_folder(qtbot, show_widget, recognizer,
                                                       tmp_path, monkeypatch):
    from mnist_desktop.gui.batch.batch_tab import BatchTab

    folder = tmp_path / "scans"
    for d in (1, 4):
        (folder / str(d)).mkdir(parents=True)
        cv2.imwrite(str(folder / str(d) / "a.png"), digit_image(d, 80))
    tab = show_widget(BatchTab(), (900, 600))
    tab.set_recognizer(recognizer)
    assert not tab.progress_bar.isVisible()  # no lone empty bar before the first run
    with qtbot.waitSignal(tab.runFinished, timeout=60000):
        tab.start_folder(str(folder), True)
    assert tab.progress_bar.isVisible()
    dialog = tab.accuracy.show_matrix()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None and close.isVisible()
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, filters: (asked.append(start), ("", ""))[1])
    tab.export_dialog()
    assert asked == [str(folder / "scans-digits.csv")]


def test_a_white_digit_on_transparent_png_has_a_visible_thumbnail():
    alpha = np.zeros((60, 60), np.uint8)
    cv2.line(alpha, (30, 8), (30, 52), 255, 8)
    white = np.dstack([np.full((60, 60, 3), 255, np.uint8), alpha])  # white ink, clear paper
    thumb = make_thumbnail(white, 32)
    assert thumb.min() < 40 and thumb.max() > 215  # white strokes on black, not blank
    dark = np.dstack([np.zeros((60, 60, 3), np.uint8), alpha])  # the usual: dark on clear
    thumb = make_thumbnail(dark, 32)
    assert thumb.min() < 40 and thumb.max() > 215 and np.median(thumb) > 200


def test_a_small_window_shows_all_ten_probabilities_and_the_whole_toolbar(qtbot, window):
    """At 930 x 600, with a large system font, the bar of the 9 is painted (it was cut
    off) and the pen-width value does not run under the Undo button."""
    font = window.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    window.setFont(font)
    window.resize(930, 600)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    bars = window.panel.bars
    bars.set_probabilities(np.full(10, 0.1, np.float32))
    picture = bars.grab().toImage()
    inked = [min(picture.pixelColor(x, y).lightness() for x in range(0, 14)) < 110
             for y in range(picture.height())]
    labels = sum(1 for y in range(len(inked)) if inked[y] and (y == 0 or not inked[y - 1]))
    assert labels == 10, f"{labels} digit labels painted in {bars.height()} px"
    draw = window.draw_tab
    value = draw.brush_value.geometry()
    undo = next(button for button in draw.findChildren(QToolButton)
                if button.defaultAction() is draw.undo_action).geometry()
    assert value.right() < undo.left()


def test_a_long_verdict_of_one_digit_stays_inside_the_panel(qtbot, window):
    """ "Digit 2 of 2: ? – Not sure – looks most like 5 (30.8 %)" ran off the panel's edge."""
    import dataclasses

    font = window.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)  # a large system font
    window.setFont(font)
    window.resize(1240, 780)
    unsure = dataclasses.replace(digit(5, (40, 0, 20, 30), 0.308), status="unsure",
                                 message="not sure: 30.8% is below 70%")
    window.panel.show_result(NumberReading((digit(5), unsure), ((0,), (1,))))
    window.panel.select_digit(1)
    QApplication.processEvents()
    detail = window.panel.detail
    assert "looks most like 5" in detail.text()
    needed = detail.fontMetrics().horizontalAdvance(detail.text())
    shown = detail.width() if not detail.wordWrap() else detail.width() * max(
        1, detail.height() // detail.fontMetrics().lineSpacing())
    assert shown >= needed, f"{needed} px of text in {detail.width()} x {detail.height()} px"
    assert detail.geometry().right() <= window.panel.contentsRect().right()
