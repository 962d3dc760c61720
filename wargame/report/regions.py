"""Final control of every place, grouped by the scenario's regions (terminal and HTML).

Input is the batch's control rows (``BatchResult.control``: one
:class:`~wargame.montecarlo.summary.ControlShare` per settlement and faction with the share of games
it holds the place), so the terminal table and the HTML report show the batch's own numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console, Group
from rich.text import Text

from wargame.display import Col, Fit, abbreviations, colour, share, table
from wargame.montecarlo.summary import NOBODY as NOBODY_ID  # the batch's id for "nobody"
from wargame.report.palette import NOBODY_COLOUR, assign, terminal_colour
from wargame.scenario.schema import Scenario
from wargame.textsafe import printable

if TYPE_CHECKING:
    from wargame.montecarlo.summary import ControlShare

OTHER_REGION = "Other"


@dataclass(frozen=True)
class RegionTable:
    """Shares ``[N, F+1]`` (last column: nobody) with names, colours and region groups."""

    settlements: list[str]
    names: list[str]
    factions: list[str]
    faction_names: list[str]
    colours: list[str]          # per faction, then nobody
    shares: np.ndarray
    groups: list[tuple[str, list[int]]]   # region label -> settlement indices

    @property
    def has_nobody(self) -> bool:
        """Whether any place is held by nobody in some game."""
        return bool(self.shares[:, -1].any())


def _pretty(region: str) -> str:
    return region.replace("_", " ").strip().capitalize() or OTHER_REGION


def region_table(control_rows: Sequence[ControlShare],
                 scenario: Scenario | None = None) -> RegionTable:
    """Arrange the batch's control rows by region (scenario order within a region).

    Without the scenario, places keep the batch's order under one region and factions get the
    fallback palette.
    """
    settlements: list[str] = []
    factions: list[str] = []
    for r in control_rows:
        if r.settlement not in settlements:
            settlements.append(r.settlement)
        if r.faction != NOBODY_ID and r.faction not in factions:
            factions.append(r.faction)
    shares = np.zeros((len(settlements), len(factions) + 1))
    for r in control_rows:
        f = len(factions) if r.faction == NOBODY_ID else factions.index(r.faction)
        shares[settlements.index(r.settlement), f] = r.probability or 0.0
    places = scenario.settlements if scenario is not None else {}
    facs = scenario.factions if scenario is not None else {}
    names = [places[s].name if s in places else s for s in settlements]
    fnames = [facs[f].name if f in facs else f for f in factions]
    given = {f: (facs[f].colour if f in facs else None) for f in factions}
    colours = [*assign(given).values(), NOBODY_COLOUR]
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(settlements):
        label = _pretty(places[s].region) if s in places else OTHER_REGION
        groups.setdefault(label, []).append(i)
    return RegionTable(settlements, names, factions, fnames, colours, shares,
                       list(groups.items()))


def share_text(p: float) -> str:
    """A share as a whole percentage for a table cell: blank for never, ``<1`` for a trace,
    ``>99`` for nearly always (:func:`wargame.display.share`)."""
    return "" if p <= 0 else share(p)


def _bar(shares: np.ndarray, colours: list[str], width: int) -> Text:
    """A stacked bar of ``width`` cells, by largest remainder so it always fills exactly."""
    raw = shares / max(float(shares.sum()), 1e-12) * width
    cells = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - cells))[: width - int(cells.sum())]:
        cells[k] += 1
    out = Text()
    for n, hue in zip(cells, colours, strict=True):
        if n:
            out.append("█" * int(n), style=terminal_colour(hue))
    return out


BAR_WIDTH = 20   # cells of the share-of-games bar, shown only in colour and when it fits


def control_by_region(control_rows: Sequence[ControlShare], scenario: Scenario | None = None,
                      *, title: str | None = None) -> Fit:
    """Who holds each place at the end, grouped by region, laid out for the console's width.

    One column per faction (and nobody, when any place is left empty) with the percentage of
    games it holds the place (blank: in no game), the most likely holder in bold. The layouts,
    widest first: a region column and a stacked bar of the shares (colour terminals only: the
    bar says nothing without colour); without the bar; regions as headings over their places;
    and faction columns headed by short codes explained under the table. ``control_rows`` is
    ``BatchResult.control``.
    """
    rt = region_table(control_rows, scenario)
    fcols = [*rt.factions, *([NOBODY_ID] if rt.has_nobody else [])]
    colours = rt.colours if rt.has_nobody else rt.colours[:-1]
    names = [*rt.faction_names, *(["nobody"] if rt.has_nobody else [])]

    def layout(bar: bool, headings: bool, short: bool) -> Callable[[Console], object]:
        def make(console: Console) -> object:
            codes = abbreviations(fcols) if short else fcols
            cols = [] if headings else [Col("region", style="dim")]
            cols.append(Col("place"))
            cols += [Col(Text(printable(c), style=f"bold {terminal_colour(k)}"), "right",
                         wrap=False)
                     for c, k in zip(codes, colours, strict=True)]
            show_bar = bar and colour(console)
            if show_bar:
                cols.append(Col("share of games", wrap=False))
            rows: list[list[str | Text]] = []
            ends: list[int] = []
            for region, idx in rt.groups:
                if headings:
                    rows.append([Text(printable(region), style="bold"), *[""] * (len(cols) - 1)])
                for k, i in enumerate(idx):
                    row = rt.shares[i]
                    lead = int(np.argmax(row))
                    cells: list[str | Text] = [] if headings else [region if k == 0 else ""]
                    cells.append(("  " if headings else "") + rt.names[i])
                    for f in range(len(fcols)):
                        style = terminal_colour(rt.colours[f]) + (" bold" if f == lead else "")
                        cells.append(Text(share_text(float(row[f])), style=style))
                    if show_bar:
                        shares = row if rt.has_nobody else row[:-1]
                        cells.append(_bar(shares, rt.colours[: len(shares)], BAR_WIDTH))
                    rows.append(cells)
                ends.append(len(rows) - 1)
            t = table(cols, rows, title=title, sections=ends[:-1])
            return Group(t, _legend(codes, fcols, names, colours))
        return make

    return Fit(layout(True, False, False), layout(False, False, False),
               layout(False, True, False), layout(False, True, True), decorated=2)


def _legend(codes: Sequence[str], ids: Sequence[str], names: Sequence[str],
            colours: Sequence[str]) -> Text:
    """One line per faction: its column header, id (when abbreviated) and name."""
    out = Text()
    for code, fid, name, colour_ in zip(codes, ids, names, colours, strict=True):
        out.append(printable(code), style=f"bold {terminal_colour(colour_)}")
        out.append(printable(f" {fid}: {name}\n" if code != fid else f": {name}\n"))
    out.append("Percent of games each side holds the place at the end; blank: in no game.")
    return out
