"""The pre-flight check `make run` does before opening the window."""

from __future__ import annotations

import os
import subprocess
import sys

from mnist_desktop.gui.qt_check import (
    NO_DISPLAY,
    XCB_LIBRARIES,
    diagnose,
    missing_packages,
    parse_ldconfig,
    parse_ldd_missing,
)

LDCONFIG = """539 libs found in cache `/etc/ld.so.cache'
\tlibxcb.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb.so.1
\tlibxcb-cursor.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb-cursor.so.0
\tlibGL.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libGL.so.1
"""
ALL = set(XCB_LIBRARIES)
X11 = {"DISPLAY": ":0"}


def test_ldconfig_and_ldd_output_are_parsed():
    assert parse_ldconfig(LDCONFIG) == {"libxcb.so.1", "libxcb-cursor.so.0", "libGL.so.1"}
    ldd = ("\tlibxcb-icccm.so.4 => not found\n"
           "\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x7f)\n")
    assert parse_ldd_missing(ldd) == {"libxcb-icccm.so.4"}


def test_missing_libraries_are_named_by_package_with_the_apt_get_line():
    present = ALL - {"libxcb-cursor.so.0", "libxkbcommon-x11.so.0"}
    message = diagnose("Linux", X11, present)
    assert message is not None
    assert "libxcb-cursor0" in message and "libxkbcommon-x11-0" in message
    assert "sudo apt-get install -y libxcb-cursor0 libxkbcommon-x11-0" in message
    assert missing_packages(ALL, {"libxcb-icccm.so.4"}) == ["libxcb-icccm4"]


def test_nothing_is_said_when_all_is_well_or_not_relevant():
    assert diagnose("Linux", X11, ALL) is None
    assert diagnose("Linux", {"WAYLAND_DISPLAY": "wayland-0"}, set()) is None  # Wayland plugin
    assert diagnose("Linux", {"QT_QPA_PLATFORM": "offscreen"}, set()) is None
    assert diagnose("Darwin", {}, set()) is None
    assert diagnose("Windows", {}, set()) is None


def test_no_display_is_explained():
    assert diagnose("Linux", {}, ALL) == NO_DISPLAY
    both = diagnose("Linux", {}, ALL - {"libxcb-cursor.so.0"})
    assert both is not None and "libxcb-cursor0" in both and NO_DISPLAY in both


def test_command_is_silent_with_offscreen_and_explains_a_missing_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    run = [sys.executable, "-m", "mnist_desktop.gui.qt_check"]
    quiet = subprocess.run(run, env={**env, "QT_QPA_PLATFORM": "offscreen"},
                           capture_output=True, text=True, timeout=60)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    env.pop("QT_QPA_PLATFORM", None)
    loud = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert loud.returncode == 1
    assert "DISPLAY" in loud.stderr and loud.stderr.count("\n") == 1
