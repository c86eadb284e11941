"""``mnist-desktop classify``: formats, columns, exit codes, quiet mode and Ctrl+C.

Most tests run the command in-process with the session's model (loading TensorFlow in a
subprocess takes seconds); the Ctrl+C test and the start-up checks use real subprocesses.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from image_corpus import build_corpus, digit_image, png_bytes

from mnist_desktop.cli import classify as classify_command
from mnist_desktop.cli import main
from mnist_desktop.reading.recognizer import Recognizer

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def use_model(recognizer, monkeypatch):
    """The command uses the session's model, with the --min-confidence it was given."""
    def load(model, min_confidence):
        if model is not None:
            raise AssertionError("tests give no --model here")
        if min_confidence == recognizer.min_confidence:
            return recognizer
        return Recognizer(recognizer.model, recognizer.info, min_confidence=min_confidence)

    monkeypatch.setattr(classify_command, "_load_recognizer", load)


@pytest.fixture(scope="module")
def good_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    for name, digit in (("a.png", 3), ("b.png", 7), ("c.png", 4)):
        (folder / name).write_bytes(png_bytes(digit_image(digit)))
    return folder


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    return folder, build_corpus(folder)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_on_stdout_and_exit_1_when_a_row_is_an_error(use_model, mixed_folder,
                                                         capsys) -> None:
    folder, cases = mixed_folder
    assert main(["classify", str(folder)]) == 1
    out, err = capsys.readouterr()
    rows = csv_rows(out)
    assert rows[0] == ["path", "prediction", "confidence", "status", "message"]
    assert len(rows) == 1 + len(cases) and all(len(r) == 5 for r in rows)
    by_name = {os.path.basename(r[0]): r for r in rows[1:]}
    prediction, confidence, status = by_name["good.png"][1:4]
    assert (prediction, status) == ("3", "ok") and 0.7 <= float(confidence) <= 1.0
    assert by_name["bomb.png"][3] == "error" and "image too large" in by_name["bomb.png"][4]
    errors = sum(c.status == "error" for c in cases.values())
    assert f"{errors} errors" in err and "files/s" in err  # the one-line summary
    assert err.count("\n") == 1


def test_exit_0_when_every_file_was_processed(use_model, good_folder, tmp_path,
                                              capsys) -> None:
    blank = tmp_path / "blank.png"
    blank.write_bytes(png_bytes(np.full((40, 40), 255, np.uint8)))
    out_file = tmp_path / "result.json"
    assert main(["classify", str(good_folder), str(blank), "-o", str(out_file)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert [(Path(d["path"]).name, d["prediction"], d["status"]) for d in data] == [
        ("a.png", "3", "ok"), ("b.png", "7", "ok"), ("c.png", "4", "ok"),
        ("blank.png", "", "no_digit")]
    assert "3 ok, 1 no digit" in err


def test_format_flag_beats_the_extension_and_quiet_is_silent(use_model, good_folder,
                                                            tmp_path, capsys) -> None:
    out_file = tmp_path / "result.txt"
    code = main(["classify", str(good_folder), "-o", str(out_file), "--format", "jsonl", "-q"])
    assert code == 0
    assert capsys.readouterr() == ("", "")
    lines = out_file.read_text().splitlines()
    assert [json.loads(line)["prediction"] for line in lines] == ["3", "7", "4"]


def test_min_confidence_marks_rows_unsure(use_model, good_folder, capsys) -> None:
    assert main(["classify", str(good_folder), "--min-confidence", "1", "--workers", "1"]) == 0
    rows = csv_rows(capsys.readouterr().out)[1:]
    assert {r[3] for r in rows} <= {"unsure", "ok"} and any(r[3] == "unsure" for r in rows)
    unsure = next(r for r in rows if r[3] == "unsure")
    assert len(unsure[1]) == 1 and unsure[1].isdigit() and "below 100%" in unsure[4]


def test_multi_adds_the_digits_column(use_model, tmp_path, capsys) -> None:
    (tmp_path / "n.png").write_bytes(png_bytes(np.hstack([digit_image(2, 120),
                                                          digit_image(5, 120)])))
    assert main(["classify", str(tmp_path), "--multi"]) == 0
    header, row = csv_rows(capsys.readouterr().out)
    assert header[-1] == "digits" and row[1] == "25"
    assert [d["digit"] for d in json.loads(row[-1])] == [2, 5]


@pytest.mark.parametrize("argv, phrase", [
    (["classify"], "the following arguments are required: PATH"),
    (["classify", "x", "-o", "out.txt"], "can't tell the format"),
    (["classify", "x", "--min-confidence", "1.5"], "must be between 0 and 1"),
    (["classify", "x", "--workers", "0"], "must be at least 1"),
    (["classify", "x", "--format", "xml"], "invalid choice"),
    (["classify", "x", "-o", "/no/such/folder/out.csv"], "does not exist"),
    (["classify", "x", "--digit", "--multi"], "not allowed with argument"),
])
def test_usage_errors_exit_2(argv, phrase, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert phrase in capsys.readouterr().err


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *argv], capture_output=True,
                          text=True, timeout=120, cwd=REPO)


def test_a_path_that_does_not_exist_exits_2_naming_it_before_loading_the_model(
        good_folder, tmp_path) -> None:
    """A typo is answered at once: exit 2, the path named, no model loaded, nothing written."""
    out = tmp_path / "out.csv"
    done = _run("classify", str(good_folder), str(tmp_path / "scnas"), "-o", str(out))
    assert done.returncode == 2
    assert f"no such file or folder: {tmp_path / 'scnas'}" in done.stderr
    assert "loading the model" not in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("where", ["/proc/x.csv", "{tmp}/missing/x.csv"])
def test_an_output_that_cannot_be_written_exits_2_before_classifying(good_folder, tmp_path,
                                                                     where) -> None:
    if where.startswith("/proc") and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    done = _run("classify", str(good_folder), "-o", where.format(tmp=tmp_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot write" in done.stderr or "does not exist" in done.stderr


def test_a_bad_model_file_exits_2(tmp_path, good_folder, capsys) -> None:
    broken = tmp_path / "broken.keras"
    broken.write_text("not a model")
    assert main(["classify", str(good_folder), "--model", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mnist-desktop classify: error: ") and "broken.keras" in err


@pytest.mark.slow
def test_a_model_file_given_with_model_is_the_one_used(tmp_path, good_folder) -> None:
    """A real run of the command in its own process with --model: a copy of the shipped
    model (so no TFLite twin beside it) reads the digits."""
    import shutil

    from mnist_desktop.reading import bundled_model_path

    copy = tmp_path / "mine.keras"
    shutil.copy(bundled_model_path(), copy)
    out = tmp_path / "rows.json"
    done = subprocess.run(
        [sys.executable, "-m", "mnist_desktop", "classify", str(good_folder), "--model",
         str(copy), "-o", str(out)], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {os.path.basename(r["path"]): r for r in json.loads(out.read_text("utf-8"))}
    assert {name: r["prediction"] for name, r in rows.items()} == {"a.png": "3", "b.png": "7",
                                                                   "c.png": "4"}
    assert all(r["status"] == "ok" and r["confidence"] >= 0.7 for r in rows.values())
    assert not (tmp_path / "mine.tflite").exists()


def test_help_documents_columns_and_exit_status(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["classify", "--help"])
    text = capsys.readouterr().out
    for phrase in ("path,prediction,confidence,status,message", "exit status", "130",
                   "--recursive", "--multi", "--min-confidence", "--workers", "--quiet"):
        assert phrase in text


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_parsing_imports_neither_tensorflow_nor_qt() -> None:
    code = ("import sys; from mnist_desktop.cli import build_parser; "
            "build_parser().parse_args(['classify', 'x']); "
            "print(sorted(m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "[]"
    usage = run_cli("classify", "x", "-o", "out.txt")
    assert usage.returncode == 2 and "can't tell the format" in usage.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_writes_the_rows_done_so_far_atomically(tmp_path, workers) -> None:
    """With 2 workers (processes) Ctrl+C reaches the whole process group, as in a terminal."""
    folder = tmp_path / "many"
    folder.mkdir()
    data = png_bytes(digit_image(5, 48))
    for i in range(4000):
        (folder / f"{i:05d}.png").write_bytes(data)
    output = tmp_path / "out.csv"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_desktop", "classify", str(folder), "-o", str(output),
         "--workers", workers], cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        parts = list(tmp_path.glob(".out.csv.*.part"))
        if parts and parts[0].stat().st_size > 0:  # rows are being written: mid-way
            break
        time.sleep(0.05)
    assert process.poll() is None, process.communicate()
    assert not output.exists()  # nothing in place while running
    if workers == "1":
        process.send_signal(signal.SIGINT)
    else:
        os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    rows = csv_rows(output.read_text(encoding="utf-8"))
    assert rows[0] == ["path", "prediction", "confidence", "status", "message"]
    done = len(rows) - 1
    assert 0 < done < 4000
    assert [Path(r[0]).name for r in rows[1:]] == [f"{i:05d}.png" for i in range(done)]
    assert all(len(r) == 5 and r[3] in ("ok", "unsure") for r in rows[1:])
    assert f"interrupted: the {done:,} rows done so far of 4,000 were written to" in err
    assert list(tmp_path.glob("*.part")) == [] and out == ""


def test_multi_with_a_broken_line_model_exits_2_saying_why(recognizer, good_folder, tmp_path,
                                                          monkeypatch, capsys) -> None:
    """Whole numbers asked for and the line model broken: exit 2 with the load error, not
    single digits marked ok; the recognizer keeps the reason for the window to show."""
    from mnist_desktop.reading import line_model

    broken = tmp_path / "lines.keras"
    broken.write_text("not a model")
    monkeypatch.setattr(line_model, "bundled_line_model_path", lambda: broken)
    fresh = Recognizer(recognizer.model, recognizer.info)
    monkeypatch.setattr(classify_command, "_load_recognizer", lambda model, conf: fresh)
    assert main(["classify", str(good_folder), "--multi", "-q"]) == 2
    err = capsys.readouterr().err
    assert "--multi needs the line model" in err and "lines.keras" in err
    assert fresh.line_model is None and "lines.keras" in fresh.line_model_error
