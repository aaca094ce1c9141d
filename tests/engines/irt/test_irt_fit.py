"""Calibration by MML/EM: recovers planted item parameters (2PL, Rasch, partial credit),
copes with items not presented by design, and holds anchor items fixed for linking."""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines.irt import ItemParams, fit, simulate
from auyl.engines.irt.estimation import collapse_patterns, expectation, gauss_hermite
from auyl.engines.irt.model import arrays_from_params, category_probs
from tests.engines.irt.helpers import matrix_of, rmse


def truth_and_estimate(
    truth: tuple[ItemParams, ...], estimate: tuple[ItemParams, ...], field: str
) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([getattr(item, field) for item in truth]),
        np.array([getattr(item, field) for item in estimate]),
    )


def test_2pl_recovers_planted_a_and_b_for_1500_pupils() -> None:
    matrix, truth = simulate(1500, 30, model="2pl", seed=11)
    cal = fit(matrix, "2pl")
    assert cal.converged and cal.iterations > 1
    assert rmse(*truth_and_estimate(truth, cal.items, "a")) < 0.12
    assert rmse(*truth_and_estimate(truth, cal.items, "b")) < 0.10
    assert cal.theta_sd == 1.0 and cal.theta_mean == 0.0


def test_rasch_fixes_a_at_1_and_estimates_the_theta_sd() -> None:
    matrix, truth = simulate(2000, 25, model="rasch", seed=12, theta_sd=1.4)
    cal = fit(matrix, "rasch")
    assert {item.a for item in cal.items} == {1.0}
    assert cal.theta_sd == pytest.approx(1.4, abs=0.06)
    assert rmse(*truth_and_estimate(truth, cal.items, "b")) < 0.08


def test_partial_credit_recovers_step_difficulties() -> None:
    matrix, truth = simulate(3000, 15, model="pcm", seed=13, theta_sd=1.1)
    cal = fit(matrix, "pcm")
    steps_true = np.concatenate([item.deltas for item in truth])
    steps_fit = np.concatenate([item.deltas for item in cal.items])
    assert any(item.steps for item in cal.items)
    assert rmse(steps_fit, steps_true) < 0.12
    assert cal.theta_sd == pytest.approx(1.1, abs=0.06)


def test_items_not_presented_by_design_do_not_bias_the_estimates() -> None:
    matrix, truth = simulate(3000, 20, model="2pl", seed=14, missing=0.4)
    cal = fit(matrix, "2pl")
    assert rmse(*truth_and_estimate(truth, cal.items, "b")) < 0.12
    assert rmse(*truth_and_estimate(truth, cal.items, "a")) < 0.15


def test_fixed_anchor_items_put_a_new_year_on_the_base_scale() -> None:
    rng = np.random.default_rng(15)
    theta = rng.normal(0.5, 1.2, 3000)  # the new cohort is abler and more spread out
    matrix, truth = simulate(3000, 24, model="2pl", seed=15, theta=theta)
    anchors = {item.item: item for item in truth[:8]}
    cal = fit(matrix, "2pl", fixed=anchors)
    assert cal.theta_mean == pytest.approx(0.5, abs=0.1)
    assert cal.theta_sd == pytest.approx(1.2, abs=0.1)
    assert cal.items[:8] == truth[:8]
    assert rmse(*truth_and_estimate(truth[8:], cal.items[8:], "b")) < 0.12


def test_a_fixed_item_absent_from_the_data_is_reported() -> None:
    matrix, _ = simulate(500, 10, seed=16)
    cal = fit(matrix, "2pl", fixed={"Z99": ItemParams("Z99", 1.0, 0.0)})
    assert [w.code for w in cal.warnings] == ["fixed_item_absent"]


def test_squarem_acceleration_reaches_the_same_optimum_in_fewer_iterations() -> None:
    matrix, _ = simulate(1500, 20, seed=18)
    plain = fit(matrix, "2pl", accelerate=False)
    fast = fit(matrix, "2pl")
    assert fast.converged and fast.iterations < plain.iterations
    assert fast.loglik == pytest.approx(plain.loglik, abs=0.05)
    for mine, other in zip(fast.items, plain.items, strict=True):
        assert mine.a == pytest.approx(other.a, abs=0.005)
        assert mine.b == pytest.approx(other.b, abs=0.005)


def test_the_iteration_limit_is_respected_and_reported_as_not_converged() -> None:
    matrix, _ = simulate(500, 10, seed=17)
    cal = fit(matrix, "2pl", max_iter=3)
    assert cal.iterations == 3 and not cal.converged


def test_unknown_models_and_partial_credit_under_2pl_are_refused() -> None:
    matrix = matrix_of([[0, 2], [1, 1], [1, 0]], max_scores=[1, 2])
    with pytest.raises(ValueError, match="unknown model"):
        fit(matrix, "3pl")
    with pytest.raises(ValueError, match="use pcm"):
        fit(matrix, "2pl")


def test_identical_response_patterns_are_collapsed_with_their_counts() -> None:
    scores = np.array([[1, 0], [0, 1], [1, 0], [np.nan, 1], [1, 0]])
    patterns = collapse_patterns(scores, n_categories=2)
    assert sorted(patterns.counts.tolist()) == [1.0, 1.0, 3.0]
    assert (patterns.codes[patterns.index] == [[1, 0], [0, 1], [1, 0], [2, 1], [1, 0]]).all()


def test_the_e_step_equals_a_direct_sum_over_persons_and_nodes() -> None:
    items = (ItemParams("x", 1.3, -0.2), ItemParams("y", 0.8, 0.5, steps=(0.0, 1.0)))
    scores = np.array([[1, 2], [0, np.nan], [1, 0], [np.nan, 1]])
    arrays = arrays_from_params(items)
    rule = gauss_hermite(11)
    got = expectation(collapse_patterns(scores, 3), arrays, rule.nodes, np.log(rule.weights))
    probs = category_probs(arrays, rule.nodes)  # (items, categories, nodes)
    likelihood = np.ones((4, 11))
    for n, row in enumerate(scores):
        for j, x in enumerate(row):
            if not np.isnan(x):
                likelihood[n] *= probs[j, int(x)]
    joint = likelihood * rule.weights
    post = joint / joint.sum(axis=1, keepdims=True)
    assert got.loglik == pytest.approx(np.log(joint.sum(axis=1)).sum())
    for j in range(2):
        for k in range(3 if j else 2):
            chosen = scores[:, j] == k
            assert got.counts[j, k] == pytest.approx(post[chosen].sum(axis=0), abs=1e-12)
