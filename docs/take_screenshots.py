#!/usr/bin/env python3
"""Take the README screenshots from a real window: ``make screenshots``.

Run under a display; on a headless machine use a virtual one:

    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/take_screenshots.py

Each tab has one function ``shot_<tab>(window, out_dir) -> Path`` that fills the tab with
content and saves ``docs/screenshot-<tab>.png``; add a function to ``SHOTS`` for a new tab.
Pass tab names to take only some (``docs/take_screenshots.py draw``). Content comes from MNIST
*test* digits (``$MNIST_DIR`` or ../shared/data/mnist) and ``mnist_desktop.training.synth``;
settings go to a temporary folder, so the user's own settings are never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from mnist_desktop.gui.main_window import MainWindow  # noqa: E402

WINDOW_SIZE = (1240, 780)
_WORK = Path(tempfile.mkdtemp(prefix="mnist-screenshots-"))
os.environ["MNIST_DESKTOP_DATA_DIR"] = str(_WORK / "app-data")  # never the user's samples


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the event loop until ``predicate()`` holds (TimeoutError after ``timeout`` s)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def mnist_test_digits() -> tuple[np.ndarray, np.ndarray]:
    from mnist_desktop.training.mnist_data import read_idx_images, read_idx_labels

    folder = Path(os.environ.get("MNIST_DIR") or REPO.parent / "shared/data/mnist")
    return (read_idx_images(folder / "t10k-images-idx3-ubyte.gz"),
            read_idx_labels(folder / "t10k-labels-idx1-ubyte.gz"))


def save(window: MainWindow, out_dir: Path, name: str) -> Path:
    """Grab the window as it is on screen (falls back to rendering it)."""
    settle()
    screen = window.screen()
    pixmap = screen.grabWindow(window.winId()) if screen is not None else None
    if pixmap is None or pixmap.isNull():
        pixmap = window.grab()
    path = out_dir / f"screenshot-{name}.png"
    pixmap.save(str(path), "PNG")
    print(f"wrote {path} ({pixmap.width()}x{pixmap.height()})")
    return path


def shot_draw(window: MainWindow, out_dir: Path) -> Path:
    """A test-set digit written on the canvas through its stroke API, read live."""
    from mnist_desktop.gui.draw.canvas import SHEET_HEIGHT, SHEET_WIDTH
    from mnist_desktop.training.synth_strokes import digit_paths, fit

    images, labels = mnist_test_digits()
    index = int(np.flatnonzero(labels == 5)[1])
    rng = np.random.default_rng(7)
    pen = 24.0
    paths = fit(digit_paths(images[index], rng), 210.0, pen, angle=4.0)
    width, height = np.concatenate(paths).max(axis=0)
    dx, dy = (SHEET_WIDTH - width) / 2, (SHEET_HEIGHT - height) / 2
    tab = window.draw_tab
    window.tabs.setCurrentWidget(tab)
    tab.canvas.clear()
    for path in paths:
        tab.canvas.add_stroke([(float(x + dx), float(y + dy)) for x, y in path], pen)
    wait_until(lambda: window.panel.result is not None and not tab.worker.busy)
    return save(window, out_dir, "draw")


def _open_photo(window: MainWindow, out_dir: Path, photo: np.ndarray, name: str,
                shot: str) -> Path:
    """Save ``photo`` as a JPEG, open it in the Image tab like a user would, screenshot."""
    import cv2

    path = _WORK / name
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    tab = window.image_tab
    window.open_image(str(path))
    wait_until(lambda: tab.loaded is not None and not tab.worker.busy)
    return save(window, out_dir, shot)


def shot_image(window: MainWindow, out_dir: Path) -> Path:
    """A realistic phone photo of a handwritten test digit, opened from a file."""
    from mnist_desktop.training.synth import render_photo

    images, _ = mnist_test_digits()
    photo, _ = render_photo(images[61], np.random.default_rng(11), size=(900, 1200),
                            difficulty="mixed")
    return _open_photo(window, out_dir, photo, "IMG_2041.jpg", "image")


def shot_webcam(window: MainWindow, out_dir: Path) -> Path:
    """A short video of a test digit on paper, held unsteadily, played in the Webcam tab."""
    import cv2

    from mnist_desktop.training.synth import render_photo

    images, _ = mnist_test_digits()
    rng = np.random.default_rng(5)
    photo, (x, y, w, h) = render_photo(images[18], rng, size=(300, 340), difficulty="mixed")
    desk = np.linspace(70, 120, 640, dtype=np.float32)[None, :, None] * [0.55, 0.75, 1.0]
    scene = np.broadcast_to(desk, (480, 640, 3)).copy()
    scene[90:390, 150:490] = photo  # a sheet of paper lying on a desk
    x, y = x + 150, y + 90
    path = _WORK / "desk.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20, (640, 480))
    for _ in range(200):
        shift = rng.integers(-2, 3, size=2)
        noisy = np.roll(scene, (int(shift[0]), int(shift[1])), axis=(0, 1))
        writer.write(np.clip(noisy + rng.normal(0, 2, scene.shape), 0, 255).astype(np.uint8))
    writer.release()
    tab = window.webcam_tab
    window.tabs.setCurrentWidget(tab)
    pad = 0.3 * max(w, h)
    tab.set_roi(((x - pad) / 640, (y - pad) / 480, (w + 2 * pad) / 640, (h + 2 * pad) / 480))
    tab.set_source(str(path))
    tab.start()
    wait_until(lambda: tab.last_result() is not None and tab.last_result().steady)
    settle(1.0)
    shot = save(window, out_dir, "webcam")
    tab.stop()
    return shot


def shot_number(window: MainWindow, out_dir: Path) -> Path:
    """A photo of a number written with test digits: every digit boxed, the number read.

    The digits are the first test digits (from the 3rd of each class on) with which the
    reader gets the whole number right, so the picture shows what a right reading looks
    like; the README's tables say how often that happens."""
    from mnist_desktop.reading.recognizer import Recognizer
    from mnist_desktop.training.synth import compose_sheet

    images, labels = mnist_test_digits()
    recognizer = window.recognizer or Recognizer.load()
    for k in range(3, 40):
        picks = [int(np.flatnonzero(labels == d)[k]) for d in (2, 0, 2, 6)]
        sheet, _ = compose_sheet([images[i] for i in picks], np.random.default_rng(4),
                                 ruled=True, difficulty="mixed", digit_height=110)
        if recognizer.read(sheet).text == "2026":
            break
    return _open_photo(window, out_dir, sheet, "sticky-note.jpg", "number")


def shot_cheque(window: MainWindow, out_dir: Path) -> Path:
    """A cheque-style amount (test digits on a wavy security pattern, a thousands
    separator, a trailing mark, touching zeros) scanned small, as banks keep them."""
    import cv2

    from mnist_desktop.training.line_mix import LineMix
    from mnist_desktop.training.line_synth import render_line

    images, labels = mnist_test_digits()
    text = [1, 2, 5, 0, 0]
    picks = [images[int(np.flatnonzero(labels == d)[k + 7])] for k, d in enumerate(text)]
    mix = LineMix(touching=1.0, separators=1.0, trailing_mark=1.0, underline=0.0, box=0.0,
                  letters=0.0, only_marks=0.0, european=1.0, security=1.0, ruled=0.0,
                  inverted=0.0, cut_by_frame=0.0)
    for seed in range(100):  # the first seed that draws a legible, mid-sized amount
        picture, _ = render_line(picks, text, np.random.default_rng([41, seed]), mix)
        if 40 <= picture.shape[0] <= 70:
            break
    return _open_photo(window, out_dir, cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR),
                       "cheque-amount.jpg", "cheque")


def shot_batch(window: MainWindow, out_dir: Path) -> Path:
    """A folder of scans and photos, one of them broken, classified in the Batch tab."""
    import cv2

    from mnist_desktop.training.synth import render_photo

    images, _ = mnist_test_digits()
    folder = _WORK / "scans"
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(3)
    for i in range(40):
        if i % 4 == 0:
            photo, _ = render_photo(images[100 + i], rng, size=(480, 640))
            cv2.imwrite(str(folder / f"photo_{i:03d}.jpg"), photo)
        else:
            cv2.imwrite(str(folder / f"scan_{i:03d}.png"), 255 - images[100 + i])
    (folder / "scan_999.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    (folder / "blank_page.png").write_bytes(
        cv2.imencode(".png", np.full((64, 64), 250, np.uint8))[1].tobytes())
    tab = window.batch_tab
    window.tabs.setCurrentWidget(tab)
    tab.start_folder(str(folder), recursive=False)
    wait_until(lambda: not tab.running and len(tab.rows) >= 42, timeout=120)
    unsure = next(i for i, item in enumerate(tab.visible_rows()) if item.status == "unsure")
    tab.view.selectRow(unsure)  # the panel shows why that photo was not read with confidence
    wait_until(lambda: window.panel.result is not None and not tab.preview.busy)
    return save(window, out_dir, "batch")


def shot_handwriting(window: MainWindow, out_dir: Path) -> Path:
    """My handwriting: MNIST test digits as the user's samples, taught (short settings)."""
    import cv2

    from mnist_desktop.training.teach import TeachOptions

    images, labels = mnist_test_digits()
    for digit in range(10):
        for index in np.flatnonzero(labels == digit)[20:26]:
            picture = cv2.resize(255 - images[index], (84, 84), interpolation=cv2.INTER_CUBIC)
            window.samples.add(picture, digit, "draw")
    tab = window.handwriting_tab
    window.tabs.setCurrentWidget(tab)
    tab.refresh()
    tab.options = TeachOptions(epochs=3, replay=2000, mnist_check=1000)
    tab.teach()
    wait_until(lambda: tab.last_result is not None and tab.teach_button.isEnabled(), 300)
    tab.use_personal()  # the status bar names the personal model once it is loaded
    wait_until(lambda: window.recognizer.info.path == window.samples.model_path, 60)
    return save(window, out_dir, "handwriting")


SHOTS: dict[str, Callable[[MainWindow, Path], Path]] = {
    "draw": shot_draw,
    "image": shot_image,
    "number": shot_number,
    "cheque": shot_cheque,
    "webcam": shot_webcam,
    "batch": shot_batch,
    "handwriting": shot_handwriting,
}


def _rerun_under_xvfb(argv: list[str]) -> None:
    """Without a display on Linux, run this script again inside xvfb-run (when installed)."""
    import shutil

    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM")
            and shutil.which("xvfb-run")):
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
                               sys.executable, str(Path(__file__).resolve()), *argv])


def main(argv: list[str]) -> int:
    _rerun_under_xvfb(argv)
    wanted = argv or list(SHOTS)
    unknown = [name for name in wanted if name not in SHOTS]
    if unknown:
        print(f"unknown tab(s): {', '.join(unknown)}; choose from {', '.join(SHOTS)}")
        return 2
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(_WORK))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from mnist_desktop.gui.common.icons import app_icon
    from mnist_desktop.reading.recognizer import Recognizer

    app.setWindowIcon(app_icon())
    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    window.move(20, 10)
    window.show()
    window.use_recognizer(Recognizer.load())
    settle(0.5)
    for name in wanted:
        SHOTS[name](window, REPO / "docs")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
