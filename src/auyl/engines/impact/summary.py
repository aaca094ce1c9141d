"""Plain-English reading of a :class:`DidResult` for the command line. The app translates
the claim and warning codes itself; these texts are the reference wording."""

from __future__ import annotations

from auyl.engines.impact.model import WILD_CLUSTER_BOOTSTRAP, DidResult

CLAIM_TEXT = {
    "not_randomised": (
        "Schools were not assigned to the programme at random, so this is the change in "
        "programme schools relative to comparison schools; it is the programme's effect "
        "only if both groups would otherwise have moved in parallel."
    ),
    "parallel_trends_untestable": (
        "There are too few years before the programme to check that the two groups "
        "moved in parallel beforehand."
    ),
    "pre_trends_not_rejected": (
        "Before joining, programme schools moved in line with comparison schools "
        "(no significant difference; this supports, but cannot prove, parallel trends)."
    ),
    "pre_trends_rejected": (
        "Before joining, programme schools already moved differently from comparison "
        "schools, so the estimate likely mixes the programme with earlier differences; "
        "treat it with strong caution."
    ),
    "few_treated_clusters_bootstrap": (
        "Few schools are in the programme, so ordinary clustered standard errors are not "
        "trustworthy; the p-value and interval come from a wild cluster bootstrap."
    ),
    "very_few_treated_clusters": (
        "With fewer than five programme schools, even the bootstrap is fragile; read the "
        "result as indicative only."
    ),
    "staggered_adoption_twfe": (
        "Schools joined in different years; the standard estimate can be biased when the "
        "effect grows or fades, so compare it with the cohort-robust estimate."
    ),
    "effect_positive": (
        "Programme schools gained more than comparison schools, by more than chance alone "
        "would explain."
    ),
    "effect_negative": (
        "Programme schools gained less than comparison schools, by more than chance alone "
        "would explain."
    ),
    "effect_not_distinguishable": (
        "The difference cannot be told apart from zero with these data: the interval "
        "includes no effect at all."
    ),
}

WARNING_TEXT = {
    "missing_scores_dropped": "Pupils without a score were left out.",
    "always_treated_dropped": (
        "Schools already in the programme in the first year were left out (no 'before')."
    ),
    "one_year_schools_dropped": "Schools tested in one year only were left out.",
    "two_years_only": "Only two years: no event study and no pre-trend check.",
}


def _number(x: float) -> str:
    return f"{x:+.1f}"


def _p(p: float) -> str:
    """A p-value as text; a bootstrap p of 0 means "below one in the number of draws"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _headline(r: DidResult) -> str:
    e = r.estimate
    pct = round(r.level * 100)
    return (
        f"Programme effect on scores: {_number(e.value)} points "
        f"({pct}% CI {_number(e.ci_low)} to {_number(e.ci_high)}, {_p(r.p_value)}), "
        f"from {r.n_treated_schools} programme and {r.n_control_schools} comparison "
        f"schools, {e.n} pupil results, years {r.years[0]}-{r.years[-1]}."
    )


def _method(r: DidResult) -> str:
    if r.method == WILD_CLUSTER_BOOTSTRAP:
        return (
            f"Inference: wild cluster restricted bootstrap ({r.bootstrap_reps} draws, "
            f"{r.bootstrap_weights.capitalize()} weights); event-study intervals are "
            "clustered only."
        )
    return "Inference: standard errors clustered by school."


def _precision(r: DidResult) -> str:
    half = (r.estimate.ci_high - r.estimate.ci_low) / 2
    return f"Precision: about ±{half:.1f} points."


def _pre_trend(r: DidResult) -> str:
    if r.pre_trend_p is None:
        return ""
    return f"Pre-trend test (joint, years before joining): {_p(r.pre_trend_p)}."


def _event(r: DidResult) -> str:
    if not r.event:
        return ""
    parts = [f"{c.rel_year:+d}: {_number(c.estimate.value)}" for c in r.event]
    return "By years since joining (reference -1): " + ", ".join(parts) + "."


def _robust(r: DidResult) -> str:
    if r.robust is None:
        return ""
    e = r.robust
    return (
        f"Cohort-robust estimate: {_number(e.value)} "
        f"(CI {_number(e.ci_low)} to {_number(e.ci_high)})."
    )


def summary_en(result: DidResult) -> str:
    """A careful analyst's paragraph: the estimate, what the design can claim, the
    pre-trend check, the precision and how it was obtained, and data warnings."""
    sentences = [
        _headline(result),
        _precision(result),
        *(CLAIM_TEXT.get(c, c) for c in result.claims),
        _pre_trend(result),
        _event(result),
        _robust(result),
        _method(result),
        *(WARNING_TEXT.get(w, w) for w in result.warnings),
    ]
    return " ".join(s for s in sentences if s)
