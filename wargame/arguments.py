"""The checks of arguments given to the API and the commands: one rule for each kind.

Whole numbers (``runs``, ``seed``, ``chunk_size``, ``workers``, ``turns``, ``points``, ``game``,
``depth``) must be ``int`` and within their range: a float, a bool or a text is an error that
names the argument, never rounded (``runs=10.5`` does not play 10 games) nor passed on to fail
inside (``'<' not supported between 'str' and 'int'``). Shares (``precision``,
``min_share``) must be real numbers in their open range. The command line parses its options
into these types first, so both meet the same rule and the same message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from wargame.errors import UsageError
from wargame.textsafe import excerpt


def _shown(value: Any) -> str:
    return excerpt(repr(value), 60)


def whole(name: str, value: Any, low: int, high: int | None = None) -> int | None:
    """``value`` as an ``int`` in ``[low, high]`` (``None`` passes), or a usage error naming
    ``name``: "--runs must be at least 1 (got 0)", "--runs must be a whole number of at least 1
    (got '10')"."""
    if value is None:
        return None
    bounds = (f"between {low:,} and {high:,}" if high is not None else f"at least {low:,}")
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise UsageError(f"{name} must be a whole number {'' if high else 'of '}{bounds} "
                         f"(got {_shown(value)})")
    n = int(value)
    if n < low or (high is not None and n > high):
        if low == 0 and high is None:
            raise UsageError(f"{name} must not be negative (got {n})")
        raise UsageError(f"{name} must be {bounds} (got {n})")
    return n


def share(name: str, value: Any, low: float, high: float) -> float | None:
    """``value`` as a ``float`` strictly between ``low`` and ``high`` (``None`` passes)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or \
            not math.isfinite(float(value)) or not low < float(value) < high:
        shown = value if isinstance(value, Real) and not isinstance(value, bool) \
            else _shown(value)
        raise UsageError(f"{name} must be between {low:g} and {high:g} (got {shown})")
    return float(value)


def flag(name: str, value: Any) -> bool:
    """``value`` must be ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be True or False (got {_shown(value)})")
    return value


def texts(name: str, value: Any) -> list[str]:
    """A list of texts (``overrides``, ``vary``): a lone text is refused, not split into its
    characters."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or \
            not all(isinstance(v, str) for v in value):
        raise UsageError(f"{name} must be a list of texts such as ['path=value'] (got "
                         f"{_shown(value)})")
    return list(value)


def text(name: str, value: Any, optional: bool = True) -> str | None:
    """A text (``design``, ``scheduler``, ``outcome``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a text (got {_shown(value)})")
    return value


def path(name: str, value: Any, optional: bool = True) -> Path | None:
    """A file name (``str`` or ``os.PathLike``), not a mapping, a number or ``None``."""
    if value is None and optional:
        return None
    if isinstance(value, (str, Path)) and str(value):
        return Path(value)
    raise UsageError(f"{name} must be a file name (got {_shown(value)})")
