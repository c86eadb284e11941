"""The main window's menu bar (File, Edit, View, Help) and its Open recent list."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMenuBar, QTabWidget, QWidget

from mnist_desktop.gui.draw.draw_tab import DrawTab


class MenuHost(Protocol):
    """What the menus need of the main window: its menu bar, tabs and public slots."""

    draw_tab: DrawTab
    tabs: QTabWidget

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name
    def open_image_dialog(self) -> None: ...
    def open_folder_dialog(self) -> None: ...
    def load_model_dialog(self) -> None: ...
    def load_model(self, path: str | None, remember: bool = False) -> None: ...
    def close(self) -> bool: ...
    def paste(self) -> None: ...
    def show_about(self) -> None: ...


def make_action(parent: QWidget, text: str, tip: str, keys: Any = None) -> QAction:
    """An action whose tooltip and status tip end with its shortcut, when it has one."""
    action = QAction(text, parent)
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
        tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    return action


@dataclass(frozen=True)
class WindowActions:
    """The menu entries the window (and its tests) use directly."""

    open_action: QAction
    folder_action: QAction
    load_model_action: QAction
    bundled_model_action: QAction
    paste_action: QAction
    recent_menu: QMenu


def build_menus(window: MenuHost, tabs: dict[QWidget, str]) -> WindowActions:
    """Fill the window's menu bar, each action wired to the window's public slots; ``tabs`` maps
    each tab to its name, in View menu order (Ctrl+1…)."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    open_action = make_action(window, "&Open image…", "Open an image file",
                              QKeySequence.StandardKey.Open)
    open_action.triggered.connect(window.open_image_dialog)
    recent_menu = QMenu("Open &recent", window)
    recent_menu.setToolTipsVisible(True)
    folder_action = make_action(window, "Open &folder…", "Read every image in a folder",
                                "Ctrl+Shift+O")
    folder_action.triggered.connect(window.open_folder_dialog)
    load_model_action = make_action(window, "&Load model…", "Use another .keras model file",
                                    "Ctrl+L")
    load_model_action.triggered.connect(window.load_model_dialog)
    bundled_model_action = make_action(window, "Use the &bundled model",
                                       "Go back to the model shipped with the app")
    bundled_model_action.triggered.connect(lambda: window.load_model(None, remember=True))
    quit_action = make_action(window, "&Quit", "Close the app", QKeySequence.StandardKey.Quit)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    quit_action.triggered.connect(window.close)
    file_menu.addAction(open_action)
    file_menu.addMenu(recent_menu)
    file_menu.addAction(folder_action)
    file_menu.addAction(window.draw_tab.save_action)
    file_menu.addSeparator()
    file_menu.addAction(load_model_action)
    file_menu.addAction(bundled_model_action)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)

    edit_menu = bar.addMenu("&Edit")
    draw_tab = window.draw_tab
    for action in (draw_tab.undo_action, draw_tab.redo_action, draw_tab.clear_action):
        edit_menu.addAction(action)
    edit_menu.addSeparator()
    paste_action = make_action(window, "&Paste image", "Open the image or file on the "
                               "clipboard", QKeySequence.StandardKey.Paste)
    paste_action.triggered.connect(window.paste)
    edit_menu.addAction(paste_action)

    view_menu = bar.addMenu("&View")
    for number, (tab, name) in enumerate(tabs.items(), start=1):
        action = make_action(window, f"&{name.capitalize()}", f"Show the {name} tab",
                             f"Ctrl+{number}")
        action.triggered.connect(lambda _=False, t=tab: window.tabs.setCurrentWidget(t))
        view_menu.addAction(action)

    help_menu = bar.addMenu("&Help")
    about = make_action(window, "&About MNIST Desktop", "Version and model information",
                        QKeySequence.StandardKey.HelpContents)
    about.setMenuRole(QAction.MenuRole.AboutRole)
    about.triggered.connect(window.show_about)
    about_qt = make_action(window, "About &Qt", "Qt version and licence")
    about_qt.triggered.connect(QApplication.aboutQt)
    help_menu.addAction(about)
    help_menu.addAction(about_qt)
    return WindowActions(open_action, folder_action, load_model_action, bundled_model_action,
                         paste_action, recent_menu)


def fill_recent_menu(menu: QMenu, files: list[str], open_path: Callable[[str], None],
                     clear: Callable[[], None]) -> None:
    """List ``files`` (numbered &1…&9) with a "Clear the list" entry; disabled when empty."""
    menu.clear()
    for number, path in enumerate(files, start=1):
        label = f"&{number} {os.path.basename(path)}" if number < 10 else os.path.basename(path)
        action = menu.addAction(label)
        action.setToolTip(path)
        action.triggered.connect(lambda _=False, p=path: open_path(p))
    if files:
        menu.addSeparator()
        menu.addAction("Clear the list", clear)
    menu.setEnabled(bool(files))
