"""Hub-and-magnet network design: choose hub schools and assign every magnet school to one
hub, minimising pupil-weighted travel, as a capacitated p-median / facility-location MIP
solved with HiGHS.

This module fixes the interface between the network app and the solver. Invariants of a
:class:`NetworkResult` with status optimal/time_limit: every school to serve is assigned to
exactly one open hub within the distance limit (or listed in ``unserved`` with reasons);
no hub has more magnets than allowed; fixed hubs are open; at most/exactly ``hubs`` hubs
are open; with ``same_district`` a magnet's hub is in its district.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    """A school: a candidate hub, a school to serve, or both."""

    code: str
    district: str
    latitude: float
    longitude: float
    pupils: int
    can_be_hub: bool  # eligibility (capacity, connectivity, specialist teachers, labs)
    must_be_served: bool  # a (small) school that needs a hub
    fixed_hub: bool = False  # an existing hub kept open


@dataclass(frozen=True)
class NetworkRequest:
    sites: tuple[Site, ...]
    hubs: int | None  # number of hubs to open; None: as many as needed (facility location)
    max_km: float | None = None
    max_magnets: int | None = None
    same_district: bool = False
    road_factor: float = 1.3  # road distance ~ haversine x road_factor
    travel_minutes: dict[tuple[str, str], float] | None = None  # (magnet, hub) -> minutes
    max_minutes: float | None = None
    hub_open_cost: float = 0.0  # pupil-km equivalent, used when hubs is None
    time_limit_s: float = 120.0
    mip_rel_gap: float = 0.0


@dataclass(frozen=True)
class Assignment:
    magnet: str
    hub: str
    km: float
    minutes: float | None


@dataclass(frozen=True)
class Unserved:
    school: str
    reason: str  # plain words, e.g. "no eligible hub within 60 km (nearest: X at 84 km)"


@dataclass(frozen=True)
class NetworkResult:
    status: str  # "optimal", "time_limit", "infeasible"
    hubs: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    unserved: tuple[Unserved, ...]
    objective: float  # pupil-weighted km (or minutes)
    bound: float
    gap: float
    seconds: float
    messages: tuple[str, ...] = ()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    raise NotImplementedError


def design_network(request: NetworkRequest) -> NetworkResult:
    """Solve the design; see the module docstring for the invariants."""
    raise NotImplementedError
