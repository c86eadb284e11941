"""How the window tells the user about the model: status-bar badge, problem banner, About text."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

import mnist_desktop


def model_summary(info: Any) -> str:
    """"<name> – 99.6 % test accuracy" for a ModelInfo."""
    accuracy = (f"{info.test_accuracy:.2%} test accuracy" if info.test_accuracy
                else "test accuracy unknown")
    return f"{info.name} – {accuracy}"


def about_html(info: Any | None) -> str:
    """The About box: what the app does and which model it uses."""
    lines = [
        f"<h3>MNIST Desktop {mnist_desktop.__version__}</h3>",
        "<p>Reads handwritten digits and numbers from drawings, photos, webcam frames "
        "and folders of scans.</p>",
    ]
    if info is None:
        lines.append("<p><b>No model is loaded.</b> Use File → Load model… to choose one.</p>")
        return "".join(lines)
    meta = info.metadata or {}
    rows = [("Model", info.name),
            ("Test accuracy", f"{info.test_accuracy:.2%}" if info.test_accuracy else "unknown")]
    if meta.get("test_accuracy_raw_mnist"):
        rows.append(("Plain MNIST test", f"{float(meta['test_accuracy_raw_mnist']):.2%}"))
    if meta.get("architecture"):
        rows.append(("Architecture", str(meta["architecture"])))
    if meta.get("parameters"):
        rows.append(("Parameters", f"{int(meta['parameters']):,}"))
    if meta.get("train_count"):
        rows.append(("Training images", f"{int(meta['train_count']):,}"))
    if meta.get("trained_at"):
        rows.append(("Trained", str(meta["trained_at"]).replace("T", " ").rstrip("Z")
                     + (" UTC" if str(meta["trained_at"]).endswith("Z") else "")))
    rows.append(("File", str(info.path)))
    table = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td>"
                    f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    lines.append(f"<table>{table}</table>")
    return "".join(lines)


class ModelBadge(QWidget):
    """Permanent status-bar widget: loading (with a busy bar), ready or failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setFixedSize(80, 12)
        self.busy.setTextVisible(False)
        self.label = QLabel(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.label)
        self.text = ""

    def set_state(self, text: str, colour: str = "", busy: bool = False) -> None:
        self.text = text
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {colour};" if colour else "")
        self.busy.setVisible(busy)


class ModelBanner(QFrame):
    """A strip at the top of the window when there is no usable model."""

    loadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelBanner")
        self.setStyleSheet(
            "#modelBanner { background: #fff4e5; border: 1px solid #f3c98b; border-radius: 6px; }"
            "#modelBanner QLabel { color: #663c00; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton("Load model…", self)
        button.setToolTip("Choose a .keras model file (Ctrl+L)")
        button.clicked.connect(self.loadRequested)
        layout.addWidget(self.label, 1)
        layout.addWidget(button)
        self.hide()

    def show_problem(self, text: str) -> None:
        self.label.setText(text)
        self.show()
