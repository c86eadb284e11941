"""`mnist-desktop` with no sub-command opens the window, passing window options through."""

from __future__ import annotations

import pytest

from mnist_desktop import cli


@pytest.fixture
def opened(monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "gui_main", lambda argv=None: calls.append(list(argv or [])) or 0)
    return calls


@pytest.mark.parametrize(("argv", "expected"), [
    ([], []),
    (["gui"], []),
    (["--model", "m.keras"], ["--model", "m.keras"]),
    (["gui", "--model", "m.keras", "--quit-when-ready"],
     ["--model", "m.keras", "--quit-when-ready"]),
])
def test_window_options_reach_the_window(opened, argv, expected):
    assert cli.main(argv) == 0
    assert opened == [expected]


def test_unknown_option_is_a_usage_error(opened, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--no-such-option"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    assert opened == []
