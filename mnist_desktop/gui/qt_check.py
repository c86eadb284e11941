"""Check, before the window opens, that Qt can reach a display on Linux.

``python -m mnist_desktop.gui.qt_check`` (run by ``make run``) exits 0 silently when all is
well, when not on Linux, or when Qt is told to draw off screen (QT_QPA_PLATFORM=offscreen).
Otherwise it prints what is wrong in plain words, with the apt-get line that fixes it, and
exits 1. Without this, Qt only says "could not load the Qt platform plugin xcb".
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
"""Shared libraries Qt's xcb platform plugin loads, and the Debian/Ubuntu package of each.

Qt 6 no longer uses libxcb-xinerama; ``ldd`` on the plugin catches anything not listed here.
"""

NO_DISPLAY = ("No display found: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window "
              "cannot open; run it from a desktop session, or under a virtual display with "
              "xvfb-run, or set QT_QPA_PLATFORM=offscreen to run without one.")


def parse_ldconfig(text: str) -> set[str]:
    """Library names (``libfoo.so.1``) listed by ``ldconfig -p``."""
    return {match.group(1) for match in re.finditer(r"^\s*(\S+\.so[.\d]*)\s", text, re.M)}


def parse_ldd_missing(text: str) -> set[str]:
    """Library names ``ldd`` reports as ``not found``."""
    return {match.group(1) for match in re.finditer(r"^\s*(\S+)\s*=>\s*not found", text, re.M)}


def missing_packages(present: Iterable[str], not_found: Iterable[str] = ()) -> list[str]:
    """Packages to install: required libraries not in ``present`` plus those ``ldd`` missed."""
    have = set(present)
    missing = {name for name in XCB_LIBRARIES if name not in have} | set(not_found)
    return sorted({XCB_LIBRARIES.get(name, name) for name in missing})


def diagnose(system: str, env: Mapping[str, str], present: set[str] | None,
             not_found: Iterable[str] = ()) -> str | None:
    """What stops the window from opening, or None. ``present`` None: libraries unknown."""
    if system != "Linux":
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if qpa in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return None
    has_x11, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    wants_xcb = qpa == "xcb" or (not qpa.startswith("wayland") and not
                                 (has_wayland and not has_x11))
    problems = []
    if wants_xcb and present is not None:
        packages = missing_packages(present, not_found)
        if packages:
            names = " ".join(packages)
            problems.append(
                f"The window cannot open because Qt's X11 (xcb) platform plugin needs system "
                f"libraries that are missing ({', '.join(packages)}); install them with: "
                f"sudo apt-get install -y {names}")
    if not has_x11 and not has_wayland:
        problems.append(NO_DISPLAY)
    return " ".join(problems) or None


def _run(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 or done.stdout else None


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt/plugins/platforms/libqxcb.so"
    return plugin if plugin.exists() else None


def system_libraries() -> tuple[set[str] | None, set[str]]:
    """Libraries ldconfig knows (None if it can't be asked) and those ldd can't find."""
    text = None
    for ldconfig in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        text = _run([ldconfig, "-p"])
        if text:
            break
    not_found: set[str] = set()
    plugin = _xcb_plugin()
    if plugin is not None:
        ldd = _run(["ldd", str(plugin)])
        if ldd:
            not_found = parse_ldd_missing(ldd)
    return (parse_ldconfig(text) if text else None), not_found


def main() -> int:
    if platform.system() != "Linux":
        return 0
    present, not_found = system_libraries()
    message = diagnose("Linux", os.environ, present, not_found)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
