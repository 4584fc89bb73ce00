# Lectern: `make run` serves the demo, `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LECTERN_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-quick lint types browser-test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lectern migrate --noinput
	$(BIN)/lectern demo --if-empty
	$(BIN)/lectern serve

test: $(STAMP)
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

# The inner loop: everything but the browser and the slow process and fuzz tests.
test-quick: $(STAMP)
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n 2 -m "not browser and not slow" $(PYTEST_ARGS)

browser-test: $(STAMP)
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var/test
