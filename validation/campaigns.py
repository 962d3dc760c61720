"""Whole campaigns: fit the campaign layer's pause and capitulation rate on theatres,
cross-validated by theatre.

Usage (from the repository root)::

    .venv/bin/python validation/campaigns.py                 # fit, leave one theatre out
    .venv/bin/python validation/campaigns.py --runs 200      # quicker

Each theatre is a directory ``validation/data/campaigns/NAME/`` (``history.csv`` of dated
control changes, ``strengths.csv`` of published strength estimates, every row cited) with its
scenario ``scenarios/NAME.yaml``. Every theatre's scenario is played at each point of the grid
of ``model.pause_days`` by ``model.capitulation_rate`` (the two campaign settings fitted here;
the other settings keep their documented defaults) and scored month by month against its
history:

* month-end Brier of control (0 perfect, 2 worst; the mean over places and months) against
  persistence (nothing changes) and a uniform guess over the factions;
* changes of control per month, in the games against history;
* each faction's strength against the published estimates of the same force, at their dates
  (:func:`strength_error`; ``strengths.csv`` says of each estimate whether it counts the
  force the scenario's faction plays, a part of it, or something else).

A point is chosen in two steps (:func:`choose`): the points whose mean Brier skill against
uniform is within ``BRIER_TIE`` of the best are tied, since the score cannot tell them apart;
of those, the one whose pauses between offensives (``offensive_gaps``) come closest to
history's is taken, as that is the rhythm the pause sets. Leave one theatre out: for each
theatre the point is chosen on the others and the theatre is scored at that point. The
defaults are the point chosen on all theatres. The Aleppo theatre is never part of the fit: it
is played at the chosen defaults and scored as a test (``validation/aleppo_hindcast.py``).

Writes ``validation/results/campaigns.csv`` and the markdown tables it prints on stdout to
``validation/results/campaigns.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "validation"))

import aleppo_hindcast as hind  # noqa: E402  (shares the scoring rules)

DATA = ROOT / "validation" / "data" / "campaigns"
OUT = ROOT / "validation" / "results" / "campaigns.csv"
REPORT = ROOT / "validation" / "results" / "campaigns.md"
GRID = (21, 42, 63, 91, 126, 182)
"""Pauses searched (days): three weeks (Tikrit 2015) to half a year."""
CAPITULATION_GRID = (0.0, 0.001, 0.003, 0.01, 0.03)
"""Capitulation rates searched (a day, at morale 0.6): none, then from about one deal in
three years of an outnumbered garrison's exposure to about one in a month."""
Point = tuple[int, float]
"""A point of the fit: (``pause_days``, ``capitulation_rate``)."""
POINTS: tuple[Point, ...] = tuple(itertools.product(GRID, CAPITULATION_GRID))
RUNS = 400
SEED = 20240501
VARIANT_SEEDS = 3
"""Seeds over which ``--variant`` compares the engine with a changed setting (the mean skill
moves by about 0.004 from seed to seed at 400 games)."""
BRIER_TIE = 0.008
"""Two pauses whose mean skill against uniform differs by less than this are tied on Brier:
twice the seed-to-seed spread of the mean skill at 400 games (about 0.004)."""
MIN_HISTORY_PAUSES = 3
"""A theatre's rhythm counts in the choice of the pause only if its history has at least this
many pauses between offensives (one or two gaps give no median worth fitting)."""
BURST_GAP_DAYS = 21
"""Two captures by one faction more than this many days apart belong to different offensives
(judgement: three weekly turns; the gaps between a faction's offensives in the four theatres'
histories are 23 to 263 days, and captures within an offensive are days apart)."""


COMPARE = ("same", "part", "other")
"""What a published estimate counts (``strengths.csv``, column ``compare``): the force the
scenario's faction plays (``same``: the model should fall within its range), a part of it
(``part``: the model should have at least its low figure; a city's garrison, one group of a
coalition, a foreign contingent it includes), or something else (``other``: a whole country
beyond the theatre, forces the scenario does not give this faction, a side's claim about its
enemy), which is not scored."""
STRENGTH_LEAD_DAYS = 31
"""An estimate dated up to this many days before the scenario starts is compared with the
strength at the start (the estimates of the start are often from the weeks before it)."""
MIN_STRENGTH = 1.0
"""The model's strength is floored at one fighter before its logarithm is taken."""


@dataclass(frozen=True)
class Theatre:
    """A campaign with its scenario, history and published strengths."""

    name: str
    scenario: Path
    history: list[hind.Change]
    strengths: list[dict[str, str]]


def theatres() -> list[Theatre]:
    """Every theatre that has both a data set and a scenario."""
    out = []
    for d in sorted(p for p in DATA.iterdir() if p.is_dir()):
        sc = ROOT / "scenarios" / f"{d.name}.yaml"
        if not (sc.exists() and (d / "history.csv").exists()):
            continue
        with (d / "strengths.csv").open(newline="", encoding="utf-8") as fh:
            strengths = list(csv.DictReader(fh))
        out.append(Theatre(d.name, sc, hind.read_history(d / "history.csv"), strengths))
    return out


@dataclass(frozen=True)
class Score:
    """How one theatre played at one setting."""

    brier: float
    persistence: float
    uniform: float
    changes_per_month: float
    actual_per_month: float
    start_strength: dict[str, float]
    end_strength: dict[str, float]
    at_estimates: tuple[float, ...]  # the model's mean strength at each strengths.csv row's
    #                                  date (nan: the row is not scored)
    gaps: list[int]          # every pause between offensives in the games (days)
    actual_gaps: list[int]   # the same in history
    runs: int

    @property
    def skill_uniform(self) -> float:
        """1 - Brier / uniform Brier (above 0: better than a uniform guess)."""
        return 1.0 - self.brier / self.uniform

    @property
    def skill_persistence(self) -> float:
        """1 - Brier / persistence Brier (above 0: better than 'nothing changes')."""
        return 1.0 - self.brier / self.persistence


def _number(text: str) -> float | None:
    """A figure of ``strengths.csv`` (empty: none)."""
    return float(text) if text.strip() else None


def estimate_error(row: dict[str, str], model: float) -> float:
    """How far, in doublings, the model's strength lies from a published estimate (0: within
    it): below ``low`` or above ``high`` of a ``same`` row, below ``low`` of a ``part`` row."""
    low, high = _number(row["low"]), _number(row["high"])
    m = max(model, MIN_STRENGTH)
    if low is not None and low > 0 and m < low:
        return math.log2(low / m)
    if row["compare"] == "same" and high is not None and m > high:
        return math.log2(m / high)
    return 0.0


def scored_estimate(row: dict[str, str], start: dt.date, end: dt.date) -> bool:
    """Whether a published estimate is compared with the model: it counts the faction's force
    or a part of it, gives a figure, and is dated within the played period (or up to
    ``STRENGTH_LEAD_DAYS`` before it)."""
    if row["compare"] == "other":
        return False
    low, high = _number(row["low"]), _number(row["high"])
    if (low is None or low <= 0) and (row["compare"] == "part" or high is None):
        return False
    day = dt.date.fromisoformat(row["date"])
    return start - dt.timedelta(days=STRENGTH_LEAD_DAYS) <= day <= end


def strength_error(th: Theatre, s: Score) -> tuple[float, int]:
    """The mean of :func:`estimate_error` over the theatre's scored estimates, and how many
    there are (nan, 0 if none)."""
    err = [estimate_error(row, m) for row, m in zip(th.strengths, s.at_estimates, strict=True)
           if not math.isnan(m)]
    return (float(np.mean(err)), len(err)) if err else (math.nan, 0)


def point_sets(point: Point) -> tuple[str, ...]:
    """The ``--set`` paths that play a point of the fit."""
    return (f"model.pause_days={point[0]}", f"model.capitulation_rate={point[1]:g}")


def point_text(point: Point) -> str:
    """A point as the tables name it."""
    return f"{point[0]} d, {point[1]:g}/d"


def play(th: Theatre, point: Point, runs: int, seed: int, sets: tuple[str, ...] = ()
         ) -> Score:
    """Play ``runs`` games of the theatre at ``point`` and score them (``sets`` after it: a
    setting they name overrides the point's)."""
    from wargame.engine import compile_scenario, simulate
    from wargame.scenario import load

    sc = load(th.scenario, [*point_sets(point), *sets]).scenario
    c = compile_scenario(sc)
    T = sc.scenario.turns
    days = sc.scenario.days_per_turn
    res = simulate(c, np.random.default_rng(seed), runs, record_turns=True)
    assert res.control_by_turn is not None
    who = [*c.factions, "none"]
    start = sc.scenario.start_date
    initial = {s: v.controller for s, v in sc.settlements.items()}
    truth_turns = hind.actual_control(th.history, initial, start, T, days)
    truth = np.array([[who.index(x) for x in truth_turns[s]] for s in c.settlements])
    last = max(ch.date for ch in th.history)
    end = min(start + dt.timedelta(days=days * T - 1), last + dt.timedelta(days=31))
    cp = [t for _, t in hind.month_checkpoints(start, T, end, days)]
    ctl = res.control_by_turn                                                 # [T+1, R, N]
    probs = np.zeros((len(cp), len(c.settlements), len(who)))
    for j, t in enumerate(cp):
        for k in range(len(c.factions)):
            probs[j, :, k] = (ctl[t] == k).mean(axis=0)
        probs[j, :, -1] = (ctl[t] < 0).mean(axis=0)
    forecast = probs.transpose(1, 0, 2)
    actual = truth[:, cp]
    model = hind.score(forecast, actual).brier.mean()
    pers = hind.score(hind.onehot_forecast(np.repeat(truth[:, :1], len(cp), axis=1),
                                           len(who)), actual).brier.mean()
    unif = hind.score(hind.uniform_forecast(actual.shape, len(c.factions), len(who)),
                      actual).brier.mean()
    months = max(len(cp), 1)
    moved = (ctl[1:cp[-1] + 1] != ctl[:cp[-1]]).sum(axis=(0, 2)).mean()
    real = int((truth[:, 1:cp[-1] + 1] != truth[:, :cp[-1]]).sum())
    strength = {f: float(res.strength[:, k].mean()) for k, f in enumerate(c.factions)}
    assert res.strength_by_turn is not None
    by_turn = res.strength_by_turn.mean(axis=1)                             # [T+1, F]
    at_start = {f: float(by_turn[0, k]) for k, f in enumerate(c.factions)}
    at_estimates = []
    for row in th.strengths:
        if not scored_estimate(row, start, end) or row["faction"] not in c.factions:
            at_estimates.append(math.nan)
            continue
        t = round((dt.date.fromisoformat(row["date"]) - start).days / days)
        at_estimates.append(float(by_turn[min(max(t, 0), T),
                                          c.factions.index(row["faction"])]))
    gaps = [g for r in range(runs)
            for g in offensive_gaps(capture_days(ctl[: cp[-1] + 1, r], days))]
    history_gaps = offensive_gaps_history(th, initial, end)
    return Score(float(model), float(pers), float(unif), float(moved / months),
                 real / months, at_start, strength, tuple(at_estimates), gaps, history_gaps,
                 runs)


Scores = dict[tuple[str, Point], Score]


def brier_skill(scores: Scores, names: list[str], point: Point) -> float:
    """Mean skill against uniform of the theatres ``names`` at ``point``."""
    return float(np.mean([scores[n, point].skill_uniform for n in names]))


def rhythm_error(scores: Scores, names: list[str], point: Point) -> float:
    """Mean |log2(median pause between offensives in the games / in history)| over the
    theatres ``names`` with at least ``MIN_HISTORY_PAUSES`` pauses in history (nan if none)."""
    err = [abs(math.log2(np.median(s.gaps) / np.median(s.actual_gaps)))
           for s in (scores[n, point] for n in names)
           if len(s.actual_gaps) >= MIN_HISTORY_PAUSES and s.gaps]
    return float(np.mean(err)) if err else math.nan


def choose(scores: Scores, names: list[str]) -> Point:
    """The point fitted on the theatres ``names``: of the points whose mean skill against
    uniform is within ``BRIER_TIE`` of the best, the one of least :func:`rhythm_error` (of
    equals, the better Brier; Brier alone where no theatre has a rhythm to fit)."""
    best = max(brier_skill(scores, names, p) for p in POINTS)
    tied = [p for p in POINTS if brier_skill(scores, names, p) >= best - BRIER_TIE]
    errors = {p: rhythm_error(scores, names, p) for p in tied}
    if all(math.isnan(e) for e in errors.values()):
        return max(tied, key=lambda p: brier_skill(scores, names, p))
    return min(tied, key=lambda p: (errors[p] if not math.isnan(errors[p]) else math.inf,
                                    -brier_skill(scores, names, p)))


def _median(x: list[int]) -> str:
    """The median of a list of days, or a dash if it is empty."""
    return f"{np.median(x):.0f}" if x else "–"


def _quartiles(x: list[int]) -> str:
    """'q25 / median / q75' of a list of days, or a dash if it is empty."""
    if not x:
        return "–"
    q = np.percentile(x, [25, 50, 75])
    return " / ".join(f"{v:.0f}" for v in q)


def offensive_gaps(captures: dict[int, list[int]]) -> list[int]:
    """The pauses between one faction's offensives: the gaps (days) of more than
    ``BURST_GAP_DAYS`` between its successive captures, over every faction
    (``captures``: faction -> days of its captures, in order)."""
    return [b - a for days in captures.values() for a, b in itertools.pairwise(days)
            if b - a > BURST_GAP_DAYS]


def capture_days(ctl: np.ndarray, days_per_turn: int) -> dict[int, list[int]]:
    """Each faction's captures in one game (``ctl`` [T+1, N], the controller at the end of
    each turn) -> faction -> the day each turn with a capture ended, in order."""
    out: dict[int, list[int]] = {}
    for t in range(1, ctl.shape[0]):
        for f in np.unique(ctl[t][(ctl[t] != ctl[t - 1]) & (ctl[t] >= 0)]):
            out.setdefault(int(f), []).append(t * days_per_turn)
    return out


def offensive_gaps_history(th: Theatre, initial: dict[str, str], end: dt.date) -> list[int]:
    """:func:`offensive_gaps` of the theatre's history up to ``end``: a row is a capture by
    its controller where the place changes hands (not a row that confirms the holder)."""
    holder = dict(initial)
    out: dict[int, list[int]] = {}
    names: dict[str, int] = {}
    first = min(ch.date for ch in th.history)
    for ch in sorted(th.history, key=lambda c: c.date):
        if ch.date > end or holder.get(ch.settlement) == ch.controller:
            continue
        holder[ch.settlement] = ch.controller
        k = names.setdefault(ch.controller, len(names))
        out.setdefault(k, []).append((ch.date - first).days)
    return offensive_gaps(out)


def main(argv: list[str] | None = None) -> int:
    """Fit, cross-validate by theatre, print tables and write the CSV and the report."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = fit(argv)
    text = buf.getvalue()
    sys.stdout.write(text)
    if code == 0 and "--set" not in (argv if argv is not None else sys.argv[1:]):
        REPORT.write_text(text, encoding="utf-8")
    return code


def fit(argv: list[str] | None = None) -> int:
    """The fit and its tables (stdout)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=RUNS, help=f"games per point ({RUNS})")
    ap.add_argument("--seed", type=int, default=SEED, help=f"root seed ({SEED})")
    ap.add_argument("--variant", action="append", default=[], metavar="KEY=VALUE",
                    help="also play every theatre at the chosen point with this --set (may be "
                         "repeated), over VARIANT_SEEDS seeds, against the engine as it is")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                    help="play every theatre with this setting throughout, the fit included "
                         "(may be repeated; the result files are then left as they are)")
    args = ap.parse_args(argv)
    sets = tuple(args.sets)
    ths = theatres()
    if len(ths) < 2:
        print("need at least two theatres to cross-validate", file=sys.stderr)
        return 1
    scores: Scores = {}
    for th in ths:
        for point in POINTS:
            print(f"{th.name}: {point_text(point)}", file=sys.stderr)
            scores[th.name, point] = play(th, point, args.runs, args.seed, sets)

    names = [t.name for t in ths]
    by_name = {t.name: t for t in ths}
    chosen = choose(scores, names)
    pause, rate = chosen
    edge = [k for k, v, grid in (("pause_days", pause, GRID),
                                 ("capitulation_rate", rate, CAPITULATION_GRID))
            if v == grid[-1] or (v == grid[0] and k == "pause_days")]
    rates = [f"{c:g}/d" for c in CAPITULATION_GRID]
    print(f"## Campaign fit: pause_days over {GRID} by capitulation_rate over "
          f"{CAPITULATION_GRID}, {args.runs} games a point, seed {args.seed}\n")
    print("Mean skill against uniform over the theatres (rows: pause; columns: capitulation "
          "rate):\n")
    print(hind.md_table(["pause", *rates],
                        [[f"{p} d", *(f"{brier_skill(scores, names, (p, c)):+.3f}"
                                      for c in CAPITULATION_GRID)] for p in GRID]) + "\n")
    print("Rhythm error (mean |log2| of the median pause between offensives in the games over "
          f"history's, in the theatres with at least {MIN_HISTORY_PAUSES} pauses in "
          "history):\n")
    print(hind.md_table(["pause", *rates],
                        [[f"{p} d", *(f"{rhythm_error(scores, names, (p, c)):.2f}"
                                      for c in CAPITULATION_GRID)] for p in GRID]) + "\n")
    print(f"Chosen on all theatres (the best rhythm of the points within {BRIER_TIE} of the "
          f"best mean skill): **pause {pause} days, capitulation rate {rate:g} a day**"
          f"{' (at the edge of the grid: ' + ', '.join(edge) + ')' if edge else ''}.\n")
    print(f"Each theatre at the chosen capitulation rate ({rate:g} a day): skill against "
          "uniform, and the median pause between offensives (days, games / history):\n")
    print(hind.md_table(["theatre", *(f"{p} d" for p in GRID)],
                        [[n, *(f"{scores[n, (p, rate)].skill_uniform:+.2f} "
                               f"({_median(scores[n, (p, rate)].gaps)} / "
                               f"{_median(scores[n, (p, rate)].actual_gaps)})" for p in GRID)]
                         for n in names]) + "\n")
    print(f"Each theatre at the chosen pause ({pause} days): skill against uniform, and "
          "changes of control a month (games / history):\n")
    print(hind.md_table(["theatre", *rates],
                        [[n, *(f"{scores[n, (pause, c)].skill_uniform:+.2f} "
                               f"({scores[n, (pause, c)].changes_per_month:.2f} / "
                               f"{scores[n, (pause, c)].actual_per_month:.2f})"
                               for c in CAPITULATION_GRID)]
                         for n in names]) + "\n")
    rows = []
    with (OUT.open("w", newline="", encoding="utf-8") if not sets
          else contextlib.nullcontext(io.StringIO())) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["theatre", "pause_days_left_out_fit", "capitulation_rate_left_out_fit",
                    "brier", "persistence", "uniform",
                    "skill_uniform", "skill_persistence", "changes_per_month",
                    "actual_changes_per_month", "strength_error_doublings",
                    "strength_estimates"])
        for n in names:
            others = [x for x in names if x != n]
            p = choose(scores, others)
            s = scores[n, p]
            err, k = strength_error(by_name[n], s)
            w.writerow([n, p[0], f"{p[1]:g}", f"{s.brier:.4f}", f"{s.persistence:.4f}",
                        f"{s.uniform:.4f}",
                        f"{s.skill_uniform:.3f}", f"{s.skill_persistence:.3f}",
                        f"{s.changes_per_month:.2f}", f"{s.actual_per_month:.2f}",
                        f"{err:.2f}", k])
            rows.append([n, str(p[0]), f"{p[1]:g}", f"{s.brier:.3f}", f"{s.persistence:.3f}",
                         f"{s.uniform:.3f}", f"{s.skill_uniform:+.2f}",
                         f"{s.skill_persistence:+.2f}",
                         f"{s.changes_per_month:.2f} / {s.actual_per_month:.2f}",
                         f"{_median(s.gaps)} / {_median(s.actual_gaps)}",
                         f"{err:.2f} ({k})" if k else "–"])
    print("## Left out: each theatre scored at the point fitted on the others\n")
    print(hind.md_table(["theatre", "pause (days)", "capitulation (a day)", "Brier",
                         "persistence", "uniform",
                         "skill vs uniform", "skill vs persistence",
                         "changes a month (games / history)",
                         "median pause, days (games / history)",
                         "strength error, doublings (estimates)"], rows) + "\n")
    print("## Strength against the published estimates of the same force (mean over games, "
          "at the chosen point)\n")
    print("`same`: the estimate counts the force the scenario's faction plays, and the error "
          "is how many doublings the model lies outside its range; `part`: it counts a part of "
          "that force, and the error is how far the model lies below its low figure. Estimates "
          "of other scopes (`other` in `strengths.csv`) are not scored.\n")
    srows = []
    for th in ths:
        s = scores[th.name, chosen]
        for row, m in zip(th.strengths, s.at_estimates, strict=True):
            if math.isnan(m):
                continue
            pub = (f"{row['low'] or '?'}–{row['high']}" if row["high"] != row["low"]
                   else row["low"])
            srows.append([th.name, row["date"], row["faction"], row["compare"], pub,
                          f"{m:,.0f}", f"{estimate_error(row, m):.2f}", row["scope"]])
        err, k = strength_error(th, s)
        srows.append([f"**{th.name}**", "", "", "", "", "", f"**{err:.2f}** (mean of {k})",
                      ""])
    print(hind.md_table(["theatre", "date", "faction", "counts", "published", "model",
                         "error (doublings)", "scope"], srows) + "\n")
    print("## Strength at the start and at the end (mean over games, at the chosen point)\n")
    erows = []
    for th in ths:
        s = scores[th.name, chosen]
        for f, v in s.end_strength.items():
            a = s.start_strength[f]
            erows.append([th.name, f, f"{a:,.0f}", f"{v:,.0f}",
                          f"{v / a:.2f}" if a > 0 else "–"])
    print(hind.md_table(["theatre", "faction", "start", "end", "end / start"], erows) + "\n")
    print(f"## Pauses between offensives (gaps of more than {BURST_GAP_DAYS} days between one "
          "faction's captures), at the chosen point\n")
    grows = []
    for th in ths:
        s = scores[th.name, chosen]
        grows.append([th.name, f"{len(s.actual_gaps)}", _quartiles(s.actual_gaps),
                      f"{len(s.gaps) / s.runs:.1f}", _quartiles(s.gaps)])
    print(hind.md_table(["theatre", "pauses in history", "days (25/50/75%)",
                         "pauses a game", "days (25/50/75%)"], grows))
    if args.variant:
        print("\n" + compare_variant(ths, chosen, tuple(args.variant), args.runs, args.seed,
                                      sets))
    return 0


def compare_variant(ths: list[Theatre], point: Point, sets: tuple[str, ...], runs: int,
                    seed: int, base: tuple[str, ...] = ()) -> str:
    """Skill against uniform of every theatre at ``point``, as the engine is and with ``sets``,
    the mean over ``VARIANT_SEEDS`` seeds (``seed``, ``seed + 1``...), as a markdown table
    (``base``: settings both are played with)."""
    rows = []
    both: list[list[float]] = [[], []]
    for th in ths:
        print(f"{th.name}: {' '.join(sets)}", file=sys.stderr)
        got = [float(np.mean([play(th, point, runs, seed + k, (*base, *v)).skill_uniform
                              for k in range(VARIANT_SEEDS)])) for v in ((), sets)]
        for j in (0, 1):
            both[j].append(got[j])
        rows.append([th.name, f"{got[0]:+.3f}", f"{got[1]:+.3f}"])
    rows.append(["mean", f"{np.mean(both[0]):+.3f}", f"{np.mean(both[1]):+.3f}"])
    return (f"## Skill against uniform at the chosen point ({point_text(point)}), the mean of "
            f"{VARIANT_SEEDS} seeds of {runs} games\n\n"
            + hind.md_table(["theatre", "the engine", " ".join(sets)], rows))


if __name__ == "__main__":
    raise SystemExit(main())
