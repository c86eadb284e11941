"""The model travels with the package: a wheel installed into a fresh venv recognizes digits."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CHECK = """
import sys, cv2, numpy as np
import mnist_desktop
from mnist_desktop import Recognizer
assert mnist_desktop.__file__.startswith(sys.argv[1]), mnist_desktop.__file__
image = np.full((200, 160), 235, np.uint8)
cv2.line(image, (50, 40), (120, 40), 25, 10)
cv2.line(image, (120, 40), (70, 170), 25, 10)
reader = Recognizer.load()
assert reader.uses_lite and reader.line_model.engine == "LiteRT", "a twin is missing"
result = reader.recognize(image)
print(result.digit, round(result.confidence, 3), Recognizer.load().info.path)
"""


@pytest.mark.slow
def test_built_wheel_installs_into_a_fresh_venv_and_recognizes(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(wheels)],
                   check=True, timeout=300, cwd=tmp_path)
    (wheel,) = wheels.glob("mnist_desktop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mnist_desktop/resources/model.keras" in names
    assert "mnist_desktop/resources/model.json" in names
    assert "mnist_desktop/resources/mnist-desktop.desktop" in names  # Open with, menus
    assert "mnist_desktop/resources/mnist-desktop.svg" in names
    for twin in ("model.tflite", "model.tflite.json", "lines.tflite", "lines.tflite.json"):
        assert f"mnist_desktop/resources/{twin}" in names  # read without TensorFlow

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    # Reuse the already-installed TensorFlow, OpenCV and numpy instead of downloading them;
    # a plain path entry does not run the test venv's editable-install hook.
    (site / "_reuse_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, timeout=300, cwd=tmp_path)
    assert (env_dir / "bin" / "mnist-desktop").exists()

    out = subprocess.run([str(python), "-c", CHECK, str(site)], capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    digit, confidence, model_path = out.stdout.split()[-3:]
    assert digit == "7"
    assert model_path.startswith(str(site))
