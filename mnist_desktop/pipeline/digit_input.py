"""The one pipeline every input goes through: image -> 28x28 model input.

grey -> threshold (lighting-free, hysteresis, polarity by majority) -> lines and specks
removed -> the digit's pieces picked and cropped -> strokes brought to MNIST width ->
fitted into 20x20 with anti-aliasing -> centre of mass at the centre of 28x28.

Clean pictures (scans, drawings, crops on even paper) take a fast path for the first half
(``clean.clean_ink``: Otsu and components); a clean picture whose ink reaches its edges is
a crop, and all of its ink is the digit. Both paths end in the same ``normalize_digit``.

``preprocess`` is pure: it never changes its input, never raises on odd input (the reason
lands in ``Preprocessed.message``) and returns every named step for display.
"""

from __future__ import annotations

import numpy as np

from mnist_desktop.pipeline.clean import clean_ink
from mnist_desktop.pipeline.components import touches_edge
from mnist_desktop.pipeline.grey import NotAnImageError, to_grey
from mnist_desktop.pipeline.ink import ANALYSIS_MAX_SIDE, InkMap, analysis_image, find_ink
from mnist_desktop.pipeline.normalize import normalize_digit
from mnist_desktop.results import PipelineStep, Preprocessed

STEP_NAMES = ("grey", "contrast", "threshold", "crop", "28x28")
MIN_INPUT_SIDE = 4
FRAME_PENALTY = 0.3
"""How much less a component that touches the picture's frame counts as the digit."""


def _display(image: np.ndarray) -> np.ndarray:
    """A read-only uint8 copy for the GUI's strip of steps."""
    if image.dtype != np.uint8:
        image = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out = np.array(image, copy=True)
    out.setflags(write=False)
    return out


def _box_of(stats: np.ndarray, labels: list[int]) -> tuple[int, int, int, int]:
    x0 = min(int(stats[i, 0]) for i in labels)
    y0 = min(int(stats[i, 1]) for i in labels)
    x1 = max(int(stats[i, 0] + stats[i, 2]) for i in labels)
    y1 = max(int(stats[i, 1] + stats[i, 3]) for i in labels)
    return x0, y0, x1 - x0, y1 - y0


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[float, float]:
    """Horizontal and vertical empty space between two boxes (0 where they overlap)."""
    gx = max(0, max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2]))
    gy = max(0, max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3]))
    return float(gx), float(gy)


def _main_component(ink: InkMap) -> int:
    """The most digit-like component: big, dark (ink beats shadow), near the middle and
    clear of the frame (desk corners and shadow edges reach it; writing seldom does)."""
    h, w = ink.shape
    best, best_score = ink.candidates[0], -1.0
    for label in ink.candidates:
        x, y, bw, bh, area = (float(v) for v in ink.stats[label])
        dx = (x + bw / 2 - w / 2) / w
        dy = (y + bh / 2 - h / 2) / h
        ix, iy, iw, ih = (int(v) for v in ink.stats[label][:4])
        inside = ink.labels[iy : iy + ih, ix : ix + iw] == label
        mean_contrast = float(ink.contrast[iy : iy + ih, ix : ix + iw][inside].mean())
        score = area * mean_contrast**2 * (1.0 - 0.8 * min(1.0, np.hypot(dx, dy)))
        if touches_edge(ink.stats[label], ink.shape):
            score *= FRAME_PENALTY
        if score > best_score:
            best, best_score = label, score
    return best


def select_digit(ink: InkMap) -> list[int]:
    """Pick the component labels making up the single digit of the picture.

    Starts from the main component and adds pieces close enough to belong to the same
    digit: the detached bar of a 5, a 4 drawn in two strokes, a broken pencil line.
    """
    main = _main_component(ink)
    group = [main]
    changed = True
    while changed:
        changed = False
        box = _box_of(ink.stats, group)
        size = max(box[2], box[3])
        for label in ink.candidates:
            if label in group:
                continue
            piece = tuple(int(v) for v in ink.stats[label][:4])
            gx, gy = _gap(box, piece)  # type: ignore[arg-type]
            overlap_x = gx == 0 and min(box[0] + box[2], piece[0] + piece[2]) - max(
                box[0], piece[0]) >= 0.3 * min(box[2], piece[2])
            if (overlap_x and gy <= 0.3 * size) or (gx <= 0.08 * size and gy <= 0.08 * size):
                group.append(label)
                changed = True
    return group


def beside(ink: InkMap, labels: list[int]) -> int:
    """How many digit-like pieces stand beside the digit made of ``labels`` on its line
    (about as tall, a fair share of its ink, overlapping its rows, clear of the frame),
    or, in a crop whose ink is all the digit, how many pieces stand side by side after
    the first: more than zero means the picture holds a number."""
    if not labels:
        return 0
    x, y, w, h = _box_of(ink.stats, labels)
    area = sum(int(ink.stats[i, 4]) for i in labels)
    if set(labels) == set(ink.candidates):
        tall = [i for i in labels if ink.stats[i, 3] >= 0.6 * h]
        spans = sorted((int(ink.stats[i, 0]), int(ink.stats[i, 0] + ink.stats[i, 2]))
                       for i in tall)
        count, reach = 0, spans[0][1] if spans else 0
        for lo, hi in spans[1:]:
            if lo >= reach - 0.1 * (hi - lo):
                count += 1
            reach = max(reach, hi)
        return count
    full_h, full_w = ink.shape
    count = 0
    for i in ink.candidates:
        if i in labels:
            continue
        px, py, pw, ph, parea = (int(v) for v in ink.stats[i])
        rows = min(y + h, py + ph) - max(y, py)
        gap = max(px - (x + w), x - (px + pw))
        if (0.6 * h <= ph <= 1.6 * h and parea >= 0.25 * area and rows >= 0.5 * min(h, ph)
                and gap <= 3 * h and px > 0 and py > 0 and px + pw < full_w and py + ph < full_h):
            count += 1
    return count


def preprocess_ink(ink: InkMap, labels: list[int]) -> tuple[Preprocessed, np.ndarray | None]:
    """Normalise the digit made of ``labels``; returns the result and the adjusted crop."""
    box = _box_of(ink.stats, labels)
    x, y, w, h = box
    mask = ink.component_mask(labels, box)
    normalized = normalize_digit(mask)
    if normalized is None:
        return Preprocessed(None, None, (), "no ink in the selected area"), None
    crop, field = normalized
    model_input = field.astype(np.float32)
    model_input.setflags(write=False)
    return Preprocessed(model_input, ink.to_input_box(box), (), ""), crop


def digit_ink(grey: np.ndarray, max_side: int = ANALYSIS_MAX_SIDE) -> tuple[InkMap, list[int]]:
    """The ink of a grey picture and the component labels of its digit (empty: none).

    Clean pictures take the fast path; a clean crop (ink reaching the edges) gives all its
    ink. Everything else goes the photo path, where the frame is suspect.
    """
    # A picture bigger than the analysis size is shrunk once, for both paths (the clean
    # test always looks at ANALYSIS_MAX_SIDE).
    shrunk = analysis_image(grey, max_side) if max(grey.shape) > max_side else None
    ink = clean_ink(grey, shrunk if max_side == ANALYSIS_MAX_SIDE else None)
    if ink is not None:  # a crop's ink is all the digit
        return ink, list(ink.candidates) if ink.route == "crop" else select_digit(ink)
    ink = find_ink(grey, max_side, shrunk=shrunk)
    return ink, select_digit(ink) if ink.candidates else []


LONE_DIGIT_SIDE = 128
"""A picture no bigger than this (a digit data set's or a form field's crop) whose ink is
one digit is read as one digit without the number reader (the batch's fast path)."""
LONE_MAX_ASPECT = 1.25
"""...and whose ink is at most this many times as wide as it is tall (wider ink is two
digits touching, for the number reader to tell)."""


def _lone(ink: InkMap, labels: list[int]) -> bool:
    """Whether the digit's ink is all the ink, no wider than ``LONE_MAX_ASPECT`` x its
    height, and stands as one piece across (no two pieces side by side: that would be a
    number)."""
    if not labels or set(labels) != set(ink.candidates):
        return False
    left = min(int(ink.stats[i, 0]) for i in labels)
    right = max(int(ink.stats[i, 0] + ink.stats[i, 2]) for i in labels)
    top = min(int(ink.stats[i, 1]) for i in labels)
    bottom = max(int(ink.stats[i, 1] + ink.stats[i, 3]) for i in labels)
    if right - left > LONE_MAX_ASPECT * (bottom - top):
        return False
    spans = sorted((int(ink.stats[i, 0]), int(ink.stats[i, 0] + ink.stats[i, 2]))
                   for i in labels)
    reach = spans[0][1]
    for lo, hi in spans[1:]:
        if lo >= reach - 0.3 * (hi - lo):  # beside, not under or over: a second digit
            return False
        reach = max(reach, hi)
    return True


def lone_digit(image: np.ndarray, *, steps: bool = True) -> Preprocessed | None:
    """``preprocess(image)`` when ``image`` is a small crop (at most ``LONE_DIGIT_SIDE``
    pixels each way) holding one digit and nothing else; None for anything else (a number,
    a photo, no ink): those need the number reader to tell."""
    try:
        grey = to_grey(image)
    except NotAnImageError:
        return None
    if max(grey.shape) > LONE_DIGIT_SIDE or min(grey.shape) < MIN_INPUT_SIDE:
        return None
    ink, labels = digit_ink(grey)
    if not _lone(ink, labels):
        return None
    return _from_ink(ink, labels, steps)  # the ink found above, not found again


def preprocess(image: np.ndarray, *, max_side: int = ANALYSIS_MAX_SIDE,
               steps: bool = True) -> Preprocessed:
    """Turn any image into the 28x28 model input; never raises, never mutates ``image``.

    ``steps=False`` skips the display copies of the intermediate images (batch work).
    """
    try:
        grey = to_grey(image)
    except NotAnImageError as error:
        return Preprocessed(None, None, (), f"not an image: {error}")
    if min(grey.shape) < MIN_INPUT_SIDE:
        shown = (PipelineStep("grey", _display(grey)),) if steps else ()
        return Preprocessed(None, None, shown,
                            f"image too small ({grey.shape[1]}x{grey.shape[0]} pixels)")
    return _from_ink(*digit_ink(grey, max_side), steps)


def _from_ink(ink: InkMap, labels: list[int], steps: bool) -> Preprocessed:
    """``preprocess``'s result from the ink it found and its digit's components."""
    shown = [
        PipelineStep("grey", _display(ink.grey)),
        PipelineStep("contrast", _display(ink.contrast)),
        PipelineStep("threshold", _display(ink.mask)),
    ] if steps else []
    if not labels:
        return Preprocessed(None, None, tuple(shown), ink.message or "no digit found")
    result, crop = preprocess_ink(ink, labels)
    if crop is None or result.model_input is None:
        return Preprocessed(None, None, tuple(shown), result.message)
    if steps:
        shown.append(PipelineStep("crop", _display(crop)))
        shown.append(PipelineStep("28x28", _display(result.model_input)))
    return Preprocessed(result.model_input, result.box, tuple(shown), "",
                        beside(ink, labels))


def model_input(image: np.ndarray) -> np.ndarray | None:
    """The one input contract: image -> 28x28 float32 in [0, 1], or None for no digit."""
    return preprocess(image, steps=False).model_input
