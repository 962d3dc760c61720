"""Hypothesis profiles: ``ci`` (what ``make test`` runs) and ``dev`` (a fuller local run).

``ci`` is derandomised: the examples come from each test's own source, so a failure on one
machine fails the same way on every other, and ``make test`` is reproducible. ``dev`` draws
fresh random examples, more of them, and keeps failures in the local example database to
replay them. Choose with ``HYPOTHESIS_PROFILE=ci|dev`` (default ``ci``, so that plain
``pytest`` runs what ``make test`` runs); tests that fix their
own number of examples (statistical ones, whose false-alarm rate depends on it) keep it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=50, derandomize=True, database=None,
                          deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Test tiers (``make test-fast`` leaves these out; ``make test`` runs everything):
# ``subprocess`` tests start the command line as a process (signals, kills, fresh installs);
# ``fit`` tests rerun a calibration; ``slow`` marks long statistical or end-to-end checks.
SUBPROCESS_MODULES = ("test_interrupts.py", "test_readme_tour.py", "test_batch_store.py",
                      "test_hostile.py", "test_notebook.py")
FIT_TESTS = ("test_rerunning_the_fit_reproduces_tempo_json",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier."""
    for item in items:
        if item.path.name in SUBPROCESS_MODULES:
            item.add_marker(pytest.mark.subprocess)
        if item.name in FIT_TESTS:
            item.add_marker(pytest.mark.fit)
