"""``mnist-desktop --install-desktop-entry``: the app in the desktop's menus and in a file
manager's *Open with* (Linux, freedesktop.org desktop entries).

Copies ``mnist-desktop.desktop`` to ``$XDG_DATA_HOME/applications`` and its icon to
``$XDG_DATA_HOME/icons/hicolor/scalable/apps`` (``~/.local/share`` when unset). ``Exec``
names the ``mnist-desktop`` command this was run from when it is not on ``PATH``. Qt-free.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

ENTRY = "mnist-desktop.desktop"
ICON = "mnist-desktop.svg"


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value) if value else Path.home() / ".local" / "share"


def _command() -> str:
    """How the entry starts the app: ``mnist-desktop`` if that is on PATH, else the full
    path of the script beside this Python (a virtual environment's ``bin``)."""
    if shutil.which("mnist-desktop"):
        return "mnist-desktop"
    beside = Path(sys.executable).with_name("mnist-desktop")
    return str(beside) if beside.exists() else "mnist-desktop"


def entry_text(command: str = "mnist-desktop") -> str:
    """The shipped desktop entry with ``command`` as the program to run."""
    text = resources.files("mnist_desktop.resources").joinpath(ENTRY).read_text("utf-8")
    if command == "mnist-desktop":
        return text
    quoted = f'"{command}"' if " " in command else command
    return (text.replace("Exec=mnist-desktop %f", f"Exec={quoted} %f")
            .replace("TryExec=mnist-desktop", f"TryExec={command}"))


def install_desktop_entry(home: Path | None = None) -> int:
    """Write the entry and the icon; print where. Returns the exit status."""
    home = home or data_home()
    apps = home / "applications"
    icons = home / "icons" / "hicolor" / "scalable" / "apps"
    try:
        apps.mkdir(parents=True, exist_ok=True)
        icons.mkdir(parents=True, exist_ok=True)
        (apps / ENTRY).write_text(entry_text(_command()), encoding="utf-8")
        icon = resources.files("mnist_desktop.resources").joinpath(ICON).read_bytes()
        (icons / ICON).write_bytes(icon)
    except OSError as error:
        print(f"mnist-desktop: could not install the desktop entry: {error}", file=sys.stderr)
        return 1
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(apps)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"Installed {apps / ENTRY} and {icons / ICON}: MNIST Desktop is in the "
          "applications menu and in Open with for images and folders.")
    return 0
