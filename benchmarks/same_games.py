"""Same games for the same seed: compare ``simulate`` results of this checkout with another's.

Run: ``.venv/bin/python benchmarks/same_games.py --against ../prev``. Each checkout plays the
same cases in its own interpreter (its own package, its own version of the scenarios): every
scenario under ``scenarios/`` with and without the campaign layer, seeds 1 to 3, with luck and
deterministic, recording every turn and the narrative. Every result array and the narrative
must be identical, bit for bit; the script lists the first differences and exits 1 if not.

``--new NAME`` (repeatable) names a setting or an event field that exists in this checkout
only, such as a faction key added with its default: its parameter arrays (``NAME`` or
``<faction>.NAME``) are listed as new instead of as differences, and the field is left out of
this checkout's events before the logs are compared.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = ["aleppo_2015", "mosul_2016", "idlib_2019", "libya_2019", "afghanistan_2021"]

# Plays every case in the checkout it runs in and saves the arrays to one .npz file. The log is
# saved as JSON, each event a dict of its fields and its class; a checkout from before the
# typed events (wargame.engine.events), whose log was dicts with a "kind", has its records put
# into that form first, so that the two can be compared.
_PLAY = """
import dataclasses, json, sys
import numpy as np
from wargame.engine import compile_scenario, simulate
from wargame.scenario import load

KINDS = {"event": "EventFired", "strike": "Strike", "encircled": "Encircled",
         "surrender": "Surrender", "operation": "OperationOpened", "capture": "Capture",
         "repulse": "Repulse"}

def event(rec):
    if not isinstance(rec, dict):
        return {"class": type(rec).__name__, **dataclasses.asdict(rec)}
    d = {k: v for k, v in rec.items() if k != "kind"}
    kind = rec["kind"]
    if kind == "culminated":
        name = "OperationEnded" if "why" in d else "OffensiveCulminated"
    else:
        name = KINDS[kind]
    if kind in ("capture", "repulse"):
        routed = d.pop("routed")
        d["sides"] = [{"faction": f, "start": s0, "end": s1, "routed": f in routed}
                      for f, (s0, s1) in d.pop("strength").items()]
    if kind == "capture":
        d.setdefault("breakout_to", [])
    return {"class": name, **d}

out = {}
for name in sys.argv[2].split(","):
    for campaign in ("true", "false"):
        c = compile_scenario(load(f"scenarios/{name}.yaml", [f"model.campaign={campaign}"])
                             .scenario)
        for seed in (1, 2, 3):
            for det in (False, True):
                res = simulate(c, np.random.default_rng(seed), int(sys.argv[3]),
                               deterministic=det, log=True, record_turns=True)
                key = f"{name}/campaign={campaign}/seed={seed}/deterministic={det}"
                for field, value in vars(res).items():
                    if isinstance(value, np.ndarray):
                        out[f"{key}/{field}"] = value
                    elif field == "params":
                        for p, v in value.items():
                            out[f"{key}/params/{p}"] = v
                out[f"{key}/log"] = np.array(json.dumps([event(e) for e in res.log],
                                                        sort_keys=True))
np.savez(sys.argv[1], **out)
"""


def play(python: str, checkout: Path, out: Path, scenarios: list[str], replicates: int) -> None:
    """Play every case with ``python`` in ``checkout``, saving the arrays to ``out``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run([python, "-c", _PLAY, str(out), ",".join(scenarios), str(replicates)],
                   cwd=checkout, env=env, check=True)


def is_new(key: str, new: set[str]) -> bool:
    """Whether ``key`` is the parameter array of a setting named in ``new``."""
    _, sep, name = key.partition("/params/")
    return bool(sep) and (name in new or name.rpartition(".")[2] in new)


def without_fields(log: np.ndarray, new: set[str]) -> bytes:
    """A saved log (JSON of the events) with the fields named in ``new`` left out."""
    events = json.loads(str(log))
    kept = [{k: v for k, v in e.items() if k not in new} for e in events]
    return np.array(json.dumps(kept, sort_keys=True)).tobytes()


def compare(a: Path, b: Path, renamed: dict[str, str] | None = None,
            new: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Keys whose arrays differ between the two saved files (or exist in one only), and the
    keys of ``a`` that are new (parameters of the settings in ``new``); ``renamed`` maps a
    parameter's name in ``b`` to its name in ``a``."""
    x, y = np.load(a), np.load(b)
    names = renamed or {}
    fresh = new or set()

    def ours(key: str) -> str:
        head, sep, name = key.partition("/params/")
        return f"{head}{sep}{names.get(name, name)}" if sep else key

    theirs = {ours(k): k for k in y.files}
    added = sorted(k for k in set(x.files) - set(theirs) if is_new(k, fresh))
    diff = sorted((set(x.files) ^ set(theirs)) - set(added))
    for k in sorted(set(x.files) & set(theirs)):
        u, v = x[k], y[theirs[k]]
        if k.endswith("/log") and fresh:
            if without_fields(u, fresh) != without_fields(v, set()):
                diff.append(k)
        elif u.shape != v.shape or u.dtype != v.dtype or u.tobytes() != v.tobytes():
            diff.append(k)
    return diff, added


def main() -> None:
    """Play the cases in both checkouts and report the differences."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--against", type=Path, required=True, help="another checkout")
    ap.add_argument("--python", default=None,
                    help="interpreter for the other checkout (default: its .venv, else this one)")
    ap.add_argument("--replicates", type=int, default=300)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--renamed", action="append", default=[], metavar="OLD=NEW",
                    help="a parameter named OLD in the other checkout and NEW in this one "
                         "(repeatable); their arrays are compared with each other")
    ap.add_argument("--new", action="append", default=[], metavar="NAME",
                    help="a setting or event field that exists in this checkout only "
                         "(repeatable): its parameters are listed as new, and the field is "
                         "left out of this checkout's events")
    args = ap.parse_args()
    renamed = dict(r.split("=", 1) for r in args.renamed)
    other = args.against.resolve()
    py = args.python or (str(other / ".venv" / "bin" / "python")
                         if (other / ".venv").exists() else sys.executable)
    names = args.scenarios.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        mine, theirs = Path(tmp) / "this.npz", Path(tmp) / "other.npz"
        play(sys.executable, ROOT, mine, names, args.replicates)
        play(py, other, theirs, names, args.replicates)
        diff, added = compare(mine, theirs, renamed, set(args.new))
        n = len(np.load(mine).files)
    if diff:
        print(f"{len(diff)} of {n} arrays differ:")
        for k in diff[:40]:
            print(f"  {k}")
        sys.exit(1)
    if renamed:
        print("renamed parameters: " + ", ".join(f"{k} -> {v}" for k, v in renamed.items()))
    if args.new:
        print(f"new in this checkout: {', '.join(args.new)} ({len(added)} parameter arrays, "
              "left out; the events compared without the new fields)")
    print(f"identical: {n - len(added)} arrays ({len(names)} scenarios x campaign on/off x "
          f"seeds 1-3 x luck/deterministic, {args.replicates} replicates, every turn and the "
          "narrative)")


if __name__ == "__main__":
    main()
