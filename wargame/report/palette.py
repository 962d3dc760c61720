"""Faction colours: the scenario's own, and a colour-blind-safe fallback for the rest.

The fallback is the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design"), whose
eight colours stay distinguishable under the common forms of colour blindness. A faction
without a ``colour`` gets the first Okabe-Ito colour that no other faction of the scenario
uses (nor one close to it), so a scenario that colours some factions and not others still gets
distinct colours. Past eight factions the palette repeats in lighter tints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

# Okabe-Ito, in the order fallbacks are handed out: the most distinct hues first, yellow
# (weak on white paper) and black (reads as "text") last.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

NOBODY_COLOUR = "#BBBBBB"  # places no faction holds
NOBODY_LABEL = "nobody"

# Two colours closer than this (Euclidean distance in 0-255 RGB) count as "the same" when
# choosing fallbacks: about the gap between two Okabe-Ito neighbours' nearest pair halved.
_TOO_CLOSE = 60.0


def rgb(colour: str) -> tuple[int, int, int]:
    """``#RRGGBB`` -> ``(r, g, b)`` in 0-255."""
    c = colour.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def hex_colour(r: float, g: float, b: float) -> str:
    """``(r, g, b)`` in 0-255 -> ``#RRGGBB`` (rounded, clamped)."""
    return "#" + "".join(f"{max(0, min(255, round(x))):02X}" for x in (r, g, b))


def _distance(a: str, b: str) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(rgb(a), rgb(b), strict=True)) ** 0.5)


def tint(colour: str, amount: float) -> str:
    """Mix ``colour`` with white: 0 leaves it, 1 gives white."""
    r, g, b = rgb(colour)
    return hex_colour(*(x + (255 - x) * amount for x in (r, g, b)))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) in ``[0, 1]``."""

    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb(colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    return "#000000" if luminance(colour) > 0.3 else "#FFFFFF"


def terminal_colour(colour: str) -> str:
    """A colour that shows on dark and light terminals: very dark colours are lifted to grey.

    Black (a common faction colour) would vanish on a dark terminal background.
    """
    return tint(colour, 0.45) if luminance(colour) < 0.03 else colour


def assign(given: Mapping[str, str | None]) -> dict[str, str]:
    """A colour for every key: its own if given, else the next free Okabe-Ito colour.

    ``given`` maps ids (in scenario order) to ``#RRGGBB`` or ``None``.
    """
    taken = [c.upper() for c in given.values() if c]
    out: dict[str, str] = {}
    spare = _fallbacks(taken)
    for key, colour in given.items():
        out[key] = colour.upper() if colour else next(spare)
    return out


def _fallbacks(taken: Iterable[str]) -> Iterator[str]:
    """Okabe-Ito colours not close to any taken one, then lighter tints of the whole palette."""
    used = list(taken)
    for c in OKABE_ITO:
        if all(_distance(c, t) > _TOO_CLOSE for t in used):
            used.append(c)
            yield c
    round_ = 1
    while True:
        for c in OKABE_ITO:
            yield tint(c, min(0.8, 0.35 * round_))
        round_ += 1


def faction_colours(factions: Mapping[str, object]) -> dict[str, str]:
    """Colours of a scenario's factions (``scenario.factions``), in scenario order."""
    return assign({fid: getattr(f, "colour", None) for fid, f in factions.items()})
