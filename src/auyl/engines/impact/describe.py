"""Growth and gaps: group means, gaps between two groups and shares of pupils per
proficiency level, each with a school-clustered confidence interval.

Pupils of one school resemble each other, so a mean over 1,000 pupils from 5 schools is far
less certain than one over 1,000 independent pupils. Standard errors are therefore
cluster-robust (CR1: the sum of squared per-school residual totals, times G/(G-1)), and
intervals use Student's t with G-1 degrees of freedom (G = schools in the group).

Rules for tiny groups (so that no output is ever NaN):

* a group with fewer than 2 pupils is left out;
* a group with a single school uses the pupil-level (iid) standard error with n-1 degrees
  of freedom and is flagged ``single_cluster``;
* a group whose scores are all equal gets a standard error of 0 and an interval of width 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from auyl.engines.impact.frame import clean_scores, numeric_column, require_columns
from auyl.engines.impact.model import Estimate, GroupMean, ImpactError, LevelShare


@dataclass(frozen=True)
class _Moments:
    """Per group: pupils, mean, clusters, the mean's variance and its degrees of freedom."""

    n: pd.Series
    mean: pd.Series
    clusters: pd.Series
    variance: pd.Series
    df: pd.Series


def _python(value: Any) -> Any:
    """A numpy scalar as the plain Python value (keys must compare and print cleanly)."""
    return value.item() if isinstance(value, np.generic) else value


def _keys(label: Any, width: int) -> tuple[Any, ...]:
    """A groupby label as a tuple of plain values of the given width (empty for width 0:
    the whole frame is one group)."""
    if width == 0:
        return ()
    values = label if isinstance(label, tuple) else (label,)
    return tuple(_python(v) for v in values[:width])


def _moments(values: pd.Series, groups: list[pd.Series], cluster: pd.Series) -> _Moments:
    """Cluster-robust moments of ``values`` per group (see the module docstring)."""
    by_group = values.groupby(groups, sort=True)
    n = by_group.size()
    mean = by_group.mean()
    residual = values - by_group.transform("mean")
    totals = residual.groupby([*groups, cluster], sort=True).sum()
    level_names = list(range(len(groups)))
    sq_sum = (totals**2).groupby(level=level_names).sum()
    clusters = totals.groupby(level=level_names).size()
    sq_sum.index = n.index
    clusters.index = n.index
    clustered = clusters / (clusters - 1).clip(lower=1) * sq_sum / n**2
    pupil_var = by_group.var(ddof=1).fillna(0.0) / n
    single = clusters < 2
    variance = clustered.where(~single, pupil_var)
    df = (clusters - 1).where(~single, n - 1).clip(lower=1)
    return _Moments(n, mean, clusters, variance, df)


def _interval(value: float, variance: float, df: float, level: float) -> Estimate:
    """A t-based interval around ``value``; ``n``/``n_clusters`` are filled by the caller."""
    se = float(np.sqrt(max(variance, 0.0)))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return Estimate(float(value), se, float(value) - half, float(value) + half, 0, 0)


def _with_counts(estimate: Estimate, n: int, clusters: int) -> Estimate:
    return Estimate(estimate.value, estimate.se, estimate.ci_low, estimate.ci_high, n, clusters)


def _grouping(frame: pd.DataFrame, by: Sequence[str]) -> list[pd.Series]:
    """The ``by`` columns as groupers; a missing group value is its own group "<missing>".
    No ``by`` column: one group holding every pupil."""
    if not by:
        return [pd.Series("all", index=frame.index)]
    return [_labels(frame[c]) for c in by]


def _labels(column: pd.Series) -> pd.Series:
    """A grouping column with missing values replaced by the label "<missing>"."""
    return column.astype(object).where(column.notna(), "<missing>")


def group_means(
    frame: pd.DataFrame,
    by: Sequence[str],
    *,
    cluster: str = "school",
    level: float = 0.95,
    outcome: str = "score",
) -> tuple[GroupMean, ...]:
    """Mean ``outcome`` per group of ``by`` (e.g. ``["district", "year"]``) with a
    school-clustered CI, sorted by keys. Pupils without a score are ignored."""
    by = list(by)
    data = clean_scores(frame, [*by, cluster], outcome).frame
    m = _moments(data[outcome], _grouping(data, by), _labels(data[cluster]))
    result = []
    for label in m.n.index[m.n >= 2]:
        estimate = _interval(m.mean[label], m.variance[label], m.df[label], level)
        result.append(
            GroupMean(
                _keys(label, len(by)),
                _with_counts(estimate, int(m.n[label]), int(m.clusters[label])),
                single_cluster=bool(m.clusters[label] < 2),
            )
        )
    return tuple(result)


def _side_totals(side: pd.DataFrame, outcome: str, cluster: str) -> pd.Series:
    """Per-cluster totals of residuals from the side's mean, divided by its pupil count."""
    residual = side[outcome] - side[outcome].mean()
    return residual.groupby(side[cluster]).sum() / len(side)


def _side_variance(side: pd.DataFrame, totals: pd.Series, outcome: str) -> float:
    """Variance of one side's mean: clustered with >= 2 clusters, else pupil-level."""
    g = len(totals)
    if g >= 2:
        return float(g / (g - 1) * (totals**2).sum())
    return float(side[outcome].var(ddof=1) / len(side))


def _gap_estimate(
    ref: pd.DataFrame, foc: pd.DataFrame, outcome: str, cluster: str, level: float
) -> GroupMean:
    """Reference mean minus focal mean. Variance: each side's clustered variance, minus
    twice the covariance carried by schools present on both sides (none when the grouping
    is a school attribute such as rural)."""
    t_ref = _side_totals(ref, outcome, cluster)
    t_foc = _side_totals(foc, outcome, cluster)
    shared = t_ref.index.intersection(t_foc.index)
    g = len(t_ref.index.union(t_foc.index))
    covariance = g / max(g - 1, 1) * float((t_ref[shared] * t_foc[shared]).sum())
    variance = (
        _side_variance(ref, t_ref, outcome) + _side_variance(foc, t_foc, outcome) - 2 * covariance
    )
    single = len(t_ref) < 2 or len(t_foc) < 2
    df = g - 1 if g >= 2 else len(ref) + len(foc) - 2
    value = float(ref[outcome].mean() - foc[outcome].mean())
    estimate = _interval(value, variance, max(df, 1), level)
    return GroupMean((), _with_counts(estimate, len(ref) + len(foc), g), single_cluster=single)


def gap(
    frame: pd.DataFrame,
    *,
    by: str = "rural",
    focal: Any = True,
    per: str | None = "year",
    cluster: str = "school",
    level: float = 0.95,
    outcome: str = "score",
) -> tuple[GroupMean, ...]:
    """The gap (reference mean - focal mean) per value of ``per`` (one overall gap when
    ``per`` is None; ``keys`` is then empty). Default: urban minus rural, per year, so a
    positive gap means rural pupils score lower. Pupils whose ``by`` value is missing
    belong to neither side. A ``per`` value where either side has fewer than 2 pupils is
    left out."""
    columns = [by, cluster] + ([per] if per is not None else [])
    data = clean_scores(frame, columns, outcome).frame
    data = data.loc[data[by].notna()]
    is_focal = data[by] == focal
    parts = [((), data)] if per is None else list(data.groupby(per, sort=True))
    result = []
    for label, part in parts:
        ref, foc = part.loc[~is_focal[part.index]], part.loc[is_focal[part.index]]
        if len(ref) < 2 or len(foc) < 2:
            continue
        estimate = _gap_estimate(ref, foc, outcome, cluster, level)
        keys = () if per is None else _keys(label, 1)
        result.append(GroupMean(keys, estimate.estimate, estimate.single_cluster))
    return tuple(result)


def wilson_interval(share: float, n_effective: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a share seen in ``n_effective`` independent pupils; it
    stays inside [0, 1] and has a positive width even when the share is 0 or 1."""
    denominator = 1 + z**2 / n_effective
    centre = (share + z**2 / (2 * n_effective)) / denominator
    half = z * np.sqrt(share * (1 - share) / n_effective + z**2 / (4 * n_effective**2))
    half /= denominator
    low = 0.0 if share <= 0 else max(0.0, float(centre - half))
    high = 1.0 if share >= 1 else min(1.0, float(centre + half))
    return low, high


def level_shares(
    frame: pd.DataFrame,
    by: Sequence[str],
    *,
    cluster: str = "school",
    level_column: str = "level",
    level: float = 0.95,
) -> tuple[LevelShare, ...]:
    """The share of pupils at each proficiency level per group of ``by``. Every level seen
    anywhere in the frame is listed for every group (share 0 where absent).

    Interval: Wilson's, on the effective sample size n / deff, where the design effect
    deff (clustered over pupil-level variance of the share, at least 1; 1 when the share
    is 0 or 1) accounts for pupils of a school resembling each other; the critical value
    is Student's t with G-1 degrees of freedom (n-1 with a single school). Pupils without
    a level are ignored; groups with fewer than 2 pupils are left out.
    """
    by = list(by)
    require_columns(frame, [*by, cluster, level_column])
    levels_all = numeric_column(frame, level_column, code="bad_level")
    data = frame.loc[levels_all.notna(), [*by, cluster]].copy()
    data["_level"] = levels_all[levels_all.notna()].round().astype(int)
    if data.empty:
        raise ImpactError("no_levels", f"no row has a {level_column!r}")
    groups = _grouping(data, by)
    result = []
    for lv in sorted(data["_level"].unique()):
        indicator = (data["_level"] == lv).astype(float)
        m = _moments(indicator, groups, _labels(data[cluster]))
        for label in m.n.index[m.n >= 2]:
            result.append(_level_share(m, label, int(lv), level, len(by)))
    return tuple(sorted(result, key=lambda s: (_sort_key(s.keys), s.level)))


def _sort_key(keys: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(k) for k in keys)


def _level_share(m: _Moments, label: Any, lv: int, level: float, width: int) -> LevelShare:
    n = float(m.n[label])
    share = float(m.mean[label])
    pupil_var = share * (1 - share) / n
    deff = 1.0 if pupil_var <= 0 else max(1.0, float(m.variance[label]) / pupil_var)
    z = float(stats.t.ppf(0.5 + level / 2, float(m.df[label])))
    low, high = wilson_interval(share, n / deff, z)
    return LevelShare(_keys(label, width), lv, share, low, high, int(n))
