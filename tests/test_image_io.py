"""image_io: every bad file gets a specific reason; every good file beside it still loads."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from image_corpus import (
    NON_ASCII_NAME,
    build_corpus,
    digit_image,
    jpeg_bytes,
    png_bytes,
    rgb,
)

from mnist_desktop.io import image_files as image_io
from mnist_desktop.io.image_files import (
    ImageLoadError,
    image_extensions,
    is_image_name,
    load_image,
    load_image_reduced,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("corpus")
    return folder, build_corpus(folder)


def test_every_bad_file_gets_a_specific_reason(corpus) -> None:
    folder, cases = corpus
    failures = []
    for name, case in cases.items():
        if case.status != "error":
            continue
        with pytest.raises(ImageLoadError) as caught:
            load_image(folder / name)
        if case.phrase not in str(caught.value):
            failures.append(f"{name}: {caught.value}")
        assert caught.value.path == str(folder / name)
    assert not failures, failures


def test_good_files_beside_bad_ones_are_read_correctly(corpus, recognizer) -> None:
    folder, cases = corpus
    good = {name: case for name, case in cases.items() if case.status != "error"}
    images = [load_image(folder / name) for name in good]
    results = recognizer.recognize_many(images)
    got = {name: (r.status if r.status == "no_digit" else "ok", r.digit)
           for name, r in zip(good, results, strict=True)}
    expected = {name: (case.status, case.digit) for name, case in good.items()}
    assert got == expected


def test_formats_keep_what_opencv_gives(corpus) -> None:
    folder, _ = corpus
    assert load_image(folder / "deep16.png").dtype == np.uint16
    transparent = load_image(folder / "transparent.png")
    assert transparent.shape[2] == 4 and transparent[0, 0, 3] == 0  # alpha kept
    assert load_image(folder / "grey_alpha.png").shape[2] == 4
    assert load_image(folder / "cmyk.jpg").shape[2] == 3  # CMYK arrives as BGR
    assert load_image(folder / "pages.tif").ndim == 2
    # First frame of the GIF is a 3, the second a 7: the centre column differs.
    first = load_image(folder / "animated.gif")
    assert first.shape[:2] == (96, 96)
    assert np.array_equal(load_image(folder / NON_ASCII_NAME), load_image(folder / "good.png"))


def test_tiny_images_load_and_the_pipeline_says_no_digit(corpus, recognizer) -> None:
    folder, _ = corpus
    for name, shape in (("one_pixel.png", (1, 1)), ("three_pixels.png", (3, 3))):
        image = load_image(folder / name)
        assert image.shape[:2] == shape
        result = recognizer.recognize(image)
        assert result.status == "no_digit" and "too small" in result.message


def test_decompression_bomb_is_refused_before_decoding(corpus, monkeypatch) -> None:
    folder, _ = corpus

    def no_decoding(*_args, **_kwargs):
        raise AssertionError("imdecode must not be called for a bomb")

    monkeypatch.setattr(image_io.cv2, "imdecode", no_decoding)
    with pytest.raises(ImageLoadError, match=r"30,000x30,000 pixels \(900 megapixels"):
        load_image(folder / "bomb.png")


def test_a_lower_pixel_limit_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_bytes(np.zeros((200, 300), np.uint8)))
    with pytest.raises(ImageLoadError, match="300x200"):
        load_image(path, max_pixels=50_000)
    assert load_image(path).shape == (200, 300)


def test_permission_denied_simulated(tmp_path: Path, monkeypatch) -> None:
    """Tests run as root, which reads any file: the refusal is simulated at open()."""
    path = tmp_path / "secret.png"
    path.write_bytes(png_bytes(digit_image(3)))

    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(image_io, "open", denied, raising=False)
    with pytest.raises(ImageLoadError, match="permission denied"):
        load_image(path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a chmod 000 file; see the simulated test")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(png_bytes(digit_image(3)))
    path.chmod(0)
    with pytest.raises(ImageLoadError, match="permission denied"):
        load_image(path)


def test_truncation_is_found_wherever_the_file_is_cut(tmp_path: Path) -> None:
    jpeg = jpeg_bytes(digit_image(8, 300))
    png = png_bytes(digit_image(8, 300))
    path = tmp_path / "cut"
    for data, kind in ((jpeg, "JPEG"), (png, "PNG")):
        # 20 and 100 bytes: a small file cut inside its header (Pillow can't read a size)
        for end in (20, 100, len(data) // 4, len(data) // 2, len(data) - 40, len(data) - 2):
            path.write_bytes(data[:end])
            with pytest.raises(ImageLoadError, match=f"truncated {kind}"):
                load_image(path)


def test_truncated_jpeg_with_an_exif_thumbnail_is_still_truncated(tmp_path: Path) -> None:
    """The thumbnail's own end marker (inside APP1, before the scan) must not fool the check."""
    jpeg = jpeg_bytes(digit_image(8, 300))
    thumbnail = jpeg_bytes(digit_image(1, 16))
    payload = b"Exif\x00\x00" + thumbnail
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    with_thumb = jpeg[:2] + app1 + jpeg[2:]
    path = tmp_path / "thumb.jpg"
    path.write_bytes(with_thumb)
    assert load_image(path).shape[:2] == (300, 300)
    path.write_bytes(with_thumb[: len(with_thumb) - 500])
    with pytest.raises(ImageLoadError, match="truncated JPEG"):
        load_image(path)


def test_trailing_bytes_after_the_end_are_harmless(tmp_path: Path) -> None:
    path = tmp_path / "tail.jpg"
    path.write_bytes(jpeg_bytes(digit_image(2)) + b"camera junk \xff\xd8 more")
    assert load_image(path).shape == (96, 96, 3)
    path = tmp_path / "tail.png"
    path.write_bytes(png_bytes(digit_image(2)) + b"\x00" * 100)
    assert load_image(path).shape == (96, 96, 3)


def test_binary_junk_and_damaged_data_are_told_apart(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(bytes(range(0, 250, 3)) * 4)
    with pytest.raises(ImageLoadError, match="starts with the bytes 00 03 06 09"):
        load_image(junk)
    data = bytearray(png_bytes(digit_image(2, 200)))
    start = data.find(b"IDAT") + 40
    data[start : start + 200] = bytes(200)  # complete file, damaged compressed data
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError, match="cannot decode this PNG"):
        load_image(damaged)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_all_eight_exif_orientations_match_pillow(tmp_path: Path, fmt: str) -> None:
    from PIL import Image, ImageOps

    stored = np.zeros((40, 60, 3), np.uint8)
    stored[:20, :30] = (250, 30, 30)  # an asymmetric picture: a block in one corner
    stored[30:, 50:] = (30, 250, 30)
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        out = io.BytesIO()
        options = {"quality": 98} if fmt == "JPEG" else {"lossless": True} if fmt == "WEBP" else {}
        rgb(stored).save(out, fmt, exif=exif.tobytes(), **options)
        path = tmp_path / f"o{orientation}.{fmt.lower()}"
        path.write_bytes(out.getvalue())
        expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))[..., ::-1]
        got = load_image(path)
        assert got.shape == expected.shape, orientation
        assert got.shape[:2] == ((60, 40) if orientation >= 5 else (40, 60)), orientation
        assert np.abs(got.astype(int) - expected).mean() < 4, orientation


def test_phone_photo_is_turned_upright(corpus, recognizer) -> None:
    folder, _ = corpus
    image = load_image(folder / "phone.jpg")
    assert image.shape[:2] == (160, 120)  # stored 120 high and 160 wide
    assert recognizer.recognize(image).digit == 7


def test_big_jpegs_can_be_decoded_reduced(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(digit_image(6, 3000, height=2000)))
    image, scale = load_image_reduced(path, 320)
    assert image.shape[:2] == (250, 375) and scale == pytest.approx(1 / 8)
    image, scale = load_image_reduced(path, 1000)
    assert image.shape[:2] == (1000, 1500) and scale == pytest.approx(1 / 2)
    small = tmp_path / "small.jpg"
    small.write_bytes(jpeg_bytes(digit_image(6, 300)))
    assert load_image_reduced(small, 320)[1] == 1.0
    grey_path = tmp_path / "grey.jpg"
    grey_path.write_bytes(jpeg_bytes(cv2.cvtColor(digit_image(6, 3000), cv2.COLOR_BGR2GRAY)))
    assert load_image_reduced(grey_path, 320)[0].ndim == 2


def test_extensions_and_names() -> None:
    extensions = image_extensions()
    for ext in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"):
        assert ext in extensions
    assert is_image_name("scan.PNG") and is_image_name(Path("a/b.Jpeg"))
    assert not is_image_name("notes.txt") and not is_image_name("png")


def test_grey_jpeg_decoding_gives_the_pipelines_grey(corpus, tmp_path: Path) -> None:
    from mnist_desktop.pipeline.grey import to_grey

    rng = np.random.default_rng(0)
    photo = cv2.GaussianBlur(rng.integers(0, 256, (900, 1400, 3), dtype=np.uint8), (0, 0), 3)
    path = tmp_path / "colour.jpg"
    path.write_bytes(jpeg_bytes(photo))
    for min_side in (300, None):
        grey, scale = load_image_reduced(path, min_side or 0, grey_jpeg=True)
        colour, same_scale = load_image_reduced(path, min_side or 0)
        assert grey.ndim == 2 and scale == same_scale
        assert np.abs(grey.astype(int) - to_grey(colour)).max() <= 1
    folder, _ = corpus
    assert load_image_reduced(folder / "cmyk.jpg", 0, grey_jpeg=True)[0].ndim == 2
    upright = load_image_reduced(folder / "phone.jpg", 0, grey_jpeg=True)[0]
    assert upright.shape == (160, 120)  # EXIF orientation applied to grey decoding too
