"""The job behind ``wargame branch`` and ``wargame.branch``: a batch played to a turn, the
games that meet a condition kept, and each played on twice from there (see
:mod:`wargame.montecarlo.branching`).

Like the other jobs (:mod:`wargame.montecarlo.jobs`) it checks its inputs before a seed is drawn,
runs chunks on any executor (the same numbers for any number of workers), keeps them in a store
with ``--store`` and continues an interrupted run with ``--resume``. ``--save-state FILE``
keeps every chunk's games at the turn of the branch; ``--from-state FILE`` branches from them
again, with another change or condition, without playing the first turns again.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from wargame.arguments import path, text, texts, whole
from wargame.display import plural
from wargame.errors import UsageError, WargameError
from wargame.montecarlo import state_file
from wargame.montecarlo.branch_result import BranchResult
from wargame.montecarlo.branching import BranchPlan, play_branch, play_to
from wargame.montecarlo.jobs import (
    DEFAULT_RUNS,
    Options,
    ScenarioArg,
    Sink,
    Work,
    _announce,
    _check,
    _executor,
    _Notes,
    _run,
    _settle,
    labels_for,
    resolve,
)
from wargame.montecarlo.run import ChunkTask
from wargame.montecarlo.spec import BatchSpec, BranchDesign
from wargame.montecarlo.tally import Tally
from wargame.outputs import check_target
from wargame.scenario import Loaded
from wargame.scenario.limits import check_memory, shape
from wargame.scenario.overrides import apply_overrides
from wargame.textsafe import excerpt

if TYPE_CHECKING:
    from wargame.engine import Snapshot


@dataclass(frozen=True)
class Branch:
    """What a branch asks: the turn, the condition (an outcome id or ``None``), the changes
    (``--set`` expressions), a variant scenario file, and the state files."""

    at: int | None
    given: str | None = None
    changes: tuple[str, ...] = ()
    variant: str | Path | Loaded | None = None
    save_state: Path | None = None
    from_state: Path | None = None


def _check_branch(br: Branch) -> None:
    whole("--at", br.at, 0)
    text("--given", br.given)
    texts("--set", br.changes)
    path("--save-state", br.save_state)
    path("--from-state", br.from_state)
    if br.save_state is not None and br.from_state is not None:
        raise UsageError("give --save-state FILE (to keep the games at the turn of the branch) "
                         "or --from-state FILE (to branch from kept games), not both")
    if not br.changes and br.variant is None:
        raise UsageError("a branch needs a change: --set path=value (repeatable) or "
                         "--variant FILE")


def _variant(br: Branch, base: Loaded) -> tuple[str | None, Loaded]:
    """The changed scenario: the variant file (with the changes on top) or the scenario with
    the changes, validated and located at the ``--set`` that caused a problem."""
    if br.variant is not None:
        name, loaded = resolve(br.variant, list(br.changes))
        return name, loaded
    return None, apply_overrides(base, list(br.changes))


def _change(br: Branch, variant: str | None) -> str:
    """Where the change comes from, for messages: ``--variant FILE`` and/or ``--set ...``."""
    parts = ([f"--variant {excerpt(variant, 200)}"] if variant is not None else []) + \
        [f"--set {excerpt(c, 120)}" for c in br.changes]
    return ", ".join(parts)


def _outcome(given: str | None, loaded: Loaded, name: str) -> int | None:
    if given is None:
        return None
    ids = list(loaded.scenario.outcomes)
    if given in ids:
        return ids.index(given)
    near = difflib.get_close_matches(given, ids, n=1)
    hint = f" (did you mean {near[0]}?)" if near else f"; its outcomes: {', '.join(ids)}"
    raise UsageError(f"--given {excerpt(given, 80)}: {excerpt(name, 200)} has no such "
                     f"outcome{hint}")


def _from_saved(br: Branch, opts: Options, digest: str) -> tuple[state_file.SavedState | None,
                                                                  Options, int | None]:
    """The saved state (if any), with the options and the turn it fixes."""
    if br.from_state is None:
        return None, opts, br.at
    saved = state_file.read(br.from_state)
    state_file.check_fits(saved, digest, br.from_state)
    where = f"--from-state {excerpt(br.from_state, 200)}"
    for option, mine, theirs in (("--seed", opts.seed, saved.seed),
                                 ("--runs", opts.runs, saved.runs),
                                 ("--chunk-size", opts.chunk_size, saved.chunk_size),
                                 ("--at", br.at, saved.at)):
        if mine is not None and mine != theirs:
            raise UsageError(f"{where} holds the games of {option} {theirs}, not {mine}: leave "
                             f"{option} out to use the file's")
    return saved, replace(opts, seed=saved.seed, runs=saved.runs,
                          chunk_size=saved.chunk_size), saved.at


def branch_job(scenario: ScenarioArg, br: Branch, opts: Options, sink: Sink) -> BranchResult:
    """``wargame branch``: games played to ``br.at``, kept if ``br.given`` holds then, each
    played on as it was and with the change; the paired difference outcome by outcome."""
    from wargame.engine import compile_scenario
    from wargame.engine.branch import changed_params, map_differences

    _check_branch(br)
    if opts.turns is not None:
        raise UsageError("a branch plays to the scenario's last turn (no --turns)")
    notes = _Notes(sink)
    _check(opts)
    name, la = resolve(scenario, ())
    name_b, lb = _variant(br, la)
    saved, opts, at = _from_saved(br, opts, la.digest)
    turns = la.scenario.scenario.turns
    if at is None:
        raise UsageError("--at TURN is needed: the turn after which the games branch")
    if at >= turns:
        raise UsageError(f"--at {at}: past the end; {excerpt(name, 200)} has {turns} turns, "
                         f"so a branch is at a turn from 0 to {turns - 1}")
    change = _change(br, name_b)
    given = _outcome(br.given, la, name)
    if lb.digest == la.digest:
        raise UsageError(f"{change}: leaves the scenario as it was (the same digest): "
                         "nothing to branch")
    ca, cb = compile_scenario(la.scenario), compile_scenario(lb.scenario)
    if saved is not None and br.from_state is not None:
        state_file.check_games(saved, ca, br.from_state)
    differs = map_differences(ca, cb)
    if differs:
        raise UsageError(f"{change}: the branch changes the map: {'; '.join(differs)}. A "
                         "branch plays the same war on with other values; it cannot add, "
                         "remove or reorder places, links, factions, events, support lines or "
                         "outcomes")
    if lb.scenario.scenario.turns != turns:
        raise UsageError(f"{change}: makes the war {lb.scenario.scenario.turns} turns long "
                         f"instead of {turns}; a branch plays both on to the same last turn")
    replaced = None if br.save_state is None else check_target(br.save_state, "--save-state")
    opts = _settle(opts, notes, DEFAULT_RUNS)
    spec = BatchSpec("branch", name, la.digest, list(la.overrides), int(opts.seed or 0),
                     int(opts.runs or 0), int(opts.chunk_size or 0), turns, design=BranchDesign(
                         at, br.given, list(br.changes),
                         None if name_b is None else str(name_b), lb.digest,
                         changed_params(ca, cb)))
    labels = labels_for(la, turns)
    check_memory([shape(la.scenario, turns), shape(lb.scenario, turns)],
                 min(spec.runs, spec.chunk_size), False)
    if br.save_state is not None or br.from_state is not None:
        # A saved state holds every game at once (in the parent, and in each worker).
        check_memory([shape(la.scenario, turns)], spec.runs, False, option="--runs")
    _announce(notes)
    plan = BranchPlan(ca, cb, at, given, None if saved is None else saved.chunks)
    # For the default workers: the games play A to the branch, then A and B on (counted as
    # both scenarios' whole games, an upper bound).
    work = Work.of(spec, [la.scenario, lb.scenario], turns, 1)
    if br.save_state is not None:
        plan = replace(plan, saved=_save(spec, plan, opts, sink, work, br.save_state,
                                         bool(replaced), notes))
    tally = _run(spec, plan, opts, sink, notes, labels, work, scenario=la, fn=play_branch)[0]
    given_name = None if br.given is None else la.scenario.outcomes[br.given].name
    kept = int(tally.ints["kept"]) if tally.has("kept") else 0
    if br.given is not None:
        notes.note(f"{kept:,} of {plural(tally.games, 'game')} met {br.given} at turn {at}")
    if kept == 0:
        raise WargameError(f"--given {br.given}: no game met the condition at turn {at} (0 of "
                           f"{plural(tally.games, 'game')} played to it): nothing to branch; "
                           "try another turn or more --runs")
    _note_unread(spec, tally, at, notes)
    ids = list(la.scenario.outcomes)
    return BranchResult.from_tally(
        spec, tally, ids, [o.name for o in la.scenario.outcomes.values()],
        [o.when == "final" for o in la.scenario.outcomes.values()], labels.end_dates[at],
        given_name, notes=tuple(notes.kept))


def _note_unread(spec: BatchSpec, tally: Tally, at: int, notes: _Notes) -> None:
    """Say which changed parameters no kept game read after the branch: the change did
    nothing there."""
    changed = spec.branch.changed
    read = tally.ints.get("changed_read")
    unread = [k for k, n in zip(changed, [] if read is None else read, strict=True) if n == 0]
    if unread:
        one = len(unread) == 1
        notes.note(f"note: no game read the parameter{'' if one else 's'} {', '.join(unread)} "
                   f"after turn {at}, so the change to {'it' if one else 'them'} changed "
                   f"nothing: {'it sets' if one else 'they set'} up the war at its start (the "
                   "state at the branch is kept as it was), or belong"
                   f"{'s' if one else ''} to an event or support line that did not act after "
                   "the branch")


def _save(spec: BatchSpec, plan: BranchPlan, opts: Options, sink: Sink, work: Work,
          where: Path, replaced: bool, notes: _Notes) -> dict[int, Snapshot]:
    """Play every chunk to the turn of the branch and write the games to ``where`` (a file
    there is ``replaced``)."""
    from wargame.outputs import write_bytes, wrote

    tasks = (ChunkTask(0, i, spec.plan.games(i), spec.seed, None, False)
             for i in range(spec.plan.n_chunks))
    with _executor(opts, sink, work) as executor:
        chunks = dict(executor.imap(play_to, plan, tasks))
    saved = state_file.SavedState(spec.scenario, spec.digest, spec.seed, spec.runs,
                                  spec.chunk_size, plan.at, chunks)
    write_bytes(where, state_file.to_bytes(saved))
    notes.note(wrote(where, replaced) + f" (the games at turn {plan.at}; branch again from "
               "them with --from-state)")
    return dict(chunks)
