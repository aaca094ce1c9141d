"""The wild cluster restricted (WCR) bootstrap for the difference-in-differences estimate,
used when too few schools are treated for cluster-robust standard errors to be trusted.

Design (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017; Roodman et al. 2019):

* The regression is run on school-year cells weighted by their pupil counts; this gives
  exactly the pupil-level estimate and cluster scores (every regressor is constant within a
  cell). School fixed effects are removed by weighted within-school demeaning (they are
  nested in the clusters, so this commutes with the per-cluster bootstrap signs); the year
  effects stay as explicit dummies; rows are scaled by sqrt(pupils) so that plain OLS on
  the transformed data is the weighted regression.
* The p-value for "no effect" comes from pyfixest's ``Feols.wildboottest`` (package
  ``wildboottest``): WCR, null imposed, bootstrap type 11, two-sided.
* The confidence interval is the set of effects a WCR test at the same level does not
  reject (test inversion). pyfixest only tests "= 0", so the inversion uses a vectorised
  WCR here in which everything is linear in the tested value; a test checks that its
  p-value at 0 agrees with pyfixest's.
* Weights: Rademacher (+1/-1 per school) with 12 or more clusters, otherwise Webb's six-point
  weights (Rademacher has only 2^G distinct draws).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf

from auyl.engines.impact.quiet import pyfixest_quiet

RADEMACHER = "rademacher"
WEBB = "webb"
#: Fewer clusters than this: Webb weights instead of Rademacher.
WEBB_BELOW_CLUSTERS = 12
#: Interval edges are located to this fraction of a standard error.
BOUND_TOLERANCE = 1e-4


@dataclass(frozen=True)
class BootstrapResult:
    """The WCR p-value for "no effect" and the WCR confidence interval."""

    p_value: float
    ci_low: float
    ci_high: float
    weights: str


@dataclass(frozen=True)
class _Design:
    """The transformed regression: ``y`` on ``x`` (first column of ``X``) and year dummies."""

    y: np.ndarray
    X: np.ndarray
    cluster: np.ndarray


def weights_for(n_clusters: int) -> str:
    """Rademacher weights with enough clusters, Webb's otherwise."""
    return RADEMACHER if n_clusters >= WEBB_BELOW_CLUSTERS else WEBB


def _within_school(values: np.ndarray, school: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Values minus their pupil-weighted school mean, scaled by sqrt(pupils)."""
    totals = np.bincount(school, weights=values * w)
    sizes = np.bincount(school, weights=w)
    return np.asarray((values - (totals / sizes)[school]) * np.sqrt(w), dtype=float)


def design(cells: pd.DataFrame, treat: str, cluster: str) -> _Design:
    """The transformed design from school-year ``cells`` (columns ``school``, ``year``,
    ``score``, ``n``, ``treat``, ``cluster``)."""
    school = pd.factorize(cells["school"])[0]
    w = cells["n"].to_numpy(float)
    years = np.sort(cells["year"].unique())[1:]
    columns = [cells[treat].to_numpy(float)]
    columns += [(cells["year"].to_numpy() == y).astype(float) for y in years]
    X = np.column_stack([_within_school(c, school, w) for c in columns])
    y = _within_school(cells["score"].to_numpy(float), school, w)
    return _Design(y, X, pd.factorize(cells[cluster])[0])


def pyfixest_p_value(d: _Design, *, reps: int, seed: int, weights: str) -> float:
    """The WCR p-value of "x = 0" from pyfixest's ``wildboottest``."""
    names = [f"d{j}" for j in range(1, d.X.shape[1])]
    data = pd.DataFrame(d.X, columns=["x", *names])
    data["y"] = d.y
    data["cl"] = d.cluster
    formula = "y ~ " + " + ".join(["x", *names]) + " - 1"
    with pyfixest_quiet():
        fit = pf.feols(formula, data, vcov={"CRV1": "cl"})
        out = fit.wildboottest(
            reps=reps, param="x", weights_type=weights, impose_null=True, seed=seed
        )
    return float(out["Pr(>|t|)"])


def _draws(n_clusters: int, reps: int, seed: int, weights: str) -> np.ndarray:
    """A clusters x reps matrix of bootstrap weights (mean 0, variance 1)."""
    rng = np.random.default_rng(seed)
    if weights == RADEMACHER:
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, reps))
    webb = np.sqrt(np.array([0.5, 1.0, 1.5]))
    return rng.choice(np.concatenate([-webb, webb]), size=(n_clusters, reps))


class _Inverter:
    """WCR t-statistics as a function of the tested effect ``b0``, for fixed draws.

    Under "effect = b0", the restricted residuals are ``e(b0) = ey - b0 * ex`` (y and x
    residualised on the year dummies), so the bootstrap numerators and per-cluster scores
    are linear in b0 and are precomputed once for all draws.
    """

    def __init__(self, d: _Design, draws: np.ndarray) -> None:
        X, y, g = d.X, d.y, d.cluster
        n_clusters = int(g.max()) + 1
        xtx_inv = np.linalg.inv(X.T @ X)
        r = xtx_inv[0]
        D = X[:, 1:]
        self.beta = float(r @ (X.T @ y))
        residual = y - X @ (xtx_inv @ (X.T @ y))
        self.se = self._se(X, residual, g, r, n_clusters)
        ey, ex = self._restricted(D, y), self._restricted(D, X[:, 0])
        xx_r = np.stack(
            [
                np.bincount(g, weights=X[:, j] * (X @ r), minlength=n_clusters)
                for j in range(X.shape[1])
            ],
            axis=1,
        )
        q = xx_r @ xtx_inv  # row g: (X_g'X_g r)' (X'X)^-1
        self.ssc = n_clusters / max(n_clusters - 1, 1)
        self.num_y, self.score_y = self._linear(X, ey, g, r, q, draws, n_clusters)
        self.num_x, self.score_x = self._linear(X, ex, g, r, q, draws, n_clusters)

    @staticmethod
    def _restricted(D: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``v`` minus its least-squares fit on the year dummies ``D``."""
        if D.shape[1] == 0:
            return v
        coef, *_ = np.linalg.lstsq(D, v, rcond=None)
        return np.asarray(v - D @ coef)

    def _se(
        self, X: np.ndarray, u: np.ndarray, g: np.ndarray, r: np.ndarray, n_clusters: int
    ) -> float:
        scores = np.bincount(g, weights=(X @ r) * u, minlength=n_clusters)
        return float(np.sqrt(n_clusters / max(n_clusters - 1, 1) * (scores**2).sum()))

    @staticmethod
    def _linear(
        X: np.ndarray,
        e: np.ndarray,
        g: np.ndarray,
        r: np.ndarray,
        q: np.ndarray,
        draws: np.ndarray,
        n_clusters: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap numerators (reps) and per-cluster scores (clusters x reps) for
        restricted residuals ``e``."""
        S = np.stack(
            [np.bincount(g, weights=X[:, j] * e, minlength=n_clusters) for j in range(X.shape[1])],
            axis=1,
        )
        a = S @ r
        numerators = a @ draws
        scores = a[:, None] * draws - q @ (S.T @ draws)
        return numerators, scores

    def p_value(self, b0: float) -> float:
        """Share of bootstrap |t*| at least the observed |t| for "effect = b0"."""
        t = abs(self.beta - b0) / self.se if self.se > 0 else np.inf
        num = self.num_y - b0 * self.num_x
        den = np.sqrt(self.ssc * ((self.score_y - b0 * self.score_x) ** 2).sum(axis=0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = np.where(den > 0, np.abs(num) / den, 0.0)
        return float(np.mean(t_star >= t))

    def bound(self, alpha: float, direction: float) -> float:
        """The edge of the confidence set on one side of the estimate: double the distance
        until the test rejects, then bisect to :data:`BOUND_TOLERANCE` standard errors."""
        step = max(self.se, 1e-9)
        inside, outside = self.beta, self.beta + direction * step
        for _ in range(60):
            if self.p_value(outside) < alpha:
                break
            inside, outside = outside, self.beta + 2 * (outside - self.beta)
        while abs(outside - inside) > BOUND_TOLERANCE * step:
            middle = (inside + outside) / 2
            if self.p_value(middle) < alpha:
                outside = middle
            else:
                inside = middle
        return (inside + outside) / 2


def wild_cluster_bootstrap(
    cells: pd.DataFrame, *, treat: str, cluster: str, reps: int, seed: int, level: float
) -> BootstrapResult:
    """WCR p-value (pyfixest) and test-inversion CI for the ``treat`` coefficient."""
    d = design(cells, treat, cluster)
    n_clusters = int(d.cluster.max()) + 1
    weights = weights_for(n_clusters)
    p_value = pyfixest_p_value(d, reps=reps, seed=seed, weights=weights)
    inverter = _Inverter(d, _draws(n_clusters, reps, seed, weights))
    alpha = 1 - level
    return BootstrapResult(
        p_value, inverter.bound(alpha, -1.0), inverter.bound(alpha, 1.0), weights
    )


def own_p_value(cells: pd.DataFrame, *, treat: str, cluster: str, reps: int, seed: int) -> float:
    """The vectorised WCR p-value of "effect = 0" (cross-check of pyfixest's)."""
    d = design(cells, treat, cluster)
    n_clusters = int(d.cluster.max()) + 1
    draws = _draws(n_clusters, reps, seed, weights_for(n_clusters))
    return _Inverter(d, draws).p_value(0.0)
