"""The Image tab: open files and arrays off the GUI thread, boxes, failures keep the old image."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRectF, Qt

from mnist_desktop.gui.common.settings import recent_files
from mnist_desktop.gui.image.image_tab import ImageTab, image_file_filter
from mnist_desktop.results import NumberReading, Recognition
from mnist_desktop.training.synth import compose_sheet, render_photo

pytestmark = pytest.mark.usefixtures("isolated_settings")


@pytest.fixture
def tab(show_widget, recognizer):
    widget = show_widget(ImageTab(), (800, 600))
    widget.set_recognizer(recognizer)
    return widget


@pytest.fixture(scope="module")
def photo(mnist_sample, recognizer):
    """An easy synthetic phone photo of an MNIST test digit the model reads right, and its label."""
    images, labels = mnist_sample
    rng = np.random.default_rng(3)
    for index in range(60):
        image, _ = render_photo(images[index], rng, size=(360, 480), difficulty="easy")
        result = recognizer.recognize(image)
        if result.digit == labels[index] and result.status == "ok":
            return image, int(labels[index])
    pytest.fail("no easy photo among 60 is read right")


def wait_loaded(qtbot, tab: ImageTab) -> list[object]:
    results: list[object] = []
    tab.resultReady.connect(results.append)
    qtbot.waitUntil(lambda: not tab.worker.busy, timeout=20000)
    return results


def test_open_file_shows_image_box_and_result(qtbot, tab, photo, tmp_path):
    image, label = photo
    path = tmp_path / "digit photo.png"
    cv2.imwrite(str(path), image)
    with qtbot.waitSignal(tab.resultReady, timeout=20000) as blocker:
        tab.open_path(str(path))
    result = blocker.args[0]
    assert isinstance(result, Recognition) and result.digit == label
    assert tab.loaded is not None and tab.loaded.name == "digit photo.png"
    assert tab.view.boxes and tab.view.boxes[0].label == str(label)
    assert "digit photo.png" in tab.info.text() and "480 x 360" in tab.info.text()
    assert recent_files()[0] == str(path)


def test_unreadable_file_names_file_and_reason_and_keeps_previous_image(qtbot, tab, photo,
                                                                         tmp_path):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), photo[0])
    tab.open_path(str(good))
    wait_loaded(qtbot, tab)
    bad = tmp_path / "notes.png"
    bad.write_text("shopping list: milk, eggs\n")
    tab.open_path(str(bad))
    qtbot.waitUntil(lambda: bool(tab.error_text), timeout=10000)
    assert "notes.png" in tab.error_text and "not" in tab.error_text.lower()
    assert tab.loaded.name == "good.png" and tab.view.boxes  # the previous image stays
    tab.open_path(str(tmp_path / "missing.jpg"))
    qtbot.waitUntil(lambda: "missing.jpg" in tab.error_text, timeout=10000)
    assert "no such file" in tab.error_text
    assert tab.loaded.name == "good.png"


def test_sheet_of_digits_gives_number_and_clickable_boxes(qtbot, tab, mnist_sample):
    images, labels = mnist_sample
    sheet, _ = compose_sheet([images[i] for i in (0, 1, 2)], np.random.default_rng(5),
                             difficulty="easy")
    with qtbot.waitSignal(tab.resultReady, timeout=20000) as blocker:
        tab.open_array(sheet, "sheet")
    result = blocker.args[0]
    assert isinstance(result, NumberReading) and len(result.digits) == 3
    assert len(tab.view.boxes) == 3
    box = tab.view.boxes[2].box
    centre = tab.view.source_transform().mapRect(QRectF(*box)).center().toPoint()
    with qtbot.waitSignal(tab.digitClicked, timeout=2000) as clicked:
        qtbot.mouseClick(tab.view, Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args == [2]


def test_large_photo_opens_without_blocking_the_window(qtbot, tab, tmp_path):
    big = np.full((3000, 4000, 3), 235, np.uint8)  # a 12-megapixel photo of a drawn "1"
    cv2.line(big, (2000, 900), (2000, 2100), (30, 30, 30), 90)
    path = tmp_path / "phone.jpg"
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
    start = time.perf_counter()
    tab.open_path(str(path))
    assert time.perf_counter() - start < 0.1  # decoding happens in the background
    results = wait_loaded(qtbot, tab)
    assert tab.loaded is not None and tab.loaded.image.shape[:2] == (3000, 4000)
    assert max(tab.loaded.display.width(), tab.loaded.display.height()) <= 2400
    assert results and isinstance(results[-1], Recognition) and results[-1].box is not None


def test_image_opened_before_the_model_is_read_when_it_arrives(qtbot, recognizer):
    tab = ImageTab()
    qtbot.addWidget(tab)
    try:
        image = np.full((200, 200), 255, np.uint8)
        cv2.line(image, (100, 40), (100, 160), 0, 14)
        with qtbot.waitSignal(tab.resultReady, timeout=10000) as first:
            tab.open_array(image, "early")
        assert first.args == [None] and tab.loaded is not None
        with qtbot.waitSignal(tab.resultReady, timeout=10000) as second:
            tab.set_recognizer(recognizer)
        assert isinstance(second.args[0], Recognition) and second.args[0].found
    finally:
        tab.shutdown()


def test_open_dialog_lists_common_formats():
    text = image_file_filter()
    for ext in ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.tif", "*.webp"):
        assert ext in text


def test_box_click_outside_boxes_selects_nothing(qtbot, tab):
    image = np.full((200, 300), 255, np.uint8)
    cv2.line(image, (150, 40), (150, 160), 0, 14)
    tab.open_array(image, "one")
    wait_loaded(qtbot, tab)
    with qtbot.assertNotEmitted(tab.digitClicked):
        qtbot.mouseClick(tab.view, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
