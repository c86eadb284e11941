"""Reading whole numbers: several digits in one picture, in reading order (issue 5).

Sheets are photos composed from MNIST *test* digits (``synth.compose_sheet``) or pasted on
paper by hand here. Digits are picked among those the model reads right on their own, so
a failure here is a failure to find, group, split or order the digits.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop.numbers import read_number
from mnist_desktop.synth import compose_sheet, render_photo

SHEETS = 20
SHEET_SEED = 515


@pytest.fixture(scope="module")
def clean_digits(recognizer, mnist_test_digits) -> dict[int, list[np.ndarray]]:
    """Per class, MNIST test digits the model reads right on their own: as scanned and on two
    one-digit sheets (so a misread sheet means a segmentation error, not a hard digit)."""
    images, labels = mnist_test_digits
    rng = np.random.default_rng(5)
    picks = rng.choice(len(images), 600, replace=False)
    photos = [compose_sheet([images[i]], rng, difficulty=level)[0]
              for i in picks for level in ("easy", "mixed")]
    scanned = recognizer.recognize_many([images[i] for i in picks])
    shot = recognizer.recognize_many(photos)
    by_class: dict[int, list[np.ndarray]] = {d: [] for d in range(10)}
    for k, i in enumerate(picks):
        results = [scanned[k], shot[2 * k], shot[2 * k + 1]]
        if all(r.status == "ok" and r.digit == labels[i] and r.confidence > 0.95
               for r in results):
            by_class[int(labels[i])].append(images[i])
    assert all(len(v) >= 10 for v in by_class.values())
    return by_class


def pick(digits: dict[int, list[np.ndarray]], text: str, rng: np.random.Generator
         ) -> list[np.ndarray]:
    return [digits[int(c)][int(rng.integers(len(digits[int(c)])))] for c in text]


def spaced_sheet(digits: dict[int, list[np.ndarray]], text: str, seed: int, **options
                 ) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A ``compose_sheet`` photo of ``text`` whose digits do not touch (the first seed from
    ``seed`` on where every gap is at least 5 % of the digit height)."""
    for attempt in range(seed, seed + 50):
        rng = np.random.default_rng(attempt)
        image, boxes = compose_sheet(pick(digits, text, rng), rng, **options)
        gaps = [b[0] - (a[0] + a[2]) for a, b in zip(boxes, boxes[1:], strict=False)
                if b[1] < a[1] + a[3] and a[1] < b[1] + b[3]]  # neighbours on one line
        if min(gaps, default=99) >= 0.05 * max(b[3] for b in boxes):
            return image, boxes
    raise AssertionError("no spaced sheet found")


def paste_number(digits: list[np.ndarray], heights: list[int], gaps: list[int],
                 lift: list[int] | None = None, paper: int = 236, ink: int = 40) -> np.ndarray:
    """Dark digits on light paper, left to right: each scaled to a height, gaps in pixels."""
    tall = max(heights)
    lift = lift or [0] * len(digits)
    glyphs = []
    for digit, h in zip(digits, heights, strict=True):
        ys, xs = np.nonzero(digit > 40)
        crop = digit[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1].astype(np.float32) / 255
        w = max(1, round(crop.shape[1] * h / crop.shape[0]))
        glyphs.append(cv2.resize(crop, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1))
    width = sum(g.shape[1] for g in glyphs) + sum(max(0, g) for g in gaps) + 2 * tall
    page = np.full((3 * tall, width), paper, np.float32)
    x = tall
    for glyph, gap, up in zip(glyphs, [*gaps, 0], lift, strict=True):
        h, w = glyph.shape
        y = 2 * tall - h - up
        region = page[y: y + h, x: x + w]
        np.minimum(region, paper - glyph * (paper - ink), out=region)
        x += w + gap
    return page[:, : x + tall].clip(0, 255).astype(np.uint8)


@pytest.mark.xfail(reason="known gap (issue 5 stays open): 3 of these 20 sheets are misread "
                   "where 2 are allowed (a 6 touching a 1 read as one 4, an 8 read as 3, a "
                   "9 unsure)", strict=False)
def test_seeded_sheets_read_exactly(recognizer, clean_digits):
    """Varied sheets: 2-6 digits, sizes, spacing, inks, papers, ruled lines, broken digits,
    two lines. At least 90 % must be read exactly (the bar for unseen sheets is 95 %)."""
    rng = np.random.default_rng(SHEET_SEED)
    misread = []
    for index in range(SHEETS):
        count = int(rng.integers(2, 7))
        text = "".join(str(int(d)) for d in rng.integers(0, 10, count))
        lines = [count // 2, count - count // 2] if count >= 4 and index % 4 == 0 else None
        image, _ = compose_sheet(pick(clean_digits, text, rng), rng, lines=lines,
                                 broken=index % 5 == 1, ruled=True if index % 3 == 0 else None,
                                 difficulty=("easy", "mixed")[index % 2])
        want = text if lines is None else f"{text[:lines[0]]}\n{text[lines[0]:]}"
        got = recognizer.read(image).text
        if got != want:
            misread.append((index, want, got))
    assert len(misread) <= SHEETS // 10, f"misread sheets (index, want, got): {misread}"


def test_sticky_note_2026(recognizer, clean_digits):
    image, boxes = spaced_sheet(clean_digits, "2026", 2026, difficulty="easy", ruled=False)
    reading = recognizer.read(image)
    assert reading.text == "2026"
    assert reading.status == "ok" and len(reading.lines) == 1
    for digit, box in zip(reading.digits, boxes, strict=True):  # boxes in the photo's pixels
        x, y, w, h = digit.box
        assert abs((x + w / 2) - (box[0] + box[2] / 2)) < box[2] / 2 + 3
        assert abs((y + h / 2) - (box[1] + box[3] / 2)) < box[3] / 2 + 3


def test_two_lines_read_top_to_bottom(recognizer, clean_digits):
    image, _ = spaced_sheet(clean_digits, "40715", 12, lines=[3, 2], difficulty="easy")
    reading = recognizer.read(image)
    assert reading.text == "407\n15"
    assert [len(line) for line in reading.lines] == [3, 2]


def test_ruled_paper_lines_are_no_digits(recognizer, clean_digits):
    image, _ = spaced_sheet(clean_digits, "3869", 33, ruled=True, difficulty="mixed")
    assert recognizer.read(image).text == "3869"


def detach_top(digit: np.ndarray, rows: int = 4) -> np.ndarray:
    """An MNIST digit with its top quarter lifted off by ``rows`` (a 5 with a loose bar)."""
    ys = np.nonzero(digit.max(axis=1) > 40)[0]
    cut = int(ys[0] + 0.3 * (ys[-1] - ys[0]))
    out = np.zeros_like(digit)
    out[: cut - rows] = digit[rows:cut]
    out[cut:] = digit[cut:]
    return out


def test_detached_bar_of_a_five_is_one_digit(recognizer, clean_digits):
    rng = np.random.default_rng(55)
    five = detach_top(clean_digits[5][3])
    image = paste_number([*pick(clean_digits, "1", rng), five, *pick(clean_digits, "7", rng)],
                         heights=[120, 120, 120], gaps=[40, 40])
    ink = image < 128
    count = cv2.connectedComponents(ink[:, 150:-150].astype(np.uint8))[0]
    reading = recognizer.read(image)
    assert count >= 4  # the 5 really is in two pieces
    assert reading.text == "157"


def test_two_touching_digits_are_split(recognizer, clean_digits):
    rng = np.random.default_rng(8)
    digits = pick(clean_digits, "305", rng)
    image = paste_number(digits, heights=[110, 110, 110], gaps=[-2, 50])  # the 3 touches the 0
    reading = recognizer.read(image)
    assert reading.text == "305"
    assert len({d.box for d in reading.digits}) == 3


def test_digits_of_different_sizes_and_slant_form_one_number(recognizer, clean_digits):
    rng = np.random.default_rng(21)
    image = paste_number(pick(clean_digits, "6184", rng), heights=[150, 95, 120, 80],
                         gaps=[45, 30, 60], lift=[0, 30, 55, 80])  # rising to the right
    assert recognizer.read(image).text == "6184"


def test_rotated_photo_still_reads_in_order(recognizer, clean_digits):
    image, _ = spaced_sheet(clean_digits, "52809", 4, difficulty="easy")
    h, w = image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 6, 1.0)
    paper = [int(v) for v in np.median(image.reshape(-1, 3), axis=0)]
    tilted = cv2.warpAffine(image, turn, (w, h), borderValue=paper)
    assert recognizer.read(tilted).text == "52809"


def test_single_digit_reads_like_recognize(recognizer, clean_digits):
    rng = np.random.default_rng(3)
    for digit in (0, 1, 4, 7, 9):
        photo, _ = render_photo(clean_digits[digit][0], rng, difficulty="easy")
        reading = recognizer.read(photo)
        single = recognizer.recognize(photo)
        assert len(reading.digits) == 1
        assert reading.digits[0].digit == single.digit == digit
        assert reading.digits[0].box == single.box
        np.testing.assert_allclose(reading.digits[0].probabilities, single.probabilities,
                                   atol=1e-5)


def test_each_digit_has_its_own_result(recognizer, clean_digits):
    image, _ = spaced_sheet(clean_digits, "738", 9, difficulty="easy")
    reading = recognizer.read(image)
    assert reading.text == "738"
    for digit in reading.digits:
        assert digit.model_input is not None and digit.model_input.shape == (28, 28)
        assert digit.probabilities.shape == (10,)
        assert abs(float(digit.probabilities.sum()) - 1.0) < 1e-3
        assert digit.confidence == pytest.approx(float(digit.probabilities.max()))
        assert [step.name for step in digit.steps] == ["crop", "28x28"]
    assert 0.0 < reading.confidence <= min(d.confidence for d in reading.digits)


def scratch(seed: int, size: int = 200) -> np.ndarray:
    """A scratched-out mark (white on black like an MNIST digit): ink, but no digit."""
    rng = np.random.default_rng(seed)
    image = np.zeros((size, size), np.uint8)
    points = rng.uniform(10, size - 10, (25, 2)).astype(np.int32)
    cv2.polylines(image, [points], False, 255, 9, cv2.LINE_AA)
    return image


def ampersand() -> np.ndarray:
    image = np.zeros((200, 240), np.uint8)
    cv2.putText(image, "&", (10, 170), cv2.FONT_HERSHEY_SIMPLEX, 4, 255, 12, cv2.LINE_AA)
    return image


@pytest.mark.parametrize("mark", [
    pytest.param(ampersand(), id="ampersand"),
    pytest.param(scratch(1), id="scratch", marks=pytest.mark.xfail(
        reason="known gap (issue 5): a dense scribble is cut into parts the segment model "
        "takes for whole digits (it learnt letters and light scribbles only)", strict=False)),
])
def test_a_mark_that_is_no_digit_is_unsure_not_forced(recognizer, clean_digits, mark):
    three, eight = pick(clean_digits, "38", np.random.default_rng(17))
    reading = recognizer.read(paste_number([three, mark, eight], heights=[140] * 3,
                                           gaps=[50, 50]))
    assert reading.text == "3?8"
    assert reading.digits[1].status == "unsure" and reading.status == "unsure"


def test_nothing_to_read(recognizer):
    assert recognizer.read(np.full((300, 400), 200, np.uint8)).digits == ()
    empty = read_number(recognizer, np.zeros((0, 0), np.uint8))
    assert empty.text == "" and empty.status == "no_digit"
    assert read_number(recognizer, np.array([["a"]])).digits == ()


def test_input_is_not_changed(recognizer, clean_digits):
    rng = np.random.default_rng(1)
    image, _ = compose_sheet(pick(clean_digits, "12", rng), rng, difficulty="easy")
    before = image.copy()
    reading = recognizer.read(image)
    np.testing.assert_array_equal(image, before)
    assert not reading.digits[0].probabilities.flags.writeable


def two_rings(overlap: int) -> np.ndarray:
    """A mask of two "0"s side by side whose strokes run together over ``overlap`` pixels."""
    mask = np.zeros((120, 200), np.uint8)
    cv2.ellipse(mask, (60, 60), (35, 50), 0, 0, 360, 255, 8)
    cv2.ellipse(mask, (130 - overlap, 60), (35, 50), 0, 0, 360, 255, 8)
    return mask[:, : 175 - overlap]


def test_cut_paths_never_run_along_the_edge_and_grow_with_width():
    from mnist_desktop.segmentation import Group, cut_paths, max_cuts

    mask = two_rings(8)
    cuts = cut_paths(mask, 110.0, (), 9)
    ink = np.count_nonzero(mask)
    assert cuts
    for cut in cuts:  # each side of every cut keeps real ink: no cut hugs the group's edge
        left = np.count_nonzero(mask * (np.arange(mask.shape[1])[None, :] < cut.path[:, None]))
        assert 0.05 * ink < left < 0.95 * ink
        assert cut.strokes >= 1
    narrow, wide = Group((1,), (0, 0, 100, 110)), Group((1,), (0, 0, 400, 110))
    assert max_cuts(wide, 110.0) > max_cuts(narrow, 110.0) >= 3


def test_zeros_sharing_a_stroke_are_split(recognizer, clean_digits):
    """Two 0s whose strokes overlap (written into each other) are still two digits."""
    rng = np.random.default_rng(600)
    read = [recognizer.read(paste_number(pick(clean_digits, "600", rng), heights=[110] * 3,
                                         gaps=[40, -6])).text for _ in range(10)]
    assert sum(text == "600" for text in read) >= 7, read
