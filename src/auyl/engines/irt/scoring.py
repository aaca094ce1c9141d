"""Person scores (EAP and Warm's WLE), item fit, reliability and the reporting scale.

All functions take the calibration and a response matrix; items of the matrix that the
calibration does not know (for example dropped by cleaning) are ignored, so scoring the
raw matrix is safe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from auyl.engines.irt import kernels
from auyl.engines.irt.data import ResponseMatrix, check_scores
from auyl.engines.irt.estimation import collapse_patterns, gauss_hermite, likelihood_table
from auyl.engines.irt.model import Calibration, ItemArrays, arrays_from_params, score_moments

#: EAP uses this many quadrature nodes (more than calibration: cheap, and smoother).
EAP_NODES = 61
#: WLE is searched on [-WLE_BOUND, WLE_BOUND] (theta units); the Warm correction keeps the
#: estimate of all-right and all-wrong patterns finite, well inside this range.
WLE_BOUND = 12.0
#: Illustrative proficiency cuts on the reporting scale (mean 500, SD 100): below basic,
#: basic, proficient, advanced. NOT standard-set: real cuts need a standard-setting panel.
PROFICIENCY_CUTS: tuple[float, ...] = (400.0, 500.0, 600.0)


@dataclass(frozen=True)
class PersonEstimates:
    """theta and its standard error per person (rows of the scored matrix).

    ``method`` is "eap" or "wle"; it decides the reliability formula.
    """

    theta: np.ndarray
    se: np.ndarray
    method: str = "eap"


@dataclass(frozen=True)
class ItemFit:
    """Rasch-type mean-square fit: 1 is ideal; about 0.7-1.3 is usually acceptable.

    ``p_value`` is two-sided, for the infit via the Wilson-Hilferty cube-root transform.
    """

    item: str
    infit: float
    outfit: float
    p_value: float


def aligned(cal: Calibration, matrix: ResponseMatrix) -> tuple[ItemArrays, np.ndarray]:
    """Calibrated item arrays and the matrix columns in the same order.

    Raises ValueError when no calibrated item is in the matrix or a score is invalid.
    """
    check_scores(matrix)
    position = {item: j for j, item in enumerate(matrix.item_ids)}
    items = [p for p in cal.items if p.item in position]
    if not items:
        raise ValueError("none of the calibrated items is in the response matrix")
    columns = [position[p.item] for p in items]
    scores = matrix.scores[:, columns]
    max_scores = np.array([len(p.deltas) for p in items])
    if (np.nan_to_num(scores) > max_scores).any():
        raise ValueError("a score is above the calibrated item's max score")
    return arrays_from_params(items), scores


def score_eap(cal: Calibration, matrix: ResponseMatrix) -> PersonEstimates:
    """Expected a posteriori theta and posterior SD under the calibration's N(mean, sd^2).

    A person without answers gets the prior mean and SD (finite, never NaN).
    """
    arrays, scores = aligned(cal, matrix)
    patterns = collapse_patterns(scores, arrays.d.shape[1])
    rule = gauss_hermite(EAP_NODES)
    theta = cal.theta_mean + cal.theta_sd * rule.nodes
    table, prior = likelihood_table(arrays, theta, np.log(rule.weights))
    mean, var = kernels.posterior_moments(patterns.codes, table, prior, theta)
    return PersonEstimates(
        theta=mean[patterns.index], se=np.sqrt(var)[patterns.index], method="eap"
    )


def _wle_terms(
    arrays: ItemArrays, scores: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Warm's estimating function and test information at theta, one value per person."""
    mean, var, third, _ = score_moments(arrays, theta)
    presented = ~np.isnan(scores)
    x = np.where(presented, scores, 0.0)
    a = arrays.a[None, :]
    m, v, t = mean.T, var.T, third.T
    info = (presented * a**2 * v).sum(axis=1)
    warm = (presented * a**3 * t).sum(axis=1)
    score = (presented * a * (x - m)).sum(axis=1)
    return score + warm / (2.0 * np.maximum(info, 1e-300)), info


def score_wle(cal: Calibration, matrix: ResponseMatrix) -> PersonEstimates:
    """Warm's weighted likelihood estimate and SE = 1/sqrt(test information).

    Finite for all-right and all-wrong patterns. Solved by bisection on the estimating
    function, one distinct pattern at a time but vectorised over patterns. Raises
    ValueError for a person with no answer on a calibrated item (no WLE exists).
    """
    arrays, scores = aligned(cal, matrix)
    empty = np.flatnonzero(np.isnan(scores).all(axis=1))
    if empty.size:
        raise ValueError(f"person {matrix.person_ids[empty[0]]} has no answers to score")
    patterns = collapse_patterns(scores, arrays.d.shape[1])
    first = np.zeros(patterns.counts.size, dtype=np.int64)
    first[patterns.index[::-1]] = np.arange(scores.shape[0])[::-1]
    unique = scores[first]
    theta = np.empty(unique.shape[0])
    se = np.empty(unique.shape[0])
    for rows in _row_blocks(unique.shape[0]):
        theta[rows], se[rows] = _wle_solve(arrays, unique[rows])
    return PersonEstimates(theta=theta[patterns.index], se=se[patterns.index], method="wle")


def _row_blocks(n_rows: int, size: int = 65_536) -> list[slice]:
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def _wle_solve(arrays: ItemArrays, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bisection on Warm's estimating function (decreasing in theta) for a block of rows."""
    low = np.full(scores.shape[0], -WLE_BOUND)
    high = np.full(scores.shape[0], WLE_BOUND)
    for _ in range(50):
        mid = (low + high) / 2.0
        value, _ = _wle_terms(arrays, scores, mid)
        low = np.where(value > 0, mid, low)
        high = np.where(value > 0, high, mid)
    theta = (low + high) / 2.0
    _, info = _wle_terms(arrays, scores, theta)
    return theta, 1.0 / np.sqrt(np.maximum(info, 1e-12))


def marginal_reliability(persons: PersonEstimates) -> float:
    """Share of score variance that is true-score variance, in [0, 1].

    EAP: var(EAP) / (var(EAP) + mean posterior variance). WLE: 1 - mean(SE^2) / var(WLE).
    """
    variance = float(np.var(persons.theta))
    error = float(np.mean(persons.se**2))
    if persons.method == "wle":
        value = 1.0 - error / variance if variance > 0 else 0.0
    else:
        value = variance / (variance + error) if variance + error > 0 else 0.0
    return float(np.clip(value, 0.0, 1.0))


def item_fit(
    cal: Calibration, matrix: ResponseMatrix, persons: PersonEstimates
) -> tuple[ItemFit, ...]:
    """Infit and outfit mean-squares of every calibrated item, given person estimates.

    Outfit is the mean of squared standardised residuals; infit weights them by the
    item's variance at each person's theta. Only persons presented the item count.
    """
    arrays, scores = aligned(cal, matrix)
    mean, var, _, fourth = (m.T for m in score_moments(arrays, persons.theta))
    presented = ~np.isnan(scores)
    resid2 = np.where(presented, (np.nan_to_num(scores) - mean) ** 2, 0.0)
    var = np.maximum(var, 1e-12)
    n = np.maximum(presented.sum(axis=0), 1)
    outfit = (resid2 / var).sum(axis=0) / n
    total_var = np.maximum((presented * var).sum(axis=0), 1e-12)
    infit = resid2.sum(axis=0) / total_var
    q2 = (presented * (fourth - var**2)).sum(axis=0) / total_var**2
    q = np.sqrt(np.maximum(q2, 1e-12))
    t = (np.cbrt(infit) - 1.0) * (3.0 / q) + q / 3.0
    p_value = 2.0 * special.ndtr(-np.abs(t))
    known = set(matrix.item_ids)
    items = [p.item for p in cal.items if p.item in known]
    return tuple(
        ItemFit(item=item, infit=float(infit[j]), outfit=float(outfit[j]), p_value=float(p))
        for j, (item, p) in enumerate(zip(items, p_value, strict=True))
    )


def to_scale(
    theta: np.ndarray,
    *,
    mean: float = 500.0,
    sd: float = 100.0,
    base_mean: float = 0.0,
    base_sd: float = 1.0,
) -> np.ndarray:
    """Reporting-scale scores: base_mean/base_sd of theta (the base year) map to mean/sd."""
    if base_sd <= 0:
        raise ValueError("base_sd must be positive")
    return np.asarray(mean + sd * (np.asarray(theta, dtype=np.float64) - base_mean) / base_sd)


def proficiency_level(scores: np.ndarray, cuts: tuple[float, ...] = PROFICIENCY_CUTS) -> np.ndarray:
    """Level 0..len(cuts) of each scale score; a score equal to a cut is in the higher level."""
    values = np.asarray(scores, dtype=np.float64)
    if np.isnan(values).any():
        raise ValueError("scale scores contain NaN")
    if list(cuts) != sorted(cuts):
        raise ValueError("cuts must be increasing")
    return np.searchsorted(np.asarray(cuts), values, side="right")
