"""Aleppo hindcast: play scenarios/aleppo_2015_history.yaml and score it against history.

Usage (from the repository root)::

    .venv/bin/python validation/aleppo_hindcast.py            # N = 4000, seed 20151013
    .venv/bin/python validation/aleppo_hindcast.py --runs 1000 --workers 2

Plays the history variant (64 weekly turns, 13 Oct 2015 - 2 Jan 2017) through the batch layer
(the same chunks, seeds and statistics as ``wargame batch ... --per-turn``), and the base
scenario run on to 64 turns with the same seed, plus reference runs (``PROBES``: the history
variant played without the campaign layer, and with the earlier classic battles, by
``--set``; not calibrations). Scores each
against ``validation/data/aleppo_history.csv`` month by month (Brier and log score per
settlement and overall, next to a persistence and a uniform forecast), times five key events,
prints markdown tables on stdout, writes ``validation/results/aleppo_hindcast_*.csv`` and
``docs/img/hindcast_*.png``. See docs/validation.md, "Aleppo hindcast, October 2015 to
December 2016".
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
HISTORY_SCENARIO = ROOT / "scenarios" / "aleppo_2015_history.yaml"
BASE_SCENARIO = ROOT / "scenarios" / "aleppo_2015.yaml"
HISTORY_CSV = ROOT / "validation" / "data" / "aleppo_history.csv"
OUT_DIR = ROOT / "validation" / "results"
IMG_DIR = ROOT / "docs" / "img"
RUNS = 4000
SEED = 20151013
CHUNK = 1000
TURNS = 64
END = dt.date(2016, 12, 31)    # last month scored
EPS = 1e-3                     # log score floor: a probability below 0.001 counts as 0.001
NOT_SCORED = ("kilis_turkey",)  # in Turkey; nobody can attack it
MAIN = "model (history variant)"
BASE_RUN = "base scenario, 64 turns"
PERSISTENCE = "persistence (Oct 2015)"
UNIFORM = "uniform (1/5 each)"
# Reference runs of the history variant, for comparison, not calibrations: without the
# campaign layer (the engagement rules alone, with their 21-day pause and no capitulations:
# the engine before operations, quiet fronts, regeneration and capitulations), and with the
# rules before those -- classic decisive battles of all forces, two days of fighting at
# every attacked place every week, no frontage, ground, wear, collapse, culmination or deals,
# and the old siege attrition of 3% a week.
NO_CAMPAIGN = "without the campaign layer"
CLASSIC = "classic battles (earlier rules)"
PROBES = {
    NO_CAMPAIGN: ["model.campaign=false", "model.pause_days=21", "model.capitulation_rate=0"],
    CLASSIC: ["model.campaign=false", "model.engagement_model=false", "model.battle_days=2",
              "model.collapse_rate=0", "model.culmination_loss=1", "model.surrender_rate=0",
              "model.capitulation_rate=0", "model.siege_attrition=0.03"],
}
DAMPED = NO_CAMPAIGN
KEY_PLACES = ("aleppo_east", "khan_tuman", "tal_rifaat", "mare", "manbij", "jarabulus",
              "al_bab", "dabiq", "idlib")


@dataclass(frozen=True)
class Change:
    """One row of the history: from ``date`` on, ``controller`` holds ``settlement``."""

    settlement: str
    date: dt.date
    controller: str
    source: str
    note: str

    @property
    def uncertain(self) -> bool:
        """Whether the row says it is uncertain (its note starts with ``uncertain``)."""
        return self.note.lower().startswith("uncertain")


@dataclass(frozen=True)
class KeyEvent:
    """A dated event and how to read it from the games."""

    key: str
    name: str
    date: dt.date
    source: str


KEY_EVENTS = (
    KeyEvent("kuweires", "Kuweires relieved", dt.date(2015, 11, 10), "antiwar.com/SANA"),
    KeyEvent("nubl", "Nubl and al-Zahraa relieved", dt.date(2016, 2, 3), "Wikipedia; Reuters"),
    KeyEvent("corridor", "Azaz corridor cut", dt.date(2016, 2, 3), "Wikipedia; Reuters"),
    KeyEvent("manbij", "Manbij falls (Daesh loses it)", dt.date(2016, 8, 12), "ISW; Reuters"),
    KeyEvent("aleppo_east", "Aleppo East falls (to the regime)", dt.date(2016, 12, 22),
             "Reuters 22 Dec 2016"),
)


def read_history(path: Path = HISTORY_CSV) -> list[Change]:
    """The dated control changes, in file order."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [Change(r["settlement"], dt.date.fromisoformat(r["date"]), r["controller"],
                       r["source"], r["note"]) for r in csv.DictReader(fh)]


def turn_of(start: dt.date, day: dt.date, days_per_turn: int = 7) -> int:
    """The turn during which ``day`` falls (turn 1 starts on ``start``)."""
    return (day - start).days // days_per_turn + 1


def actual_control(changes: list[Change], initial: dict[str, str], start: dt.date,
                   turns: int, days_per_turn: int = 7) -> dict[str, list[str]]:
    """Controller of each settlement at the end of each turn 0..``turns``.

    A change dated ``d`` shows at the end of the turn during which ``d`` falls, as a capture
    in that turn would in the engine.
    """
    out = {s: [c] * (turns + 1) for s, c in initial.items()}
    for ch in sorted(changes, key=lambda c: c.date):
        k = turn_of(start, ch.date, days_per_turn)
        for t in range(max(k, 0), turns + 1):
            out[ch.settlement][t] = ch.controller
    return out


def month_checkpoints(start: dt.date, turns: int, end: dt.date,
                      days_per_turn: int = 7) -> list[tuple[str, int]]:
    """(``YYYY-MM``, turn) for each month up to ``end``: the last turn that ends within it."""
    out: dict[str, int] = {}
    for t in range(1, turns + 1):
        last = start + dt.timedelta(days=days_per_turn * t - 1)
        if last <= end:
            out[f"{last:%Y-%m}"] = t
    return list(out.items())


@dataclass(frozen=True)
class Scores:
    """Mean Brier and log score per settlement (over checkpoints) and overall."""

    brier: NDArray[np.float64]   # [S]
    log: NDArray[np.float64]     # [S]

    @property
    def overall(self) -> tuple[float, float]:
        """Mean over settlements (every settlement has the same number of checkpoints)."""
        return float(self.brier.mean()), float(self.log.mean())


def score(forecast: NDArray[np.float64], actual: NDArray[np.int_], eps: float = EPS) -> Scores:
    """Brier and log score of ``forecast`` [S, M, K] against ``actual`` [S, M] (category index).

    Brier: sum over the K categories of (p - outcome)^2, 0 (perfect) to 2. Log score:
    -ln p(actual), with p floored at ``eps``. Both are averaged over the M checkpoints.
    """
    f = np.asarray(forecast, dtype=float)
    onehot = np.zeros_like(f)
    np.put_along_axis(onehot, np.asarray(actual)[..., None], 1.0, axis=-1)
    brier = ((f - onehot) ** 2).sum(axis=-1)
    p = np.take_along_axis(f, np.asarray(actual)[..., None], axis=-1)[..., 0]
    logs = -np.log(np.maximum(p, eps))
    return Scores(brier.mean(axis=-1), logs.mean(axis=-1))


def uniform_forecast(shape: tuple[int, int], n_factions: int, categories: int) -> NDArray[
        np.float64]:
    """1/F on each faction (and nothing on 'nobody'): Brier 1 - 1/F, log score ln F."""
    f = np.zeros((*shape, categories))
    f[..., :n_factions] = 1.0 / n_factions
    return f


def onehot_forecast(index: NDArray[np.int_], categories: int) -> NDArray[np.float64]:
    """Probability 1 on the given category (persistence, or history itself)."""
    f = np.zeros((*index.shape, categories))
    np.put_along_axis(f, index[..., None], 1.0, axis=-1)
    return f


# --- Playing the games -------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One chunk of games."""

    chunk: int
    games: int
    seed: int
    turns: int


def play(shared: Any, task: Task) -> tuple[int, dict[str, Any], NDArray[np.int8], NDArray[
        np.int16]]:
    """Play a chunk (in a worker): batch statistics, controller by turn and outcome turns."""
    from wargame.engine import simulate
    from wargame.montecarlo.seeds import chunk_rng
    from wargame.montecarlo.tally import chunk_stats

    res = simulate(shared, chunk_rng(task.seed, task.chunk), task.games, turns=task.turns,
                   record_turns=True)
    assert res.control_by_turn is not None
    return (task.chunk, chunk_stats(res, per_turn=True), res.control_by_turn.astype(np.int8),
            res.outcome_turn.astype(np.int16))


@dataclass
class Games:
    """The games of one scenario: the batch summary and per-game arrays."""

    summary: dict[str, Any]
    control: NDArray[np.int8]        # [T+1, R, N] controller index, -1 nobody
    outcome_turn: NDArray[np.int16]  # [R, O]
    factions: list[str]
    settlements: list[str]
    outcomes: list[str]
    start: dt.date
    adjacency: NDArray[np.bool_]     # [N, N]


def run_games(path: Path, overrides: list[str], runs: int, seed: int, workers: int) -> Games:
    """Play ``runs`` games in chunks of ``CHUNK`` exactly as ``wargame batch`` does."""
    from wargame.engine import compile_scenario
    from wargame.montecarlo.executors import make_executor
    from wargame.montecarlo.jobs import labels_for
    from wargame.montecarlo.results import BatchResult
    from wargame.montecarlo.seeds import ChunkPlan
    from wargame.montecarlo.spec import BatchSpec
    from wargame.montecarlo.tally import Tally
    from wargame.scenario import load

    loaded = load(path, overrides)
    compiled = compile_scenario(loaded.scenario)
    plan = ChunkPlan(runs, CHUNK)
    tasks = [Task(i, plan.games(i), seed, TURNS) for i in range(plan.n_chunks)]
    done: dict[int, tuple[dict[str, Any], NDArray[np.int8], NDArray[np.int16]]] = {}
    executor = make_executor(workers, None)
    try:
        for i, stats, ctl, out in executor.imap(play, compiled, tasks):
            done[i] = (stats, ctl, out)
            print(f"  {path.name}: chunk {len(done)}/{plan.n_chunks}", file=sys.stderr)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    tally = Tally()
    for i in range(plan.n_chunks):  # chunk order, as the batch layer adds them
        tally.add(done[i][0])
    spec = BatchSpec("batch", str(path.relative_to(ROOT)), loaded.digest, list(overrides), seed,
                     runs, CHUNK, TURNS, per_turn=True)
    sc = loaded.scenario
    adjacency = np.zeros((len(sc.settlements),) * 2, dtype=bool)
    ids = list(sc.settlements)
    for link in sc.links:
        a, b = (ids.index(x) for x in link.between)
        adjacency[a, b] = adjacency[b, a] = True
    return Games(BatchResult.from_tally(spec, tally, labels_for(loaded, TURNS)).to_dict(),
                 np.concatenate([done[i][1] for i in range(plan.n_chunks)], axis=1),
                 np.concatenate([done[i][2] for i in range(plan.n_chunks)], axis=0),
                 list(sc.factions), ids, list(sc.outcomes), sc.scenario.start_date, adjacency)


def control_probabilities(g: Games) -> NDArray[np.float64]:
    """[T+1, N, F+1] share of games each faction (last: nobody) held each place, per turn."""
    rows = g.summary["per_turn"]["control"]
    who = [*g.factions, "none"]
    p = np.zeros((TURNS + 1, len(g.settlements), len(who)))
    for r in rows:
        p[r["turn"], g.settlements.index(r["settlement"]), who.index(r["faction"])] = \
            r["probability"]
    return p


def connected(g: Games, faction: str, src: str, dst: str) -> NDArray[np.bool_]:
    """[T+1, R]: a chain of places ``faction`` holds joins ``src`` to ``dst``."""
    held = g.control == g.factions.index(faction)
    reach = np.zeros_like(held)
    reach[..., g.settlements.index(src)] = held[..., g.settlements.index(src)]
    adj = g.adjacency.astype(np.uint8)
    while True:
        nxt = reach | (held & ((reach.astype(np.uint8) @ adj) > 0))
        if (nxt == reach).all():
            return np.asarray(reach[..., g.settlements.index(dst)], dtype=bool)
        reach = nxt


def first_turn(happened: NDArray[np.bool_]) -> NDArray[np.int_]:
    """[T+1, R] -> [R] first turn it holds (-1: never)."""
    any_ = happened.any(axis=0)
    return np.where(any_, happened.argmax(axis=0), -1)


def event_turns(g: Games) -> dict[str, NDArray[np.int_]]:
    """First turn of each key event in each game (-1: not by the end)."""
    reg, dae = g.factions.index("regime"), g.factions.index("daesh")
    sidx = g.settlements.index
    return {
        "kuweires": first_turn(connected(g, "regime", "kuweires_airbase", "aleppo_west")),
        "nubl": g.outcome_turn[:, g.outcomes.index("nubl_zahra_relieved")].astype(int),
        "corridor": g.outcome_turn[:, g.outcomes.index("azaz_corridor_cut")].astype(int),
        "manbij": first_turn(g.control[:, :, sidx("manbij")] != dae),
        "aleppo_east": first_turn(g.control[:, :, sidx("aleppo_east")] == reg),
    }


# --- Report ------------------------------------------------------------------------------


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table (first column left-aligned, the rest right-aligned)."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])


def last_day(start: dt.date, turn: int) -> dt.date:
    """Last day of ``turn`` (turn 0: the start date)."""
    return start + dt.timedelta(days=max(7 * turn - 1, 0))


def changes_per_game(g: Games, turns: int = TURNS) -> NDArray[np.int_]:
    """[R] number of times any place changed hands in each game, in the first ``turns``."""
    c = g.control[: turns + 1]
    return np.asarray((c[1:] != c[:-1]).sum(axis=(0, 2)), dtype=int)


def timing_row(ev: KeyEvent, run: str, t: NDArray[np.int_], start: dt.date) -> list[str]:
    """One row of the key-event table."""
    k_true = turn_of(start, ev.date)
    hit = t[t >= 0]
    if not hit.size:
        return [ev.name, run, "0%", "never", "–", f"{k_true} ({ev.date:%d %b %Y})", "–"]
    q = np.quantile(hit, [0.1, 0.5, 0.9], method="inverted_cdf").astype(int)
    med = f"{q[1]} ({last_day(start, int(q[1])):%d %b %Y})" if q[1] else "0 (at the start)"
    return [ev.name, run, f"{100 * hit.size / t.size:.1f}%", med, f"{q[0]}-{q[2]}",
            f"{k_true} ({ev.date:%d %b %Y})", f"{int(q[1]) - k_true:+d}"]


def real_changes(changes: list[Change], initial: dict[str, str]) -> list[Change]:
    """The rows that change the controller (not the "unchanged" confirmations), by date."""
    out, now = [], dict(initial)
    for c in sorted(changes, key=lambda c: c.date):
        if c.controller != now[c.settlement]:
            out.append(c)
            now[c.settlement] = c.controller
    return out


def engine_version() -> str:
    """The wargame version and git commit the games were played with (results depend on it)."""
    import subprocess

    from wargame import __version__

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "wargame/engine", "wargame/data", "wargame/calibration",
                "scenarios/aleppo_2015.yaml")
    dirty = " + uncommitted changes to the engine or base scenario" if dirty else ""
    return f"wargame {__version__}, commit {commit}{dirty}"


def main(argv: list[str] | None = None) -> int:
    """Play, score, write the files and print the tables (stdout); progress on stderr."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=RUNS, help=f"games per scenario ({RUNS})")
    ap.add_argument("--seed", type=int, default=SEED, help=f"root seed ({SEED})")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    args = ap.parse_args(argv)

    import aleppo_hindcast_plots as plots

    from wargame.scenario import load

    base = load(BASE_SCENARIO)
    initial = {s: v.controller for s, v in base.scenario.settlements.items()}
    history = read_history()
    n_probe = max(1, args.runs // 4)
    print(f"{args.runs} games of the history variant and of the base scenario, {n_probe} of "
          f"each probe; seed {args.seed}", file=sys.stderr)
    runs = {MAIN: run_games(HISTORY_SCENARIO, [], args.runs, args.seed, args.workers),
            BASE_RUN: run_games(BASE_SCENARIO, [], args.runs, args.seed, args.workers)}
    for name, sets in PROBES.items():
        runs[name] = run_games(HISTORY_SCENARIO, sets, n_probe, args.seed, args.workers)
    g = runs[MAIN]
    who = [*g.factions, "none"]
    scored = [s for s in g.settlements if s not in NOT_SCORED]
    rows_of = [g.settlements.index(s) for s in scored]
    truth_turns = actual_control(history, initial, g.start, TURNS)
    truth = np.array([[who.index(c) for c in truth_turns[s]] for s in scored])   # [S, T+1]
    checkpoints = month_checkpoints(g.start, TURNS, END)
    months, cp = [m for m, _ in checkpoints], [t for _, t in checkpoints]
    actual = truth[:, cp]
    probs = {k: control_probabilities(r)[:, rows_of] for k, r in runs.items()}  # [T+1, S, K]
    forecasts = {k: p[cp].transpose(1, 0, 2) for k, p in probs.items()}
    forecasts[PERSISTENCE] = onehot_forecast(np.repeat(truth[:, :1], len(cp), axis=1), len(who))
    forecasts[UNIFORM] = uniform_forecast(actual.shape, len(g.factions), len(who))
    scores = {k: score(f, actual) for k, f in forecasts.items()}

    changed = np.array([len(set(truth_turns[s])) > 1 for s in scored])
    uncertain = {c.settlement for c in history if c.uncertain}
    sure = np.array([s not in uncertain for s in scored])
    subsets = {f"all {len(scored)}": np.ones(len(scored), bool),
               f"changed {changed.sum()}": changed, f"unchanged {(~changed).sum()}": ~changed,
               f"certain {sure.sum()}": sure}
    pers = scores[PERSISTENCE].brier.mean()
    print(f"## Overall ({len(scored)} settlements x {len(cp)} month-end checkpoints, "
          f"{months[0]} to {months[-1]}; N = {args.runs}, probes {n_probe}; seed {args.seed}; "
          f"{engine_version()})\n")
    rows = [[k, *(f"{sc.brier[m].mean():.3f}" for m in subsets.values()),
             f"{1 - sc.brier.mean() / pers:+.2f}", f"{sc.log.mean():.3f}",
             f"{sc.log[changed].mean():.3f}"] for k, sc in scores.items()]
    print(md_table(["forecast", *(f"Brier {k}" for k in subsets), "skill vs persistence",
                    "log all", "log changed"], rows) + "\n")
    print(md_table(["probe", "--set overrides (history variant)"],
                   [[k, "<br>".join(f"`{x}`" for x in v)] for k, v in PROBES.items()]) + "\n")

    print("## Per settlement: mean Brier over the month-end checkpoints\n")
    moves = real_changes(history, initial)
    hist = {s: "; ".join(f"{c.controller} {c.date:%d %b %y}" for c in moves
                         if c.settlement == s) for s in {c.settlement for c in moves}}
    cols = [MAIN, BASE_RUN, DAMPED, PERSISTENCE]
    per = [[s, hist.get(s, "–"), *(f"{scores[k].brier[i]:.2f}" for k in cols),
            f"{scores[MAIN].log[i]:.2f}"] for i, s in enumerate(scored)]
    print(md_table(["settlement", "what happened", *cols, f"log ({MAIN})"], per) + "\n")

    print("## Key events: first turn in the games vs history\n")
    timing = {k: event_turns(runs[k]) for k in (MAIN, BASE_RUN, DAMPED)}
    trows = [timing_row(ev, k, tt[ev.key], g.start) for ev in KEY_EVENTS
             for k, tt in timing.items()]
    print(md_table(["event", "run", "happens", "median turn", "10-90%", "actual turn",
                    "median - actual (weeks)"], trows) + "\n")

    quarter = turn_of(g.start, dt.date(2016, 1, 12))  # the first 13 weeks
    print(f"## Tempo: places changing hands per game (all 64 weeks; first {quarter})\n")
    crow = [[k, f"{changes_per_game(r).mean():.1f}", f"{changes_per_game(r, quarter).mean():.1f}"]
            for k, r in runs.items()]
    early = sum(turn_of(g.start, c.date) <= quarter for c in moves)
    print(md_table(["run", "64 weeks", f"weeks 1-{quarter}"],
                   [*crow, ["history", str(len(moves)), str(early)]]))
    print()
    monthly = {k: ((forecasts[k] - onehot_forecast(actual, len(who))) ** 2).sum(-1).mean(0)
               for k in (MAIN, BASE_RUN, DAMPED, PERSISTENCE, UNIFORM)}
    print("## Mean Brier at each month's end\n")
    print(md_table(["month", *monthly], [[m, *(f"{monthly[k][j]:.3f}" for k in monthly)]
                                         for j, m in enumerate(months)]) + "\n")
    print("## Factions in the history variant (mean over games)\n")
    print(md_table(["faction", "start", "reinforcements", "casualties", "end"],
                   [[x["id"], f"{x['initial_mean']:,.0f}", f"{x['reinforcements_mean']:,.0f}",
                     f"{x['casualties']['mean']:,.0f}", f"{x['strength']['mean']:,.0f}"]
                    for x in g.summary["factions"]]))

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    write_control_csv(g, control_probabilities(g), OUT_DIR / "aleppo_hindcast_control.csv")
    with (OUT_DIR / "aleppo_hindcast_scores.csv").open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["settlement", "changed", "uncertain", "forecast", "brier", "log_score"])
        for i, s in enumerate(scored):
            for k, sc in scores.items():
                w.writerow([s, int(changed[i]), int(not sure[i]), k, f"{sc.brier[i]:.4f}",
                            f"{sc.log[i]:.4f}"])
    idx = [scored.index(p) for p in KEY_PLACES]
    at = np.arange(TURNS + 1)

    def p_actual(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.stack([p[at, s, truth[s]] for s in idx])

    dates: dict[str, list[dt.date]] = {}
    for c in moves:
        dates.setdefault(c.settlement, []).append(c.date)
    plots.plot_actual(g.start, KEY_PLACES, p_actual(probs[MAIN]), p_actual(probs[DAMPED]),
                      np.stack([(truth[s] == truth[s, 0]).astype(float) for s in idx]),
                      dates, DAMPED, IMG_DIR / "hindcast_actual_controller.png")
    plots.plot_timeline(g.start, TURNS, [(ev.name, ev.date, {k: tt[ev.key] for k, tt in
                                                               timing.items()})
                                         for ev in KEY_EVENTS],
                        IMG_DIR / "hindcast_timeline.png")
    plots.plot_brier(months, monthly, IMG_DIR / "hindcast_brier_by_month.png")
    return 0


def write_control_csv(g: Games, probs: NDArray[np.float64], path: Path) -> None:
    """Per turn and settlement, the share of games each faction held it (wide layout).

    ``date`` is the batch layer's: the start date plus 7 x turn (the day after the turn).
    """
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["turn", "date", "settlement", *g.factions, "none"])
        for t in range(TURNS + 1):
            day = (g.start + dt.timedelta(days=7 * t)).isoformat()
            for n, s in enumerate(g.settlements):
                w.writerow([t, day, s, *(f"{x:.4f}" for x in probs[t, n])])


if __name__ == "__main__":
    sys.exit(main())
