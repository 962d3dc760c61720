"""Final control of every place, grouped by the scenario's regions (terminal and HTML).

Input is the batch's control rows (``BatchResult.control``: one
:class:`~wargame.batch.summary.ControlShare` per settlement and faction with the share of games
it holds the place), so the terminal table and the HTML report show the batch's own numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from rich import box
from rich.table import Table
from rich.text import Text

from wargame.batch.summary import NOBODY as NOBODY_ID  # the batch's id for "nobody"
from wargame.report.palette import NOBODY_COLOUR, assign, terminal_colour
from wargame.scenario.schema import Scenario
from wargame.textsafe import printable, terminal

if TYPE_CHECKING:
    from wargame.batch.summary import ControlShare

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
    """A share as a whole percentage for a table cell: blank for 0, ``<1`` for a trace."""
    if p <= 0:
        return ""
    if p < 0.005:
        return "<1"
    if p > 0.995 and p < 1:
        return ">99"
    return f"{100 * p:.0f}"


def _bar(shares: np.ndarray, colours: list[str], width: int) -> Text:
    """A stacked bar of ``width`` cells, by largest remainder so it always fills exactly."""
    raw = shares / max(float(shares.sum()), 1e-12) * width
    cells = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - cells))[: width - int(cells.sum())]:
        cells[k] += 1
    out = Text()
    for n, colour in zip(cells, colours, strict=True):
        if n:
            out.append("█" * int(n), style=terminal_colour(colour))
    return out


def control_by_region(control_rows: Sequence[ControlShare], scenario: Scenario | None = None,
                      *, title: str | None = None, width: int = 100) -> Table:
    """A compact table of who holds each place, grouped by region, fitting ``width`` columns.

    One column per faction (header: its id, in its colour) with the percentage of games it
    holds the place at the end, the most likely holder in bold, and a stacked bar of the
    shares when there is room. ``control_rows`` is ``BatchResult.control``.
    """
    rt = region_table(control_rows, scenario)
    fcols = [*rt.factions, *([NOBODY_ID] if rt.has_nobody else [])]
    col_w = [max(3, min(7, len(f))) for f in fcols]
    region_w = min(12, max((len(g) for g, _ in rt.groups), default=6))
    fixed = region_w + sum(col_w) + 2 * (len(fcols) + 2)
    place_w = max(10, min(24, width - fixed - 14, max((len(n) for n in rt.names), default=10)))
    bar_w = min(20, width - fixed - place_w - 2)
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False,
                  show_edge=False, collapse_padding=True, expand=False)
    table.add_column("region", width=region_w, no_wrap=True, overflow="ellipsis",
                     style="dim")
    table.add_column("place", width=place_w, no_wrap=True, overflow="ellipsis")
    for fid, w, colour in zip(fcols, col_w, rt.colours if rt.has_nobody else rt.colours[:-1],
                              strict=True):
        table.add_column(Text(printable(fid[:w]), style=f"bold {terminal_colour(colour)}"), width=w,
                         justify="right", no_wrap=True)
    if bar_w >= 6:
        table.add_column("share of games", width=bar_w, no_wrap=True)
    for g, (region, idx) in enumerate(rt.groups):
        for k, i in enumerate(idx):
            row = rt.shares[i]
            lead = int(np.argmax(row))
            cells: list[Any] = [terminal(region) if k == 0 else "", terminal(rt.names[i])]
            for f in range(len(fcols)):
                style = terminal_colour(rt.colours[f]) + (" bold" if f == lead else "")
                cells.append(Text(share_text(float(row[f])), style=style))
            if bar_w >= 6:
                shares = row if rt.has_nobody else row[:-1]
                cells.append(_bar(shares, rt.colours[: len(shares)], bar_w))
            table.add_row(*cells, end_section=(k == len(idx) - 1 and g < len(rt.groups) - 1))
    names = Text("")
    for fid, name, colour in zip(rt.factions, rt.faction_names, rt.colours, strict=False):
        names.append(printable(fid), style=f"bold {terminal_colour(colour)}")
        names.append(f" {printable(name)}   ")
    table.caption = names
    table.caption_justify = "left"
    return table
