"""Simulated pupil scores with a planted truth, for tests and benchmarks.

Score of pupil i in school s, year t::

    500 - rural_gap * rural_s + school_effect_s + trend * (t - first)
        + (effect + effect_growth * (t - since_s)) * treat_st
        + pre_trend * (t - first) * programme_s + noise_i

where ``treat_st = t >= since_s`` for programme schools, school effects ~ N(0, school_sd) and
pupil noise ~ N(0, pupil_sd). The effect is switched on from year index ``start`` (0-based);
``stagger`` > 0 spreads programme schools over that many extra joining years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Plan:
    """What to simulate; the defaults are the issue's example (~100k pupil results)."""

    schools: int = 300
    treated: int = 100
    years: int = 4
    first_year: int = 2022
    start: int = 2
    pupils_per_school_year: int = 80
    effect: float = 20.0
    effect_growth: float = 0.0
    rural_gap: float = 30.0
    rural_share: float = 0.6
    school_sd: float = 30.0
    pupil_sd: float = 90.0
    trend: float = 5.0
    pre_trend: float = 0.0
    stagger: int = 0
    levels: tuple[float, ...] = (400.0, 475.0, 550.0, 625.0)
    seed: int = 0


def _since(plan: Plan) -> np.ndarray:
    """Joining year per school; NaN for comparison schools (the last ones)."""
    since = np.full(plan.schools, np.nan)
    offsets = np.arange(plan.treated) % (plan.stagger + 1)
    since[: plan.treated] = plan.first_year + plan.start + offsets
    return since


def simulate(plan: Plan = Plan()) -> pd.DataFrame:
    """One row per pupil-test with the columns of the impact engine's input frame."""
    rng = np.random.default_rng(plan.seed)
    n_cell = plan.pupils_per_school_year
    school = np.repeat(np.arange(plan.schools), plan.years * n_cell)
    year = np.tile(np.repeat(plan.first_year + np.arange(plan.years), n_cell), plan.schools)
    since = _since(plan)[school]
    rural = (rng.random(plan.schools) < plan.rural_share)[school]
    programme = ~np.isnan(since)
    treat = programme & (year >= np.where(programme, since, np.inf))
    elapsed = year - plan.first_year
    score = (
        500.0
        - plan.rural_gap * rural
        + rng.normal(0.0, plan.school_sd, plan.schools)[school]
        + plan.trend * elapsed
        + plan.pre_trend * elapsed * programme
        + (plan.effect + plan.effect_growth * np.where(treat, year - since, 0.0)) * treat
        + rng.normal(0.0, plan.pupil_sd, school.size)
    )
    return pd.DataFrame(
        {
            "score": score,
            "school": [f"S{s:04d}" for s in school],
            "year": year,
            "district": [f"D{s % 12:02d}" for s in school],
            "rural": rural,
            "role": np.where(programme, "magnet", "none"),
            "since_year": since,
            "level": np.searchsorted(np.asarray(plan.levels), score),
        }
    )
