"""Equipment plan: spend a budget (one or several years) on the schools' gaps so that the
benefit to pupils is largest. Solved exactly as a MIP with HiGHS.

This module fixes the interface between the readiness/equipment apps and the solver.
Invariants of a :class:`PlanResult`: each year's spend is within that year's budget; an
indivisible package is bought whole or not at all; a package is never bought before the
packages it requires (same school, same or an earlier year); pinned packages are bought,
excluded schools get nothing; nothing is bought twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Package:
    """One purchasable gap closure at one school, e.g. "12 laptops" or "a STEM lab kit".

    ``quantity`` units at ``unit_cost`` KZT; ``divisible`` packages may be bought in part
    (a whole number of units); ``requires`` names packages (by ``key``) of the same school
    that must be bought first, e.g. devices that need connectivity.
    """

    key: str  # unique in the problem, e.g. "AKT-0241/laptop"
    school: str  # school code
    item: str  # catalogue item code, e.g. "laptop", "panel", "internet", "lab_stem"
    category: str  # "connectivity", "devices", "panels", "labs", "offline"
    quantity: int
    unit_cost: int  # KZT
    divisible: bool = True
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchoolNeed:
    """A school's pupils, readiness (0-100) and the packages that would close its gaps."""

    school: str
    district: str
    pupils: int
    readiness: float
    packages: tuple[Package, ...]


@dataclass(frozen=True)
class BenefitWeights:
    """The benefit model, in plain words (shown on the plan screen):

    benefit of a unit = pupils it reaches x how much of the school's gap it closes
    x (1 + equity x how far the school is below full readiness) x the category's weight.
    ``connectivity_first`` makes device packages require the school's connectivity package.
    """

    pupils: float = 1.0
    gap_closed: float = 1.0
    equity: float = 1.0
    category: dict[str, float] = field(
        default_factory=lambda: {
            "connectivity": 1.5,
            "devices": 1.0,
            "panels": 1.0,
            "labs": 0.8,
            "offline": 1.2,
        }
    )
    connectivity_first: bool = True


@dataclass(frozen=True)
class PlanRequest:
    needs: tuple[SchoolNeed, ...]
    budgets: tuple[int, ...]  # KZT per year; len == number of years
    weights: BenefitWeights = BenefitWeights()
    pinned: frozenset[str] = frozenset()  # package keys that must be bought
    excluded_schools: frozenset[str] = frozenset()
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.001


@dataclass(frozen=True)
class Purchase:
    key: str
    school: str
    item: str
    year: int  # 0-based
    units: int
    cost: int
    benefit: float
    reason: str  # plain words: why this school got this


@dataclass(frozen=True)
class PlanResult:
    status: str  # "optimal", "time_limit", "infeasible"
    purchases: tuple[Purchase, ...]
    total_cost: int
    spend_by_year: tuple[int, ...]
    objective: float
    bound: float
    gap: float  # relative optimality gap, 0.0 when proven optimal
    seconds: float
    messages: tuple[str, ...] = ()  # e.g. why infeasible: "pinned packages cost more than..."


def solve_plan(request: PlanRequest) -> PlanResult:
    """Compute the allocation; see the module docstring for the invariants."""
    raise NotImplementedError
