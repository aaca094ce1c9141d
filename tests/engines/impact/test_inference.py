"""How the uncertainty is computed: pupil-level equivalence of the school-year fit, the
wild cluster bootstrap's p-value (pyfixest) and its test-inversion interval."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from auyl.engines.impact import did
from auyl.engines.impact.bootstrap import (
    _draws,
    _Inverter,
    design,
    own_p_value,
    pyfixest_p_value,
    weights_for,
)
from auyl.engines.impact.did import build_panel
from auyl.engines.impact.quiet import pyfixest_quiet
from auyl.engines.impact.simulate import simulate

from .conftest import PLAN

FEW = replace(PLAN, treated=8, effect=8.0, seed=23)


@pytest.fixture(scope="module")
def few_cells() -> pd.DataFrame:
    return build_panel(simulate(FEW), outcome="score", cluster="school").cells


def test_school_year_cells_give_the_pupil_level_estimate_and_error(planted, planted_result):
    pupils = planted.assign(treat=(planted["year"] >= planted["since_year"]).astype(float))
    with pyfixest_quiet():
        fit = pf.feols("score ~ treat | school + year", pupils, vcov={"CRV1": "school"})
    assert planted_result.estimate.value == pytest.approx(float(fit.coef()["treat"]))
    assert planted_result.estimate.se == pytest.approx(float(fit.se()["treat"]), rel=1e-6)


def test_our_wcr_p_value_agrees_with_pyfixest(few_cells: pd.DataFrame) -> None:
    d = design(few_cells, "treat", "cluster")
    theirs = pyfixest_p_value(d, reps=199, seed=1, weights="rademacher")
    ours = own_p_value(few_cells, treat="treat", cluster="cluster", reps=199, seed=1)
    assert ours == pytest.approx(theirs, abs=0.03)


def test_interval_edges_are_where_the_test_starts_to_reject(few_cells: pd.DataFrame) -> None:
    d = design(few_cells, "treat", "cluster")
    inverter = _Inverter(d, _draws(300, 199, 1, "rademacher"))
    low, high = inverter.bound(0.05, -1.0), inverter.bound(0.05, 1.0)
    assert low < inverter.beta < high
    step = 1e-3 * inverter.se
    assert inverter.p_value(low - step) < 0.05 <= inverter.p_value(low + step)
    assert inverter.p_value(high + step) < 0.05 <= inverter.p_value(high - step)


def test_bootstrap_interval_is_wider_than_the_clustered_one_with_few_treated() -> None:
    frame = simulate(FEW)
    boot = did(frame, bootstrap_reps=199).estimate
    clustered = did(frame, min_treated_clusters=0).estimate
    assert boot.value == clustered.value
    assert boot.ci_high - boot.ci_low > clustered.ci_high - clustered.ci_low


def test_webb_weights_below_twelve_clusters() -> None:
    assert weights_for(11) == "webb"
    assert weights_for(12) == "rademacher"
    draws = _draws(5, 2000, 0, "webb")
    assert len(np.unique(draws)) == 6
    assert draws.var() == pytest.approx(1.0, abs=0.05)


def test_very_few_schools_use_webb_weights_and_say_it_is_fragile() -> None:
    result = did(simulate(replace(PLAN, schools=10, treated=3, seed=29)), bootstrap_reps=199)
    assert result.bootstrap_weights == "webb"
    assert "very_few_treated_clusters" in result.claims
    assert np.isfinite([result.estimate.ci_low, result.estimate.ci_high, result.p_value]).all()


def test_clustering_by_district_counts_districts_with_programme_schools(planted) -> None:
    """12 districts, all with programme schools: fewer than 30 treated clusters, so the
    bootstrap is used even though 100 schools are treated."""
    result = did(planted, cluster="district", bootstrap_reps=199)
    assert result.estimate.n_clusters == 12
    assert result.method == "wild_cluster_bootstrap"
    assert result.bootstrap_weights == "rademacher"
    assert result.estimate.ci_low <= PLAN.effect <= result.estimate.ci_high
