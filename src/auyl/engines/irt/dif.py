"""Mantel-Haenszel differential item functioning with the ETS A/B/C categories.

Persons are matched on their observed score. With missing-by-design cells (booklets) the
raw total is not comparable across booklets, so the matching score is the share of the
maximum on the items each person was presented, cut into as many strata as there are items.
Only right/wrong items are tested (MH needs a 2 x 2 table per stratum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auyl.engines.irt.data import ResponseMatrix, check_scores

#: MH D-DIF = -2.35 ln(alpha_MH): the ETS delta metric.
DELTA_PER_LOG_ODDS = -2.35
#: ETS thresholds on |MH D-DIF|.
ETS_B = 1.0
ETS_C = 1.5
#: One-sided 5 percent normal quantile, used for "significantly above 1" (category C).
Z_ONE_SIDED = 1.645
#: Two-sided 5 percent normal quantile, used for "significantly different from 0".
Z_TWO_SIDED = 1.96


@dataclass(frozen=True)
class DifResult:
    """MH D-DIF of one item (negative = harder for the focal group) and its ETS category.

    A: negligible; B: moderate; C: large (|delta| >= 1.5 and significantly above 1).
    """

    item: str
    mh_delta: float
    category: str
    n_reference: int
    n_focal: int


def matching_strata(matrix: ResponseMatrix) -> np.ndarray:
    """Stratum of each person: share of the presented maximum, in n_items + 1 bins."""
    presented = ~np.isnan(matrix.scores)
    total = np.nansum(matrix.scores, axis=1)
    possible = (presented * matrix.max_scores[None, :]).sum(axis=1)
    share = np.divide(total, possible, out=np.zeros_like(total), where=possible > 0)
    return np.asarray(np.rint(share * len(matrix.item_ids)), dtype=np.int64)


def ets_category(delta: float, se: float) -> str:
    """ETS rule: C if |d| >= 1.5 and |d| significantly > 1; A if |d| < 1 or d not
    significantly different from 0; else B."""
    size = abs(delta)
    if size < ETS_B or size < Z_TWO_SIDED * se:
        return "A"
    if size >= ETS_C and size - ETS_B > Z_ONE_SIDED * se:
        return "C"
    return "B"


def mantel_haenszel_item(
    right: np.ndarray, focal: np.ndarray, strata: np.ndarray
) -> tuple[float, float]:
    """MH D-DIF and its standard error (Robins-Breslow-Greenland) for one item.

    ``right`` is 1/0 for presented persons; strata without both groups carry no
    information. Returns (0, inf) when the common odds ratio cannot be estimated.
    """
    n_strata = int(strata.max()) + 1
    cells = np.zeros((4, n_strata))
    for k, (is_focal, is_right) in enumerate(((0, 1), (0, 0), (1, 1), (1, 0))):
        chosen = (focal == is_focal) & (right == is_right)
        cells[k] = np.bincount(strata[chosen], minlength=n_strata)
    a_, b_, c_, d_ = cells
    total = cells.sum(axis=0)
    use = ((a_ + b_) > 0) & ((c_ + d_) > 0)
    a_, b_, c_, d_, t = a_[use], b_[use], c_[use], d_[use], total[use]
    r = a_ * d_ / t
    s = b_ * c_ / t
    if r.sum() <= 0 or s.sum() <= 0:
        return 0.0, float("inf")
    log_alpha = float(np.log(r.sum() / s.sum()))
    p, q = (a_ + d_) / t, (b_ + c_) / t
    var = (
        (p * r).sum() / (2 * r.sum() ** 2)
        + ((p * s + q * r).sum()) / (2 * r.sum() * s.sum())
        + (q * s).sum() / (2 * s.sum() ** 2)
    )
    return DELTA_PER_LOG_ODDS * log_alpha, abs(DELTA_PER_LOG_ODDS) * float(np.sqrt(var))


def dif_mantel_haenszel(matrix: ResponseMatrix, focal: np.ndarray) -> tuple[DifResult, ...]:
    """MH DIF of every right/wrong item between the focal (True) and reference persons.

    Raises ValueError when ``focal`` does not have one flag per person or one group is
    empty. Items nobody in one group answered get delta 0 and category A.
    """
    check_scores(matrix)
    focal = np.asarray(focal, dtype=bool)
    if focal.shape != (len(matrix.person_ids),):
        raise ValueError("focal needs one True/False per person")
    if focal.all() or not focal.any():
        raise ValueError("DIF needs persons in both the focal and the reference group")
    strata = matching_strata(matrix)
    results = []
    for j, item in enumerate(matrix.item_ids):
        if matrix.max_scores[j] != 1:
            continue
        column = matrix.scores[:, j]
        presented = ~np.isnan(column)
        delta, se = mantel_haenszel_item(
            column[presented].astype(np.int64), focal[presented], strata[presented]
        )
        results.append(
            DifResult(
                item=item,
                mh_delta=delta,
                category=ets_category(delta, se),
                n_reference=int((presented & ~focal).sum()),
                n_focal=int((presented & focal).sum()),
            )
        )
    return tuple(results)
