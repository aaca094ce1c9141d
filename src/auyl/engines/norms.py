"""National norms that several parts of Auyl share, as pure functions.

Internet norm (inform.kz, see ``shared/domain/facts.md``): a 400-place school needs at
least 20 Mbps, plus 1 Mbps per 20 pupils above 400. Auyl applies the 20 Mbps floor to
smaller schools too, which is an assumption: the norm says nothing about them.
"""

from __future__ import annotations

BASE_MBPS = 20.0
BASE_PLACES = 400
PUPILS_PER_EXTRA_MBPS = 20


def connectivity_norm_mbps(pupils: int) -> float:
    """Minimum bandwidth (Mbps) the national norm asks of a school with ``pupils`` pupils."""
    if pupils < 0:
        raise ValueError("pupils cannot be negative")
    extra = max(0, pupils - BASE_PLACES) / PUPILS_PER_EXTRA_MBPS
    return BASE_MBPS + extra


def is_connectivity_adequate(mbps: float | None, pupils: int) -> bool:
    """True when a measured bandwidth meets the norm; a school with no internet never does."""
    if mbps is None or mbps <= 0:
        return False
    return mbps >= connectivity_norm_mbps(pupils)
