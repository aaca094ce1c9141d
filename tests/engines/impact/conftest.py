"""Simulated monitoring data with a planted truth, shared by the impact engine's tests.

The default plan: 300 schools (100 join the programme in the third year) x 4 years x 30
pupils, a +20 point programme effect, rural pupils 30 points lower, school effects
(SD 30) and pupil noise (SD 90).
"""

from __future__ import annotations

import pandas as pd
import pytest

from auyl.engines.impact import DidResult, did
from auyl.engines.impact.simulate import Plan, simulate

PLAN = Plan(pupils_per_school_year=30, seed=11)


@pytest.fixture(scope="package")
def planted() -> pd.DataFrame:
    """~36,000 pupil results with the default planted effect and gap."""
    return simulate(PLAN)


@pytest.fixture(scope="package")
def planted_result(planted: pd.DataFrame) -> DidResult:
    return did(planted)
