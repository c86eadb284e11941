"""The Batch tab, headless: run, cancel, export, filter, sort, double-click, drop."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from image_corpus import build_corpus, digit_image, png_bytes
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtTest import QTest

from mnist_desktop.batch.run import BatchItem
from mnist_desktop.gui.batch.batch_model import CONFIDENCE, FILE, THUMB
from mnist_desktop.gui.batch.batch_tab import BatchTab
from mnist_desktop.results import Recognition

pytestmark = pytest.mark.usefixtures("isolated_settings")


@pytest.fixture
def tab(show_widget, recognizer):
    widget = show_widget(BatchTab(), (900, 600))
    widget.set_recognizer(recognizer)
    return widget


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return folder, build_corpus(folder)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    data = png_bytes(digit_image(6, 40))
    for i in range(1500):
        (folder / f"{i:05d}.png").write_bytes(data)
    return folder


def run_to_end(qtbot, tab: BatchTab, path: Path, recursive: bool = False):
    with qtbot.waitSignal(tab.runFinished, timeout=60000) as finished:
        tab.start_folder(str(path), recursive)
    return finished.args[0]


def test_run_fills_the_table_with_every_file(qtbot, tab, corpus) -> None:
    folder, cases = corpus
    progress = run_to_end(qtbot, tab, folder)
    assert not tab.running and progress.done == len(cases)
    rows = tab.rows
    assert sorted(os.path.basename(r.path) for r in rows) == sorted(cases)
    for row in rows:
        case = cases[os.path.basename(row.path)]
        assert row.status == case.status
        if case.status == "ok":
            assert row.prediction == str(case.digit)
    ok_row = next(i for i, r in enumerate(rows) if r.status == "ok")
    thumb = tab.model.data(tab.model.index(ok_row, THUMB), Qt.ItemDataRole.DecorationRole)
    assert isinstance(thumb, QImage) and max(thumb.width(), thumb.height()) == 32
    assert tab.proxy.rowCount() == len(cases)
    assert tab.progress_label.text() == progress.summary()
    assert tab.export_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_cancel_keeps_the_rows_done_so_far(qtbot, tab, many) -> None:
    tab.start_folder(str(many), False)
    assert tab.running and tab.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: len(tab.model.items) >= 100, timeout=60000)
    with qtbot.waitSignal(tab.runFinished, timeout=30000) as finished:
        tab.cancel()
    progress = finished.args[0]
    rows = tab.rows
    assert progress.cancelled and 100 <= len(rows) < 1500 and progress.done == len(rows)
    assert [r.index for r in rows] == list(range(len(rows)))
    assert all(r.status == "ok" and r.prediction == "6" for r in rows)
    assert "cancelled after" in tab.progress_label.text()
    assert tab.export_button.isEnabled() and tab.rerun_button.isEnabled()


def test_window_stays_responsive_while_running(qtbot, tab, many) -> None:
    """The rows arrive in chunks from a worker thread and the event loop runs in between
    (no wall-clock limit: on a busy 2-core machine any limit is flaky)."""
    events: list[str] = []
    original = tab._add_rows
    tab._add_rows = lambda chunk: (events.append("rows"), original(chunk))
    timer = QTimer()
    timer.timeout.connect(lambda: events.append("tick"))
    timer.start(0)
    with qtbot.waitSignal(tab.runFinished, timeout=120000):
        tab.start_folder(str(many), False)
    timer.stop()
    rows = [i for i, e in enumerate(events) if e == "rows"]
    assert len(rows) >= 3, "1,500 files in one chunk: the table would fill all at once"
    assert "tick" in events[rows[0] : rows[-1]], "the event loop was blocked for the run"
    assert len(tab.rows) == 1500


def test_export_uses_the_command_line_columns(qtbot, tab, corpus, tmp_path) -> None:
    folder, cases = corpus
    run_to_end(qtbot, tab, folder)
    assert tab.export_to(str(tmp_path / "all.csv")) == len(cases)
    rows = list(csv.reader((tmp_path / "all.csv").open(encoding="utf-8")))
    assert rows[0] == ["path", "prediction", "confidence", "status", "message"]
    assert [r[0] for r in rows[1:]] == [r.path for r in tab.rows]
    tab.set_filter("Errors")
    errors = sum(c.status == "error" for c in cases.values())
    assert tab.export_to(str(tmp_path / "errors.json")) == errors
    data = json.loads((tmp_path / "errors.json").read_text(encoding="utf-8"))
    assert {d["status"] for d in data} == {"error"} and all(d["message"] for d in data)


def test_filter_shows_only_rows_that_need_a_look(qtbot, tab, corpus) -> None:
    folder, cases = corpus
    run_to_end(qtbot, tab, folder)
    expected = {"All rows": len(cases),
                "Needs a look (unsure, no digit, error)":
                    sum(c.status != "ok" for c in cases.values()),
                "No digit": sum(c.status == "no_digit" for c in cases.values()),
                "Errors": sum(c.status == "error" for c in cases.values())}
    for name, count in expected.items():
        tab.set_filter(name)
        assert tab.proxy.rowCount() == count, name
        assert f"{count:,}" in tab.count_label.text()


def test_sorting_by_confidence(qtbot, tab, corpus) -> None:
    folder, _ = corpus
    run_to_end(qtbot, tab, folder)
    tab.view.sortByColumn(CONFIDENCE, Qt.SortOrder.DescendingOrder)
    values = [tab.proxy.index(r, CONFIDENCE).data() for r in range(tab.proxy.rowCount())]
    numbers = [float(v.rstrip("%")) for v in values if v]
    assert numbers == sorted(numbers, reverse=True) and values[-1] == ""


def test_double_click_asks_the_image_tab_to_open_the_file(qtbot, tab, corpus) -> None:
    folder, _ = corpus
    run_to_end(qtbot, tab, folder)
    tab.view.sortByColumn(FILE, Qt.SortOrder.AscendingOrder)
    row = next(r for r in range(tab.proxy.rowCount())
               if tab.proxy.index(r, FILE).data() == "good.png")
    rect = tab.view.visualRect(tab.proxy.index(row, FILE))
    with qtbot.waitSignal(tab.openImageRequested, timeout=5000) as opened:
        QTest.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [str(folder / "good.png")]


def test_selecting_a_row_shows_its_result(qtbot, tab, corpus) -> None:
    folder, _ = corpus
    run_to_end(qtbot, tab, folder)
    row = next(r for r in range(tab.proxy.rowCount())
               if tab.proxy.index(r, FILE).data() == "good.jpg")
    with qtbot.waitSignal(tab.resultReady, timeout=10000,
                          check_params_cb=lambda r: r is not None) as shown:
        tab.view.selectRow(row)
    assert isinstance(shown.args[0], Recognition) and shown.args[0].digit == 7


def test_waits_for_the_model_then_runs(qtbot, recognizer, corpus) -> None:
    folder, cases = corpus
    tab = BatchTab()
    qtbot.addWidget(tab)
    tab.start_folder(str(folder), False)
    assert not tab.running and "Waiting for the model" in tab.progress_label.text()
    with qtbot.waitSignal(tab.runFinished, timeout=60000):
        tab.set_recognizer(recognizer)
    assert len(tab.rows) == len(cases)
    tab.shutdown()


def test_a_new_folder_replaces_a_running_one(qtbot, tab, many, corpus) -> None:
    folder, cases = corpus
    tab.start_folder(str(many), False)
    qtbot.waitUntil(lambda: len(tab.model.items) > 0, timeout=60000)
    with qtbot.waitSignals([tab.runFinished, tab.runFinished], timeout=60000):
        tab.start_folder(str(folder), False)
    assert sorted(os.path.basename(r.path) for r in tab.rows) == sorted(cases)


def test_dropping_a_folder_starts_a_run(qtbot, tab, corpus) -> None:
    folder, cases = corpus
    tab.recursive_box.setChecked(False)  # the folder named folder.png then gets its own row
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(tab.runFinished, timeout=60000):
        tab.dropEvent(event)
    assert len(tab.rows) == len(cases) and tab.folder_label.text() == str(folder)


def test_ten_thousand_rows_stay_fast(qtbot, tab) -> None:
    items = [BatchItem(i, f"/x/{i:05d}.png", str(i % 10), (i * 7919 % 1000) / 1000,
                       "ok" if i % 7 else "unsure", "") for i in range(10000)]
    tab.view.sortByColumn(CONFIDENCE, Qt.SortOrder.AscendingOrder)
    inserts: list[int] = []
    resets: list[bool] = []
    tab.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    tab.model.modelReset.connect(lambda: resets.append(True))
    for i in range(0, len(items), 128):
        tab._add_rows(tuple(items[i : i + 128]))
        qtbot.wait(0)
    tab.set_filter("Unsure")
    # one insert per chunk, never a reset (a reset makes the view start over every time)
    assert inserts == [len(items[i : i + 128]) for i in range(0, len(items), 128)]
    assert resets == []
    assert tab.proxy.rowCount() == sum(1 for i in range(10000) if i % 7 == 0)
    shown = [tab.proxy.index(r, CONFIDENCE).data() for r in range(tab.proxy.rowCount())]
    values = [float(text.split()[0]) for text in shown]
    assert values == sorted(values)


def test_shutdown_while_running_stops_the_worker(qtbot, recognizer, many) -> None:
    tab = BatchTab()
    qtbot.addWidget(tab)
    tab.set_recognizer(recognizer)
    tab.start_folder(str(many), False)
    worker = tab._worker
    qtbot.waitUntil(lambda: len(tab.model.items) > 0, timeout=60000)
    run = tab._run
    tab.shutdown()
    assert worker is not None and not worker.is_running()
    assert run is not None and run.progress().cancelled  # stopped, not run to the end
