"""Where the window remembers things (QSettings) and the recent-files list.

Tests isolate the settings with ``QSettings.setPath(QSettings.Format.IniFormat, ...)``: every
settings object here uses the INI format under the organisation/application names below.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANIZATION = "mnist-desktop"
APPLICATION = "MNIST Desktop"
MAX_RECENT = 10


def app_settings() -> QSettings:
    """The user's settings for this app (INI file under the user's config folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     ORGANIZATION, APPLICATION)


def read_bool(settings: QSettings, key: str, default: bool) -> bool:
    """A yes/no setting, however it was stored: ``True``, ``"true"``, ``"1"``, ``1`` (the INI
    format keeps only text, so a stored ``True`` comes back as ``"true"``)."""
    value = settings.value(key, None)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    return default


def write_bool(settings: QSettings, key: str, value: bool) -> None:
    """Store a yes/no setting so that :func:`read_bool` reads it back."""
    settings.setValue(key, "true" if value else "false")


def read_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings stored under ``key`` (QSettings turns 1-item lists into a string)."""
    value = settings.value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(item) for item in value]


def recent_files() -> list[str]:
    """Recently opened image files, newest first, only those that still exist."""
    return [p for p in read_list(app_settings(), "recent_files") if os.path.exists(p)]


def add_recent_file(path: str) -> list[str]:
    """Put ``path`` first in the recent-files list and return the new list."""
    path = os.path.abspath(path)
    files = [path] + [p for p in recent_files() if p != path]
    files = files[:MAX_RECENT]
    app_settings().setValue("recent_files", files)
    return files


def clear_recent_files() -> None:
    app_settings().setValue("recent_files", [])
