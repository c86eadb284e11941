"""Tests for mnist_desktop.training.mnist_data: reading, verifying and locating the MNIST files."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from mnist_desktop.io.checksums import file_sha256
from mnist_desktop.training import mnist_data
from mnist_desktop.training.mnist_data import (
    KNOWN_SHA256,
    MnistDataError,
    load_mnist,
    read_idx_images,
    read_idx_labels,
    resolve_data_dir,
)

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
ORIGINAL_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
LENIENT = {"verify_checksums": False, "expected_counts": None}
"""load_mnist options for the small fake files: no SHA check, any count."""


def idx_images(images: np.ndarray, magic: int = 0x803) -> bytes:
    count, rows, cols = images.shape
    return struct.pack(">IIII", magic, count, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray, magic: int = 0x801) -> bytes:
    return struct.pack(">II", magic, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def fake_arrays(n_train: int = 5, n_test: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": np.arange(n_train, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test, dtype=np.uint8) + 7) % 10,
    }


def write_fake_set(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> None:
    """Write the four IDX files (original names, gzipped or not) into ``folder``."""
    contents = {
        TRAIN_IMAGES: idx_images(arrays["x_train"]),
        TRAIN_LABELS: idx_labels(arrays["y_train"]),
        TEST_IMAGES: idx_images(arrays["x_test"]),
        TEST_LABELS: idx_labels(arrays["y_test"]),
    }
    for name, data in contents.items():
        if gz:
            (folder / name).write_bytes(gzip.compress(data))
        else:
            (folder / name.removesuffix(".gz")).write_bytes(data)


def error_for(folder: Path, **options) -> str:
    with pytest.raises(MnistDataError) as info:
        load_mnist(folder, **options)
    return str(info.value)


@pytest.fixture(autouse=True)
def no_download(monkeypatch) -> list[str]:
    """Record (and refuse) any Keras download attempt; no test may reach the network."""
    calls: list[str] = []

    def refuse():
        calls.append("download")
        raise RuntimeError("download attempted in a test")

    monkeypatch.setattr(mnist_data, "_download_with_keras", refuse)
    return calls


@pytest.fixture
def fake_set(tmp_path: Path) -> dict[str, np.ndarray]:
    arrays = fake_arrays()
    write_fake_set(tmp_path, arrays)
    return arrays


def assert_same_arrays(data: mnist_data.MnistData, arrays: dict[str, np.ndarray]) -> None:
    for key, expected in arrays.items():
        got = getattr(data, key)
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, expected)
        assert not got.flags.writeable, f"{key} must be read-only"


# --- reading valid files ------------------------------------------------------------------


def test_reads_gzipped_idx_files(tmp_path, fake_set):
    data = load_mnist(tmp_path, **LENIENT)
    assert_same_arrays(data, fake_set)
    assert data.x_train.shape == (5, 28, 28) and data.y_test.shape == (3,)
    assert data.source == str(tmp_path)
    assert data.checksums == {name: file_sha256(tmp_path / name) for name in ORIGINAL_NAMES}


def test_reads_ungzipped_idx_files(tmp_path):
    arrays = fake_arrays()
    write_fake_set(tmp_path, arrays, gz=False)
    # No known checksum for un-gzipped names, so verification on still accepts them.
    data = load_mnist(tmp_path, verify_checksums=True, expected_counts=None)
    assert_same_arrays(data, arrays)
    assert set(data.checksums) == {name.removesuffix(".gz") for name in ORIGINAL_NAMES}


def test_read_idx_functions_return_read_only_arrays(tmp_path, fake_set):
    images = read_idx_images(tmp_path / TRAIN_IMAGES)
    labels = read_idx_labels(tmp_path / TRAIN_LABELS)
    np.testing.assert_array_equal(images, fake_set["x_train"])
    np.testing.assert_array_equal(labels, fake_set["y_train"])
    with pytest.raises(ValueError):
        images[0, 0, 0] = 1


def test_file_sha256_matches_hashlib(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_reads_keras_npz(tmp_path):
    arrays = fake_arrays(4, 2)
    np.savez(tmp_path / "mnist.npz", **arrays)
    data = load_mnist(tmp_path, **LENIENT)
    assert_same_arrays(data, arrays)
    assert set(data.checksums) == {"mnist.npz"}


# --- damaged or wrong files: the error names the file and says why ------------------------


def test_wrong_magic_names_the_file(tmp_path, fake_set):
    (tmp_path / TEST_IMAGES).write_bytes(gzip.compress(idx_images(fake_set["x_test"], 0x801)))
    message = error_for(tmp_path, **LENIENT)
    assert TEST_IMAGES in message and "magic" in message and "0x00000803" in message


def test_label_file_given_as_images_is_rejected(tmp_path, fake_set):
    with pytest.raises(MnistDataError, match="magic number 0x00000801"):
        read_idx_images(tmp_path / TRAIN_LABELS)


@pytest.mark.parametrize("cut", [10, 28 * 28 * 5, 10_000])
def test_truncated_file_names_the_file(tmp_path, fake_set, cut):
    data = idx_images(fake_set["x_train"])
    (tmp_path / TRAIN_IMAGES).write_bytes(gzip.compress(data[: max(len(data) - cut, 3)]))
    message = error_for(tmp_path, **LENIENT)
    assert TRAIN_IMAGES in message and "truncated" in message


def test_extra_bytes_are_rejected(tmp_path, fake_set):
    (tmp_path / TRAIN_LABELS).write_bytes(gzip.compress(idx_labels(fake_set["y_train"]) + b"\0"))
    message = error_for(tmp_path, **LENIENT)
    assert TRAIN_LABELS in message and "too long" in message


def test_damaged_gzip_stream_names_the_file(tmp_path, fake_set):
    packed = (tmp_path / TEST_LABELS).read_bytes()
    (tmp_path / TEST_LABELS).write_bytes(packed[: len(packed) // 2])
    message = error_for(tmp_path, **LENIENT)
    assert TEST_LABELS in message and "gzip" in message


def test_wrong_image_size_is_rejected(tmp_path, fake_set):
    (tmp_path / TEST_IMAGES).write_bytes(gzip.compress(idx_images(np.zeros((3, 27, 28)))))
    message = error_for(tmp_path, **LENIENT)
    assert TEST_IMAGES in message and "27x28" in message


def test_image_and_label_counts_must_match(tmp_path, fake_set):
    (tmp_path / TRAIN_LABELS).write_bytes(gzip.compress(idx_labels(fake_set["y_train"][:4])))
    message = error_for(tmp_path, **LENIENT)
    assert TRAIN_IMAGES in message and TRAIN_LABELS in message
    assert "5 images" in message and "4 labels" in message


def test_label_out_of_range_names_the_file(tmp_path, fake_set):
    labels = fake_set["y_test"].copy()
    labels[2] = 10
    (tmp_path / TEST_LABELS).write_bytes(gzip.compress(idx_labels(labels)))
    message = error_for(tmp_path, **LENIENT)
    assert TEST_LABELS in message and "label 10 at index 2" in message


def test_full_mnist_counts_are_required_by_default(tmp_path, fake_set):
    message = error_for(tmp_path, verify_checksums=False)
    assert TRAIN_IMAGES in message and "5 images, expected 60000" in message


def test_checksum_mismatch_for_an_original_name_is_a_corrupted_download(tmp_path, fake_set):
    message = error_for(tmp_path, expected_counts=None)  # verify_checksums defaults to True
    assert TRAIN_IMAGES in message
    assert KNOWN_SHA256[TRAIN_IMAGES] in message
    assert file_sha256(tmp_path / TRAIN_IMAGES) in message


def test_npz_missing_array_or_bad_labels_is_named(tmp_path):
    arrays = fake_arrays(4, 2)
    np.savez(tmp_path / "mnist.npz", **{k: v for k, v in arrays.items() if k != "y_test"})
    message = error_for(tmp_path, **LENIENT)
    assert "mnist.npz" in message and "y_test" in message

    arrays["y_test"] = np.array([3, 11], np.uint8)
    np.savez(tmp_path / "mnist.npz", **arrays)
    message = error_for(tmp_path, **LENIENT)
    assert "mnist.npz [y_test]" in message and "label 11" in message


def test_not_an_npz_is_named(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"<html>proxy login</html>")
    message = error_for(tmp_path, **LENIENT)
    assert "mnist.npz" in message and "npz" in message


# --- locating the folder ------------------------------------------------------------------


def test_missing_file_names_folder_and_file_without_download(tmp_path, fake_set, no_download):
    (tmp_path / TEST_LABELS).unlink()
    message = error_for(tmp_path, **LENIENT)
    assert str(tmp_path) in message and TEST_LABELS in message
    assert TRAIN_IMAGES not in message.split(". ")[0], "only the missing file is listed first"
    assert no_download == []


def test_missing_folder_from_env_var_is_named(tmp_path, monkeypatch, no_download):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("MNIST_DIR", str(missing))
    with pytest.raises(MnistDataError) as info:
        load_mnist()
    message = str(info.value)
    assert str(missing) in message and "does not exist" in message and "MNIST_DIR" in message
    assert no_download == []


def test_resolve_data_dir_prefers_argument_then_env(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.setenv("MNIST_DIR", "")
    assert resolve_data_dir() is None
    assert resolve_data_dir("") is None
    monkeypatch.delenv("MNIST_DIR")
    assert resolve_data_dir() is None


def test_env_var_folder_is_loaded(tmp_path, monkeypatch, fake_set):
    monkeypatch.setenv("MNIST_DIR", os.fspath(tmp_path))
    data = load_mnist(**LENIENT)
    assert data.source == str(tmp_path)
    assert_same_arrays(data, fake_set)


# --- Keras fallback -----------------------------------------------------------------------


def test_offline_fallback_raises_one_clear_error(monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)

    def offline():
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
            "mnist.npz: None -- [Errno -3] Temporary failure in name resolution"
        )

    monkeypatch.setattr(mnist_data, "_download_with_keras", offline)
    with pytest.raises(MnistDataError) as info:
        load_mnist()
    message = str(info.value)
    assert "MNIST_DIR" in message and "--data-dir" in message and "online" in message
    assert "Temporary failure in name resolution" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_no_folder_and_no_download_allowed(monkeypatch, no_download):
    monkeypatch.setenv("MNIST_DIR", "")
    with pytest.raises(MnistDataError, match="MNIST_DIR"):
        load_mnist(allow_download=False)
    assert no_download == []


def test_keras_download_result_is_checked_and_frozen(monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    arrays = fake_arrays(6, 2)
    monkeypatch.setattr(
        mnist_data,
        "_download_with_keras",
        lambda: ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])),
    )
    data = load_mnist(expected_counts=None)
    assert data.source == "keras download" and data.checksums == {}
    assert_same_arrays(data, arrays)
    assert arrays["x_train"].flags.writeable, "the downloaded arrays are copied, not frozen"
    with pytest.raises(MnistDataError, match="6 images, expected 60000"):
        load_mnist()


# --- the real files -----------------------------------------------------------------------


def real_mnist_dir() -> Path:
    """The folder named by MNIST_DIR if it holds the four original files, else skip."""
    folder = os.environ.get("MNIST_DIR", "").strip()
    if not folder:
        pytest.skip("needs the MNIST files: set MNIST_DIR to a folder holding the four .gz files")
    missing = [name for name in ORIGINAL_NAMES if not (Path(folder) / name).is_file()]
    if missing:
        pytest.skip(f"MNIST_DIR={folder} lacks {', '.join(missing)}; set MNIST_DIR to the files")
    return Path(folder)


@pytest.mark.mnist
def test_real_mnist_files_load_and_verify():
    folder = real_mnist_dir()
    data = load_mnist(folder)
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    assert data.y_train.shape == (60000,) and data.y_test.shape == (10000,)
    assert all(a.dtype == np.uint8 for a in (data.x_train, data.y_train, data.x_test, data.y_test))
    assert data.checksums == {name: KNOWN_SHA256[name] for name in ORIGINAL_NAMES}
    train_counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    test_counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(data.y_train).tolist() == train_counts
    assert np.bincount(data.y_test).tolist() == test_counts
    assert data.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert data.x_train.max() == 255 and data.x_train[0, 0, 0] == 0
    assert not data.x_train.flags.writeable


@pytest.mark.mnist
def test_the_committed_sample_is_the_first_thousand_test_digits(mnist_test_digits,
                                                               mnist_sample):
    images, labels = mnist_test_digits
    sample_images, sample_labels = mnist_sample
    np.testing.assert_array_equal(sample_images, images[:1000])
    np.testing.assert_array_equal(sample_labels, labels[:1000])
