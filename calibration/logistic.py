"""Ridge-penalised logistic regression by Newton-Raphson (IRLS), and probability scores.

Small and dependency-free (numpy only) so the fit is reproducible to the last digit that
matters: the objective is strictly convex, so Newton's method converges to the unique optimum
from zero in a handful of steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LogisticFit",
    "brier_score",
    "expit",
    "fit_logistic",
    "log_loss",
]

PROB_FLOOR = 1e-12
"""Probabilities are clipped to [PROB_FLOOR, 1 - PROB_FLOOR] before taking logs."""


def expit(z: ArrayLike) -> NDArray[np.float64]:
    """The logistic function ``1 / (1 + exp(-z))`` without overflow warnings."""
    z = np.asarray(z, dtype=np.float64)
    ez = np.exp(-np.abs(z))
    out: NDArray[np.float64] = np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))
    return out


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients of ``logit P(y=1) = X @ coef`` with their approximate covariance.

    ``cov`` is the inverse of the penalised Hessian at the optimum (the usual large-sample
    approximation; with a ridge it is the posterior covariance under the implied prior).
    """

    names: tuple[str, ...]
    coef: NDArray[np.float64]
    cov: NDArray[np.float64]
    ridge: float
    iterations: int
    n: int

    @property
    def stderr(self) -> NDArray[np.float64]:
        """Standard errors: square roots of the diagonal of ``cov``."""
        out: NDArray[np.float64] = np.sqrt(np.diag(self.cov))
        return out

    def predict(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """``P(y=1)`` for the rows of the design matrix ``x`` (same column order)."""
        return expit(x @ self.coef)

    def as_dict(self) -> dict[str, float]:
        """Coefficient by name."""
        return {name: float(c) for name, c in zip(self.names, self.coef, strict=True)}


def fit_logistic(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    names: tuple[str, ...],
    ridge: float = 0.0,
    penalise_first: bool = False,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> LogisticFit:
    """Maximise ``sum log-likelihood - ridge/2 * sum(coef[j]**2)`` over the columns of ``x``.

    The first column is taken to be the intercept and is not penalised unless
    ``penalise_first``. ``y`` holds 0/1 outcomes. Raises ``ValueError`` on bad shapes and
    ``RuntimeError`` if Newton's method has not converged (|step| < ``tol``) in ``max_iter``
    iterations, which with ``ridge > 0`` does not happen for finite data.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or len(names) != x.shape[1]:
        raise ValueError("x must be (n, p), y (n,), and names must have p entries")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("y must be 0/1")
    p = x.shape[1]
    penalty = np.full(p, float(ridge))
    if not penalise_first:
        penalty[0] = 0.0
    coef = np.zeros(p)
    iterations = 0
    converged = False
    while not converged:
        if iterations == max_iter:
            raise RuntimeError(f"logistic fit did not converge in {max_iter} iterations")
        iterations += 1
        mu = expit(x @ coef)
        hess = (x * (mu * (1.0 - mu))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, x.T @ (y - mu) - penalty * coef)
        coef = coef + step
        converged = float(np.max(np.abs(step))) < tol
    mu = expit(x @ coef)
    hess = (x * (mu * (1.0 - mu))[:, None]).T @ x + np.diag(penalty)
    cov: NDArray[np.float64] = np.linalg.inv(hess).astype(np.float64)
    return LogisticFit(tuple(names), coef, cov, float(ridge), iterations, int(x.shape[0]))


def brier_score(p: ArrayLike, y: ArrayLike) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes (lower is better)."""
    p_arr, y_arr = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.mean((p_arr - y_arr) ** 2))


def log_loss(p: ArrayLike, y: ArrayLike) -> float:
    """Mean negative log-likelihood (nats) of 0/1 outcomes; p is clipped to avoid log(0)."""
    p_arr = np.clip(np.asarray(p, dtype=np.float64), PROB_FLOOR, 1.0 - PROB_FLOOR)
    y_arr = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y_arr * np.log(p_arr) + (1.0 - y_arr) * np.log1p(-p_arr)))
