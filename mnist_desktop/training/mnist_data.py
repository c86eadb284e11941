"""Load and verify the MNIST database from a local folder, or download it through Keras.

A local folder (``data_dir`` argument / ``--data-dir``, else the ``MNIST_DIR`` environment
variable) holds either the four original IDX files (gzipped or not) or a Keras ``mnist.npz``.
Every file is checked (magic number, 28x28 dims, counts, size against the header, labels 0..9,
SHA-256 of the known originals); any problem raises :class:`MnistDataError` naming the file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
IMAGE_SIZE = 28
TRAIN_COUNT = 60000
TEST_COUNT = 10000
NPZ_NAME = "mnist.npz"
ENV_VAR = "MNIST_DIR"

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}  # array name -> IDX file name without ".gz"

KNOWN_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",  # noqa: E501
    NPZ_NAME: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}
"""SHA-256 of the original distribution files and of the ``mnist.npz`` that Keras downloads."""

HOW_TO_PROVIDE = (
    f"Set {ENV_VAR} or pass --data-dir to a folder holding the four MNIST files "
    + ", ".join(f"{name}.gz" for name in IDX_FILES.values())
    + f" (or a Keras {NPZ_NAME}), or run once while online so Keras can download MNIST."
)

# Magic number and per-item dims of the image ("x_...") and label ("y_...") IDX files.
_IDX_FORMAT = {"x": (IMAGES_MAGIC, (IMAGE_SIZE, IMAGE_SIZE)), "y": (LABELS_MAGIC, ())}


class MnistDataError(Exception):
    """MNIST could not be found, read or verified; the message says which file and why."""


@dataclass(frozen=True)
class MnistData:
    """The four MNIST arrays (uint8, read-only), where they came from and the files' SHA-256."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    checksums: dict[str, str]


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder to read MNIST from: ``data_dir`` if given, else ``$MNIST_DIR``, else None.

    Empty strings count as "not given". Whether the folder exists is not checked here.
    """
    for candidate in (data_dir, os.getenv(ENV_VAR)):
        if candidate is not None and str(candidate).strip():
            return Path(str(candidate).strip()).expanduser()
    return None


def _read(path: Path, verify: bool, checksums: dict[str, str]) -> bytes:
    """The IDX/npz bytes of ``path`` (gunzipped if gzipped); records and checks its SHA-256."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MnistDataError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    found = hashlib.sha256(raw).hexdigest()
    checksums[path.name] = found
    expected = KNOWN_SHA256.get(path.name)
    if verify and expected is not None and found != expected:
        raise MnistDataError(
            f"{path}: SHA-256 is {found}, expected {expected} for the original {path.name}; "
            "the file is corrupted or not the original - download it again"
        )
    if not raw.startswith(b"\x1f\x8b"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistDataError(f"{path}: damaged gzip data ({exc}); download it again") from None


def _parse_idx(data: bytes, path: Path, magic: int, dims: tuple[int, ...]) -> np.ndarray:
    """Validate an IDX header (magic, dims, size) and return the read-only uint8 array."""
    header = 4 * (2 + len(dims))
    found_magic = int.from_bytes(data[:4], "big")
    if len(data) >= 4 and found_magic != magic:
        raise MnistDataError(
            f"{path}: wrong magic number 0x{found_magic:08X}, expected 0x{magic:08X}"
        )
    if len(data) < header:
        raise MnistDataError(f"{path}: truncated, {len(data)} bytes is less than the header")
    count, *found_dims = (int.from_bytes(data[i : i + 4], "big") for i in range(4, header, 4))
    if tuple(found_dims) != dims:
        shape = "x".join(map(str, found_dims))
        raise MnistDataError(f"{path}: images are {shape}, expected 28x28")
    expected = header + count * int(np.prod(dims))
    if len(data) != expected:
        state = "truncated" if len(data) < expected else "too long"
        raise MnistDataError(
            f"{path}: {state}, {len(data)} bytes (uncompressed) but the header's count of "
            f"{count} needs {expected} bytes"
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(count, *dims)


def _check_labels(labels: np.ndarray, name: str | Path) -> np.ndarray:
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise MnistDataError(
            f"{name}: label {int(labels[bad[0]])} at index {int(bad[0])} is outside 0..9"
        )
    return labels


def read_idx_images(path: str | os.PathLike) -> np.ndarray:
    """Validated read-only uint8 images ``(n, 28, 28)`` from an IDX file (gzipped or not)."""
    path = Path(path)
    return _parse_idx(_read(path, False, {}), path, *_IDX_FORMAT["x"])


def read_idx_labels(path: str | os.PathLike) -> np.ndarray:
    """Validated read-only uint8 labels ``(n,)`` in 0..9 from an IDX file (gzipped or not)."""
    path = Path(path)
    return _check_labels(_parse_idx(_read(path, False, {}), path, *_IDX_FORMAT["y"]), path)


def _read_npz(data: bytes, path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            missing = [key for key in IDX_FILES if key not in archive.files]
            if missing:
                raise MnistDataError(f"{path}: lacks the arrays {', '.join(missing)}")
            return {key: np.array(archive[key]) for key in IDX_FILES}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise MnistDataError(f"{path}: not a readable .npz file ({exc})") from None


def _checked(data: MnistData, names: dict[str, str], counts: tuple[int, int] | None) -> MnistData:
    """``data`` after checking dtypes, shapes, labels and counts of both splits, read-only."""
    for split, expected in zip(("train", "test"), counts or (None, None), strict=True):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        x_name, y_name = names[f"x_{split}"], names[f"y_{split}"]
        if x.dtype != np.uint8 or x.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise MnistDataError(f"{x_name}: expected uint8 (n, 28, 28), got {x.dtype} {x.shape}")
        if y.dtype != np.uint8 or y.ndim != 1:
            raise MnistDataError(f"{y_name}: expected uint8 (n,), got {y.dtype} {y.shape}")
        _check_labels(y, y_name)
        if len(x) != len(y):
            raise MnistDataError(f"{x_name} has {len(x)} images but {y_name} has {len(y)} labels")
        if expected is not None and len(x) != expected:
            raise MnistDataError(f"{x_name}: {len(x)} images, expected {expected}")
    for key in IDX_FILES:
        getattr(data, key).setflags(write=False)
    return data


def _load_folder(folder: Path, origin: str, verify: bool, counts: tuple | None) -> MnistData:
    where = f"MNIST folder {folder} (from {origin})"
    if not folder.is_dir():
        raise MnistDataError(f"{where} does not exist. {HOW_TO_PROVIDE}")
    paths = {  # the .gz file if present, else the un-gzipped one
        key: next((p for p in (folder / f"{name}.gz", folder / name) if p.is_file()), None)
        for key, name in IDX_FILES.items()
    }
    missing = [f"{IDX_FILES[key]}.gz" for key, path in paths.items() if path is None]
    npz, checksums = folder / NPZ_NAME, {}
    if not missing:
        arrays = {
            key: _parse_idx(_read(path, verify, checksums), path, *_IDX_FORMAT[key[0]])
            for key, path in paths.items()
        }
        names = {key: str(path) for key, path in paths.items()}
    elif npz.is_file():
        arrays = _read_npz(_read(npz, verify, checksums), npz)
        names = {key: f"{npz} [{key}]" for key in IDX_FILES}
    else:
        raise MnistDataError(
            f"{where} lacks {', '.join(missing)} (un-gzipped copies are fine too) "
            f"and has no {NPZ_NAME}. {HOW_TO_PROVIDE}"
        )
    return _checked(MnistData(**arrays, source=str(folder), checksums=checksums), names, counts)


def _download_with_keras() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``keras.datasets.mnist.load_data()``: downloads once, then reads Keras's cache."""
    from keras.datasets import mnist

    return mnist.load_data()


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    allow_download: bool = True,
    verify_checksums: bool = True,
    expected_counts: tuple[int, int] | None = (TRAIN_COUNT, TEST_COUNT),
) -> MnistData:
    """Load MNIST from ``data_dir`` / ``$MNIST_DIR``, else (if allowed) through Keras.

    ``verify_checksums`` compares files bearing an original's name with its known SHA-256;
    ``expected_counts`` are the (train, test) sizes to insist on (None: any size).
    A folder that was given never falls back to the download. Raises :class:`MnistDataError`.
    """
    folder = resolve_data_dir(data_dir)
    if folder is not None:
        origin = "--data-dir" if data_dir is not None and str(data_dir).strip() else ENV_VAR
        return _load_folder(folder, origin, verify_checksums, expected_counts)
    if not allow_download:
        raise MnistDataError(f"No MNIST folder was given and downloading is off. {HOW_TO_PROVIDE}")
    try:
        (x_train, y_train), (x_test, y_test) = _download_with_keras()
    except Exception as exc:  # offline, proxy, no keras, damaged cache: the user's fix is the same
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        raise MnistDataError(
            f"MNIST is not available locally and the Keras download failed "
            f"({type(exc).__name__}: {reason}). {HOW_TO_PROVIDE}"
        ) from None
    arrays = dict(zip(IDX_FILES, map(np.array, (x_train, y_train, x_test, y_test)), strict=True))
    data = MnistData(**arrays, source="keras download", checksums={})
    return _checked(data, {key: f"keras download [{key}]" for key in arrays}, expected_counts)
