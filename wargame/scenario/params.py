"""Numeric parameters that may be fixed or uncertain, with provenance.

A parameter is written as a plain number, as ``{value: 5000, source: ...}``, or as a
distribution ``{dist: uniform|triangular|normal|lognormal|choice, ...}``. Every form may carry
``source:`` and ``note:``. Distributions are sampled once per game (replicate).
"""

from __future__ import annotations

import difflib
import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wargame.jsontypes import JSONObject
from wargame.scenario.limits import MAX_LOGNORMAL_SIGMA
from wargame.scenario.messages import schema_problem

if TYPE_CHECKING:  # numpy is imported where a parameter is sampled: validating needs none
    import numpy as np

STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class _Provenance(BaseModel):
    model_config = STRICT
    source: str | None = None
    note: str | None = None


class Fixed(_Provenance):
    """A fixed number with its provenance: ``{value: 5000, source: ...}``."""

    value: float

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the parameter can take."""
        return (self.value, self.value)

    def mean(self) -> float:
        """The expected value."""
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (all equal)."""
        import numpy as np

        return np.full(n, self.value)


class Uniform(_Provenance):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value."""
        return (self.low, self.high)

    def mean(self) -> float:
        """The expected value."""
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws."""
        return rng.uniform(self.low, self.high, n)


class Triangular(_Provenance):
    """Triangular with ``low <= mode <= high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"needs low <= mode <= high (got {self.low}, {self.mode}, {self.high})"
            )
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value."""
        return (self.low, self.high)

    def mean(self) -> float:
        """The expected value."""
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws."""
        import numpy as np

        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)


class Normal(_Provenance):
    """Normal ``(mean, sd)``, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float
    low: float | None = None
    high: float | None = None

    model_config = ConfigDict(**STRICT, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        if self.sd <= 0:
            raise ValueError(f"sd must be positive (got {self.sd})")
        lo, hi = self.support()
        if lo >= hi:
            raise ValueError(f"low ({lo}) must be below high ({hi})")
        if _mass(*self._standard_bounds()) < MIN_TRUNCATED_MASS:
            raise ValueError("the bounds leave (almost) no probability: check mean, sd, low, high")
        return self

    def _standard_bounds(self) -> tuple[float, float]:
        lo, hi = self.support()
        return (lo - self.mean_) / self.sd, (hi - self.mean_) / self.sd

    def support(self) -> tuple[float, float]:
        """Smallest and largest value (infinite when unbounded)."""
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )

    def mean(self) -> float:
        """The expected value of the truncated distribution: ``mean + sd (φ(a) - φ(b)) / Z``
        with ``a, b`` the bounds in standard units and ``Z = Φ(b) - Φ(a)`` (Johnson, Kotz and
        Balakrishnan 1994, *Continuous Univariate Distributions* vol. 1, eq. 13.134)."""
        a, b = self._standard_bounds()
        return self.mean_ + self.sd * (_pdf(a) - _pdf(b)) / _mass(a, b)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws by inverse CDF (so truncation costs nothing):
        ``mean + sd Φ⁻¹(Φ(a) + u Z)`` with ``u`` uniform on [0, 1).

        When both bounds lie above the mean the mirror image is drawn instead
        (``-Φ⁻¹(Φ(-b) + u Z)``), so the probabilities stay far from 1, where they lose digits.
        """
        import numpy as np

        a, b = self._standard_bounds()
        flip = a > 0
        lo = _cdf(-b) if flip else _cdf(a)
        p = np.clip(lo + rng.random(n) * _mass(a, b), _P_MIN, _P_MAX)
        z = _inv_cdf(p)
        x = self.mean_ + self.sd * (-z if flip else z)
        low, high = self.support()
        return np.asarray(np.clip(x, low, high), float)  # rounding may step past a bound


# The standard normal distribution, from the standard library (scipy.stats costs a second of
# start-up for these three functions). Φ(x) is written with erfc so that both tails keep their
# digits: Φ(x) = erfc(-x / √2) / 2.
_STANDARD = NormalDist()
MIN_TRUNCATED_MASS = 1e-9
"""The least probability the bounds of a truncated normal may leave: below it they are a
typing mistake (and the inverse CDF would lose all precision)."""
_P_MIN, _P_MAX = 5e-324, 1.0 - 2.0**-53  # the open interval (0, 1) that Φ⁻¹ accepts


def _cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _pdf(x: float) -> float:
    return 0.0 if math.isinf(x) else _STANDARD.pdf(x)


def _mass(a: float, b: float) -> float:
    """Φ(b) - Φ(a), taken in the tail away from 1 (Φ(b) - Φ(a) = Φ(-a) - Φ(-b))."""
    return _cdf(-a) - _cdf(-b) if a > 0 else _cdf(b) - _cdf(a)


def _inv_cdf(p: np.ndarray) -> np.ndarray:
    # Φ⁻¹ elementwise (Wichura's AS 241, accurate to about 1e-16). This runs once per game per
    # uncertain parameter, when a batch samples its parameters: not inside the turn loop.
    import numpy as np

    return np.asarray(np.frompyfunc(_STANDARD.inv_cdf, 1, 1)(p), float)


class LogNormal(_Provenance):
    """Log-normal with the given ``median`` and ``sigma`` (sd of the log)."""

    dist: Literal["lognormal"]
    median: float
    sigma: float

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        if self.median <= 0:
            raise ValueError(f"median must be positive (got {self.median})")
        if not 0 < self.sigma <= MAX_LOGNORMAL_SIGMA:
            raise ValueError(f"sigma must be more than 0 and at most {MAX_LOGNORMAL_SIGMA:g} "
                             f"(got {self.sigma})")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value."""
        return (0.0, math.inf)

    def mean(self) -> float:
        """The expected value."""
        return self.median * math.exp(self.sigma**2 / 2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws."""
        import numpy as np

        return self.median * np.exp(self.sigma * rng.standard_normal(n))


class Choice(_Provenance):
    """One of ``values``, with optional ``weights`` (default equal)."""

    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value."""
        return (min(self.values), max(self.values))

    def _p(self) -> np.ndarray:
        import numpy as np

        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return np.asarray(w / w.sum(), float)

    def mean(self) -> float:
        """The expected value."""
        import numpy as np

        return float(np.dot(self._p(), self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws."""
        import numpy as np

        return np.asarray(self.values, float)[rng.choice(len(self.values), n, p=self._p())]


Dist = Uniform | Triangular | Normal | LogNormal | Choice
Param = float | Fixed | Dist
"""A numeric parameter after validation: a float or an object with ``sample``."""

_DIST_ADAPTER: TypeAdapter[Dist] = TypeAdapter(
    Annotated[Dist, Field(discriminator="dist")]
)
_FIXED_ADAPTER: TypeAdapter[Fixed] = TypeAdapter(Fixed)
DIST_NAMES = ("uniform", "triangular", "normal", "lognormal", "choice")


def _parse_param(value: Any, handler: Any) -> Param:
    if isinstance(value, bool):
        raise PydanticCustomError("param_type", "expected a number, got a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise PydanticCustomError("param_finite", "must be a finite number")
        return float(value)
    if isinstance(value, (Fixed, Uniform, Triangular, Normal, LogNormal, Choice)):
        return value
    if isinstance(value, dict):
        if "dist" in value:
            if value["dist"] not in DIST_NAMES:
                # pydantic formats only plain {name} placeholders, so the repr is made here.
                raise PydanticCustomError(
                    "param_dist",
                    "unknown distribution {name}; use one of: {names}",
                    {"name": repr(value["dist"]), "names": ", ".join(DIST_NAMES)},
                )
            return _DIST_ADAPTER.validate_python(value)
        if "value" in value:
            return _FIXED_ADAPTER.validate_python(value)
        raise PydanticCustomError(
            "param_form",
            "expected a number, {value: ...} or a distribution {dist: ...}",
        )
    raise PydanticCustomError(
        "param_type",
        "expected a number or a distribution, got {kind}",
        {"kind": type(value).__name__},
    )


_MODELS: dict[str, type[BaseModel]] = {
    "uniform": Uniform, "triangular": Triangular, "normal": Normal, "lognormal": LogNormal,
    "choice": Choice,
}


def _known_keys(value: Any) -> list[str]:
    model = _MODELS.get(str(value.get("dist")), Fixed) if isinstance(value, dict) else Fixed
    return [f.alias or name for name, f in model.model_fields.items()]


def _param_validator(value: Any, handler: Any) -> Param:
    try:
        return _parse_param(value, handler)
    except ValidationError as exc:
        # Re-raise the first nested problem with its own sub-path folded into the message.
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p not in DIST_NAMES]
        where = ".".join(str(p) for p in loc)
        msg = schema_problem(err)
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _known_keys(value), n=1, cutoff=0.6)
            msg = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
        elif err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
            where = ".".join(str(p) for p in loc[:-1])
        raise PydanticCustomError(
            "param_invalid", "{where}{msg}", {"where": f"{where}: " if where else "", "msg": msg}
        ) from None


POSITIVE_FLOOR = 1e-9
"""The smallest value a parameter that must be positive may take (``bounded(POSITIVE_FLOOR)``);
messages call it "more than 0"."""


def _num(x: float) -> str:
    return "0" if x == 0 else f"{x:g}"


def _range_problem(p: Param, bound: float, above: bool) -> PydanticCustomError:
    """The message for a value or distribution that goes past a bound."""
    if bound == POSITIVE_FLOOR and not above:
        need = "must be more than 0"
    else:
        need = f"must be {'at most' if above else 'at least'} {_num(bound)}"
    if isinstance(p, float):
        return PydanticCustomError("param_range", "{need} (got {v})", {"need": need, "v": _num(p)})
    low, high = p.support()
    reach = high if above else low
    kind = type(p).__name__.lower()
    if math.isinf(reach):
        side = "upper" if above else "lower"
        return PydanticCustomError(
            "param_range", "{need}, but this {kind} distribution has no {side} bound",
            {"need": need, "kind": kind, "side": side})
    return PydanticCustomError(
        "param_range", "{need}, but this {kind} distribution reaches {v}",
        {"need": need, "kind": kind, "v": _num(reach)})


def bounded(lo: float | None = None, hi: float | None = None, integer: bool = False) -> Any:
    """An annotated parameter type whose every possible value lies in ``[lo, hi]``."""

    def check(p: Param) -> Param:
        low, high = (p, p) if isinstance(p, float) else p.support()
        if lo is not None and low < lo:
            raise _range_problem(p, lo, above=False)
        if hi is not None and high > hi:
            raise _range_problem(p, hi, above=True)
        if integer and isinstance(p, float) and not p.is_integer():
            raise PydanticCustomError("param_int", "must be a whole number")
        return p

    schema: JSONObject = {
        "anyOf": [
            {"type": "number", **({"minimum": lo} if lo is not None else {}),
             **({"maximum": hi} if hi is not None else {})},
            {"x-distribution": True},
        ]
    }
    return Annotated[
        Param,
        WrapValidator(_param_validator),
        AfterValidator(check),
        Field(json_schema_extra=None),
        _JsonSchema(schema),
    ]


class _JsonSchema:
    """Marker carrying the JSON Schema of a parameter (used by ``wargame schema``)."""

    def __init__(self, schema: JSONObject) -> None:
        self.schema = schema

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> JSONObject:
        return dict(self.schema)


def param_mean(p: Param) -> float:
    """The expected value of a parameter."""
    return p if isinstance(p, float) else p.mean()


def param_sample(p: Param, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` independent draws of a parameter, one per replicate."""
    import numpy as np

    if isinstance(p, float):
        return np.full(n, p)
    return p.sample(rng, n)


def param_is_uncertain(p: Param) -> bool:
    """True when the parameter is a distribution rather than a fixed number."""
    return not isinstance(p, (float, Fixed))


def param_source(p: Param) -> str | None:
    """The ``source:`` recorded on a parameter, if any."""
    return None if isinstance(p, float) else p.source
