"""The Webcam tab, run on short video files written by the tests (no camera needed)."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from mnist_desktop.gui.common.worker import Mailbox
from mnist_desktop.gui.webcam import camera_worker
from mnist_desktop.gui.webcam.camera_worker import CameraWorker, FrameResult, roi_pixels
from mnist_desktop.gui.webcam.webcam_tab import WebcamTab
from mnist_desktop.io.cameras import SourceError, SourceInfo, open_source, parse_source
from mnist_desktop.results import NumberReading, Recognition

FPS = 20
FRAMES = 50  # 2.5 s
DIGIT_ROI = (0.02, 0.02, 0.46, 0.96)  # the left half of the frame holds the digit
BLANK_ROI = (0.56, 0.1, 0.4, 0.8)  # the right half is blank paper


@pytest.fixture(autouse=True, scope="module")
def isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep QSettings written by these tests away from the user's real settings."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("settings")))


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG .avi here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    check = cv2.VideoCapture(str(path))
    assert check.isOpened() and int(check.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
    check.release()
    return path


@pytest.fixture(scope="module")
def digit_video(tmp_path_factory: pytest.TempPathFactory,
                mnist_sample: tuple[np.ndarray, np.ndarray]) -> tuple[Path, int]:
    """2.5 s at 20 fps: a phone-style photo of an MNIST test digit, held a little unsteadily,
    beside blank paper."""
    from mnist_desktop.training.synth import render_photo

    images, labels = mnist_sample
    rng = np.random.default_rng(3)
    photo, _ = render_photo(images[0], rng, size=(240, 240), difficulty="easy")
    paper = np.median(photo.reshape(-1, 3), axis=0)
    frames = []
    for _ in range(FRAMES):
        frame = np.empty((240, 480, 3), np.float32)
        frame[:] = paper
        dx, dy = rng.integers(-3, 4, size=2)
        frame[:, :240] = np.roll(photo, (int(dy), int(dx)), axis=(0, 1))
        frame += rng.normal(0, 3, frame.shape)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    path = tmp_path_factory.mktemp("video") / "digit.avi"
    return write_video(path, frames, FPS), int(labels[0])


@pytest.fixture(scope="module")
def plain_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s at 30 fps of a moving bar: frames only, for timing tests."""
    frames = []
    for i in range(60):
        frame = np.full((120, 160, 3), 230, np.uint8)
        cv2.rectangle(frame, (i * 2, 40), (i * 2 + 20, 80), (20, 20, 20), -1)
        frames.append(frame)
    return write_video(tmp_path_factory.mktemp("video") / "plain.avi", frames, 30)


class SlowRecognizer:
    """Takes ``delay`` seconds per frame and always answers 4 (a number: "4")."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def recognize(self, image: np.ndarray) -> Recognition:
        time.sleep(self.delay)
        probs = np.full(10, 0.01, np.float32)
        probs[4] = 0.91
        return Recognition(4, 0.91, probs, None, (0, 0, image.shape[1], image.shape[0]))

    def read(self, image: np.ndarray) -> NumberReading:
        return NumberReading((self.recognize(image),), ((0,),))

    def read_as(self, image: np.ndarray, mode: str) -> object:
        return self.read(image) if mode == "number" else self.recognize(image)


def make_tab(qtbot, recognizer=None, source: str | Path | None = None) -> WebcamTab:
    tab = WebcamTab()
    qtbot.addWidget(tab)
    tab.set_recognizer(recognizer)
    if source is not None:
        tab.set_source(str(source))
    return tab


def run_to_end(qtbot, tab: WebcamTab, timeout_ms: int = 15000) -> None:
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=timeout_ms)


def test_recognises_the_digit_in_a_video_and_stops_at_its_end(qtbot, recognizer, digit_video):
    path, label = digit_video
    tab = make_tab(qtbot, recognizer, path)
    tab.set_roi(DIGIT_ROI)
    shown: list[object] = []
    tab.resultReady.connect(shown.append)
    fps_seen: list[float] = []
    started = time.monotonic()
    tab.start()
    assert tab.is_running()
    qtbot.waitUntil(lambda: tab._frame is not None, timeout=5000)
    while tab.is_running():  # sample the fps the user sees while it plays
        qtbot.wait(100)
        if tab._frame is not None:
            fps_seen.append(tab._frame.fps)
        assert time.monotonic() - started < 15, "the video never ended"
    elapsed = time.monotonic() - started

    assert elapsed > 0.8 * FRAMES / FPS, "the file was not played at its own frame rate"
    assert "End of the video" in tab.message() and "Start" in tab.message()
    assert max(fps_seen) == pytest.approx(FPS, rel=0.3)
    assert "fps" not in tab.info_label.text()  # no stale fps once stopped
    last = tab.last_result()
    assert last is not None and last.steady, "no steady answer by the end of the video"
    assert last.smoothed.digit == label and last.smoothed.status == "ok"
    assert shown[-1] is last.smoothed
    assert len(shown) >= 10  # it recognised many frames, not one

    # Start works again afterwards; with the guide box on blank paper nothing is recognised.
    tab.set_roi(BLANK_ROI)
    tab.start()
    qtbot.waitUntil(lambda: tab.last_result() is not None and tab.last_result().steady,
                    timeout=5000)
    assert tab.last_result().smoothed.status == "no_digit"
    tab.stop()
    assert not tab.is_running() and tab.message() == "Stopped."


def test_end_of_file_stops_cleanly_and_start_works_again(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    for _ in range(2):
        tab.start()
        worker = tab._worker
        run_to_end(qtbot, tab)
        assert not worker.is_alive()
        assert "End of the video plain.avi (60 frames)" in tab.message()
        assert tab.start_button.text() == "Start" and tab.source_picker.isEnabled()


@pytest.mark.parametrize("source, expected", [
    ("/nonexistent.avi", "Video file not found: /nonexistent.avi"),
    ("99", "Cannot open camera 99"),
    ("", "no source given"),
])
def test_a_bad_source_gives_a_message_and_no_crash(qtbot, plain_video, source, expected):
    tab = make_tab(qtbot, SlowRecognizer(0.0), source)
    tab.start()
    run_to_end(qtbot, tab, 10000)
    assert expected in tab.message()
    assert tab.message_label.styleSheet()  # shown as an error
    tab.set_source(str(plain_video))
    tab.start()
    qtbot.waitUntil(lambda: tab._frame is not None, timeout=5000)
    tab.stop()


def test_a_text_file_is_not_a_video(tmp_path):
    path = tmp_path / "notes.avi"
    path.write_text("not a video")
    with pytest.raises(SourceError, match="not a video format"):
        open_source(str(path))


def test_sources_are_parsed_as_cameras_files_or_urls():
    assert parse_source("0") == 0
    assert parse_source("Camera 2 — USB webcam") == 2
    assert parse_source("123-clip.mp4") == "123-clip.mp4"
    assert parse_source("http://192.168.1.5:8080/video") == "http://192.168.1.5:8080/video"
    assert parse_source("file:///tmp/my%20clip.avi") == "/tmp/my clip.avi"


def test_stale_frames_are_dropped_when_recognition_is_slow(qtbot, plain_video):
    worker = CameraWorker(str(plain_video), recognizer=SlowRecognizer(0.15))
    results: list[FrameResult] = []
    frames: list[int] = []
    worker.resultReady.connect(results.append)
    worker.frameReady.connect(lambda f: (frames.append(f.index), worker.frame_shown()))
    with qtbot.waitSignal(worker.stopped, timeout=10000) as stopped:
        worker.start()
    assert stopped.args[0].reason == "end"
    assert worker.wait(2)

    indices = [r.frame_index for r in results]
    assert 6 <= len(results) <= 16  # about 2 s / 0.15 s, not one per frame
    assert indices == sorted(indices) and len(set(indices)) == len(indices)
    assert max(np.diff(indices)) >= 3  # frames were skipped, newest first
    assert indices[-1] >= 50  # it kept up with the video to the end
    assert max(r.latency for r in results) < 0.5  # latency stays about one recognition
    assert results[-1].dropped >= 60 - len(results) - 5
    assert len(frames) >= 50  # the preview ran at the video's rate regardless


class FakeCamera:
    """A camera that sends ``frames`` grey frames, then nothing (unplugged)."""

    def __init__(self, frames: int) -> None:
        self.left = frames

    def read(self):
        if self.left <= 0:
            return False, None
        self.left -= 1
        time.sleep(0.01)
        return True, np.full((48, 64, 3), 200, np.uint8)

    def release(self) -> None:
        pass


def test_a_camera_that_goes_silent_is_reported(qtbot, monkeypatch):
    monkeypatch.setattr(camera_worker, "NO_FRAMES_TIMEOUT", 0.3)
    for frames, expected in ((5, "stopped sending frames"), (0, "in use by another program")):
        info = SourceInfo("camera", "camera 7", 64, 48, 30.0, 0)
        monkeypatch.setattr(camera_worker, "open_source",
                            lambda source, n=frames, i=info: (FakeCamera(n), i))
        tab = make_tab(qtbot, SlowRecognizer(0.0), "7")
        tab.start()
        run_to_end(qtbot, tab, 5000)
        assert expected in tab.message()


def test_a_camera_that_dies_mid_stream_can_be_started_again(qtbot, monkeypatch):
    info = SourceInfo("camera", "camera 7", 64, 48, 30.0, 0)
    cameras = iter([FakeCamera(10), FakeCamera(10_000)])
    monkeypatch.setattr(camera_worker, "NO_FRAMES_TIMEOUT", 0.3)
    monkeypatch.setattr(camera_worker, "open_source", lambda source: (next(cameras), info))
    tab = make_tab(qtbot, SlowRecognizer(0.0), "7")
    tab.start()
    run_to_end(qtbot, tab, 5000)
    assert "stopped sending frames" in tab.message() and "Start" in tab.message()
    assert not tab.is_running()

    tab.start()  # plugged back in
    assert tab.is_running()
    qtbot.waitUntil(lambda: tab._frame is not None and tab._frame.index >= 20, timeout=5000)
    qtbot.waitUntil(lambda: tab.last_result() is not None, timeout=5000)
    assert tab.last_result().raw.digit == 4
    tab.stop()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=5000)


def test_shutdown_while_running_stops_the_threads(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.05), plain_video)
    tab.start()
    worker = tab._worker
    qtbot.waitUntil(lambda: tab.last_result() is not None, timeout=5000)
    started = time.monotonic()
    tab.shutdown()
    assert time.monotonic() - started < 1.0
    assert not tab.is_running() and not worker.is_alive()


def test_freeze_holds_the_frame_and_pauses_the_file(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    tab.start()
    qtbot.waitUntil(lambda: tab._frame is not None and tab._frame.index >= 5, timeout=5000)
    tab.freeze_button.click()
    assert tab.is_frozen() and tab.freeze_button.text() == "Resume"
    held = tab._frame.index
    qtbot.wait(400)
    assert tab._frame.index == held and tab.is_running()
    tab.set_roi((0.0, 0.0, 0.5, 0.5))  # moving the box recognises the frozen frame again
    qtbot.waitUntil(lambda: tab.last_result().still, timeout=3000)
    assert tab.last_result().frame_index == held
    tab.freeze_button.click()
    qtbot.waitUntil(lambda: tab._frame.index > held + 3, timeout=3000)
    run_to_end(qtbot, tab)
    assert "(60 frames)" in tab.message()  # the paused file resumed where it stopped


def test_space_freezes_and_f5_stops(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    with qtbot.waitActive(tab):
        tab.show()
        tab.activateWindow()
    qtbot.keyClick(tab.preview, Qt.Key.Key_F5)
    assert tab.is_running()
    qtbot.waitUntil(lambda: tab._frame is not None, timeout=5000)
    qtbot.keyClick(tab.preview, Qt.Key.Key_Space)
    assert tab.is_frozen()
    qtbot.keyClick(tab.preview, Qt.Key.Key_Space)
    assert not tab.is_frozen()
    qtbot.keyClick(tab.preview, Qt.Key.Key_F5)
    assert not tab.is_running()


def test_snapshot_saves_the_frame_and_send_emits_the_guide_box(qtbot, plain_video, tmp_path,
                                                              monkeypatch):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    assert not tab.snapshot_button.isEnabled() and not tab.send_button.isEnabled()
    tab.start()
    qtbot.waitUntil(lambda: tab._frame is not None, timeout=5000)
    tab.set_frozen(True)
    frame = tab._frame.image

    target = tmp_path / "snap.png"
    monkeypatch.setattr("mnist_desktop.gui.webcam.webcam_tab.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "PNG image (*.png)"))
    tab.snapshot_button.click()
    saved = cv2.imread(str(target))
    assert saved is not None
    np.testing.assert_array_equal(saved, frame)
    assert str(target) in tab.message()

    tab.set_roi((0.25, 0.25, 0.5, 0.5))
    with qtbot.waitSignal(tab.sendToImage) as sent:
        tab.send_button.click()
    image, name = sent.args
    x, y, w, h = roi_pixels((0.25, 0.25, 0.5, 0.5), 160, 120)
    np.testing.assert_array_equal(image, frame[y : y + h, x : x + w])
    assert "webcam" in name
    tab.stop()


def test_number_mode_reads_numbers(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    tab.set_number_mode(True)
    tab.start()
    qtbot.waitUntil(lambda: tab.last_result() is not None, timeout=5000)
    assert tab.last_result().mode == "number" and tab.last_result().smoothed.text == "4"
    tab.stop()


class BuggyNumbers(SlowRecognizer):
    """Reads digits, but reading a number hits a bug (an AttributeError)."""

    def read(self, image: np.ndarray) -> NumberReading:
        return image.no_such_attribute  # type: ignore[attr-defined]


def test_a_bug_in_number_reading_is_said_once_and_logged_not_a_silent_switch(
        qtbot, plain_video, caplog):
    """It used to catch AttributeError and quietly read single digits for the session."""
    tab = make_tab(qtbot, BuggyNumbers(0.0), plain_video)
    tab.set_number_mode(True)
    messages: list[str] = []
    shown = tab._show_message
    tab._show_message = lambda text, error=False: (messages.append(text), shown(text, error))
    with caplog.at_level("ERROR"):
        tab.start()
        qtbot.waitUntil(lambda: "Recognition failed" in tab.message(), timeout=5000)
        qtbot.wait(500)  # many more frames fail the same way
    assert tab.number_box.isChecked() and tab.last_result() is None
    assert sum("Recognition failed" in m for m in messages) == 1
    assert "no_such_attribute" in tab.message()
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is AttributeError]
    assert len(logged) == 1 and "Traceback" in caplog.text
    tab.stop()


def test_without_a_model_the_preview_runs_and_says_it_waits(qtbot, plain_video):
    tab = make_tab(qtbot, None, plain_video)
    tab.start()
    qtbot.waitUntil(lambda: tab._frame is not None and tab._frame.index > 3, timeout=5000)
    assert tab.last_result() is None and "waiting for the model" in tab.info_label.text()
    tab.set_recognizer(SlowRecognizer(0.0))
    qtbot.waitUntil(lambda: tab.last_result() is not None, timeout=5000)
    tab.stop()


def test_the_last_source_and_guide_box_are_remembered(qtbot, plain_video):
    tab = make_tab(qtbot, SlowRecognizer(0.0), plain_video)
    tab.set_roi((0.1, 0.2, 0.3, 0.4))
    tab.start()
    tab.stop()
    tab.shutdown()
    again = make_tab(qtbot)
    assert again.source_text() == str(plain_video)
    assert again.roi() == pytest.approx((0.1, 0.2, 0.3, 0.4))


def test_latest_slot_keeps_only_the_newest_item():
    slot: Mailbox[int] = Mailbox()
    assert slot.put(1) is False
    assert slot.put(2) is True  # 1 was dropped
    assert slot.take(0) == 2
    assert slot.take(0.01) is None
    slot.close()
    assert slot.take() is None


def test_a_live_correction_cuts_the_frame_that_was_read(qtbot, plain_video):
    """Recognition is slower than the video: the frame on screen is newer than the one the
    answer (and its boxes) came from; the correction must cut the one that was read."""
    capture = cv2.VideoCapture(str(plain_video))
    decoded = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        decoded.append(image)
    capture.release()
    tab = make_tab(qtbot, SlowRecognizer(0.15), plain_video)
    roi = (0.0, 0.2, 1.0, 0.6)
    tab.set_roi(roi)
    checked = newer = 0
    sent: list[object] = []
    tab.resultReady.connect(sent.append)
    tab.start()
    while tab.is_running() and checked < 5:
        qtbot.wait(40)
        result = tab._panel_sent
        if result is None or not sent or tab._frame is None:
            continue
        frame = decoded[result.frame_index]
        x, y, w, h = roi_pixels(roi, frame.shape[1], frame.shape[0])
        np.testing.assert_array_equal(tab.correction_picture(), frame[y : y + h, x : x + w])
        checked += 1
        newer += tab._frame.index > result.frame_index
    tab.stop()
    assert checked >= 3 and newer >= 1
