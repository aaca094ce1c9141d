"""Bad input is refused with a stable code and a reason; missing scores are dropped and
counted, never estimated through."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auyl.engines.impact import ImpactError, did, group_means
from auyl.engines.impact.simulate import Plan, simulate

SMALL = Plan(schools=40, treated=10, years=3, start=1, pupils_per_school_year=5, seed=3)


@pytest.fixture
def small() -> pd.DataFrame:
    return simulate(SMALL)


def refused(frame: pd.DataFrame, **options: object) -> ImpactError:
    with pytest.raises(ImpactError) as caught:
        did(frame, **options)  # type: ignore[arg-type]
    return caught.value


def test_missing_columns_are_named(small: pd.DataFrame) -> None:
    error = refused(small.drop(columns=["since_year", "year"]))
    assert error.code == "missing_columns"
    assert "since_year" in error.detail and "year" in error.detail


def test_non_numeric_score_names_row_and_value(small: pd.DataFrame) -> None:
    frame = small.astype({"score": object})
    frame.loc[7, "score"] = "abc"
    error = refused(frame)
    assert error.code == "non_numeric_scores"
    assert "row 7" in error.detail and "'abc'" in error.detail


def test_a_single_year_cannot_show_a_change(small: pd.DataFrame) -> None:
    assert refused(small[small["year"] == 2023]).code == "single_year"


def test_no_programme_school_is_refused(small: pd.DataFrame) -> None:
    assert refused(small.assign(since_year=np.nan)).code == "no_treated_schools"


def test_no_comparison_school_is_refused(small: pd.DataFrame) -> None:
    assert refused(small.assign(since_year=2023.0)).code == "no_comparison_schools"


def test_a_school_with_two_joining_years_is_refused(small: pd.DataFrame) -> None:
    frame = small.copy()
    frame.loc[0, "since_year"] = 2024.0
    assert refused(frame).code == "since_year_varies"


def test_fractional_years_are_refused(small: pd.DataFrame) -> None:
    assert refused(small.assign(year=small["year"] + 0.5)).code == "bad_year"


def test_missing_scores_are_dropped_and_counted(small: pd.DataFrame) -> None:
    frame = small.astype({"score": object})
    frame.loc[[1, 2, 3], "score"] = np.nan
    frame.loc[4, "score"] = ""
    result = did(frame, min_treated_clusters=0)
    assert result.dropped_missing_scores == 4
    assert "missing_scores_dropped" in result.warnings
    assert result.estimate.n == len(frame) - 4


def test_schools_treated_from_the_first_year_are_dropped(small: pd.DataFrame) -> None:
    frame = small.copy()
    first_comparison = frame["since_year"].isna() & (frame["school"] == "S0039")
    frame.loc[first_comparison, "since_year"] = 2022.0
    result = did(frame, min_treated_clusters=0)
    assert result.dropped_always_treated_schools == 1
    assert "always_treated_dropped" in result.warnings
    assert result.n_control_schools == 29


def test_schools_tested_in_one_year_only_are_dropped(small: pd.DataFrame) -> None:
    frame = small[~((small["school"] == "S0000") & (small["year"] > 2022))]
    result = did(frame, min_treated_clusters=0)
    assert result.dropped_one_year_schools == 1
    assert "one_year_schools_dropped" in result.warnings
    assert result.n_treated_schools == 9


def test_an_impossible_confidence_level_is_refused(small: pd.DataFrame) -> None:
    assert refused(small, level=95).code == "bad_option"


def test_schools_joining_after_the_last_year_are_comparison(small: pd.DataFrame) -> None:
    frame = small.copy()
    frame.loc[frame["school"] == "S0039", "since_year"] = 2030.0
    assert did(frame, min_treated_clusters=0).n_control_schools == 30


def test_group_means_refuse_a_missing_grouping_column(small: pd.DataFrame) -> None:
    with pytest.raises(ImpactError) as caught:
        group_means(small, ["province"])
    assert caught.value.code == "missing_columns"
