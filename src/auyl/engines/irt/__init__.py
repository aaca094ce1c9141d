"""Item response theory: Rasch, 2PL and partial credit by MML, scoring, fit, DIF, linking.

Pure numpy/scipy/numba (no Django). See docs/engines/irt.md for the models in plain words.
The names below are imported lazily (on first use), so that ``auyl --help`` and the other
commands, which import :mod:`auyl.engines.irt.cli`, do not pay for numpy, pandas and numba.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auyl.engines.irt.data import DataWarning as DataWarning
    from auyl.engines.irt.data import ResponseMatrix as ResponseMatrix
    from auyl.engines.irt.data import clean as clean
    from auyl.engines.irt.dif import DifResult as DifResult
    from auyl.engines.irt.dif import dif_mantel_haenszel as dif_mantel_haenszel
    from auyl.engines.irt.estimation import fit as fit
    from auyl.engines.irt.linking import Link as Link
    from auyl.engines.irt.linking import apply_link as apply_link
    from auyl.engines.irt.linking import link as link
    from auyl.engines.irt.linking import transform_item as transform_item
    from auyl.engines.irt.model import MODELS as MODELS
    from auyl.engines.irt.model import Calibration as Calibration
    from auyl.engines.irt.model import ItemParams as ItemParams
    from auyl.engines.irt.reading import read_responses_csv as read_responses_csv
    from auyl.engines.irt.scoring import PROFICIENCY_CUTS as PROFICIENCY_CUTS
    from auyl.engines.irt.scoring import ItemFit as ItemFit
    from auyl.engines.irt.scoring import PersonEstimates as PersonEstimates
    from auyl.engines.irt.scoring import item_fit as item_fit
    from auyl.engines.irt.scoring import marginal_reliability as marginal_reliability
    from auyl.engines.irt.scoring import proficiency_level as proficiency_level
    from auyl.engines.irt.scoring import score_eap as score_eap
    from auyl.engines.irt.scoring import score_wle as score_wle
    from auyl.engines.irt.scoring import to_scale as to_scale
    from auyl.engines.irt.simulation import simulate as simulate

_WHERE = {
    "DataWarning": "auyl.engines.irt.data",
    "ResponseMatrix": "auyl.engines.irt.data",
    "clean": "auyl.engines.irt.data",
    "DifResult": "auyl.engines.irt.dif",
    "dif_mantel_haenszel": "auyl.engines.irt.dif",
    "fit": "auyl.engines.irt.estimation",
    "Link": "auyl.engines.irt.linking",
    "apply_link": "auyl.engines.irt.linking",
    "link": "auyl.engines.irt.linking",
    "transform_item": "auyl.engines.irt.linking",
    "MODELS": "auyl.engines.irt.model",
    "Calibration": "auyl.engines.irt.model",
    "ItemParams": "auyl.engines.irt.model",
    "read_responses_csv": "auyl.engines.irt.reading",
    "PROFICIENCY_CUTS": "auyl.engines.irt.scoring",
    "ItemFit": "auyl.engines.irt.scoring",
    "PersonEstimates": "auyl.engines.irt.scoring",
    "item_fit": "auyl.engines.irt.scoring",
    "marginal_reliability": "auyl.engines.irt.scoring",
    "proficiency_level": "auyl.engines.irt.scoring",
    "score_eap": "auyl.engines.irt.scoring",
    "score_wle": "auyl.engines.irt.scoring",
    "to_scale": "auyl.engines.irt.scoring",
    "simulate": "auyl.engines.irt.simulation",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
