"""Reading whole numbers with the line model: several digits in one picture, in order.

Sheets are photos composed from MNIST *test* digits (``synth.compose_sheet``) or pasted on
paper by hand here, some in the style of real cheque amounts (security pattern, touching
zeros, separators, European 1s). Digits are picked among those the digit model reads right
on their own, so a failure here is a failure of the number reader.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop.reading.line_reader import read_number
from mnist_desktop.training.synth import compose_sheet, render_photo

SHEETS = 20
SHEET_SEED = 515


@pytest.fixture(scope="module")
def clean_digits(recognizer, mnist_sample) -> dict[int, list[np.ndarray]]:
    """Per class, MNIST test digits the model reads right on their own: as scanned and on two
    one-digit sheets (so a misread sheet means a segmentation error, not a hard digit)."""
    images, labels = mnist_sample
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


@pytest.mark.xfail(reason="known gap (issues 10 and 20, ended blocked): the line model, "
                   "trained on synthetic lines only, misreads 6 of these 20 photographed "
                   "sheets where 2 are allowed (mostly digits it is unsure of, '?')",
                   strict=True)
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
        assert digit.digit == int(np.argmax(digit.probabilities))
        assert [step.name for step in digit.steps] == ["line", "28x28"]
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
    pytest.param(scratch(1), id="scratch"),
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


def test_zeros_sharing_a_stroke_are_split(recognizer, clean_digits):
    """Two 0s whose strokes overlap (written into each other) are still two digits."""
    rng = np.random.default_rng(600)
    read = [recognizer.read(paste_number(pick(clean_digits, "600", rng), heights=[110] * 3,
                                         gaps=[40, -6])).text for _ in range(10)]
    assert sum(text == "600" for text in read) >= 7, read


def cheque(parts: list[np.ndarray | str], height: int = 40, gaps: list[int] | None = None,
           seed: int = 0) -> np.ndarray:
    """A cheque amount as a bank scans it: grey paper with a wavy security pattern, dark
    pen. ``parts`` are MNIST digits or marks: "." "," "-" "=" or "1e" (a European 1: the
    digit given next gets a flag)."""
    rng = np.random.default_rng(seed)
    pen = max(2, height // 12)
    glyphs: list[np.ndarray] = []
    flag = False
    for part in parts:
        if isinstance(part, str) and part == "1e":
            flag = True
            continue
        if isinstance(part, str):
            glyph = np.zeros((height, height // 2), np.float32)
            if part in ".,":
                cv2.circle(glyph, (height // 4, height - 2 * pen), pen, 1.0, -1, cv2.LINE_AA)
                if part == ",":
                    cv2.line(glyph, (height // 4, height - 2 * pen), (height // 8, height - 1),
                             1.0, pen, cv2.LINE_AA)
            else:
                for y in ((0.55,) if part == "-" else (0.45, 0.7)):
                    cv2.line(glyph, (2, int(y * height)), (height // 2 - 2, int(y * height)),
                             1.0, pen, cv2.LINE_AA)
            glyphs.append(glyph)
            continue
        ys, xs = np.nonzero(part > 40)
        crop = part[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1].astype(np.float32) / 255
        w = max(1, round(crop.shape[1] * height / crop.shape[0]))
        glyph = cv2.resize(crop, (w, height), interpolation=cv2.INTER_CUBIC).clip(0, 1)
        if flag:  # the flag of a European 1: a stroke up to the top of the stem
            wide = np.zeros((height, w + height // 2), np.float32)
            wide[:, height // 2:] = glyph
            top = int(np.nonzero(glyph[:3].max(axis=0) > 0.4)[0].mean()) + height // 2
            cv2.line(wide, (top - int(0.35 * height), int(0.35 * height)), (top, 1), 1.0, pen,
                     cv2.LINE_AA)
            glyph, flag = wide, False
        glyphs.append(glyph)
    gaps = gaps or [height // 6] * (len(glyphs) - 1)
    width = sum(g.shape[1] for g in glyphs) + sum(gaps) + height
    page = np.full((int(1.6 * height), width), 190.0, np.float32)
    for k in range(-6, 14):  # the security pattern: faint wavy lines
        xs = np.arange(0, width, 2)
        ys = k * height / 5 + 0.3 * height * np.sin(xs / (0.9 * height) + k)
        cv2.polylines(page, [np.stack([xs, ys], 1).astype(np.int32)], False, 165.0, 1,
                      cv2.LINE_AA)
    x = height // 2
    for glyph, gap in zip(glyphs, [*gaps, 0], strict=True):
        h, w = glyph.shape
        region = page[int(0.3 * height): int(0.3 * height) + h, x: x + w]
        np.minimum(region, 190 - glyph[:, : region.shape[1]] * 150, out=region)
        x += w + gap
    noisy = page + rng.normal(0, 4, page.shape)
    ok, data = cv2.imencode(".jpg", noisy.clip(0, 255).astype(np.uint8),
                            [cv2.IMWRITE_JPEG_QUALITY, 75])
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def digits_of(clean_digits, text: str, seed: int) -> list[np.ndarray]:
    return pick(clean_digits, text, np.random.default_rng(seed))


def test_cheque_amounts_read_exactly(recognizer, clean_digits):
    """Real-style cheque amounts: touching zeros, separators and trailing marks that are no
    digits, a European 1 with its flag."""
    two, five, zero, zero2, zero3 = digits_of(clean_digits, "25000", 1)
    one, four, seven, six = digits_of(clean_digits, "1476", 2)
    three, eight = digits_of(clean_digits, "38", 3)
    cases = {
        "25000": cheque([two, five, ".", zero, zero2, zero3, "-"],
                        gaps=[6, 4, 4, -4, -5, 8]),                       # zeros run together
        "1476": cheque(["1e", one, ".", four, seven, six, "."]),          # European 1
        "380": cheque([three, eight, zero, "="], seed=4),
        "4700": cheque([four, seven, zero, zero2, ",", "-"], gaps=[7, 7, -3, 3, 3], seed=5),
    }
    read = {want: recognizer.read(image).text for want, image in cases.items()}
    assert read == {want: want for want in cases}


def test_cheque_amount_boxes_follow_the_digits(recognizer, clean_digits):
    image = cheque(digits_of(clean_digits, "907", 6), height=48, gaps=[20, 20])
    reading = recognizer.read(image)
    assert reading.text == "907"
    lefts = [d.box[0] for d in reading.digits]
    assert lefts == sorted(lefts)
    for d in reading.digits:  # each box sits on the writing, not on the whole line
        assert d.box[2] < 0.5 * image.shape[1] and d.box[3] >= 0.5 * 48


@pytest.mark.parametrize("word", ["AHEM", "xyz", "Kmw"])
def test_a_line_of_letters_is_unsure(recognizer, word):
    image = np.full((70, 260), 230, np.uint8)
    cv2.putText(image, word, (10, 55), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.8, 30, 3, cv2.LINE_AA)
    reading = recognizer.read(image)
    assert reading.status != "ok", f"{word!r} read as the number {reading.text!r}"


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_scribble_is_unsure(recognizer, seed):
    image = 255 - scratch(seed, 160)
    reading = recognizer.read(np.hstack([image, image[:, ::-1]]))
    assert reading.status != "ok", f"a scribble read as the number {reading.text!r}"


def test_without_a_line_model_reads_the_single_digit(recognizer, clean_digits):
    from mnist_desktop.reading.recognizer import Recognizer

    alone = Recognizer(recognizer.model, recognizer.info)
    alone.use_line_model(None)
    photo, _ = render_photo(clean_digits[4][0], np.random.default_rng(9), difficulty="easy")
    assert alone.read(photo).text == "4"
