"""The batch engine's worker processes: the same rows as threads, streaming, crash-proof."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from image_corpus import build_corpus, digit_image, png_bytes

from mnist_desktop.batch import pool as batch_pool
from mnist_desktop.batch import run as batch
from mnist_desktop.batch.run import BatchItem, BatchOptions, BatchRun
from mnist_desktop.batch.walk import Walk


def names(items: list[BatchItem]) -> list[str]:
    return [os.path.basename(item.path) for item in items]


needs_processes = pytest.mark.skipif(not batch_pool.processes_available(),
                                     reason="worker processes need the forkserver start method")


@needs_processes
def test_worker_processes_give_exactly_the_rows_of_threads(tmp_path, recognizer) -> None:
    """Same rows and messages whether files are prepared in processes or threads."""
    cases = build_corpus(tmp_path)
    folder = tmp_path
    rows = {}
    for processes in (True, False):
        run = BatchRun(recognizer, [folder], BatchOptions(chunk_size=7, workers=2,
                                                          processes=processes,
                                                          thumbnail_size=24))
        items = list(run)
        assert run.processes is processes
        rows[processes] = [(i.index, i.path, i.prediction, i.confidence, i.status, i.message)
                           for i in items]
        thumbs = [i.thumbnail for i in items if i.status != "error"]
        assert thumbs and all(t.shape[2] == 3 and not t.flags.writeable for t in thumbs)
    assert rows[True] == rows[False]
    assert len(rows[True]) == len(cases)


@needs_processes
def test_worker_processes_list_and_load_lazily(tmp_path, recognizer, monkeypatch) -> None:
    """Streaming with processes: files are listed only a bounded window ahead of the rows."""
    data = png_bytes(digit_image(2, 32))
    for i in range(1500):
        (tmp_path / f"{i:04d}.png").write_bytes(data)
    listed = []

    class CountingWalk(Walk):
        def __iter__(self):
            for entry in super().__iter__():
                listed.append(1)
                yield entry

    monkeypatch.setattr(batch, "Walk", CountingWalk)
    run = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=16, workers=2))
    # the engine stops listing once 2 chunks and 2 tasks per worker are queued; the check comes
    # before a task is listed, so at most one more task's files can be listed past it
    window = 2 * 16 + 2 * 2 * batch_pool.MAX_TASK_SIZE + batch_pool.MAX_TASK_SIZE
    done = 0
    for chunk in run.chunks():
        done += len(chunk)
        assert len(listed) - done <= window
        assert all(item.prediction == "2" for item in chunk)
    assert run.processes and done == 1500


def crash_on_marked_files(paths, thumbnail_size, mode="digit", spec=None):
    """A worker task that dies like a crashing decoder on files named crash*."""
    if any("crash" in os.path.basename(path) for path in paths):
        os._exit(3)
    return batch_pool._prepare_task(paths, thumbnail_size, mode, spec)


@needs_processes
def test_a_file_that_kills_its_worker_costs_only_its_own_row(tmp_path, recognizer,
                                                             monkeypatch) -> None:
    for i in range(40):
        (tmp_path / f"img{i:02d}.png").write_bytes(png_bytes(digit_image(i % 10, 40)))
    (tmp_path / "crash.png").write_bytes(png_bytes(digit_image(5, 40)))  # in the first task
    (tmp_path / "img20_crash.png").write_bytes(png_bytes(digit_image(5, 40)))  # mid-way
    monkeypatch.setattr(batch_pool, "_prepare_task", crash_on_marked_files)
    run = BatchRun(recognizer, [tmp_path], BatchOptions(chunk_size=8, workers=2))
    items = list(run)
    assert run.processes and len(items) == 42
    crashed = {names([i])[0] for i in items if i.status == "error"}
    assert crashed == {"crash.png", "img20_crash.png"}
    assert all(i.message == batch_pool.CRASHED for i in items if i.status == "error")
    good = [i for i in items if i.status != "error"]
    assert [i.prediction for i in good] == [
        str(int(n[3:5]) % 10) for n in names(good)]


def _number_folder(folder: Path) -> list[Path]:
    """Numbers (digits side by side) and big pictures of one digit: none is a lone crop."""
    paths = []
    for k, digits in enumerate(("305", "72", "1948", "6")):
        strip = np.hstack([digit_image(int(d), 90) for d in digits])
        if len(digits) == 1:
            strip = cv2.copyMakeBorder(strip, 60, 60, 60, 60, cv2.BORDER_CONSTANT,
                                       value=(255, 255, 255))
        path = folder / f"n{k}.png"
        path.write_bytes(png_bytes(strip))
        paths.append(path)
    return paths


@needs_processes
@pytest.mark.parametrize("mode", ["auto", "number"])
def test_numbers_are_read_on_the_worker_processes_with_the_rows_of_threads(tmp_path, recognizer,
                                                                          mode) -> None:
    _number_folder(tmp_path)
    rows = {}
    for processes in (True, False):
        run = BatchRun(recognizer, [tmp_path], BatchOptions(workers=2, processes=processes,
                                                            mode=mode))
        items = list(run)
        assert run.processes is processes
        rows[processes] = [(i.path, i.prediction, i.confidence, i.status, i.message,
                            [d.box for d in i.digits or ()]) for i in items]
    assert rows[True] == rows[False]
    assert [r[1] for r in rows[True]][:3] == ["305", "72", "1948"]


def test_a_worker_reads_what_needs_the_models_itself_and_sends_back_no_pictures(tmp_path,
                                                                                recognizer):
    paths = _number_folder(tmp_path)
    spec = batch_pool.reader_spec(recognizer)
    assert spec is not None and spec.model == str(recognizer.info.path)
    results, _ = batch_pool._prepare_task([str(p) for p in paths], 0, "auto", spec)
    assert all(r.image is None and r.reading is not None for r in results)
    readings = [r.reading for r in results]
    assert readings[0].text == "305" and all(
        not d.steps for r in readings for d in getattr(r, "digits", (r,)))
    assert batch_pool.reader_spec(object()) is None  # a reader made elsewhere stays here


def test_a_model_taught_again_under_the_same_name_is_a_new_reader_for_the_workers(tmp_path):
    import shutil

    from mnist_desktop.reading import Recognizer
    from mnist_desktop.reading.lite_model import lite_path, stamp_path
    from mnist_desktop.reading.resources import bundled_model_path

    shipped = bundled_model_path()
    model = tmp_path / "personal.keras"
    for source, target in ((shipped, model), (lite_path(shipped), lite_path(model)),
                           (stamp_path(shipped), stamp_path(model))):
        shutil.copyfile(source, target)
    first = batch_pool.reader_spec(Recognizer.load(model))
    assert first is not None and first.model == str(model)
    os.utime(lite_path(model), ns=(1, 1))  # the twin written again (another teach)
    second = batch_pool.reader_spec(Recognizer.load(model))
    assert second is not None and second != first
