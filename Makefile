# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Local MNIST copy used by train.py and the tests that need the full data set.
MNIST_DIR ?= $(wildcard ../shared/data/mnist)
export MNIST_DIR

.PHONY: run test lint bench train train-lines clean screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) -m mnist_desktop.gui.qt_check && $(PY) -m mnist_desktop

test: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

train: $(STAMP)
	$(PY) train.py --output resources/model.keras

# The line model of the number reader (retrain after changing line_input.py).
train-lines: $(STAMP)
	$(PY) train.py --task lines --output resources/lines.keras

screenshots: $(STAMP)
	$(PY) docs/take_screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
