"""The impact engine: growth, gaps and programme impact on pupil scores with honest
uncertainty (school-clustered errors, wild cluster bootstrap). Pure Python (numpy, pandas,
scipy, pyfixest): no Django, no apps. See ``docs/engines/impact.md``."""

from auyl.engines.impact.describe import gap, group_means, level_shares
from auyl.engines.impact.did import did
from auyl.engines.impact.model import (
    CLUSTER_ROBUST,
    WILD_CLUSTER_BOOTSTRAP,
    DidResult,
    Estimate,
    EventCoef,
    GroupMean,
    ImpactError,
    LevelShare,
)
from auyl.engines.impact.summary import CLAIM_TEXT, WARNING_TEXT, summary_en

__all__ = [
    "CLAIM_TEXT",
    "CLUSTER_ROBUST",
    "WARNING_TEXT",
    "WILD_CLUSTER_BOOTSTRAP",
    "DidResult",
    "Estimate",
    "EventCoef",
    "GroupMean",
    "ImpactError",
    "LevelShare",
    "did",
    "gap",
    "group_means",
    "level_shares",
    "summary_en",
]
