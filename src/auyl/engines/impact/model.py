"""The impact engine's result types: plain frozen dataclasses, no pandas inside.

Invariant: every float in a result is finite (never NaN, never infinite). Rules that would
otherwise produce NaN (a group of one pupil, a single school) are documented where they
apply and in ``docs/engines/impact.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Result ``method`` values of :func:`auyl.engines.impact.did`.
CLUSTER_ROBUST = "cluster_robust"
WILD_CLUSTER_BOOTSTRAP = "wild_cluster_bootstrap"


class ImpactError(ValueError):
    """The data cannot give the asked estimate. ``code`` is stable (the app translates it);
    ``detail`` says in English what was wrong, naming the row or column where it can."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Estimate:
    """A number with its standard error and confidence interval. ``n`` counts pupils
    (pupil-tests), ``n_clusters`` the schools (or other clusters) behind it."""

    value: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_clusters: int


@dataclass(frozen=True)
class GroupMean:
    """The mean (or gap) of one group. ``keys`` holds the group's values of the ``by``
    columns, in that order. ``single_cluster``: the group had one school only, so its
    standard error is the pupil-level one and ignores how pupils of a school resemble
    each other (read it as a lower bound of the uncertainty)."""

    keys: tuple[Any, ...]
    estimate: Estimate
    single_cluster: bool = False


@dataclass(frozen=True)
class LevelShare:
    """The share of a group's pupils at one proficiency level, with a confidence interval
    inside [0, 1]. ``n`` is the group's number of pupils."""

    keys: tuple[Any, ...]
    level: int
    share: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class EventCoef:
    """The programme schools' score difference ``rel_year`` years after (negative: before)
    joining, relative to the year before joining (``rel_year == -1``, fixed at 0)."""

    rel_year: int
    estimate: Estimate


@dataclass(frozen=True)
class DidResult:
    """The programme's estimated effect on scores (difference-in-differences).

    ``estimate``/``p_value``: the two-way fixed-effects estimate of ``treat`` and its
    two-sided p-value for "no effect"; from the wild cluster bootstrap when ``method`` is
    ``"wild_cluster_bootstrap"``. ``claims`` and ``warnings`` are codes (see
    :data:`auyl.engines.impact.summary.CLAIM_TEXT`). Added beyond the agreed API:
    ``robust`` (the heterogeneity-robust estimate when schools joined in different years),
    ``bootstrap_weights`` (``"rademacher"``/``"webb"``, empty without bootstrap),
    ``dropped_missing_scores``, ``dropped_always_treated_schools`` and
    ``dropped_one_year_schools`` (counts), ``level``.
    """

    estimate: Estimate
    p_value: float
    method: str
    n_treated_schools: int
    n_control_schools: int
    years: tuple[int, ...]
    pre_trend_p: float | None
    event: tuple[EventCoef, ...]
    claims: tuple[str, ...]
    warnings: tuple[str, ...]
    robust: Estimate | None = None
    bootstrap_weights: str = ""
    bootstrap_reps: int = 0
    dropped_missing_scores: int = 0
    dropped_always_treated_schools: int = 0
    dropped_one_year_schools: int = 0
    level: float = 0.95
