"""DIF by Mantel-Haenszel with ETS categories, and linking years through anchor items."""

from __future__ import annotations

import numpy as np
import pytest

from auyl.engines.irt import (
    ItemParams,
    ResponseMatrix,
    apply_link,
    dif_mantel_haenszel,
    fit,
    link,
    simulate,
    transform_item,
)
from auyl.engines.irt.dif import ets_category


def test_an_item_harder_for_the_focal_group_is_flagged_c_and_the_others_a() -> None:
    rng = np.random.default_rng(41)
    theta = rng.normal(0, 1, 4000)
    focal = rng.random(4000) < 0.5
    matrix, truth = simulate(4000, 20, seed=41, theta=theta)
    scores = matrix.scores.copy()
    harder = truth[0].b + 1.0  # one logit harder for focal pupils
    p = 1 / (1 + np.exp(-truth[0].a * (theta - harder)))
    scores[focal, 0] = (rng.random(focal.sum()) < p[focal]).astype(float)
    shifted = ResponseMatrix(matrix.person_ids, matrix.item_ids, scores, matrix.max_scores)
    results = dif_mantel_haenszel(shifted, focal)
    assert results[0].category == "C" and results[0].mh_delta < -1.5
    assert sum(r.category == "A" for r in results[1:]) >= 18
    assert results[0].n_focal == focal.sum()


@pytest.mark.parametrize(
    ("delta", "se", "category"),
    [(0.5, 0.1, "A"), (1.2, 0.8, "A"), (1.2, 0.2, "B"), (-1.6, 0.4, "B"), (-2.0, 0.2, "C")],
)
def test_ets_categories_use_size_and_significance(delta: float, se: float, category: str) -> None:
    assert ets_category(delta, se) == category


def test_dif_needs_both_groups() -> None:
    matrix, _ = simulate(50, 5, seed=42)
    with pytest.raises(ValueError, match="both"):
        dif_mantel_haenszel(matrix, np.ones(50, dtype=bool))
    with pytest.raises(ValueError, match="one True/False per person"):
        dif_mantel_haenszel(matrix, np.ones(49, dtype=bool))


BASE = tuple(ItemParams(f"Q{j}", 0.8 + 0.1 * j, -1.5 + 0.4 * j) for j in range(8))
# A new year whose theta scale is theta_new = (theta_base - 0.4) / 1.3, with a PCM item.
NEW = tuple(transform_item(item, 1 / 1.3, -0.4 / 1.3) for item in BASE)


@pytest.mark.parametrize("method", ["stocking_lord", "haebara", "mean_sigma"])
def test_each_linking_method_recovers_a_planted_scale_shift(method: str) -> None:
    result = link(BASE, NEW, method)
    assert result.a == pytest.approx(1.3, abs=1e-4)
    assert result.b == pytest.approx(0.4, abs=1e-4)
    assert result.anchors == tuple(item.item for item in BASE)
    assert result.warnings == ()


def test_linking_with_partial_credit_anchors() -> None:
    base = (*BASE, ItemParams("P1", 1.0, 0.2, steps=(-0.5, 0.2, 0.9)))
    new = tuple(transform_item(item, 1 / 1.3, -0.4 / 1.3) for item in base)
    result = link(base, new, "haebara")
    assert (result.a, result.b) == (pytest.approx(1.3, abs=1e-4), pytest.approx(0.4, abs=1e-4))


def test_fewer_than_three_anchors_warn_and_none_refuse() -> None:
    assert [w.code for w in link(BASE, NEW[:2]).warnings] == ["few_anchors"]
    with pytest.raises(ValueError, match="no item in common"):
        link(BASE, (ItemParams("other", 1.0, 0.0),))
    with pytest.raises(ValueError, match="unknown linking method"):
        link(BASE, NEW, "equipercentile")


def test_two_years_calibrated_separately_and_linked_share_one_scale() -> None:
    rng = np.random.default_rng(43)
    base_matrix, truth = simulate(3000, 20, seed=43, theta=rng.normal(0, 1, 3000))
    new_matrix, _ = simulate(3000, 20, seed=44, items=truth, theta=rng.normal(0.4, 1, 3000))
    base, new = fit(base_matrix, "2pl"), fit(new_matrix, "2pl")
    linked = apply_link(new, link(base.items, new.items[:10]))
    assert linked.theta_mean == pytest.approx(0.4, abs=0.1)
    assert linked.theta_sd == pytest.approx(1.0, abs=0.1)
