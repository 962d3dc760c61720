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
# ``signals`` tests time a signal against a running command (Ctrl-C at 0.2 s, a kill mid-way):
# ``make test`` runs them alone, after the rest have run on every core, so that the load of
# other tests cannot move the moment a signal lands.
SIGNAL_MODULES = ("test_interrupts.py", "test_batch_store.py")
# ``slow``, besides the tests marked in their modules: drawing every picture and running every
# documented command, and the single tests that take over 2 s (measured with --durations).
SLOW_MODULES = ("test_picture_text.py", "test_report_pictures.py", "test_docs_commands.py",
                "test_batch_docs.py")
SLOW_TESTS = ("test_the_report_draws_the_map_wargame_map_draws",
              "test_round_trip_and_json_schema", "test_batch_equals_the_cli_to_the_last_digit",
              "test_the_map_key_lists_the_hardest_hit_places_without_overlaps",
              "test_a_batch_reports_them_and_the_records_agree",
              "test_names_stay_next_to_their_markers_in_the_dense_cluster",
              "test_alias_bomb_memory_is_bounded",
              "test_workers_and_chunk_order_do_not_change_the_records",
              "test_sweep_and_compare_equal_the_cli",
              "test_the_default_compare_and_sweep_equal_one_worker",
              "test_stores_records_and_outputs_on_a_full_disk",
              "test_a_pool_stopped_while_its_workers_write_leaves_no_thread_behind")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier."""
    for item in items:
        if item.path.name in SUBPROCESS_MODULES:
            item.add_marker(pytest.mark.subprocess)
        if item.path.name in SIGNAL_MODULES:
            item.add_marker(pytest.mark.signals)
        if item.path.name in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        if item.name in FIT_TESTS:
            item.add_marker(pytest.mark.fit)
