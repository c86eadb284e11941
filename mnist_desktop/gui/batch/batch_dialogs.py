"""The Batch file dialogs: the folder to read (remembered) and where to export the rows."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mnist_desktop.batch import OutputError
from mnist_desktop.gui.common.settings import app_settings

EXPORT_FILTERS = {"CSV (*.csv)": ".csv", "JSON (*.json)": ".json", "JSON Lines (*.jsonl)": ".jsonl"}


def choose_batch_folder(parent: QWidget, title: str) -> str | None:
    """Ask for a folder to read, starting in (and remembering) the last one chosen."""
    settings = app_settings()
    start = str(settings.value("batch/last_dir", os.path.expanduser("~")))
    path = QFileDialog.getExistingDirectory(parent, title, start)
    if not path:
        return None
    settings.setValue("batch/last_dir", path)
    return path


def ask_export_path(parent: QWidget, rows: int, folder: str | None = None) -> str | None:
    """Ask where to save ``rows`` rows, starting in ``folder`` (the folder read; else the last
    export's); the extension follows the chosen type when missing."""
    start = folder or str(app_settings().value("batch/export_dir", os.path.expanduser("~")))
    name = os.path.basename(os.path.normpath(folder)) if folder else ""
    suggested = os.path.join(start, f"{name}-digits.csv" if name else "digits.csv")
    path, chosen = QFileDialog.getSaveFileName(
        parent, f"Export {rows:,} rows", suggested, ";;".join(EXPORT_FILTERS))
    if not path:
        return None
    if not os.path.splitext(path)[1]:
        path += EXPORT_FILTERS.get(chosen, ".csv")
    return path


def export_with_dialog(parent: QWidget, rows: int, write: Callable[[str], int],
                       folder: str | None = None) -> str | None:
    """Ask for a file (starting in ``folder``) and ``write(path)`` to it; the status line, or
    None if cancelled or failed (a failure is shown in a warning box)."""
    path = ask_export_path(parent, rows, folder)
    if path is None:
        return None
    try:
        written = write(path)
    except (OutputError, OSError) as error:
        QMessageBox.warning(parent, "Export failed", f"Could not write {path}: {error}")
        return None
    app_settings().setValue("batch/export_dir", os.path.dirname(path))
    return f"Exported {written:,} rows to {path}"
