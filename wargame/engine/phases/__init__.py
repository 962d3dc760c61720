"""The phases of a turn, one module each: its rule (formula and source in the docstring), the
settings it reads from ``model:`` and its compiled kernel. ``wargame.engine.run`` calls them in
order: events, support (with air), supply, orders, combat (engagement), resolve, morale,
redeploy, outcomes."""
