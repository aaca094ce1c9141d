"""Pure-Python engines: solvers and statistics with no Django import.

The rule (checked by import-linter, see ``pyproject.toml`` and ``tests/test_architecture.py``):
modules under ``auyl.engines`` import neither Django nor any Auyl app. They take typed,
frozen dataclasses in and give typed results out; apps convert models to engine inputs and
back. Later issues add ``timetabling``, ``planning`` and ``irt`` here.
"""

from auyl.engines.norms import connectivity_norm_mbps, is_connectivity_adequate

__all__ = ["connectivity_norm_mbps", "is_connectivity_adequate"]
