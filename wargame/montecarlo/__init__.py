"""Many games: Monte Carlo batches, sweeps, comparisons, durable stores and scale-out.

The stage after the engine. A batch is cut into chunks with their own random streams
(:mod:`~wargame.montecarlo.seeds`); each chunk is played by the engine and reduced to
fixed-size sufficient statistics (:mod:`~wargame.montecarlo.tally`) on whatever executor runs
it (:mod:`~wargame.montecarlo.executors`: this process, a process pool, or Dask); the
statistics are added in chunk order (:mod:`~wargame.montecarlo.run`), optionally kept chunk by
chunk in a SQLite store (:mod:`~wargame.montecarlo.store`), and summarised with interval
estimates (:mod:`~wargame.montecarlo.stats`, :mod:`~wargame.montecarlo.summary`).
:mod:`~wargame.montecarlo.sweep` and :mod:`~wargame.montecarlo.sensitivity` build parameter
designs and say what moves each outcome; :mod:`~wargame.montecarlo.jobs` ties it together for
the commands. The results lay themselves out as JSON and tidy tables (Parquet); the Rich tables
and CSV rows of them are drawn by :mod:`wargame.report.tables`.
"""
