"""Group means, gaps and level shares: school-clustered intervals that recover planted
values, agree with pyfixest's CR1 errors, and are never NaN for tiny groups."""

from __future__ import annotations

import math

import pandas as pd
import pyfixest as pf
import pytest

from auyl.engines.impact import gap, group_means, level_shares
from auyl.engines.impact.quiet import pyfixest_quiet

from .conftest import PLAN


def test_rural_urban_gap_recovers_the_planted_gap(planted: pd.DataFrame) -> None:
    gaps = gap(planted, by="rural", focal=True, per="year")
    assert [g.keys for g in gaps] == [(2022,), (2023,), (2024,), (2025,)]
    for g in gaps:
        e = g.estimate
        assert e.ci_low <= PLAN.rural_gap <= e.ci_high
        assert e.ci_low > 0
        assert e.n_clusters == 300


def test_overall_gap_has_empty_keys(planted: pd.DataFrame) -> None:
    (overall,) = gap(planted, per=None)
    assert overall.keys == ()
    assert overall.estimate.n == len(planted)


def test_pupils_with_unknown_group_belong_to_neither_side() -> None:
    frame = tiny().assign(rural=[True, True, True, None, False, False])
    (overall,) = gap(frame, per=None)
    assert overall.estimate.n == 5
    assert overall.estimate.value == pytest.approx(450.0 - 420.0)


def test_gap_standard_error_agrees_with_a_clustered_regression(planted: pd.DataFrame) -> None:
    year = planted[planted["year"] == 2022].assign(urban=lambda f: (~f["rural"]).astype(float))
    with pyfixest_quiet():
        fit = pf.feols("score ~ urban", year, vcov={"CRV1": "school"})
    (ours,) = gap(year, per=None)
    assert ours.estimate.value == pytest.approx(float(fit.coef()["urban"]))
    assert ours.estimate.se == pytest.approx(float(fit.se()["urban"]), rel=0.02)


def test_group_mean_matches_pyfixest_cr1(planted: pd.DataFrame) -> None:
    year = planted[planted["year"] == 2022]
    with pyfixest_quiet():
        fit = pf.feols("score ~ 1", year, vcov={"CRV1": "school"})
    (ours,) = group_means(year, [])
    assert ours.estimate.value == pytest.approx(float(fit.coef().iloc[0]))
    assert ours.estimate.se == pytest.approx(float(fit.se().iloc[0]), rel=1e-9)


def test_group_means_per_district_and_year_are_sorted(planted: pd.DataFrame) -> None:
    means = group_means(planted, ["district", "year"])
    assert len(means) == 12 * 4
    assert [m.keys for m in means] == sorted(m.keys for m in means)
    assert means[0].keys == ("D00", 2022)
    assert all(m.estimate.n_clusters == 25 for m in means)


def tiny() -> pd.DataFrame:
    """Group A: one school (3 pupils); group B: one pupil; group C: two equal scores."""
    return pd.DataFrame(
        {
            "score": [400.0, 420.0, 440.0, 500.0, 450.0, 450.0],
            "school": ["s1", "s1", "s1", "s2", "s3", "s4"],
            "group": ["A", "A", "A", "B", "C", "C"],
        }
    )


def test_a_single_school_group_uses_pupil_level_errors() -> None:
    a = group_means(tiny(), ["group"])[0]
    assert a.keys == ("A",) and a.single_cluster
    assert a.estimate.se == pytest.approx(20 / math.sqrt(3))


def test_groups_of_one_pupil_are_left_out_and_constant_groups_have_zero_width() -> None:
    means = {m.keys: m for m in group_means(tiny(), ["group"])}
    assert ("B",) not in means
    c = means[("C",)].estimate
    assert (c.se, c.ci_low, c.ci_high) == (0.0, 450.0, 450.0)
    assert not means[("C",)].single_cluster


def test_nothing_is_nan_for_tiny_groups() -> None:
    frame = tiny().assign(level=[1, 1, 2, 3, 3, 3], rural=[True] * 3 + [False] * 3)
    numbers = [v for m in group_means(frame, ["group"]) for v in vars(m.estimate).values()]
    numbers += [v for g in gap(frame, per=None) for v in vars(g.estimate).values()]
    numbers += [s.ci_low for s in level_shares(frame, ["group"])]
    numbers += [s.ci_high for s in level_shares(frame, ["group"])]
    assert all(math.isfinite(v) for v in numbers)


def test_level_shares_sum_to_one_per_group(planted: pd.DataFrame) -> None:
    shares = level_shares(planted, ["rural"])
    for rural in (False, True):
        group = [s for s in shares if s.keys == (rural,)]
        assert [s.level for s in group] == [0, 1, 2, 3, 4]
        assert sum(s.share for s in group) == pytest.approx(1.0)
        assert all(0 <= s.ci_low <= s.share <= s.ci_high <= 1 for s in group)


def test_rural_pupils_are_more_often_at_the_lowest_level(planted: pd.DataFrame) -> None:
    lowest = {s.keys: s for s in level_shares(planted, ["rural"]) if s.level == 0}
    assert lowest[(True,)].ci_low > lowest[(False,)].ci_high


def test_an_absent_level_has_share_zero_and_a_positive_upper_bound() -> None:
    frame = tiny().assign(level=[1, 1, 2, 3, 3, 3])
    a_level_3 = next(s for s in level_shares(frame, ["group"]) if s.keys == ("A",) and s.level == 3)
    assert a_level_3.share == 0.0 and a_level_3.ci_low == 0.0
    assert 0 < a_level_3.ci_high < 1
