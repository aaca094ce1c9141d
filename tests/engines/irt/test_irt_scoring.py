"""Person scores (EAP, WLE), reliability, item fit and the reporting scale."""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines.irt import (
    PROFICIENCY_CUTS,
    Calibration,
    ItemParams,
    PersonEstimates,
    ResponseMatrix,
    fit,
    item_fit,
    marginal_reliability,
    proficiency_level,
    score_eap,
    score_wle,
    simulate,
    to_scale,
)
from tests.engines.irt.helpers import matrix_of

NAN = float("nan")


def calibration_of(*items: ItemParams, mean: float = 0.0, sd: float = 1.0) -> Calibration:
    return Calibration("2pl", items, mean, sd, 0.0, 0, 0, True, 0.0, ())


THREE = calibration_of(
    ItemParams("i1", 1.0, -1.0), ItemParams("i2", 1.5, 0.0), ItemParams("i3", 0.8, 1.0)
)


@pytest.fixture(scope="module")
def pupils() -> tuple[np.ndarray, ResponseMatrix]:
    theta = np.random.default_rng(31).normal(0.0, 1.0, 2000)
    matrix, _ = simulate(2000, 30, seed=31, theta=theta)
    return theta, matrix


def test_eap_and_wle_follow_the_true_ability(pupils: tuple[np.ndarray, ResponseMatrix]) -> None:
    theta, matrix = pupils
    cal = fit(matrix, "2pl")
    for persons in (score_eap(cal, matrix), score_wle(cal, matrix)):
        assert np.corrcoef(persons.theta, theta)[0, 1] > 0.93
        assert (persons.se > 0).all() and np.isfinite(persons.se).all()


def test_marginal_reliability_matches_the_squared_correlation_with_the_truth(
    pupils: tuple[np.ndarray, ResponseMatrix],
) -> None:
    theta, matrix = pupils
    cal = fit(matrix, "2pl")
    eap = score_eap(cal, matrix)
    truth = np.corrcoef(eap.theta, theta)[0, 1] ** 2
    assert marginal_reliability(eap) == pytest.approx(truth, abs=0.03)
    assert marginal_reliability(score_wle(cal, matrix)) == pytest.approx(truth, abs=0.04)


def test_wle_is_finite_for_all_right_and_all_wrong_and_ordered() -> None:
    matrix = matrix_of([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    wle = score_wle(THREE, matrix)
    assert np.isfinite(wle.theta).all() and np.isfinite(wle.se).all()
    assert list(wle.theta) == sorted(wle.theta)
    assert -6 < wle.theta[0] < -1 and 1 < wle.theta[-1] < 6


def test_wle_refuses_a_person_without_answers_but_eap_gives_the_prior() -> None:
    matrix = matrix_of([[1, 0, 1], [NAN, NAN, NAN]])
    with pytest.raises(ValueError, match="person p2 has no answers"):
        score_wle(THREE, matrix)
    eap = score_eap(calibration_of(*THREE.items, mean=0.3, sd=1.2), matrix)
    assert eap.theta[1] == pytest.approx(0.3, abs=1e-6)
    assert eap.se[1] == pytest.approx(1.2, abs=1e-3)


def test_scoring_ignores_items_the_calibration_does_not_know() -> None:
    with_extra = matrix_of([[1, 0, 1, 1], [0, 0, 1, 0]])
    plain = matrix_of([[1, 0, 1], [0, 0, 1]])
    assert np.allclose(score_eap(THREE, with_extra).theta, score_eap(THREE, plain).theta)


def test_item_fit_shows_a_flat_item_as_underfit_and_a_steep_item_as_overfit() -> None:
    items = tuple(ItemParams(f"Q{j}", 1.0, b) for j, b in enumerate(np.linspace(-2, 2, 20)))
    flat = ItemParams("flat", 0.3, 0.0)
    steep = ItemParams("steep", 3.0, 0.0)
    matrix, _ = simulate(3000, 22, model="rasch", seed=32, items=(*items, flat, steep))
    cal = fit(matrix, "rasch")
    fits = {f.item: f for f in item_fit(cal, matrix, score_wle(cal, matrix))}
    assert fits["flat"].infit > 1.15 and fits["flat"].outfit > 1.15
    assert fits["steep"].infit < 0.85 and fits["steep"].p_value < 0.01
    assert 0.9 < fits["Q10"].infit < 1.1


def test_reliability_of_identical_scores_is_zero_not_nan() -> None:
    same = PersonEstimates(theta=np.zeros(5), se=np.ones(5), method="wle")
    assert marginal_reliability(same) == 0.0


def test_the_reporting_scale_maps_the_base_year_to_mean_500_sd_100() -> None:
    assert to_scale(np.array([-1.0, 0.0, 2.0])).tolist() == [400.0, 500.0, 700.0]
    assert to_scale(np.array([1.5]), base_mean=0.5, base_sd=2.0).tolist() == [550.0]


def test_proficiency_levels_put_a_score_on_a_cut_in_the_higher_level() -> None:
    assert PROFICIENCY_CUTS == (400.0, 500.0, 600.0)
    levels = proficiency_level(np.array([399.9, 400.0, 499.0, 500.0, 600.0, 800.0]))
    assert levels.tolist() == [0, 1, 1, 2, 3, 3]


def test_proficiency_levels_refuse_nan_scores() -> None:
    with pytest.raises(ValueError, match="NaN"):
        proficiency_level(np.array([500.0, NAN]))
