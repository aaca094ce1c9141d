"""Claim codes: one rule, one test."""

from __future__ import annotations

from auyl.engines.impact import Estimate
from auyl.engines.impact.claims import (
    design_claim,
    effect_claim,
    inference_claims,
    pre_trend_claim,
    staggered_claim,
)


def estimate(value: float) -> Estimate:
    return Estimate(value, 1.0, value - 2, value + 2, 100, 10)


def test_the_design_is_never_called_randomised() -> None:
    assert design_claim() == "not_randomised"


def test_pre_trends_need_two_years_before_joining() -> None:
    assert pre_trend_claim(None, 0.05) == "parallel_trends_untestable"


def test_pre_trends_rejected_below_alpha_and_not_rejected_above() -> None:
    assert pre_trend_claim(0.01, 0.05) == "pre_trends_rejected"
    assert pre_trend_claim(0.30, 0.05) == "pre_trends_not_rejected"


def test_bootstrap_and_very_few_treated_are_said() -> None:
    assert inference_claims(False, 50) == []
    assert inference_claims(True, 8) == ["few_treated_clusters_bootstrap"]
    assert inference_claims(True, 3) == [
        "few_treated_clusters_bootstrap",
        "very_few_treated_clusters",
    ]


def test_effect_sign_only_when_no_effect_is_rejected() -> None:
    assert effect_claim(estimate(5.0), 0.01, 0.05) == "effect_positive"
    assert effect_claim(estimate(-5.0), 0.01, 0.05) == "effect_negative"
    assert effect_claim(estimate(5.0), 0.20, 0.05) == "effect_not_distinguishable"


def test_staggered_joining_is_flagged() -> None:
    assert staggered_claim(True) == ["staggered_adoption_twfe"]
    assert staggered_claim(False) == []
