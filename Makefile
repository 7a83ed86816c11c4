# The two commands of the README: `make run` and `make test`.
# Both create .venv from pyproject.toml when it is missing or older than pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test venv index lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Build the index if the knowledge or the model changed, then start the bot
## (Slack/Teams when credentials are set, else a terminal chat).
run: $(STAMP)
	$(BIN)/rolle build
	$(BIN)/rolle run

## The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

index: $(STAMP)
	$(BIN)/rolle build

lint: $(STAMP)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

## Remove the built index (every build folder and the `current` link) and .venv.
clean:
	find index -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf $(VENV)
