# wargame — `make help` lists the targets.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
STAMP_RUN := $(VENV)/.installed
STAMP_ALL := $(VENV)/.installed-all
# Installs come from the lock files in requirements/ (exact versions and hashes of every
# package), so a fresh install gives the same environment every day. `make lock` refreshes
# them from the bounds in pyproject.toml; `make test-latest` tries the newest versions.
# runtime.txt: wargame with the extras the README's tour uses (data: pandas, xarray, pyarrow;
# discover: scikit-learn); all.txt adds dask and sensitivity (Dask, SALib); dev.txt the tools.
LOCK_RUN := requirements/runtime.txt
LOCK_ALL := requirements/all.txt
LOCK_DEV := requirements/dev.txt
RUN_EXTRAS := --extra data --extra discover
ALL_EXTRAS := $(RUN_EXTRAS) --extra dask --extra sensitivity
PIP_VERSION := 26.3
UV_VERSION  := 0.13.9
LATEST := .venv-latest

# One small batch of the built-in scenario compiles the engine's Numba kernels into their
# on-disk cache, so the first real run does not pay for it.
export WARM_UP := import numpy as np; from wargame.engine import compile_scenario, simulate; \
  from wargame.scenario import load; \
  simulate(compile_scenario(load('scenarios/aleppo_2015.yaml').scenario), np.random.default_rng(1), 20)

.DEFAULT_GOAL := help
.PHONY: help install install-all install-dev demo test test-fast test-latest lint typecheck unit bench lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)

$(STAMP_RUN): $(BIN)/python pyproject.toml $(LOCK_RUN)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_RUN)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@echo "Compiling the engine's kernels (once per install, about 10 s)"
	@$(BIN)/python -c "$$WARM_UP"
	@touch $@

$(STAMP_ALL): $(BIN)/python pyproject.toml $(LOCK_ALL)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_ALL)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@echo "Compiling the engine's kernels (once per install, about 10 s)"
	@$(BIN)/python -c "$$WARM_UP"
	@touch $@ $(STAMP_RUN)

$(STAMP): $(BIN)/python pyproject.toml $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@echo "Compiling the engine's kernels (once per install, about 10 s)"
	@$(BIN)/python -c "$$WARM_UP"
	@touch $@ $(STAMP_RUN) $(STAMP_ALL)

install: $(STAMP_RUN) ## Create .venv and install wargame from the lock (with pandas, xarray, pyarrow, scikit-learn)
install-all: $(STAMP_ALL) ## As install, plus Dask (--scheduler) and SALib (lhs and sobol sweeps)
install-dev: $(STAMP) ## Create .venv and install wargame with the dev tools from the lock

demo: $(STAMP_RUN) ## Install, then run a 2,000-game batch of the built-in Aleppo scenario
	$(BIN)/wargame validate scenarios/aleppo_2015.yaml scenarios/variants/*.yaml
	$(BIN)/wargame batch scenarios/aleppo_2015.yaml --runs 2000 --seed 2015

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check wargame calibration tests benchmarks validation
	$(BIN)/mypy

# The tests run on every core (pytest-xdist), except those that time a signal against a
# running command (the ``signals`` mark, tests/conftest.py), which run alone after them.
TEST_WORKERS ?= auto

unit: $(STAMP) ## pytest only (Hypothesis profile ci: derandomised, see tests/conftest.py)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not signals"
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q -m signals

test: lint unit ## Install with dev tools from the lock, then ruff, mypy and pytest (what CI runs)

test-fast: $(STAMP) ## The edit-test loop: pytest without the slow, subprocess and fit tiers
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q -x -n $(TEST_WORKERS) -m "not slow and not subprocess and not fit"

test-latest: ## Run the suite against the newest versions pyproject.toml allows (in .venv-latest)
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	$(LATEST)/bin/python -m pip freeze --exclude-editable > $(LATEST)/versions.txt
	@echo "Testing against:"; cat $(LATEST)/versions.txt | tr '\n' ' '; echo
	$(LATEST)/bin/ruff check wargame calibration tests benchmarks validation
	$(LATEST)/bin/mypy
	HYPOTHESIS_PROFILE=ci $(LATEST)/bin/python -m pytest -q -p no:cacheprovider

lock: $(BIN)/python ## Refresh requirements/*.txt from the bounds in pyproject.toml
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --quiet --generate-hashes --upgrade $(RUN_EXTRAS) \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o $(LOCK_RUN)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --quiet --generate-hashes --upgrade $(ALL_EXTRAS) \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o $(LOCK_ALL)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --quiet --generate-hashes --upgrade --extra dev \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o $(LOCK_DEV)

bench: $(STAMP) ## Run the benchmarks (see docs/performance.md)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_memory.py

clean: ## Remove the virtual environments and caches
	rm -rf $(VENV) $(LATEST) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
