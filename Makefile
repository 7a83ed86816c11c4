# The two commands of the README: `make run` and `make test`.
# Both create .venv when it is missing, and bring it up to date when pyproject.toml or a
# lock file changed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
DEV := $(VENV)/.dev-stamp
# torch only for the tests (and other models than the packaged one): PyTorch's CPU
# wheels, so that no machine downloads the multi-GB CUDA build PyPI serves.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test venv dev-venv index calibrate lint bench lock clean

venv: $(RUNTIME)
dev-venv: $(DEV)

## What `make run` needs: the runtime lock (no torch, no sentence-transformers), then
## the project itself without dependencies.
$(RUNTIME): pyproject.toml requirements-runtime.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-runtime.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

## What `make test` needs besides: the `build` and `dev` extras, torch first from
## PyTorch's CPU index (pip's configured sources are still asked too).
$(DEV): $(RUNTIME) requirements.lock
	$(BIN)/python -m pip install --quiet --extra-index-url $(TORCH_INDEX) torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

## Build the index if the knowledge or the model changed, then start the bot
## (Slack/Teams when credentials are set, else a terminal chat).
run: $(RUNTIME)
	$(BIN)/rolle build
	$(BIN)/rolle run

## The whole test suite.
test: $(DEV)
	$(BIN)/python -m pytest

index: $(RUNTIME)
	$(BIN)/rolle build

## Fit the answer decision on every labelled question (and report its cross-validation).
calibrate: $(RUNTIME)
	$(BIN)/rolle build --quiet
	$(BIN)/rolle calibrate

lint: $(DEV)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/mypy

bench: $(DEV)
	$(BIN)/python scripts/bench.py

## Rewrite both lock files from pyproject.toml, each in a fresh throwaway venv:
## requirements.lock (runtime + build + dev) and requirements-runtime.lock (runtime only).
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --extra-index-url $(TORCH_INDEX) torch==2.13.0
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
