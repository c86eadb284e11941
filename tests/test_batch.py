"""The batch engine and its writer: every file gets a row, in a stable order, streaming."""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import threading
import weakref
from pathlib import Path

import cv2
import numpy as np
import pytest
from image_corpus import build_corpus, digit_image, png_bytes

from mnist_desktop.batch import DigitBox, load_for_batch
from mnist_desktop.batch import files as batch_files
from mnist_desktop.batch.output import (
    COLUMNS,
    AtomicOutput,
    OutputError,
    RowWriter,
    format_for,
    write_items,
)
from mnist_desktop.batch.run import (
    BatchItem,
    BatchOptions,
    BatchProgress,
    BatchRun,
    classify_paths,
)
from mnist_desktop.batch.walk import Walk
from mnist_desktop.io.image_files import make_thumbnail


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("mixed")
    cases = build_corpus(folder)
    (folder / "readme.txt").write_text("not listed: no image extension")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "._good.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")  # hidden: skipped
    return folder, cases


def names(items: list[BatchItem]) -> list[str]:
    return [os.path.basename(item.path) for item in items]


def test_mixed_folder_every_file_gets_its_row(corpus, recognizer) -> None:
    folder, cases = corpus
    run = BatchRun(recognizer, [folder], BatchOptions(chunk_size=5))
    items = list(run)
    assert sorted(names(items)) == sorted(cases)  # no .txt, no hidden files
    assert [item.index for item in items] == list(range(len(items)))
    problems = []
    for item in items:
        case = cases[os.path.basename(item.path)]
        if case.status == "ok":
            ok = item.status == "ok" and item.prediction == str(case.digit) and not item.message
            ok = ok and item.confidence is not None and 0.7 <= item.confidence <= 1.0
        else:
            ok = (item.status == case.status and case.phrase in item.message
                  and item.prediction == "" and item.confidence is None)
        if not ok:
            problems.append(item)
    assert not problems, problems
    progress = run.progress()
    assert progress.finished and not progress.cancelled
    assert progress.done == progress.total == len(cases)
    assert progress.skipped == 1  # readme.txt
    assert progress.count("error") == sum(c.status == "error" for c in cases.values())
    assert "non-image file skipped" in progress.summary()


def test_order_is_natural_and_independent_of_threads_and_chunks(tmp_path, recognizer) -> None:
    for name in ("img10.png", "img2.png", "img1.png", "Img3.png"):
        (tmp_path / name).write_bytes(png_bytes(digit_image(7, 40)))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.png").write_bytes(png_bytes(digit_image(3, 40)))
    expected = ["img1.png", "img2.png", "Img3.png", "img10.png", "a.png"]
    for workers, chunk in ((1, 1), (3, 2), (2, 256)):
        items = classify_paths(recognizer, [tmp_path], recursive=True, workers=workers,
                               chunk_size=chunk)
        assert names(items) == expected
        assert [i.prediction for i in items] == ["7", "7", "7", "7", "3"]


def test_recursive_walk_reports_loops_and_lists_shared_folders_once(tmp_path) -> None:
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "deep" / "x.png").write_bytes(b"")
    (tmp_path / "a" / "deep" / "back").symlink_to(tmp_path / "a")  # a loop
    (tmp_path / "b").symlink_to(tmp_path / "a" / "deep")  # the same folder again
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.png").write_bytes(b"")
    entries = list(Walk([tmp_path], recursive=True))
    paths = [os.path.relpath(e.path, tmp_path) for e in entries]
    assert paths == ["a/deep/x.png", "a/deep/back"]
    assert "symbolic link loop" in (entries[1].error or "")
    assert entries[1].error.endswith(str(tmp_path / "a"))


def test_a_folder_without_images_says_so(tmp_path, recognizer) -> None:
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "inner").mkdir()
    items = classify_paths(recognizer, [tmp_path])
    assert len(items) == 1 and items[0].status == "error"
    assert items[0].message == ("no images in this folder (1 file, none with an image "
                                "extension; 1 sub-folder not searched: turn on recursive to "
                                "include them)")
    (tmp_path / "empty").mkdir()
    item = classify_paths(recognizer, [tmp_path / "empty"])[0]
    assert item.message == "no images in this folder (it is empty)"


def test_named_files_are_tried_whatever_their_extension(tmp_path, recognizer) -> None:
    odd = tmp_path / "scan.dat"
    odd.write_bytes(png_bytes(digit_image(4)))
    items = classify_paths(recognizer, [odd, tmp_path / "missing.png"])
    assert [(i.prediction, i.status) for i in items] == [("4", "ok"), ("", "error")]
    assert items[1].message == "no such file or folder"


def test_cancel_keeps_the_rows_done_and_stops_soon(tmp_path, recognizer) -> None:
    data = png_bytes(digit_image(1, 30))
    for i in range(400):
        (tmp_path / f"{i:04d}.png").write_bytes(data)
    run = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=20, workers=2))
    rows: list[BatchItem] = []
    for chunk in run.chunks():
        rows.extend(chunk)
        if len(rows) >= 40:
            run.cancel()
    progress = run.progress()
    assert progress.cancelled and 40 <= progress.done < 400
    assert len(rows) == progress.done
    assert [r.index for r in rows] == list(range(len(rows)))
    assert all(r.status != "error" for r in rows)  # nothing half-done slipped in
    assert progress.total == 400 and "cancelled after" in progress.summary()


def test_cancel_from_another_thread(tmp_path, recognizer) -> None:
    data = png_bytes(digit_image(1, 30))
    for i in range(600):
        (tmp_path / f"{i:04d}.png").write_bytes(data)
    run = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=10, workers=1))
    first = threading.Event()
    rows: list[BatchItem] = []

    def consume() -> None:
        for chunk in run.chunks():
            rows.extend(chunk)
            first.set()

    thread = threading.Thread(target=consume)
    thread.start()
    assert first.wait(30)
    run.cancel()
    thread.join(10)
    assert not thread.is_alive() and 0 < len(rows) < 600


def test_files_are_listed_and_loaded_lazily(tmp_path, recognizer, monkeypatch) -> None:
    """Streaming: when the first chunk comes out, only a window of files has been loaded."""
    data = png_bytes(np.full((3, 3), 255, np.uint8))
    for i in range(1000):
        (tmp_path / f"{i:04d}.png").write_bytes(data)
    loads = []
    real = batch_files.load_image_reduced
    monkeypatch.setattr(batch_files, "load_image_reduced", lambda *a: loads.append(1) or real(*a))
    run = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=16, workers=2,
                                                        processes=False))
    chunks = run.chunks()
    first = next(chunks)
    assert len(first) == 16 and len(loads) <= 2 * 16 + 2 * 2 + 2
    chunks.close()


def test_memory_stays_flat_for_many_files(tmp_path, recognizer, monkeypatch) -> None:
    """Rows already handed out keep nothing alive: at any time only a window of the
    pipeline's model inputs exists, however many files the folder holds."""
    data = png_bytes(digit_image(8, 28))
    for i in range(700):
        (tmp_path / f"{i:05d}.png").write_bytes(data)
    alive: list[weakref.ref] = []
    real = batch_files.lone_digit  # the default (auto) mode's fast path for small crops

    def tracked(image, **options):
        pre = real(image, **options)
        alive.append(weakref.ref(pre.model_input))
        return pre

    monkeypatch.setattr(batch_files, "lone_digit", tracked)
    most = 0
    rows = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=32, workers=2,
                                                         processes=False))
    for done, item in enumerate(rows, 1):
        assert item.status == "ok"
        if done % 100 == 0:
            gc.collect()
            most = max(most, sum(ref() is not None for ref in alive))
    assert done == 700 and len(alive) == 700
    # The window: the chunk being filled, plus the queue behind it (two chunks and two tasks
    # per worker). Fast preprocessing fills the queue while the model runs.
    assert most <= 32 + 2 * 32 + 2 * 2 + 2, most


@pytest.mark.parametrize(("mode", "step"), [("digit", "preprocess"), ("auto", "lone_digit")])
def test_one_failing_file_or_model_call_loses_nothing_else(tmp_path, recognizer,
                                                            monkeypatch, mode, step) -> None:
    for name, digit in (("a.png", 3), ("b.png", 7), ("c.png", 4)):
        (tmp_path / name).write_bytes(png_bytes(digit_image(digit)))
    real = getattr(batch_files, step)
    calls = []

    def flaky(image, **options):  # one worker: files are preprocessed in order; the 2nd fails
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real(image, **options)

    monkeypatch.setattr(batch_files, step, flaky)
    items = classify_paths(recognizer, [tmp_path], workers=1, mode=mode)
    assert [i.status for i in items] == ["ok", "error", "ok"]
    assert items[1].message == "internal error: RuntimeError: boom"

    class Broken:
        def recognize_preprocessed(self, items):
            raise RuntimeError("no model")

    monkeypatch.setattr(batch_files, step, real)
    items = classify_paths(Broken(), [tmp_path, tmp_path / "gone.png"], mode="digit")
    assert [i.message for i in items] == ["the model failed: RuntimeError: no model"] * 3 + [
        "no such file or folder"]


def test_multi_mode_reads_numbers_with_boxes(tmp_path, recognizer) -> None:
    sheet = np.hstack([digit_image(int(d), 120) for d in "374"])
    sheet = cv2.copyMakeBorder(sheet, 30, 30, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    (tmp_path / "number.png").write_bytes(png_bytes(sheet))
    (tmp_path / "blank.png").write_bytes(png_bytes(np.full((50, 50), 255, np.uint8)))
    items = classify_paths(recognizer, [tmp_path], multi=True)
    blank, number = items
    assert number.prediction == "374" and number.status == "ok"
    assert [d.digit for d in number.digits] == [3, 7, 4]
    xs = [d.box[0] for d in number.digits]
    assert xs == sorted(xs) and all(0 <= d.box[1] < 180 for d in number.digits)
    assert blank.status == "no_digit" and blank.digits == ()


def test_multi_mode_maps_boxes_of_reduced_jpegs_back(tmp_path, recognizer,
                                                    monkeypatch) -> None:
    monkeypatch.setattr(batch_files, "REDUCE_MARGIN", 0.5)  # so this 1600 px JPEG is decoded at 1/2
    sheet = np.hstack([digit_image(int(d), 800) for d in "25"])
    ok, buf = cv2.imencode(".jpg", sheet)
    (tmp_path / "big.jpg").write_bytes(buf.tobytes())
    assert load_for_batch(str(tmp_path / "big.jpg"), multi=True)[1] == 0.5
    (item,) = classify_paths(recognizer, [tmp_path], multi=True)
    assert item.prediction == "25"
    x, _, w, _ = item.digits[1].box
    assert x > 800 and x + w <= 1600  # in the file's pixels, not the decoded ones


def test_thumbnails_are_small_bgr_and_read_only() -> None:
    for image in (np.zeros((300, 100), np.uint16), np.zeros((64, 64, 4), np.uint8),
                  np.ones((10, 20, 3), np.float32)):
        thumb = make_thumbnail(image, 32)
        assert thumb.dtype == np.uint8 and thumb.shape[2] == 3 and max(thumb.shape[:2]) <= 32
        assert not thumb.flags.writeable
    transparent = np.zeros((8, 8, 4), np.uint8)
    assert make_thumbnail(transparent, 32).min() == 255  # shown on white


def test_progress_eta_and_summary() -> None:
    progress = BatchProgress(50, 150, 2.0, 25.0, (("ok", 45), ("error", 5)), skipped=1)
    assert progress.eta == 4.0
    assert progress.summary() == ("50 files in 2.0 s (25 files/s): 45 ok, 5 errors; "
                                  "1 non-image file skipped")
    assert BatchProgress(1, None, 1.0, 1.0).eta is None


# --- output ---------------------------------------------------------------------------------

ROWS = [
    BatchItem(0, "a/ok.png", "7", 0.98765, "ok"),
    BatchItem(1, "a/unsure, \"quoted\".png", "1", 0.51, "unsure", "not sure: 51% is below 70%"),
    BatchItem(2, "a/blank.png", "", None, "no_digit", "no ink: nothing stands out"),
    BatchItem(3, "a/Ziffer_ß.png", "", None, "error", "truncated PNG: ..."),
]


def test_csv_has_exactly_the_columns_and_rows() -> None:
    out = io.StringIO()
    writer = RowWriter(out, "csv")
    writer.write_all(ROWS)
    writer.close()
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(COLUMNS) == ["path", "prediction", "confidence", "status", "message"]
    assert rows[1] == ["a/ok.png", "7", "0.9877", "ok", ""]
    assert rows[2][0] == 'a/unsure, "quoted".png' and rows[2][3] == "unsure"
    assert rows[3] == ["a/blank.png", "", "", "no_digit", "no ink: nothing stands out"]
    assert len(rows) == 5


def test_json_and_jsonl_carry_the_same_fields() -> None:
    out = io.StringIO()
    writer = RowWriter(out, "json")
    writer.write_all(ROWS)
    writer.close()
    data = json.loads(out.getvalue())
    assert [list(d) for d in data] == [list(COLUMNS)] * 4
    assert data[0]["confidence"] == 0.9877 and data[2]["confidence"] is None
    assert data[3]["path"] == "a/Ziffer_ß.png"
    out = io.StringIO()
    writer = RowWriter(out, "jsonl")
    writer.write_all(ROWS)
    writer.close()
    assert [json.loads(line) for line in out.getvalue().splitlines()] == data
    empty = io.StringIO()
    RowWriter(empty, "json").close()
    assert json.loads(empty.getvalue()) == []


def test_multi_rows_get_a_digits_column_last() -> None:
    item = BatchItem(0, "n.png", "37", 0.9, "ok", "",
                     (DigitBox((1, 2, 3, 4), 3, 0.95, "ok"),
                      DigitBox((9, 2, 3, 4), 7, 0.947, "ok")))
    out = io.StringIO()
    writer = RowWriter(out, "csv", multi=True)
    writer.write(item)
    writer.close()
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert header == [*COLUMNS, "digits"]
    assert json.loads(row[-1]) == [
        {"box": [1, 2, 3, 4], "digit": 3, "confidence": 0.95, "status": "ok"},
        {"box": [9, 2, 3, 4], "digit": 7, "confidence": 0.947, "status": "ok"}]


def test_format_from_extension_or_flag(tmp_path) -> None:
    assert format_for("x.CSV") == "csv" and format_for("x.json") == "json"
    assert format_for("x.jsonl") == "jsonl" and format_for("x.ndjson") == "jsonl"
    assert format_for(None) == "csv" and format_for("x.txt", "json") == "json"
    with pytest.raises(OutputError, match="can't tell the format"):
        format_for("results.txt")
    with pytest.raises(OutputError, match="does not exist"):
        AtomicOutput(tmp_path / "no" / "such" / "dir.csv", "csv")


def test_atomic_output_replaces_only_on_commit(tmp_path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old results\n")
    with AtomicOutput(target, "csv") as out:
        out.write(ROWS[0])
        assert target.read_text() == "old results\n"  # untouched while writing
    assert target.read_text() == "old results\n"  # discarded: no commit
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
    assert write_items(target, ROWS) == 4
    assert target.read_text().startswith("path,prediction,confidence,status,message\n")
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_undecodable_file_names_are_written_not_crashed_on(tmp_path) -> None:
    odd = os.fsdecode(b"caf\xe9.png")  # Latin-1 name on a UTF-8 file system
    path = tmp_path / "names.jsonl"
    write_items(path, [BatchItem(0, odd, "1", 1.0, "ok")])
    assert "caf\\udce9.png" in path.read_text(encoding="utf-8")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_paths_as_given_are_kept(tmp_path, recognizer, monkeypatch) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.png").write_bytes(png_bytes(digit_image(3)))
    monkeypatch.chdir(tmp_path)
    (item,) = classify_paths(recognizer, ["d"])
    assert item.path == os.path.join("d", "x.png")
    assert Path(item.path).exists()
