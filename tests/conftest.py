"""Hypothesis profiles: ``ci`` (what ``make test`` runs) and ``dev`` (a fuller local run).

``ci`` is derandomised: the examples come from each test's own source, so a failure on one
machine fails the same way on every other, and ``make test`` is reproducible. ``dev`` draws
fresh random examples, more of them, and keeps failures in the local example database to
replay them. Choose with ``HYPOTHESIS_PROFILE=ci|dev`` (default ``dev``); tests that fix their
own number of examples (statistical ones, whose false-alarm rate depends on it) keep it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=50, derandomize=True, database=None,
                          deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
