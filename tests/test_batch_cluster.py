"""``classify --scheduler``: a Dask cluster gives the rows of a local run, and loses none
when a worker dies.

One local cluster of 2 worker processes (loopback only) is shared by the module; the tests
that need Dask skip when it is not installed (pip install "mnist-desktop[cluster]").
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from image_corpus import build_corpus, digit_image, png_bytes

from mnist_desktop.batch import cluster as batch_cluster
from mnist_desktop.batch.output import RowWriter
from mnist_desktop.batch.run import BatchOptions, classify_paths
from mnist_desktop.batch.walk import Walk
from mnist_desktop.cli import main

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}


def csv_text(items) -> str:
    """The rows as the command writes them (what a user compares)."""
    sink = io.StringIO()
    RowWriter(sink, "csv").write_all(items)
    return sink.getvalue()


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    with batch_cluster.Cluster.open("local:2", **LOOPBACK) as opened:
        yield opened


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """600 small digits, then the hostile corpus (empty, truncated, not images, a folder)."""
    folder = tmp_path_factory.mktemp("archive")
    for i in range(600):
        (folder / f"digit_{i:04d}.png").write_bytes(png_bytes(digit_image(i % 10, 28 + i % 60)))
    build_corpus(folder / "z_corpus")
    return folder


def test_a_cluster_gives_the_rows_of_a_local_run(cluster, archive, recognizer) -> None:
    paths = [archive, archive / "missing.png"]
    local = classify_paths(recognizer, paths, recursive=True)
    for send_bytes in (False, True):
        run = cluster.run(paths, BatchOptions(recursive=True), send_bytes=send_bytes,
                          chunk_files=50)
        rows = list(run)
        assert csv_text(rows) == csv_text(local), f"send_bytes={send_bytes}"
        assert [item.index for item in rows] == list(range(len(local)))
        progress = run.progress()
        assert progress.done == len(local) and progress.finished
        assert progress.count("error") == sum(item.status == "error" for item in local)


def test_numbers_are_read_on_the_cluster_as_locally(cluster, archive, recognizer) -> None:
    paths = sorted(archive.glob("digit_00[0-2]*.png")) + [archive / "z_corpus" / "empty.png"]
    local = classify_paths(recognizer, paths, multi=True)
    rows = list(cluster.run(paths, BatchOptions(multi=True), chunk_files=8))
    sink = [io.StringIO(), io.StringIO()]
    for out, items in zip(sink, (local, rows), strict=True):
        RowWriter(out, "csv", multi=True).write_all(items)
    assert sink[0].getvalue() == sink[1].getvalue()
    assert len(rows) == 31 and rows[-1].status == "error"
    assert all(item.digits is not None for item in rows[:-1])


def test_bad_files_get_their_error_rows_on_the_cluster(cluster, archive) -> None:
    for send_bytes in (False, True):
        rows = {os.path.basename(item.path): item
                for item in cluster.run([archive / "z_corpus", archive / "missing.png"],
                                        send_bytes=send_bytes)}
        assert rows["missing.png"].status == "error"
        assert "no such file" in rows["missing.png"].message
        assert rows["empty.png"].message == "empty file (0 bytes)"
        assert "truncated PNG" in rows["truncated.png"].message
        assert "folder" in rows["folder.png"].message
        assert rows["good.png"].prediction == "3" and rows["good.png"].status == "ok"


def test_cancelling_keeps_the_rows_done_and_stops_the_rest(cluster, archive, recognizer) -> None:
    local = csv_text(classify_paths(recognizer, [archive])).splitlines()
    run = cluster.run([archive], chunk_files=20)
    rows = []
    for chunk in run.chunks():
        rows.extend(chunk)
        run.cancel()
    assert run.cancelled and 0 < len(rows) < 600
    assert csv_text(rows).splitlines() == local[: len(rows) + 1]  # header and a prefix
    assert run.progress().done == len(rows)


def test_a_worker_killed_mid_run_loses_no_row(cluster, archive, recognizer) -> None:
    local = classify_paths(recognizer, [archive], recursive=True)
    pids = cluster.client.run(os.getpid)
    run = cluster.run([archive], BatchOptions(recursive=True), chunk_files=10)
    rows = []
    killed = None
    for chunk in run.chunks():
        rows.extend(chunk)
        if killed is None:
            killed = next(iter(pids.values()))
            os.kill(killed, signal.SIGKILL)
    assert csv_text(rows) == csv_text(local)  # every row once, in order
    assert len({item.index for item in rows}) == len(local)
    assert killed not in cluster.client.run(os.getpid).values()  # it really died


def test_a_chunk_that_keeps_failing_stops_the_run_without_false_rows(cluster, archive,
                                                                      monkeypatch) -> None:
    """A failing task is Dask's or the worker's trouble, not the files': no error rows."""
    monkeypatch.setattr(batch_cluster, "classify_chunk", int)  # int(files, ...) raises
    run = cluster.run([archive / "missing.png", archive], chunk_files=1)
    rows = list(run)
    assert [item.path for item in rows] == [str(archive / "missing.png")]  # known here
    assert run.failure and "again and again" in run.failure and "TypeError" in run.failure


def test_a_worker_without_the_app_is_reported(tmp_path) -> None:
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    hide = "import sys; sys.modules['mnist_desktop'] = None  # a worker without the app"
    with pytest.raises(batch_cluster.ClusterError, match="install the app on every worker"):
        batch_cluster.Cluster.open("local:1", preload=[hide], **LOOPBACK)


def test_a_worker_with_another_model_is_reported() -> None:
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    other = "import mnist_desktop.batch.cluster_worker as w; w.model_digest = lambda path: 'other'"
    with pytest.raises(batch_cluster.ClusterError, match="another model file than this"):
        batch_cluster.Cluster.open("local:1", preload=[other], **LOOPBACK)


def test_an_unreachable_scheduler_is_reported() -> None:
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    with pytest.raises(batch_cluster.ClusterError, match="can't reach the Dask scheduler"):
        batch_cluster.Cluster.open("tcp://127.0.0.1:9", connect_seconds=1)


def test_without_dask_the_option_says_how_to_install_it(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "a.png").write_bytes(png_bytes(digit_image(3)))
    monkeypatch.setattr(batch_cluster, "dask_available", lambda: False)
    out = tmp_path / "out.csv"
    assert main(["classify", str(tmp_path), "--scheduler", "local:2", "-o", str(out)]) == 2
    assert 'pip install "mnist-desktop[cluster]"' in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("text", ["local", "local:3", "tcp://10.0.0.5:8786", "node7:8786"])
def test_scheduler_addresses(text) -> None:
    address, workers = batch_cluster.parse_scheduler(text)
    assert (workers is None) == text.startswith(("tcp", "node"))
    assert address == "local" or address.startswith("tcp://")


@pytest.mark.parametrize("text", ["local:0", "local:x", "8786", "http:/x", ""])
def test_bad_scheduler_addresses_are_usage_errors(text, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["classify", "a.png", "--scheduler", text])
    assert stop.value.code == 2
    assert "--scheduler" in capsys.readouterr().err


@pytest.mark.slow
def test_the_command_on_a_local_cluster_writes_the_local_file(archive, tmp_path) -> None:
    """The real command, as a user runs it: same file, same exit status (1: bad files)."""
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    outputs = []
    for extra in ([], ["--scheduler", "local:2", "--send-bytes"]):
        out = tmp_path / f"out{len(outputs)}.jsonl"
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "mnist_desktop", "classify", str(archive),
                               "-r", "-q", "-o", str(out), *extra], env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 1, done.stderr  # the corpus has error rows
        assert time.monotonic() - start < 180
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    lines = outputs[0].splitlines()
    assert sum("/digit_" in line for line in lines) == 600
    assert sum('"status": "error"' in line for line in lines) >= 5


@pytest.mark.slow
def test_ctrl_c_writes_the_rows_done_and_exits_130(archive, tmp_path) -> None:
    """Ctrl+C in a terminal reaches the command and the local workers alike."""
    pytest.importorskip("distributed", reason='needs Dask: pip install "mnist-desktop[cluster]"')
    out = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_desktop", "classify", str(archive), "-r", "--multi",
         "-q", "-o", str(out), "--scheduler", "local:2"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        parts = list(tmp_path.glob(".out.csv.*.part"))
        if parts and parts[0].stat().st_size > 0:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: the" in err and "(a complete file)" in err
    lines = out.read_text(encoding="utf-8").splitlines()
    expected = [entry.path for entry in Walk([archive], recursive=True)]
    assert 1 < len(lines) < len(expected) + 1
    assert [line.split(",")[0] for line in lines[1:]] == expected[: len(lines) - 1]
