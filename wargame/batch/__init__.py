"""Many games: Monte Carlo batches, sweeps, comparisons, durable stores and scale-out.

The stage after the engine. A batch is cut into chunks with their own random streams
(:mod:`~wargame.batch.seeds`); each chunk is played by the engine and reduced to fixed-size
sufficient statistics (:mod:`~wargame.batch.tally`) on whatever executor runs it
(:mod:`~wargame.batch.executors`: this process, a process pool, or Dask); the statistics are
added in chunk order (:mod:`~wargame.batch.run`), optionally kept chunk by chunk in a SQLite
store (:mod:`~wargame.batch.store`), and summarised with interval estimates
(:mod:`~wargame.batch.stats`, :mod:`~wargame.batch.summary`). :mod:`~wargame.batch.sweep` and
:mod:`~wargame.batch.sensitivity` build parameter designs and say what moves each outcome;
:mod:`~wargame.batch.jobs` ties it together for the commands and
:mod:`~wargame.batch.render` lays results out as tables, CSV, JSON and Parquet.
"""
