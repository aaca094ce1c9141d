"""Claim codes: what a difference-in-differences result can and cannot say, one rule per
function. The app turns codes into translated sentences; :mod:`.summary` gives English.
"""

from __future__ import annotations

from auyl.engines.impact.model import Estimate

#: Fewer treated schools than this: even the wild cluster bootstrap is fragile.
VERY_FEW_TREATED = 5


def design_claim() -> str:
    """The programme was not assigned at random: the estimate is an association that is
    causal only if programme and comparison schools would have moved in parallel."""
    return "not_randomised"


def pre_trend_claim(pre_trend_p: float | None, alpha: float) -> str:
    """Whether the years before joining support parallel trends (a joint test of the lead
    coefficients); untestable without two or more pre-programme years."""
    if pre_trend_p is None:
        return "parallel_trends_untestable"
    return "pre_trends_rejected" if pre_trend_p < alpha else "pre_trends_not_rejected"


def inference_claims(bootstrapped: bool, n_treated: int) -> list[str]:
    """Few treated schools: clustered errors are unreliable, the bootstrap was used; with
    very few even the bootstrap is fragile (it tends to be conservative)."""
    codes = []
    if bootstrapped:
        codes.append("few_treated_clusters_bootstrap")
    if n_treated < VERY_FEW_TREATED:
        codes.append("very_few_treated_clusters")
    return codes


def effect_claim(estimate: Estimate, p_value: float, alpha: float) -> str:
    """The sign of the effect when "no effect" is rejected at ``alpha``; otherwise the
    data cannot tell the effect from zero."""
    if p_value >= alpha:
        return "effect_not_distinguishable"
    return "effect_positive" if estimate.value > 0 else "effect_negative"


def staggered_claim(staggered: bool) -> list[str]:
    """Schools joined in different years: the plain two-way fixed-effects estimate can be
    biased when effects change over time; see the robust estimate."""
    return ["staggered_adoption_twfe"] if staggered else []


def did_claims(
    *,
    estimate: Estimate,
    p_value: float,
    alpha: float,
    bootstrapped: bool,
    n_treated: int,
    pre_trend_p: float | None,
    staggered: bool,
) -> tuple[str, ...]:
    """All claim codes of a result, in reading order."""
    return (
        design_claim(),
        pre_trend_claim(pre_trend_p, alpha),
        *inference_claims(bootstrapped, n_treated),
        *staggered_claim(staggered),
        effect_claim(estimate, p_value, alpha),
    )
