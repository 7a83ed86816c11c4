# The two commands of the README: `make run` and `make test`.
# Both create .venv from pyproject.toml when it is missing or older than pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test venv index lint bench lock clean

venv: $(STAMP)

## The pinned versions of everything (`build` and `dev` extras included: `rolle build`
## needs torch), then the project itself without dependencies. torch comes first so
## that pip's configured wheel folder or index supplies the CPU build.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
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

## Rewrite both lock files from pyproject.toml, each in a fresh throwaway venv:
## requirements.lock (runtime + build + dev) and requirements-runtime.lock (runtime only).
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet torch==2.13.0
	$(LOCK_VENV)/bin/python -m pip install --quiet '.[build,dev]'
	$(LOCK_VENV)/bin/python -m pip freeze --exclude rollenbot | sed 's/+cpu$$//' > requirements.lock
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet .
	$(LOCK_VENV)/bin/python -m pip freeze --exclude rollenbot > requirements-runtime.lock
	rm -rf $(LOCK_VENV) build

## Remove the built index (every build folder and the `current` link) and .venv.
clean:
	find index -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf $(VENV)
