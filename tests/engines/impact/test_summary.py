"""The plain-English summary says the estimate, what the design can claim and how sure."""

from __future__ import annotations

from dataclasses import replace

from auyl.engines.impact import CLAIM_TEXT, WARNING_TEXT, DidResult, summary_en


def test_every_claim_and_warning_code_has_a_text(planted_result: DidResult) -> None:
    codes = {
        "not_randomised",
        "parallel_trends_untestable",
        "pre_trends_not_rejected",
        "pre_trends_rejected",
        "few_treated_clusters_bootstrap",
        "very_few_treated_clusters",
        "staggered_adoption_twfe",
        "effect_positive",
        "effect_negative",
        "effect_not_distinguishable",
    }
    assert codes <= set(CLAIM_TEXT)
    warnings = {
        "missing_scores_dropped",
        "always_treated_dropped",
        "one_year_schools_dropped",
        "two_years_only",
    }
    assert warnings <= set(WARNING_TEXT)


def test_summary_reads_like_a_careful_analyst(planted_result: DidResult) -> None:
    text = summary_en(planted_result)
    assert text.startswith("Programme effect on scores: +")
    assert "95% CI" in text
    assert "Precision: about ±" in text
    assert "not assigned to the programme at random" in text
    assert "Pre-trend test (joint, years before joining): p" in text
    assert "clustered by school" in text


def test_summary_names_the_bootstrap(planted_result: DidResult) -> None:
    booted = replace(
        planted_result,
        method="wild_cluster_bootstrap",
        bootstrap_weights="webb",
        bootstrap_reps=999,
        claims=(*planted_result.claims, "few_treated_clusters_bootstrap"),
    )
    text = summary_en(booted)
    assert "wild cluster restricted bootstrap (999 draws, Webb weights)" in text
