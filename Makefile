# Lectern: `make run` serves the demo, `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LECTERN_DATA_DIR ?= $(CURDIR)/var
# `make run PORT=8001` serves on another port; HOST=0.0.0.0 listens beyond this machine.
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: messages run test test-quick lint types browser-test axe install lock lock-check clean

# Every dependency, transitive ones included, at the version and hashes in requirements.lock;
# then Lectern itself, editable, with nothing else fetched.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The translations (src/lectern/locale/*/LC_MESSAGES/django.po) compiled to the .mo files
# Django reads, which are committed so that installing needs no gettext. Run after editing a
# .po (needs GNU gettext's msgfmt, Debian: gettext); a test fails while a .mo is stale.
messages:
	cd src/lectern && $(BIN)/python -m lectern.cli compilemessages --verbosity 0

# After changing a dependency in pyproject.toml: `make lock`, then commit requirements.lock.
LOCK := $(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev --universal \
	--python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock: $(STAMP)
	$(LOCK) -o requirements.lock

lock-check: $(STAMP)
	@$(LOCK) -o $(VENV)/requirements.check
	@diff -u requirements.lock $(VENV)/requirements.check \
		|| { echo "requirements.lock is out of date with pyproject.toml: run make lock"; exit 1; }

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lectern migrate --noinput
	$(BIN)/lectern demo --if-empty
	$(BIN)/lectern serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

# The inner loop: everything but the browser and the slow process and fuzz tests.
test-quick: $(STAMP)
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -n 2 -m "not browser and not slow" $(PYTEST_ARGS)

# axe-core, which the browser tests run in every page: the version pinned in
# tests/browser/axe.py, fetched with npm into var/cache/ and checked against its hash.
axe: $(STAMP)
	$(BIN)/python -m tests.browser.axe

browser-test: $(STAMP) axe
	LECTERN_DATA_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: $(STAMP) lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var/test
