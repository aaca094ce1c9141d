"""Programme impact: difference-in-differences with school and year fixed effects, an
event study when three or more years exist, and a wild cluster bootstrap when few schools
are treated.

Model (pyfixest ``feols``): ``score ~ treat | school + year`` with
``treat = year >= since_year``, standard errors clustered by school (CRV1) and t intervals
with G-1 degrees of freedom. It runs on school-year cells weighted by pupils
(frequency weights): every regressor is constant within a cell, so this gives the
pupil-level estimate and standard error exactly while being about a hundred times faster.

Schools: *treated* joined within the observed years (first year < since_year <= last
year); *comparison* never joined (since_year missing) or join after the last year;
*always treated* joined in or before the first year: they have no "before", add nothing
but bias under changing effects, and are dropped (counted, warning code). Schools tested
in one year only say nothing about change and are dropped too (counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

from auyl.engines.impact.bootstrap import wild_cluster_bootstrap
from auyl.engines.impact.claims import did_claims
from auyl.engines.impact.frame import clean_scores, constant_within_school, whole_years
from auyl.engines.impact.model import (
    CLUSTER_ROBUST,
    WILD_CLUSTER_BOOTSTRAP,
    DidResult,
    Estimate,
    EventCoef,
    ImpactError,
)
from auyl.engines.impact.quiet import pyfixest_quiet

REFERENCE_REL_YEAR = -1


@dataclass(frozen=True)
class Panel:
    """School-year cells (``school``, ``year``, ``cluster``, ``since``, ``score`` = mean,
    ``n`` = pupils, ``treat``) of the treated and comparison schools."""

    cells: pd.DataFrame
    years: tuple[int, ...]
    treated: tuple[str, ...]
    comparison: tuple[str, ...]
    dropped_missing: int
    dropped_always_treated: int
    dropped_one_year: int


@dataclass(frozen=True)
class _Fit:
    """A coefficient vector with its clustered covariance and the clusters behind it."""

    coef: pd.Series
    vcov: pd.DataFrame
    n: int
    n_clusters: int


def build_panel(frame: pd.DataFrame, *, outcome: str, cluster: str) -> Panel:
    """Validate the frame and aggregate it to school-year cells (see the module text)."""
    cleaned = clean_scores(frame, ["school", "year", "since_year", cluster], outcome)
    data = _typed(cleaned.frame, outcome, cluster)
    first = _years(data)[0]
    always = data["since"].notna() & (data["since"] <= first)
    dropped_always = int(data.loc[always, "school"].nunique())
    data = data.loc[~always]
    years_seen = data.groupby("school")["year"].nunique()
    one_year = years_seen.index[years_seen < 2]
    data = data.loc[~data["school"].isin(one_year)]
    years = _years(data)
    joined = data["since"].notna() & (data["since"] <= years[-1])
    treated = tuple(sorted(data.loc[joined, "school"].unique()))
    comparison = tuple(sorted(data.loc[~joined, "school"].unique()))
    if not treated:
        raise ImpactError("no_treated_schools", "no school joined within the observed years")
    if not comparison:
        raise ImpactError("no_comparison_schools", "every school is in the programme")
    data["since"] = data["since"].where(joined)
    return Panel(
        _cells(data, cluster),
        years,
        treated,
        comparison,
        dropped_missing=cleaned.dropped_missing,
        dropped_always_treated=dropped_always,
        dropped_one_year=len(one_year),
    )


def _typed(data: pd.DataFrame, outcome: str, cluster: str) -> pd.DataFrame:
    """Scores renamed to ``score``, school codes as text, whole years, and the checks that
    a school has one joining year and one cluster."""
    data = data.rename(columns={outcome: "score"})
    data["school"] = data["school"].astype(str)
    data["year"] = whole_years(data, "year")
    data["since"] = whole_years(data, "since_year")
    if data["year"].isna().any():
        row = data.index[data["year"].isna()][0]
        raise ImpactError("bad_year", f"row {row} has a score but no year")
    constant_within_school(data, "since", "since_year_varies")
    if cluster != "school":
        constant_within_school(data, cluster, "cluster_not_nested")
    return data


def _years(data: pd.DataFrame) -> tuple[int, ...]:
    """The observed years; fewer than two cannot show a change."""
    years = tuple(int(y) for y in sorted(data["year"].unique()))
    if len(years) < 2:
        seen = f"only year {years[0]}" if years else "no year"
        raise ImpactError("single_year", f"{seen}: no before and after to compare")
    return years


def _cells(data: pd.DataFrame, cluster: str) -> pd.DataFrame:
    """Pupil rows to school-year means with pupil counts and the treatment indicator."""
    cells = (
        data.assign(cluster=data[cluster].astype(str))
        .groupby(["school", "year"], as_index=False, sort=True)
        .agg(
            score=("score", "mean"),
            n=("score", "size"),
            since=("since", "first"),
            cluster=("cluster", "first"),
        )
    )
    cells["year"] = cells["year"].astype(int)
    cells["treat"] = (cells["since"].notna() & (cells["year"] >= cells["since"])).astype(float)
    return cells


def _fit(cells: pd.DataFrame, regressors: list[str]) -> _Fit:
    """``score ~ regressors | school + year`` on pupil-weighted cells, CRV1 by cluster."""
    formula = "score ~ " + " + ".join(regressors) + " | school + year"
    with pyfixest_quiet():
        fit = pf.feols(
            formula, cells, weights="n", weights_type="fweights", vcov={"CRV1": "cluster"}
        )
    names = list(fit._coefnames)
    coef = pd.Series(np.asarray(fit.coef(), float), index=names)
    vcov = pd.DataFrame(np.asarray(fit._vcov, float), index=names, columns=names)
    return _Fit(coef, vcov, int(cells["n"].sum()), int(cells["cluster"].nunique()))


def _t_estimate(value: float, se: float, fit: _Fit, level: float) -> Estimate:
    """An estimate with a t interval on G-1 degrees of freedom."""
    half = float(stats.t.ppf(0.5 + level / 2, max(fit.n_clusters - 1, 1))) * se
    return Estimate(value, se, value - half, value + half, fit.n, fit.n_clusters)


def _t_p_value(value: float, se: float, fit: _Fit) -> float:
    if se <= 0:
        return 0.0 if value != 0 else 1.0
    return float(2 * stats.t.sf(abs(value) / se, max(fit.n_clusters - 1, 1)))


def _interaction_fit(cells: pd.DataFrame, label: pd.Series) -> tuple[_Fit, pd.Series]:
    """Fit one dummy per distinct label (rows with no label get none) besides the school
    and year effects; also return the pupils behind each label."""
    present = label.dropna()
    pupils = cells.loc[present.index, "n"].groupby(present).sum().astype(float)
    data = cells.copy()
    for name in pupils.index:
        data[name] = (label == name).astype(float)
    return _fit(data, [str(name) for name in pupils.index]), pupils


def _aggregate(fit: _Fit, weights: pd.DataFrame) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Weighted averages of coefficients (one per row of ``weights``; columns are
    coefficient names, each row normalised over the coefficients the fit kept) and their
    covariance by the delta method. Rows with no kept coefficient are left out; the first
    item lists the row labels returned."""
    kept = weights.loc[:, weights.columns.isin(fit.coef.index)]
    kept = kept.loc[kept.sum(axis=1) > 0]
    A = kept.div(kept.sum(axis=1), axis=0)
    values = A.to_numpy() @ fit.coef[A.columns].to_numpy()
    cov = A.to_numpy() @ fit.vcov.loc[A.columns, A.columns].to_numpy() @ A.to_numpy().T
    return list(A.index), values, cov


def _label(cells: pd.DataFrame, mask: pd.Series, second: pd.Series, tag: str) -> pd.Series:
    """Labels ``c<cohort>_<tag><second>`` for the rows of ``mask`` (NaN elsewhere);
    negative ``second`` values are written with ``m`` (minus)."""
    cohort = cells["since"].astype("Int64").astype(str)
    text = second.astype(int).map(lambda k: f"m{-k}" if k < 0 else str(k))
    return ("c" + cohort + f"_{tag}" + text).where(mask)


def event_study(cells: pd.DataFrame, level: float) -> tuple[tuple[EventCoef, ...], float | None]:
    """Effects by years since joining, robust to joining in different years (Sun &
    Abraham's interaction-weighted estimator): one dummy per joining cohort and relative
    year except the year before joining (the reference), so only never-joined schools
    serve as comparison; each relative year's coefficient is the pupil-weighted average
    over cohorts. With a single cohort this is the usual dynamic two-way fixed-effects
    event study. Also returns the p-value of the joint F test (F(q, G-1)) that all lead
    coefficients (2+ years before joining) are 0; None without a lead to test."""
    rel = cells["year"] - cells["since"]
    mask = rel.notna() & (rel != REFERENCE_REL_YEAR)
    label = _label(cells, mask, rel.fillna(0), "r")
    fit, pupils = _interaction_fit(cells, label)
    rel_of = rel[mask].groupby(label[mask]).first().astype(int)
    weights = pd.DataFrame(
        {k: pupils.where(rel_of.reindex(pupils.index) == k, 0.0) for k in sorted(set(rel_of))}
    ).T
    rows, values, cov = _aggregate(fit, weights)
    reference = Estimate(0.0, 0.0, 0.0, 0.0, fit.n, fit.n_clusters)
    coefs = [EventCoef(REFERENCE_REL_YEAR, reference)]
    for i, k in enumerate(rows):
        se = float(np.sqrt(max(cov[i, i], 0.0)))
        coefs.append(EventCoef(int(k), _t_estimate(float(values[i]), se, fit, level)))
    leads = [i for i, k in enumerate(rows) if k < REFERENCE_REL_YEAR]
    pre_trend = _joint_f_p(values[leads], cov[np.ix_(leads, leads)], fit.n_clusters)
    return tuple(sorted(coefs, key=lambda c: c.rel_year)), pre_trend


def _joint_f_p(b: np.ndarray, V: np.ndarray, n_clusters: int) -> float | None:
    """p-value of the Wald F test that all of ``b`` is 0 (F(q, G-1)); None when empty."""
    if b.size == 0:
        return None
    wald = float(b @ np.linalg.pinv(V) @ b) / b.size
    return float(stats.f.sf(wald, b.size, max(n_clusters - 1, 1)))


def cohort_robust_estimate(cells: pd.DataFrame, level: float) -> Estimate:
    """The heterogeneity-robust average effect for staggered adoption (Wooldridge's
    extended TWFE, equal to the imputation estimator): one dummy per joining cohort and
    post year, comparison from never- and not-yet-joined schools, averaged with the
    treated pupils of each cohort-year as weights; standard error by the delta method."""
    label = _label(cells, cells["treat"] > 0, cells["year"], "y")
    fit, pupils = _interaction_fit(cells, label)
    _, values, cov = _aggregate(fit, pupils.to_frame().T)
    return _t_estimate(float(values[0]), float(np.sqrt(max(cov[0, 0], 0.0))), fit, level)


@dataclass(frozen=True)
class _Main:
    estimate: Estimate
    p_value: float
    weights: str


def _main_estimate(
    cells: pd.DataFrame, bootstrapped: bool, reps: int, seed: int, level: float
) -> _Main:
    """The ``treat`` coefficient with a clustered t interval and p-value, or with the wild
    cluster bootstrap's interval and p-value when ``bootstrapped``."""
    fit = _fit(cells, ["treat"])
    value = float(fit.coef["treat"])
    se = float(np.sqrt(max(fit.vcov.loc["treat", "treat"], 0.0)))
    if not bootstrapped:
        return _Main(_t_estimate(value, se, fit, level), _t_p_value(value, se, fit), "")
    boot = wild_cluster_bootstrap(
        cells, treat="treat", cluster="cluster", reps=reps, seed=seed, level=level
    )
    estimate = Estimate(value, se, boot.ci_low, boot.ci_high, fit.n, fit.n_clusters)
    return _Main(estimate, boot.p_value, boot.weights)


def _check_options(min_treated_clusters: int, bootstrap_reps: int, level: float) -> None:
    if not 0 < level < 1:
        raise ImpactError("bad_option", f"level must be between 0 and 1, not {level}")
    if bootstrap_reps < 99 and min_treated_clusters > 0:
        raise ImpactError("bad_option", f"bootstrap_reps must be at least 99, not {bootstrap_reps}")


def did(
    frame: pd.DataFrame,
    *,
    outcome: str = "score",
    cluster: str = "school",
    min_treated_clusters: int = 30,
    bootstrap_reps: int = 999,
    seed: int = 0,
    level: float = 0.95,
) -> DidResult:
    """The programme's effect on ``outcome`` (see the module docstring and
    ``docs/engines/impact.md``). Raises :class:`ImpactError` when the design cannot be
    estimated: missing columns, non-numeric scores, a single year, no treated or no
    comparison schools."""
    _check_options(min_treated_clusters, bootstrap_reps, level)
    panel = build_panel(frame, outcome=outcome, cluster=cluster)
    cells = panel.cells
    treated_clusters = cells.loc[cells["since"].notna(), "cluster"].nunique()
    bootstrapped = treated_clusters < min_treated_clusters
    main = _main_estimate(cells, bootstrapped, bootstrap_reps, seed, level)
    estimate, p_value, weights = main.estimate, main.p_value, main.weights
    event: tuple[EventCoef, ...] = ()
    pre_trend_p = None
    if len(panel.years) >= 3:
        event, pre_trend_p = event_study(cells, level)
    cohorts = cells.loc[cells["since"].notna(), "since"].nunique()
    robust = cohort_robust_estimate(cells, level) if cohorts > 1 else None
    warnings = _warnings(panel)
    claims = did_claims(
        estimate=estimate,
        p_value=p_value,
        alpha=1 - level,
        bootstrapped=bootstrapped,
        n_treated=treated_clusters,
        pre_trend_p=pre_trend_p,
        staggered=cohorts > 1,
    )
    return DidResult(
        estimate=estimate,
        p_value=p_value,
        method=WILD_CLUSTER_BOOTSTRAP if bootstrapped else CLUSTER_ROBUST,
        n_treated_schools=len(panel.treated),
        n_control_schools=len(panel.comparison),
        years=panel.years,
        pre_trend_p=pre_trend_p,
        event=event,
        claims=claims,
        warnings=warnings,
        robust=robust,
        bootstrap_weights=weights,
        bootstrap_reps=bootstrap_reps if bootstrapped else 0,
        dropped_missing_scores=panel.dropped_missing,
        dropped_always_treated_schools=panel.dropped_always_treated,
        dropped_one_year_schools=panel.dropped_one_year,
        level=level,
    )


def _warnings(panel: Panel) -> tuple[str, ...]:
    """Warning codes about the data behind the estimate."""
    codes = []
    if panel.dropped_missing:
        codes.append("missing_scores_dropped")
    if panel.dropped_always_treated:
        codes.append("always_treated_dropped")
    if panel.dropped_one_year:
        codes.append("one_year_schools_dropped")
    if len(panel.years) < 3:
        codes.append("two_years_only")
    return tuple(codes)
