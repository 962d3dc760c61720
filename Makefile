# wargame — `make help` lists the targets.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
STAMP_RUN := $(VENV)/.installed

# One small batch of the built-in scenario compiles the engine's Numba kernels into their
# on-disk cache, so the first real run does not pay for it.
export WARM_UP := import numpy as np; from wargame.engine import compile_scenario, simulate; \
  from wargame.scenario import load; \
  simulate(compile_scenario(load('scenarios/aleppo_2015.yaml').scenario), np.random.default_rng(1), 20)

.DEFAULT_GOAL := help
.PHONY: help install install-dev demo test lint typecheck unit bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@echo "Compiling the engine's kernels (once per install, about 10 s)"
	@$(BIN)/python -c "$$WARM_UP"
	@touch $@

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@echo "Compiling the engine's kernels (once per install, about 10 s)"
	@$(BIN)/python -c "$$WARM_UP"
	@touch $@ $(STAMP_RUN)

install: $(STAMP_RUN) ## Create .venv and install wargame
install-dev: $(STAMP) ## Create .venv and install wargame with the dev extras

demo: $(STAMP_RUN) ## Install, then run a 2,000-game batch of the built-in Aleppo scenario
	$(BIN)/wargame validate scenarios/aleppo_2015.yaml scenarios/variants/*.yaml
	$(BIN)/wargame batch scenarios/aleppo_2015.yaml --runs 2000 --seed 2015

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check wargame tests benchmarks validation
	$(BIN)/mypy

unit: $(STAMP) ## pytest only
	$(BIN)/python -m pytest -q

test: lint unit ## Install with dev extras, then ruff, mypy and pytest (what CI runs)

bench: $(STAMP) ## Run the benchmarks (see docs/performance.md)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_batch.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
