"""Silence pandas' deprecation notices raised inside pyfixest (pyfixest 0.60 on pandas 3
uses ``inplace=``); they are about pyfixest's code, not ours, and would bury real warnings."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pandas.errors import PandasDeprecationWarning


@contextmanager
def pyfixest_quiet() -> Iterator[None]:
    """Ignore pandas deprecation warnings (and only those) inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PandasDeprecationWarning)
        yield
