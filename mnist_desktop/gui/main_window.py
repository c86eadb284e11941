"""The main window: Draw, Image, Webcam and Batch tabs beside one shared result panel.

The window opens without a model; ``start()`` loads it in the background and hands it to
every tab when ready. Files and folders can be dropped anywhere on the window or pasted.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui.batch.batch_tab import BatchTab
from mnist_desktop.gui.common.app_data import data_folder
from mnist_desktop.gui.common.settings import (
    app_settings,
    clear_recent_files,
    recent_files,
)
from mnist_desktop.gui.corrections import Corrections
from mnist_desktop.gui.draw.draw_tab import DrawTab
from mnist_desktop.gui.handwriting.handwriting_tab import HandwritingTab
from mnist_desktop.gui.image.image_tab import ImageTab
from mnist_desktop.gui.main_menus import build_menus, fill_recent_menu
from mnist_desktop.gui.model_loader import ModelLoader
from mnist_desktop.gui.model_status import ModelBadge, ModelBanner, about_html, model_summary
from mnist_desktop.gui.opening import OpensFiles
from mnist_desktop.gui.result.result_panel import ResultPanel
from mnist_desktop.gui.tab import Tab
from mnist_desktop.gui.webcam.webcam_tab import WebcamTab
from mnist_desktop.io import SampleStore

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader
    from mnist_desktop.results import Reading

IDLE_TEXT = {
    "draw": "Draw a digit on the canvas",
    "image": "Open, drop or paste an image",
    "webcam": "Start the camera and hold a digit inside the box",
    "batch": "Open a folder to read every image in it",
    "handwriting": "Your samples: correct results to add some, then Teach",
}
_GREEN, _RED = "#2e7d32", "#c62828"
QUIT_WAIT_S = 0.25


class MainWindow(OpensFiles, QMainWindow):
    """Signals ``modelReady(object)`` (the Recognizer) and ``modelFailed(str)``."""

    modelReady = Signal(object)
    modelFailed = Signal(str)

    def __init__(self, model_path: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MNIST Desktop")
        self.setAcceptDrops(True)
        self.setMinimumSize(880, 600)
        self.recognizer: Reader | None = None
        self._model_path = model_path
        self._results: dict[QWidget, object] = {}
        self._closed = False
        self.exit_process_on_close = False
        """Set by the app start: the process ends right after the window closes, so closing
        waits at most ``QUIT_WAIT_S`` for a model load that cannot be interrupted."""
        self._remember: str | None = None
        self._fall_back_from: str | None = None
        self._fallback_note = ""
        self.draw_tab = DrawTab(self)
        self.image_tab = ImageTab(self)
        self.webcam_tab = WebcamTab(self)
        self.batch_tab = BatchTab(self)
        self.samples = SampleStore(data_folder())
        self.handwriting_tab = HandwritingTab(self.samples, self)
        self._names: dict[Tab, str] = {self.draw_tab: "draw", self.image_tab: "image",
                       self.webcam_tab: "webcam", self.batch_tab: "batch",
                       self.handwriting_tab: "handwriting"}
        self.panel = ResultPanel(self)
        self.loader = ModelLoader(self)
        self._build()
        self._build_menus()
        self._wire()
        self.corrections = Corrections(self, self.samples)
        self._wire_teaching()
        self._restore_settings()

    # --- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        tips = {"draw": "Write digits with the mouse, a pen or your finger (Ctrl+1)",
                "image": "Open, drop or paste a picture (Ctrl+2)",
                "webcam": "Read digits held up to a camera or from a video (Ctrl+3)",
                "batch": "Read every image in a folder (Ctrl+4)",
                "handwriting": "Your samples and your personal model (Ctrl+5)"}
        for tab, name in self._names.items():
            title = "My handwriting" if name == "handwriting" else name.capitalize()
            index = self.tabs.addTab(tab, title)
            self.tabs.setTabToolTip(index, tips[name])
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.banner = ModelBanner(self)
        self.banner.loadRequested.connect(self.load_model_dialog)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.badge = ModelBadge(self)
        self.statusBar().addPermanentWidget(self.badge)
        self.badge.set_state("Model not loaded yet")

    def _build_menus(self) -> None:
        actions = build_menus(self, self._names)
        self.open_action, self.folder_action = actions.open_action, actions.folder_action
        self.load_model_action = actions.load_model_action
        self.bundled_model_action = actions.bundled_model_action
        self.paste_action, self.recent_menu = actions.paste_action, actions.recent_menu
        self._update_recent_menu(recent_files())

    def _wire(self) -> None:
        for tab in self._names:
            tab.resultReady.connect(lambda result, t=tab: self._on_result(t, result))
            tab.statusMessage.connect(lambda text, t=tab: self._tab_status(t, text))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.image_tab.digitClicked.connect(self.panel.select_digit)
        self.image_tab.recentFilesChanged.connect(self._update_recent_menu)
        self.panel.digitSelected.connect(self._on_digit_selected)
        self.webcam_tab.sendToImage.connect(self._open_array_in_image_tab)
        self.batch_tab.openImageRequested.connect(self.open_image)
        self.loader.loading.connect(self._on_model_loading)
        self.loader.loaded.connect(self.use_recognizer)
        self.loader.failed.connect(self._on_model_failed)

    def _wire_teaching(self) -> None:
        tab = self.handwriting_tab
        tab.useModelRequested.connect(lambda path: self.load_model(path, remember=True))
        tab.shippedModelRequested.connect(lambda: self.load_model(None, remember=True))
        self.corrections.samplesChanged.connect(tab.refresh)
        self.panel.digitSelected.connect(lambda _i: self.corrections.refresh())

    # --- model --------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model (the --model file, the one chosen last time, or the bundled one).

        A remembered model that is gone or cannot be loaded is forgotten: the bundled model
        is loaded instead and the status bar says why."""
        path = self._model_path
        if path is None:
            remembered = str(app_settings().value("model/path", "") or "")
            if remembered and not os.path.isfile(remembered):
                self._forget_model(remembered, "the file is gone")
            elif remembered:
                path, self._fall_back_from = remembered, remembered
        self.load_model(path)

    def load_model(self, path: str | None, remember: bool = False) -> None:
        """Load ``path`` (None: the bundled model); ``remember``: use it at the next start
        too, once it has loaded (a model that fails to load is never remembered)."""
        self._remember = (path or "") if remember else None
        self.loader.load(path)

    def _forget_model(self, path: str, why: str) -> None:
        app_settings().setValue("model/path", "")
        self._fallback_note = (f"The model chosen last time, {os.path.basename(path)}, could "
                               f"not be loaded ({why}): using the shipped model.")

    def load_model_dialog(self) -> None:
        folder = os.path.dirname(str(app_settings().value("model/path", "") or "")) or ""
        path, _ = QFileDialog.getOpenFileName(self, "Load model", folder,
                                              "Keras models (*.keras *.h5);;All files (*)")
        if path:
            self.load_model(path, remember=True)

    def _on_model_loading(self, path: str) -> None:
        name = os.path.basename(path) if path else "the bundled model"
        self.badge.set_state(f"Loading {name}…", busy=True)
        if self.recognizer is None:
            self.panel.set_idle_text("Loading the model… you can already draw or open images")

    def use_recognizer(self, recognizer: Reader, seconds: float = 0.0) -> None:
        """Hand a loaded Recognizer to every tab and say so in the status bar."""
        self.recognizer = recognizer
        self._fall_back_from = None
        if self._remember is not None:
            app_settings().setValue("model/path", self._remember)
            self._remember = None
        self.banner.hide()
        summary = model_summary(recognizer.info)
        self.badge.set_state(f"Ready · {summary}", _GREEN)
        self.badge.setToolTip(str(recognizer.info.path))
        took = f" in {seconds:.1f} s" if seconds else ""
        self.statusBar().showMessage(f"Model ready{took}: {summary}", 8000)
        if self._fallback_note:
            self.banner.show_problem(self._fallback_note)
            self.statusBar().showMessage(self._fallback_note, 15000)
            self._fallback_note = ""
        lines_error = getattr(recognizer, "line_model_error", None)
        if lines_error:  # digits still read; whole numbers only digit by digit
            note = f"Numbers are read digit by digit: the line model could not be loaded " \
                   f"({lines_error})"
            self.banner.show_problem(note)
            self.statusBar().showMessage(note, 15000)
        self._on_tab_changed(self.tabs.currentIndex())
        for tab in self._names:
            tab.set_recognizer(recognizer)
        self.modelReady.emit(recognizer)

    def _on_model_failed(self, error: str) -> None:
        self._remember = None
        if self._fall_back_from is not None and self.recognizer is None:
            self._forget_model(self._fall_back_from, error.rstrip("."))
            self._fall_back_from = None
            self.load_model(None)
            return
        if self.recognizer is None:
            self.badge.set_state("No model – see the message above", _RED)
            self.banner.show_problem(f"<b>The digit model could not be loaded.</b> {error}<br>"
                                     "Choose a model file with File → Load model…")
            self.panel.set_idle_text("No model loaded – use File → Load model…")
        else:
            self.badge.set_state(f"Ready · {model_summary(self.recognizer.info)}", _GREEN)
            self.banner.show_problem(f"<b>That model could not be loaded</b> – still using "
                                     f"{self.recognizer.info.name}. {error}")
        self.statusBar().showMessage(f"Model not loaded: {error}", 15000)
        self.modelFailed.emit(error)

    def show_about(self) -> None:
        QMessageBox.about(self, "About MNIST Desktop",
                          about_html(self.recognizer.info if self.recognizer else None))

    # --- results --------------------------------------------------------------------------
    def _on_result(self, tab: QWidget, result: object) -> None:
        self._results[tab] = result
        if self.tabs.currentWidget() is tab:
            self.panel.show_result(result)  # type: ignore[arg-type]
            if self.panel.selected_digit >= 0:
                self._on_digit_selected(self.panel.selected_digit)
            self._refresh_corrections()

    def show_corrected(self, result: Reading) -> None:
        """The current tab's answer, corrected by the user: shown, and kept for the tab."""
        selected = self.panel.selected_digit
        self._results[self.tabs.currentWidget()] = result
        self.panel.show_result(result)
        if selected >= 0:
            self.panel.select_digit(selected)

    def _tab_status(self, tab: QWidget, text: str) -> None:
        """A tab's news goes to the status bar while that tab is shown, never another's
        (a new model makes every tab read again)."""
        if self.tabs.currentWidget() is tab:
            self.statusBar().showMessage(text, 8000)

    def _refresh_corrections(self) -> None:
        corrections = getattr(self, "corrections", None)
        if corrections is not None:
            corrections.refresh()

    def _on_tab_changed(self, index: int) -> None:
        tab = self.tabs.widget(index)
        self.draw_tab.set_current(tab is self.draw_tab)
        if self.recognizer is not None:
            self.panel.set_idle_text(IDLE_TEXT[self._names[tab]])
        self.panel.show_result(self._results.get(tab))  # type: ignore[arg-type]
        self._refresh_corrections()

    def _on_digit_selected(self, index: int) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, Tab):
            tab.highlight_digit(index)

    def _update_recent_menu(self, files: list[str]) -> None:
        fill_recent_menu(self.recent_menu, files, self.open_image, self._clear_recent)

    def _clear_recent(self) -> None:
        clear_recent_files()
        self._update_recent_menu([])

    # --- settings and closing -------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1220, 780)
        state = settings.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        try:
            index = int(settings.value("window/tab", 0))
        except (TypeError, ValueError):
            index = 0
        self.tabs.setCurrentIndex(index if 0 <= index < self.tabs.count() else 0)
        self._on_tab_changed(self.tabs.currentIndex())
        self.panel.set_idle_text("Loading the model… you can already draw or open images")

    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        settings.sync()

    def shutdown(self) -> None:
        """Stop every tab's threads and the model loader, waiting for them (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for tab in self._names:
            tab.shutdown()
        self.loader.shutdown(QUIT_WAIT_S if self.exit_process_on_close else None)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.hide()  # feels instant even if a model load must finish first
        self.shutdown()
        event.accept()
