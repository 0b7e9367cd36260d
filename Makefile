# The two commands of the README's quick start, and the checks CI runs.
#   make run    install into .venv and run the service (SQLite + sandbox by default)
#   make test   install into .venv with the dev extra and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint lock clean chromium

run: $(VENV)/.runtime
	$(BIN)/crmbridge serve $(ARGS)

test: $(VENV)/.dev chromium
	$(BIN)/pytest $(ARGS)

chromium:
	@scripts/ensure-chromium

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Re-pin every installed package after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/crmbridge-lock && $(PYTHON) -m venv /tmp/crmbridge-lock
	/tmp/crmbridge-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# Pinned versions of every package crmbridge installs (runtime + dev extra)."; \
	  echo "# Regenerate: make lock   (pip freeze of a fresh virtual environment, without the project itself)"; \
	  /tmp/crmbridge-lock/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "crmbridge needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(VENV)/.dev: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.runtime
