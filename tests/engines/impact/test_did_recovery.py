"""The difference-in-differences estimate recovers a planted programme effect, says when it
cannot, and flags a planted pre-trend (simulated data, see conftest)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from auyl.engines.impact import (
    CLUSTER_ROBUST,
    WILD_CLUSTER_BOOTSTRAP,
    DidResult,
    Estimate,
    did,
)
from auyl.engines.impact.simulate import simulate

from .conftest import PLAN

TRUTH = PLAN.effect


def covers(low: float, high: float, value: float) -> bool:
    return low <= value <= high


def test_recovers_the_planted_effect(planted_result: DidResult) -> None:
    e = planted_result.estimate
    assert covers(e.ci_low, e.ci_high, TRUTH)
    assert e.ci_low > 0
    assert planted_result.method == CLUSTER_ROBUST
    assert "effect_positive" in planted_result.claims


def test_counts_schools_years_and_pupils(planted: pd.DataFrame, planted_result: DidResult) -> None:
    r = planted_result
    assert (r.n_treated_schools, r.n_control_schools) == (100, 200)
    assert r.years == (2022, 2023, 2024, 2025)
    assert r.estimate.n == len(planted)
    assert r.estimate.n_clusters == 300


def test_event_study_is_flat_before_and_at_the_effect_after(planted_result: DidResult) -> None:
    by_rel = {c.rel_year: c.estimate for c in planted_result.event}
    assert sorted(by_rel) == [-2, -1, 0, 1]
    assert by_rel[-1].value == 0.0
    assert covers(by_rel[-2].ci_low, by_rel[-2].ci_high, 0.0)
    for rel in (0, 1):
        assert covers(by_rel[rel].ci_low, by_rel[rel].ci_high, TRUTH)
        assert abs(by_rel[rel].value - TRUTH) < 8


def test_parallel_pre_trends_are_not_rejected(planted_result: DidResult) -> None:
    assert planted_result.pre_trend_p is not None
    assert planted_result.pre_trend_p > 0.05
    assert "pre_trends_not_rejected" in planted_result.claims
    assert "not_randomised" in planted_result.claims


def test_few_treated_schools_switch_to_the_wild_cluster_bootstrap() -> None:
    result = did(simulate(replace(PLAN, treated=8, seed=5)), bootstrap_reps=199)
    e = result.estimate
    assert result.method == WILD_CLUSTER_BOOTSTRAP
    assert result.bootstrap_weights == "rademacher"
    assert "few_treated_clusters_bootstrap" in result.claims
    assert covers(e.ci_low, e.ci_high, TRUTH)
    assert e.ci_low > 0 and result.p_value < 0.05


def test_no_planted_effect_is_not_distinguishable_from_zero() -> None:
    result = did(simulate(replace(PLAN, effect=0.0, seed=7)))
    assert covers(result.estimate.ci_low, result.estimate.ci_high, 0.0)
    assert "effect_not_distinguishable" in result.claims


def test_a_planted_pre_trend_is_rejected() -> None:
    result = did(simulate(replace(PLAN, pre_trend=8.0, start=3, seed=9)))
    assert result.pre_trend_p is not None and result.pre_trend_p < 0.05
    assert "pre_trends_rejected" in result.claims


def test_joining_in_the_second_year_leaves_pre_trends_untestable() -> None:
    result = did(simulate(replace(PLAN, start=1, seed=13)))
    assert result.pre_trend_p is None
    assert "parallel_trends_untestable" in result.claims


def test_two_years_give_no_event_study() -> None:
    result = did(simulate(replace(PLAN, years=2, start=1, seed=17)))
    assert result.event == ()
    assert "two_years_only" in result.warnings
    assert covers(result.estimate.ci_low, result.estimate.ci_high, TRUTH)


def test_staggered_joining_is_flagged_with_a_robust_estimate() -> None:
    result = did(simulate(replace(PLAN, start=1, stagger=2, seed=19)))
    assert "staggered_adoption_twfe" in result.claims
    assert result.robust is not None
    assert covers(result.robust.ci_low, result.robust.ci_high, TRUTH)


def near(estimate: Estimate, truth: float) -> bool:
    """Within four standard errors (several truths checked at once)."""
    return abs(estimate.value - truth) <= 4 * estimate.se


def test_growing_effects_with_staggered_joining_are_recovered_cohort_robustly() -> None:
    """Cohorts join in 2023 and 2024; the effect is 20 in the joining year and grows by 10
    a year. Treated cells: years since joining 0, 1, 2 (2023 cohort) and 0, 1 (2024
    cohort), equal sizes, so the average effect is (20 + 30 + 40 + 20 + 30) / 5 = 28."""
    plan = replace(PLAN, start=1, stagger=1, effect_growth=10.0, seed=31)
    result = did(simulate(plan))
    assert result.robust is not None
    assert near(result.robust, 28.0)
    by_rel = {c.rel_year: c.estimate for c in result.event}
    assert near(by_rel[-2], 0.0)
    for rel, truth in ((0, 20.0), (1, 30.0), (2, 40.0)):
        assert near(by_rel[rel], truth)
