"""The shipped models were trained on what today's pipeline feeds them, checked by what
it feeds them (a fixed set of probe pictures), not by the text of the code."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_desktop.pipeline import digit_input
from mnist_desktop.pipeline import ink as ink_module
from mnist_desktop.pipeline.digit_input import preprocess
from mnist_desktop.pipeline.fingerprint import (
    digit_input_fingerprint,
    digit_probe_routes,
    digit_probes,
    line_input_fingerprint,
    line_probes,
)
from mnist_desktop.pipeline.ink import ROUTES
from mnist_desktop.reading.line_model import bundled_line_model_path
from mnist_desktop.reading.resources import bundled_model_path


def _stored(model_path) -> dict:
    return json.loads(model_path.with_suffix(".json").read_text("utf-8")).get("input_fingerprint")


def test_shipped_digit_model_was_trained_on_what_the_pipeline_gives_today():
    changed = digit_input_fingerprint().changed(_stored(bundled_model_path()))
    assert not changed, (
        f"the pipeline now feeds the digit model something else for: {', '.join(changed)}; "
        "run `make train` and commit resources/model.* (the JSON holds the fingerprint)")


def test_shipped_line_model_was_trained_on_what_line_input_gives_today():
    changed = line_input_fingerprint().changed(_stored(bundled_line_model_path()))
    assert not changed, (
        f"line_input now feeds the line model something else for: {', '.join(changed)}; "
        "run `make train-lines` and commit resources/lines.*")


def test_every_digit_probe_but_the_blank_page_gives_a_distinct_model_input():
    inputs = {name: preprocess(picture, steps=False).model_input
              for name, picture in digit_probes().items()}
    assert inputs.pop("blank page") is None
    assert all(x is not None for x in inputs.values()), [k for k, v in inputs.items() if v is None]
    pictures = digit_input_fingerprint().pictures
    assert len(set(pictures.values())) == len(pictures)
    assert len(line_input_fingerprint().pictures) == len(line_probes())


def test_probes_are_the_same_every_time():
    first, second = digit_probes(), digit_probes()
    assert all(np.array_equal(first[name], second[name]) for name in first)
    assert digit_input_fingerprint() == digit_input_fingerprint()


def test_a_change_to_the_normalisation_is_caught_on_every_digit(monkeypatch):
    before = digit_input_fingerprint()
    original = digit_input.normalize_digit

    def shifted(mask):
        result = original(mask)
        if result is None:
            return None
        crop, field = result
        return crop, np.roll(field, 1, axis=1)

    monkeypatch.setattr(digit_input, "normalize_digit", shifted)
    changed = digit_input_fingerprint().changed(before.to_json())
    assert set(changed) == set(digit_probes()) - {"blank page"}


def test_a_change_to_one_path_names_only_the_pictures_it_touches(monkeypatch):
    """Without the fast path for clean pictures, scans and drawings change; a photo on
    uneven paper, which never took the fast path, does not."""
    before = digit_input_fingerprint()
    monkeypatch.setattr(digit_input, "clean_ink", lambda grey, shrunk=None: None)
    changed = digit_input_fingerprint().changed(before.to_json())
    assert "drawn on the canvas" in changed or "scanned" in changed
    assert "photographed" not in changed
    assert "blank page" not in changed


def test_a_stored_fingerprint_from_another_probe_set_is_told():
    now = digit_input_fingerprint()
    assert now.unstored({"overall": "x", "pictures": {}}) == sorted(now.pictures)
    assert now.unstored(None) == sorted(now.pictures)
    assert now.changed({"pictures": {"a probe since removed": "0"}}) == ["a probe since removed"]
    assert now.changed(now.to_json()) == [] and now.unstored(now.to_json()) == []


@pytest.mark.xfail(strict=True, reason="known gap: the shipped digit model (trained 2026-12-05) "
                   "predates the 'form field on a line' probe, the first to take the flat "
                   "route; its hash is stored by the next `make train`")
def test_shipped_digit_model_fingerprint_holds_every_probe():
    assert digit_input_fingerprint().unstored(_stored(bundled_model_path())) == []


def test_every_route_of_the_pipeline_is_taken_by_a_probe():
    assert set(digit_probe_routes().values()) == set(ROUTES)


@pytest.mark.parametrize("route, function", [("flat", "flat_contrast"), ("photo", "ink_contrast")])
def test_a_change_to_one_route_names_exactly_the_probes_that_take_it(monkeypatch, route, function):
    """The fingerprint sees every route: fainter ink on one route changes the inputs of
    the probes found by that route and of no other."""
    before = digit_input_fingerprint()
    original = getattr(ink_module, function)
    monkeypatch.setattr(ink_module, function, lambda *a, **k: original(*a, **k) * 0.7)
    changed = set(digit_input_fingerprint().changed(before.to_json()))
    routes = digit_probe_routes()
    assert changed == {name for name, r in routes.items() if r == route} - {"blank page"}


@pytest.mark.parametrize("name", sorted(line_probes()))
def test_line_probes_give_a_32_row_input(name):
    from mnist_desktop.pipeline.grey import to_grey
    from mnist_desktop.pipeline.line_input import LINE_HEIGHT, line_input

    assert line_input(to_grey(line_probes()[name])).image.shape[0] == LINE_HEIGHT
