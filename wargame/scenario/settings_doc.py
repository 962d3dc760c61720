"""The ``model:`` table of ``docs/scenario-format.md``, generated from the settings registry.

``python -m wargame.scenario.settings_doc --markdown`` prints the table;
``--update docs/scenario-format.md`` rewrites it in place. ``tests/test_settings_registry.py``
fails when the document and :data:`wargame.scenario.settings.SETTINGS` disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from wargame.scenario.settings import SETTINGS, Setting, bound_text


def type_text(s: Setting) -> str:
    """The type column of the docs table: "fraction or distribution", "whole number 1–48"."""
    if s.kind == "switch":
        return "boolean"
    if s.kind == "choice":
        return " or ".join(f"`{c}`" for c in s.choices)
    noun = "whole number" if s.kind == "whole" else "number"
    if (s.low, s.high, s.above_low) == (0.0, 1.0, False) and s.kind == "number":
        text = "fraction"
    elif s.low is not None and s.high is not None:
        text = (f"{noun} > {bound_text(s.low)}, at most {bound_text(s.high)}" if s.above_low
                else f"{noun} {bound_text(s.low)}–{bound_text(s.high)}")
    elif s.low is not None:
        text = f"{noun} {'>' if s.above_low else '≥'} {bound_text(s.low)}"
    else:
        text = noun
    return f"{text} or distribution" if s.sampled else text


def default_text(s: Setting) -> str:
    """The default column: ``unset``, or the default as YAML would read it back."""
    if s.default is None:
        return "unset"
    if isinstance(s.default, bool):
        return f"`{str(s.default).lower()}`"
    if isinstance(s.default, float):
        return f"`{format(Decimal(repr(s.default)), 'f')}`"
    return f"`{s.default}`"


FIT_FILES = {"CDB90": "calibration.json", "modern battles": "tempo.json"}
"""The file of ``wargame/data`` that holds each fit's ``parameters``."""


def calibrated_values() -> dict[str, float]:
    """The value each calibrated setting takes when unset, read from the packaged fits (the
    files themselves: the scenario layer does not import the calibration package)."""
    import json
    from importlib.resources import files

    fits = {fit: json.loads(files("wargame").joinpath("data", name).read_text(encoding="utf-8"))
            ["parameters"] for fit, name in FIT_FILES.items()}
    return {s.name: float(fits[s.calibrated][s.name]) for s in SETTINGS if s.calibrated}


def markdown(settings: Sequence[Setting] = SETTINGS,
             calibrated: dict[str, float] | None = None) -> str:
    """The ``model:`` table of ``docs/scenario-format.md`` (no trailing newline); a calibrated
    setting's default shows its value in the packaged fit (or in ``calibrated``)."""
    values = calibrated_values() if calibrated is None else calibrated
    rows = ["| key | required | type | default | meaning | example |",
            "|---|---|---|---|---|---|"]
    for s in settings:
        source = (f"{s.source}, {values[s.name]:.3g}" if s.name in values else s.source)
        rows.append(f"| `{s.name}` | optional | {type_text(s)} | {default_text(s)} | "
                    f"{s.doc} Default: {source}. | `{s.name}: {s.example}` |")
    return "\n".join(rows)


TABLE_MARK = "<!-- keys: ModelSettings -->\n"
"""The line before the table in ``docs/scenario-format.md``; the table ends at a blank line."""


def table_in(text: str) -> str:
    """The ``model:`` table as ``text`` (the scenario format reference) has it."""
    start = text.index(TABLE_MARK) + len(TABLE_MARK)
    return text[start:text.index("\n\n", start)]


def replace_table(text: str, table: str) -> str:
    """``text`` (the scenario format reference) with its ``model:`` table replaced."""
    start = text.index(TABLE_MARK) + len(TABLE_MARK)
    end = text.index("\n\n", start)
    return text[:start] + table + text[end:]


def _main(argv: list[str] | None = None) -> int:
    import argparse
    from pathlib import Path

    ap = argparse.ArgumentParser(prog="python -m wargame.scenario.settings_doc",
                                 description="Print or rewrite the table of model settings.")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--markdown", action="store_true", help="print the docs table")
    group.add_argument("--update", type=Path, metavar="DOC",
                       help="rewrite the table in DOC (docs/scenario-format.md) in place")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown())
    else:
        doc: Path = args.update
        doc.write_text(replace_table(doc.read_text(encoding="utf-8"), markdown()),
                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
