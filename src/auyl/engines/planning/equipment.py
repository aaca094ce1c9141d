"""Equipment plan: spend a budget (one or several years) on the schools' gaps so that the
benefit to pupils is largest. Solved exactly as a MIP with HiGHS.

This module fixes the interface between the readiness/equipment apps and the solver.
Invariants of a :class:`PlanResult`: each year's spend is within that year's budget; an
indivisible package is bought whole or not at all; a package is never bought before the
packages it requires (same school, same or an earlier year); pinned packages are bought,
excluded schools get nothing; nothing is bought twice.

The model in plain words (``docs/engines/equipment-plan.md`` says the same to users)
-------------------------------------------------------------------------------------
Each school's gaps come as *packages*: "12 laptops", "one STEM lab kit", "an internet
connection". The plan decides, for every package and every year, how many of its units
are bought that year.

What a package is worth. A whole package is worth

    pupils ** w.pupils
    x (share of the school's total gap cost that the package closes) ** w.gap_closed
    x (1 + w.equity x (100 - readiness) / 100)
    x the weight of its category (connectivity 1.5, offline 1.2, devices 1, panels 1, labs 0.8)

With the default weights (pupils 1, gap closed 1) that is "pupils x share of the school's
gap closed": closing the whole gap of a school of 40 pupils is worth 40, closing a quarter
of it is worth 10; every tenge spent on one category at one school is worth the same, so
the plan prefers schools where equipping a pupil costs least, lifted by the equity factor
for the least-ready schools (readiness 20/100 and equity 1 counts 1.8 times) and by the
category weights. A
pupils weight of 0 counts every school the same whatever its size; a gap-closed weight of 0
counts every package as reaching all the school's pupils whatever it costs.

Each unit of a package is worth the package's value divided by its units (a laptop of a
12-laptop package reaches a twelfth of the pupils the package reaches). With
``diminishing`` above 0, a divisible package of 3 or more units is split into three
tranches whose units count 1, 1 - d/2 and 1 - d times as much (rescaled so the whole
package keeps its value): the first laptops at a school count more than the last ones. The
model stays linear because the solver always fills the more valuable tranche first.

Later years count slightly less: help bought in year ``t`` (0 = the first year) is worth
``year_discount ** t`` (default 0.9) times as much, so the earlier pupils get it the better.

The rules (one function each below):

- *nothing bought twice*: the units a school owns of a package never go down from one year
  to the next and never exceed the package's quantity;
- *budget*: what is bought in a year costs at most that year's budget (with ``carry_over``,
  money not spent in a year may be spent later);
- *indivisible*: a package marked indivisible (a lab kit) is bought whole in one year or not
  at all;
- *requires*: a package is bought only when the packages it requires are complete, in the
  same or an earlier year; with ``connectivity_first`` the school's devices, panels and labs
  also require its connectivity package (offline content servers do not: they are meant for
  schools without internet);
- *pinned*: a pinned package is bought in full in some year (and so is what it requires);
- *excluded*: an excluded school gets nothing.

The plan maximises the total discounted value. HiGHS proves the plan optimal or reports the
relative gap between the plan and the best possible bound (``mip_rel_gap``, default 0.1%).
The solver starts from a greedy plan (most value per KZT first, see ``_greedy_start``), so
the plan is never worse than that greedy one. The MIP itself is written out at the end of
``docs/engines/equipment-plan.md``.

Results say why: each :class:`Purchase` has a plain-English ``reason`` and, for the apps'
translations, a ``reason_code`` (a key of :data:`REASON_TEMPLATES`) and ``reason_args``.

Bad input raises :class:`ValueError` with a message naming the package and the field;
a well-formed request with no feasible plan (pinned packages dearer than the budget) returns
status ``"infeasible"`` with the reason in ``messages``.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import highspy

#: Hard limits: anything beyond is a typo, not a plan.
MAX_UNIT_COST = 10**10  # KZT per unit
MAX_QUANTITY = 10**5  # units in one package
MAX_PUPILS = 10**5  # pupils at one school
MAX_BUDGET = 10**14  # KZT in one year
MAX_YEARS = 20
MAX_EXPONENT = 2.0  # for the pupils and gap-closed weights
MAX_WEIGHT = 100.0  # for the equity and category weights
TRANCHES = 3
RANDOM_SEED = 2024

#: English templates of :attr:`Purchase.reason`, by :attr:`Purchase.reason_code`; the
#: placeholders are the keys of :attr:`Purchase.reason_args`. The apps translate these.
REASON_TEMPLATES: dict[str, str] = {
    "pinned": "Pinned by hand: {item}, {units} of {quantity}, for {pupils} pupils, "
    "readiness {readiness}/100",
    "connectivity_first": "Connectivity first: {pupils} pupils, readiness {readiness}/100, "
    "{rank_text}; needed for {dependents}",
    "prerequisite": "Needed first for {dependents}: {pupils} pupils, "
    "readiness {readiness}/100, {rank_text}",
    "best_value": "Best value for the budget: {item}, {units} of {quantity}, for {pupils} "
    "pupils, readiness {readiness}/100, {rank_text}",
}


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

    a whole package is worth pupils ** ``pupils`` x (share of the school's total gap cost
    it closes) ** ``gap_closed`` x (1 + ``equity`` x how far the school is below full
    readiness, 0 to 1) x the category's weight; each unit is worth its share of that.
    Help bought in year t counts ``year_discount`` ** t. With ``diminishing`` d > 0 the last
    third of a divisible package counts 1 - d times as much as the first third.
    ``connectivity_first`` makes the school's packages of ``connectivity_first_categories``
    require the school's connectivity package.

    ``pupils`` and ``gap_closed`` are exponents between 0 and 2: 1 counts in proportion
    (twice the pupils, twice the benefit), 0 ignores the factor, 0.5 counts it less than
    in proportion (twice the pupils, 1.4 times the benefit).
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
    #: Categories that need the school's connectivity first (offline servers do not).
    connectivity_first_categories: frozenset[str] = frozenset({"devices", "panels", "labs"})
    year_discount: float = 0.9
    diminishing: float = 0.0

    def category_weight(self, category: str) -> float:
        """The weight of ``category``; a category the weights do not name counts 1."""
        return self.category.get(category, 1.0)


@dataclass(frozen=True)
class PlanRequest:
    needs: tuple[SchoolNeed, ...]
    budgets: tuple[int, ...]  # KZT per year; len == number of years
    weights: BenefitWeights = BenefitWeights()
    pinned: frozenset[str] = frozenset()  # package keys that must be bought
    excluded_schools: frozenset[str] = frozenset()
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.001
    carry_over: bool = False  # may money not spent in a year be spent in a later year?


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
    category: str = ""
    quantity: int = 0  # the package's units (``units`` of them are bought this year)
    district: str = ""
    pupils_reached: int = 0  # pupils x units / quantity, rounded
    reason_code: str = ""  # a key of REASON_TEMPLATES
    reason_args: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResult:
    status: str  # "optimal", "time_limit", "infeasible" ("error" if the solver failed)
    purchases: tuple[Purchase, ...]
    total_cost: int
    spend_by_year: tuple[int, ...]
    objective: float
    bound: float
    gap: float  # relative optimality gap, 0.0 when proven optimal
    seconds: float
    messages: tuple[str, ...] = ()  # e.g. why infeasible: "pinned packages cost more than..."
    schools_served: int = 0  # schools that receive at least one unit
    pupils_reached: int = 0  # pupils of those schools
    variables: int = 0  # size of the MIP, for benchmarks
    constraints: int = 0


# --- Input checks ------------------------------------------------------------------------


def _kzt(amount: float) -> str:
    return f"{amount:,.0f} KZT"


def _check_range(what: str, name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{what}: {name} must be a number (got {value!r}).")
    if not lo <= value <= hi:
        raise ValueError(f"{what}: {name} must be between {lo:,} and {hi:,} (got {value:,}).")


def _check_package(p: Package, need: SchoolNeed) -> None:
    what = f"Package {p.key!r}"
    if not p.key:
        raise ValueError(f"A package of school {need.school!r} has no key.")
    if p.school != need.school:
        raise ValueError(f"{what}: school is {p.school!r} but it is listed under {need.school!r}.")
    if not isinstance(p.quantity, int) or isinstance(p.quantity, bool):
        raise ValueError(f"{what}: quantity must be a whole number (got {p.quantity!r}).")
    if p.quantity < 1:
        raise ValueError(f"{what}: quantity must be at least 1 (got {p.quantity}).")
    if p.quantity > MAX_QUANTITY:
        raise ValueError(f"{what}: quantity {p.quantity:,} is absurd (at most {MAX_QUANTITY:,}).")
    if not isinstance(p.unit_cost, int) or isinstance(p.unit_cost, bool):
        raise ValueError(f"{what}: unit_cost must be a whole number of KZT (got {p.unit_cost!r}).")
    if p.unit_cost < 0:
        raise ValueError(f"{what}: unit_cost cannot be negative (got {p.unit_cost:,}).")
    if p.unit_cost > MAX_UNIT_COST:
        raise ValueError(
            f"{what}: unit_cost {_kzt(p.unit_cost)} is absurd (at most {_kzt(MAX_UNIT_COST)})."
        )


def _check_weights(w: BenefitWeights) -> None:
    _check_range("Weights", "pupils", w.pupils, 0.0, MAX_EXPONENT)
    _check_range("Weights", "gap_closed", w.gap_closed, 0.0, MAX_EXPONENT)
    _check_range("Weights", "equity", w.equity, 0.0, MAX_WEIGHT)
    for cat, value in w.category.items():
        _check_range("Weights", f"category {cat!r}", value, 0.0, MAX_WEIGHT)
    _check_range("Weights", "diminishing", w.diminishing, 0.0, 1.0)
    _check_range("Weights", "year_discount", w.year_discount, 0.01, 1.0)


def _find_cycle(requires: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A cycle of requirements (as a list of keys, first = last), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in requires:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            key, i = stack[-1]
            deps = requires.get(key, ())
            if i < len(deps):
                stack[-1] = (key, i + 1)
                nxt = deps[i]
                if state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[key] = 2
                stack.pop()
                path.pop()
    return None


def effective_requires(request: PlanRequest) -> dict[str, tuple[str, ...]]:
    """What each package requires: its own ``requires`` plus, with ``connectivity_first``,
    the connectivity packages of its school (for the categories that need connectivity)."""
    w = request.weights
    out: dict[str, tuple[str, ...]] = {}
    for need in request.needs:
        conn = [p.key for p in need.packages if p.category == "connectivity"]
        for p in need.packages:
            reqs = list(p.requires)
            if w.connectivity_first and p.category in w.connectivity_first_categories:
                reqs += [c for c in conn if c != p.key and c not in reqs]
            out[p.key] = tuple(reqs)
    return out


def validate_request(request: PlanRequest) -> None:
    """Refuse bad input with a :class:`ValueError` whose message names what is wrong."""
    if not request.budgets:
        raise ValueError("The plan needs a budget for at least one year.")
    if len(request.budgets) > MAX_YEARS:
        raise ValueError(f"At most {MAX_YEARS} years can be planned (got {len(request.budgets)}).")
    for year, budget in enumerate(request.budgets, start=1):
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise ValueError(f"The budget of year {year} must be a whole number of KZT.")
        if budget < 0:
            raise ValueError(f"The budget of year {year} cannot be negative (got {_kzt(budget)}).")
        if budget > MAX_BUDGET:
            raise ValueError(
                f"The budget of year {year} ({_kzt(budget)}) is absurd "
                f"(at most {_kzt(MAX_BUDGET)})."
            )
    _check_range("Request", "time_limit_s", request.time_limit_s, 0.01, 7 * 24 * 3600.0)
    _check_range("Request", "mip_rel_gap", request.mip_rel_gap, 0.0, 0.5)
    _check_weights(request.weights)

    schools: dict[str, SchoolNeed] = {}
    packages: dict[str, Package] = {}
    for need in request.needs:
        if need.school in schools:
            raise ValueError(f"School {need.school!r} is listed twice.")
        schools[need.school] = need
        if isinstance(need.pupils, bool) or not isinstance(need.pupils, int):
            raise ValueError(f"School {need.school!r}: pupils must be a whole number.")
        _check_range(f"School {need.school!r}", "pupils", need.pupils, 0, MAX_PUPILS)
        _check_range(f"School {need.school!r}", "readiness", need.readiness, 0.0, 100.0)
        for p in need.packages:
            if p.key in packages:
                raise ValueError(f"Package key {p.key!r} is used twice.")
            _check_package(p, need)
            packages[p.key] = p
    for p in packages.values():
        for r in p.requires:
            if r == p.key:
                raise ValueError(f"Package {p.key!r}: requires itself.")
            if r not in packages:
                raise ValueError(f"Package {p.key!r}: requires unknown package {r!r}.")
            if packages[r].school != p.school:
                raise ValueError(
                    f"Package {p.key!r}: requires {r!r}, which belongs to another school "
                    f"({packages[r].school!r}); requirements stay within one school."
                )
    cycle = _find_cycle(effective_requires(request))
    if cycle:
        raise ValueError("Packages require each other in a circle: " + " -> ".join(cycle) + ".")
    for key in sorted(request.pinned):
        if key not in packages:
            raise ValueError(f"Pinned package {key!r} is not in the plan.")
        if packages[key].school in request.excluded_schools:
            raise ValueError(
                f"Package {key!r} is pinned but its school {packages[key].school!r} is "
                "excluded; unpin it or include the school."
            )
    eligible = [p for p in packages.values() if p.school not in request.excluded_schools]
    if eligible:
        spendable = sum(request.budgets) if request.carry_over else max(request.budgets)
        cheapest = min(eligible, key=_smallest_purchase)
        if _smallest_purchase(cheapest) > spendable:
            raise ValueError(
                f"The budget ({_kzt(spendable)}"
                + (" in all" if request.carry_over else " in the best year")
                + f") is below the cheapest item ({cheapest.item} at {cheapest.school}: "
                f"{_kzt(_smallest_purchase(cheapest))}); nothing could be bought."
            )


def _smallest_purchase(p: Package) -> int:
    """The least that buying anything of ``p`` costs: one unit, or the whole if indivisible."""
    return p.unit_cost if p.divisible else p.unit_cost * p.quantity


# --- Benefit -----------------------------------------------------------------------------


def package_value(
    need: SchoolNeed, package: Package, weights: BenefitWeights, school_gap_cost: int
) -> float:
    """The value of buying the whole ``package`` in the first year (see module docstring)."""
    if school_gap_cost > 0:
        share = package.quantity * package.unit_cost / school_gap_cost
    else:  # everything at the school is free: each package closes an equal share
        share = 1.0 / max(1, len(need.packages))
    equity = 1.0 + weights.equity * (100.0 - need.readiness) / 100.0
    return float(
        float(need.pupils) ** weights.pupils
        * share**weights.gap_closed
        * equity
        * weights.category_weight(package.category)
    )


def _tranche_sizes(package: Package, diminishing: float) -> list[int]:
    if not package.divisible or diminishing <= 0 or package.quantity < TRANCHES:
        return [package.quantity]
    base, extra = divmod(package.quantity, TRANCHES)
    return [base + (1 if k < extra else 0) for k in range(TRANCHES)]


def unit_benefits(request: PlanRequest) -> dict[str, tuple[tuple[int, float], ...]]:
    """For each package, its tranches as ``(units, benefit of one unit bought in year 0)``,
    most valuable first. One tranche unless ``weights.diminishing`` is above 0."""
    w = request.weights
    out: dict[str, tuple[tuple[int, float], ...]] = {}
    for need in request.needs:
        gap_cost = sum(p.quantity * p.unit_cost for p in need.packages)
        for p in need.packages:
            value = package_value(need, p, w, gap_cost)
            sizes = _tranche_sizes(p, w.diminishing)
            if len(sizes) == 1:
                out[p.key] = ((p.quantity, value / p.quantity),)
                continue
            factors = [1.0 - w.diminishing * k / (len(sizes) - 1) for k in range(len(sizes))]
            scale = value / sum(q * f for q, f in zip(sizes, factors, strict=True))
            out[p.key] = tuple((q, f * scale) for q, f in zip(sizes, factors, strict=True))
    return out


def explain_weights(weights: BenefitWeights) -> tuple[str, ...]:
    """The benefit model with these weights, in plain English sentences (for the screen)."""
    cats = ", ".join(f"{c} {v:g}" for c, v in sorted(weights.category.items()))
    lines = [
        f"A whole package is worth: pupils to the power {weights.pupils:g}, times the share "
        f"of the school's gap cost it closes to the power {weights.gap_closed:g}, times "
        f"(1 + {weights.equity:g} x how far the school is below full readiness), times the "
        f"category weight ({cats}).",
        "Each unit of a package is worth its share of the package.",
        f"Help bought in a later year counts {weights.year_discount:g} times as much per year "
        "of delay.",
    ]
    if weights.diminishing > 0:
        lines.append(
            f"In packages of 3 or more units the last third counts "
            f"{1 - weights.diminishing:g} times as much as the first third."
        )
    if weights.connectivity_first:
        lines.append(
            "A school gets internet before its "
            + ", ".join(sorted(weights.connectivity_first_categories))
            + "."
        )
    return tuple(lines)


# --- The MIP -----------------------------------------------------------------------------


class _Model:
    """Columns and rows in plain lists, passed to HiGHS in one go (row-wise)."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    def add_col(self, upper: float, cost: float = 0.0) -> int:
        self.cost.append(cost)
        self.lower.append(0.0)
        self.upper.append(upper)
        return len(self.cost) - 1

    def add_row(self, terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        merged: dict[int, float] = defaultdict(float)
        for col, coef in terms:
            merged[col] += coef
        for col, coef in merged.items():
            if coef != 0.0:
                self.index.append(col)
                self.value.append(coef)
        self.start.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def to_lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = self.start
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.value
        lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
        return lp


@dataclass
class _Var:
    """One chain of columns: the units of one tranche (or one whole indivisible package)
    owned at the end of each year. ``coef`` units per unit of the column."""

    cols: list[int]
    coef: int
    unit_benefit: float  # per unit bought in year 0
    upper_units: int  # units of the package in this chain


#: Budget rows are written in thousands of KZT: the solver accepts a row that is off by its
#: feasibility tolerance (1e-6), here a thousandth of a tenge, so a plan found within
#: tolerance is within budget to the tenge, and even a 1-KZT item stays well above it.
_MONEY = 1e-3


def _add_owned_units(
    model: _Model, package: Package, tranches: tuple[tuple[int, float], ...], years: int
) -> list[_Var]:
    """Nothing bought twice: the units owned never go down and never exceed the quantity.
    An indivisible package is one 0/1 column per year worth all its units."""
    if not package.divisible:  # one tranche: see _tranche_sizes
        chains = [(1, package.quantity, tranches[0][1])]
    else:
        chains = [(q, 1, b) for q, b in tranches]
    out = []
    for upper, coef, benefit in chains:
        cols = [model.add_col(float(upper)) for _ in range(years)]
        for prev, cur in itertools.pairwise(cols):
            model.add_row([(cur, 1.0), (prev, -1.0)], 0.0, math.inf)
        out.append(_Var(cols, coef, benefit, upper * coef))
    return out


def _set_objective(model: _Model, owned: dict[str, list[_Var]], discount: float) -> None:
    """Value bought in year t counts discount ** t; on cumulative columns the coefficient of
    year t is (discount ** t - discount ** (t + 1)), and discount ** t in the last year."""
    for chains in owned.values():
        for var in chains:
            last = len(var.cols) - 1
            for t, col in enumerate(var.cols):
                weight = discount**t - (discount ** (t + 1) if t < last else 0.0)
                model.cost[col] = var.unit_benefit * var.coef * weight


def _add_budgets(
    model: _Model,
    owned: dict[str, list[_Var]],
    packages: dict[str, Package],
    budgets: tuple[int, ...],
    carry_over: bool,
) -> None:
    """Budget: what is bought in year t costs at most budget t (with carry-over: what is
    bought up to year t costs at most the budgets up to year t)."""
    for t in range(len(budgets)):
        terms: list[tuple[int, float]] = []
        for key, chains in owned.items():
            price = packages[key].unit_cost * _MONEY
            for var in chains:
                terms.append((var.cols[t], price * var.coef))
                if t > 0 and not carry_over:
                    terms.append((var.cols[t - 1], -price * var.coef))
        limit = sum(budgets[: t + 1]) if carry_over else budgets[t]
        model.add_row(terms, -math.inf, limit * _MONEY)


def _add_requires(
    model: _Model,
    owned: dict[str, list[_Var]],
    packages: dict[str, Package],
    requires: dict[str, tuple[str, ...]],
    years: int,
) -> dict[str, list[int]]:
    """Requires: package p may own units in year t only if each package it requires is
    complete by year t. For a 0/1 prerequisite q: units_p(t) <= quantity_p x bought_q(t);
    for a divisible one, a 0/1 "complete" column c_q(t) with quantity_q x c_q(t) <=
    units_q(t) stands in for bought_q(t). Returns the "complete" columns made."""
    complete: dict[str, list[int]] = {}

    def done(q: str, t: int) -> int:
        """A column that may be 1 only when q is complete in year t."""
        if not packages[q].divisible:
            return owned[q][0].cols[t]
        if q not in complete:
            complete[q] = []
            for tt in range(years):
                c = model.add_col(1.0)
                units = [(var.cols[tt], float(var.coef)) for var in owned[q]]
                model.add_row([*units, (c, -float(packages[q].quantity))], 0.0, math.inf)
                complete[q].append(c)
        return complete[q][t]

    for key, reqs in requires.items():
        p = packages[key]
        for q in reqs:
            for t in range(years):
                col = done(q, t)
                if not p.divisible:
                    model.add_row([(owned[key][0].cols[t], 1.0), (col, -1.0)], -math.inf, 0.0)
                else:
                    terms = [(var.cols[t], float(var.coef)) for var in owned[key]]
                    model.add_row([*terms, (col, -float(p.quantity))], -math.inf, 0.0)
    return complete


def _add_pinned(model: _Model, owned: dict[str, list[_Var]], pinned: frozenset[str]) -> None:
    """Pinned: a pinned package is owned in full by the last year."""
    for key in pinned:
        for var in owned[key]:
            last = var.cols[-1]
            model.lower[last] = model.upper[last]


# Excluded schools get nothing: their packages get no columns at all (see solve_plan).


# --- A first plan for the solver ---------------------------------------------------------


def _topological(keys: set[str], requires: dict[str, tuple[str, ...]]) -> list[str]:
    """``keys`` with every package after the packages it requires."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(k: str) -> None:
        if k in seen:
            return
        seen.add(k)
        for q in requires.get(k, ()):
            if q in keys:
                visit(q)
        out.append(k)

    for k in sorted(keys):
        visit(k)
    return out


def _greedy_start(
    request: PlanRequest,
    packages: dict[str, Package],
    owned: dict[str, list[_Var]],
    requires: dict[str, tuple[str, ...]],
) -> dict[str, list[list[int]]] | None:
    """A quick feasible plan handed to HiGHS as its first incumbent, so the solver starts
    from a good plan and only has to improve it and prove the bound: pinned packages (and
    what they require) first, in the first year; then year by year the package with the
    most benefit per KZT that is allowed (its prerequisites complete) and fits the money
    left. Returns the units owned per chain and year, or None if the pinned packages do
    not fit into the first year."""
    years = len(request.budgets)
    left = {k: [var.upper_units for var in chains] for k, chains in owned.items()}
    have = {k: [0] * len(chains) for k, chains in owned.items()}
    plan = {k: [[0] * years for _ in chains] for k, chains in owned.items()}
    complete: set[str] = set()

    def buy(k: str, i: int, units: int) -> None:
        have[k][i] += units
        left[k][i] -= units
        if not any(left[k]):
            complete.add(k)

    def ratio(k: str) -> float:
        i = next(i for i, n in enumerate(left[k]) if n)
        return owned[k][i].unit_benefit / max(packages[k].unit_cost, 1e-9)

    money = 0
    for t, budget in enumerate(request.budgets):
        money = money + budget if request.carry_over else budget
        if t == 0:
            for k in _topological(_closure(request.pinned, requires), requires):
                cost = packages[k].unit_cost * sum(left[k])
                if cost > money:
                    return None
                money -= cost
                for i, n in enumerate(left[k]):
                    buy(k, i, n)
        heap = [(-ratio(k), k) for k in owned if any(left[k])]
        heapq.heapify(heap)
        waiting: dict[str, list[str]] = defaultdict(list)
        while heap:
            _, k = heapq.heappop(heap)
            missing = [q for q in requires[k] if q not in complete]
            if missing:
                waiting[missing[0]].append(k)
                continue
            p = packages[k]
            i = next(i for i, n in enumerate(left[k]) if n)
            if p.divisible:
                n = left[k][i] if p.unit_cost == 0 else min(left[k][i], money // p.unit_cost)
            else:
                n = left[k][i] if p.unit_cost * left[k][i] <= money else 0
            if n <= 0:
                continue
            money -= n * p.unit_cost
            buy(k, i, n)
            if any(left[k]):
                heapq.heappush(heap, (-ratio(k), k))
            else:
                for d in waiting.pop(k, []):
                    heapq.heappush(heap, (-ratio(d), d))
        for k, units in have.items():
            for i, n in enumerate(units):
                plan[k][i][t] = n
    return plan


# --- Explanations ------------------------------------------------------------------------


def _closure(keys: frozenset[str], requires: dict[str, tuple[str, ...]]) -> set[str]:
    out: set[str] = set()
    todo = list(keys)
    while todo:
        k = todo.pop()
        if k not in out:
            out.add(k)
            todo.extend(requires.get(k, ()))
    return out


def _explain_pinned(
    request: PlanRequest,
    packages: dict[str, Package],
    requires: dict[str, tuple[str, ...]],
    solver_said_infeasible: bool,
) -> list[str]:
    """Why the pinned packages cannot be bought, in plain words; [] when no reason is found
    (and the solver did not say infeasible)."""
    if not request.pinned:
        return []
    must = _closure(request.pinned, requires)
    cost = sum(packages[k].unit_cost * packages[k].quantity for k in must)
    total = sum(request.budgets)
    years = len(request.budgets)
    extra = len(must) - len(request.pinned)
    what = f"The {len(request.pinned)} pinned package{'s' if len(request.pinned) > 1 else ''}"
    if extra:
        what += f" and the {extra} package{'s' if extra > 1 else ''} they require"
    if cost > total:
        dearest = sorted(must, key=lambda k: -packages[k].unit_cost * packages[k].quantity)[:3]
        listed = ", ".join(
            f"{k} ({_kzt(packages[k].unit_cost * packages[k].quantity)})" for k in dearest
        )
        return [
            f"{what} cost {_kzt(cost)}, more than the whole budget of {_kzt(total)}"
            + (f" over {years} years" if years > 1 else "")
            + f". The dearest: {listed}. Unpin some packages or raise the budget."
        ]
    limit = total if request.carry_over else max(request.budgets)
    for k in sorted(must):
        p = packages[k]
        whole = p.unit_cost * p.quantity
        if not p.divisible and whole > limit:
            return [
                f"Package {k} ({p.item}, {_kzt(whole)}) is pinned or required by a pinned "
                f"package and must be bought whole in one year, but no year's budget is that "
                f"large (the largest is {_kzt(limit)})."
            ]
    if solver_said_infeasible:
        budgets = ", ".join(_kzt(b) for b in request.budgets)
        return [
            f"{what} cost {_kzt(cost)} and cannot be fitted into the yearly budgets "
            f"({budgets}): an indivisible package must be bought within one year and a "
            "package cannot come before the packages it requires. Unpin some packages, "
            "raise a year's budget or allow unspent money to carry over."
        ]
    return []


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _district_ranks(needs: tuple[SchoolNeed, ...]) -> dict[str, tuple[int, int]]:
    """School -> (rank by readiness in its district, 1 = least ready; schools in district)."""
    by_district: dict[str, list[float]] = defaultdict(list)
    for n in needs:
        by_district[n.district].append(n.readiness)
    out = {}
    for n in needs:
        scores = by_district[n.district]
        out[n.school] = (1 + sum(r < n.readiness for r in scores), len(scores))
    return out


def _rank_text(rank: int, of: int) -> str:
    if of == 1:
        return "the only school of its district in the plan"
    if rank == 1:
        return "lowest readiness in district"
    return f"{_ordinal(rank)} lowest readiness of {of} in district"


# --- Solve -------------------------------------------------------------------------------


def _status_name(status: highspy.HighsModelStatus, has_solution: bool) -> str:
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    limits = {
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kInterrupt,
        highspy.HighsModelStatus.kMemoryLimit,
    }
    if status in limits:
        return "time_limit"
    return "time_limit" if has_solution else "error"


def _empty_result(
    request: PlanRequest, status: str, started: float, messages: list[str]
) -> PlanResult:
    return PlanResult(
        status=status,
        purchases=(),
        total_cost=0,
        spend_by_year=tuple(0 for _ in request.budgets),
        objective=0.0,
        bound=0.0,
        gap=0.0,
        seconds=time.perf_counter() - started,
        messages=tuple(messages),
    )


def solve_plan(request: PlanRequest) -> PlanResult:
    """Compute the allocation; see the module docstring for the model and the invariants.

    Raises :class:`ValueError` on bad input (see :func:`validate_request`).
    """
    started = time.perf_counter()
    validate_request(request)
    years = len(request.budgets)
    needs = {n.school: n for n in request.needs}
    packages = {p.key: p for n in request.needs for p in n.packages}
    requires = effective_requires(request)
    tranches = unit_benefits(request)
    messages: list[str] = []

    unknown = sorted(request.excluded_schools - needs.keys())
    if unknown:
        messages.append(
            f"Excluded school{'s' if len(unknown) > 1 else ''} not in the plan, ignored: "
            + ", ".join(unknown)
            + "."
        )
    eligible = [k for k, p in packages.items() if p.school not in request.excluded_schools]
    if not eligible:
        messages.append("No school in the plan has a gap to close: nothing to buy.")
        return _empty_result(request, "optimal", started, messages)
    cheapest = min(_smallest_purchase(packages[k]) for k in eligible)
    if not request.carry_over:
        for year, budget in enumerate(request.budgets, start=1):
            if budget < cheapest:
                messages.append(
                    f"The budget of year {year} ({_kzt(budget)}) is below the cheapest item "
                    f"({_kzt(cheapest)}): nothing can be bought that year."
                )
    reasons = _explain_pinned(request, packages, requires, solver_said_infeasible=False)
    if reasons:
        return _empty_result(request, "infeasible", started, messages + reasons)

    model = _Model()
    owned: dict[str, list[_Var]] = {
        k: _add_owned_units(model, packages[k], tranches[k], years) for k in eligible
    }
    _add_budgets(model, owned, packages, request.budgets, request.carry_over)
    complete = _add_requires(model, owned, packages, {k: requires[k] for k in eligible}, years)
    _add_pinned(model, owned, request.pinned)
    _set_objective(model, owned, request.weights.year_discount)
    start = _greedy_start(request, packages, owned, requires)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(request.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(request.mip_rel_gap))
    h.setOptionValue("random_seed", RANDOM_SEED)
    # "threads" stays HiGHS's automatic choice: HiGHS has one thread pool per process, and
    # asking for another size than the first solve in the process made it refuse to run (the
    # network engine solves in the same worker). Its MIP search runs on one thread anyway.
    # HiGHS's presolve and symmetry detection spend most of the time on this model (one
    # dense budget row per year and thousands of look-alike columns: 15-50 s at national
    # size) and reduce little; the greedy start and the root LP bound do the work instead.
    h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_detect_symmetry", False)
    h.passModel(model.to_lp())
    if start is not None:
        h.setSolution(*_start_vector(start, owned, complete, packages, len(model.cost)))
    run_status = h.run()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = _status_name(h.getModelStatus(), has_solution)
    variables, constraints = len(model.cost), len(model.row_lower)
    if status == "infeasible" or not has_solution:
        if status == "infeasible":
            messages += _explain_pinned(request, packages, requires, solver_said_infeasible=True)
        elif run_status == highspy.HighsStatus.kError:
            messages.append("The solver reported an error and found no plan.")
        else:
            messages.append(
                f"The solver stopped ({h.modelStatusToString(h.getModelStatus())}) before it "
                "found a plan; allow more time."
            )
        empty = _empty_result(request, status, started, messages)
        return dataclasses.replace(empty, variables=variables, constraints=constraints)

    values = h.getSolution().col_value
    bound = float(info.mip_dual_bound)
    units_owned: dict[str, list[list[int]]] = {
        k: [[round(values[c]) * var.coef for c in var.cols] for var in chains]
        for k, chains in owned.items()
    }
    units_owned = _drop_worthless(units_owned, owned, requires, request.pinned)
    purchases = _purchases(request, packages, needs, owned, units_owned, requires)
    spend = [sum(p.cost for p in purchases if p.year == t) for t in range(years)]
    _check_budgets(spend, request)
    objective = sum(p.benefit for p in purchases)
    gap = max(0.0, bound - objective) / max(abs(objective), 1e-9) if objective or bound else 0.0
    if status == "optimal" and gap < 1e-9:
        gap = 0.0
    if status == "time_limit":
        messages.append(
            f"The time limit ({request.time_limit_s:g} s) was reached: this plan is within "
            f"{gap:.2%} of the best possible."
        )
    served = {p.school for p in purchases}
    return PlanResult(
        status=status,
        purchases=purchases,
        total_cost=sum(spend),
        spend_by_year=tuple(spend),
        objective=objective,
        bound=max(bound, objective),
        gap=gap,
        seconds=time.perf_counter() - started,
        messages=tuple(messages),
        schools_served=len(served),
        pupils_reached=sum(needs[s].pupils for s in served),
        variables=variables,
        constraints=constraints,
    )


def _start_vector(
    plan: dict[str, list[list[int]]],
    owned: dict[str, list[_Var]],
    complete: dict[str, list[int]],
    packages: dict[str, Package],
    columns: int,
) -> tuple[int, list[int], list[float]]:
    """The greedy plan as (count, column indices, values) for ``Highs.setSolution``."""
    values = [0.0] * columns
    for key, chains in owned.items():
        for var, units in zip(chains, plan[key], strict=True):
            for col, n in zip(var.cols, units, strict=True):
                values[col] = n / var.coef
    for key, cols in complete.items():
        for t, col in enumerate(cols):
            done = sum(units[t] for units in plan[key]) == packages[key].quantity
            values[col] = 1.0 if done else 0.0
    return columns, list(range(columns)), values


def _drop_worthless(
    units_owned: dict[str, list[list[int]]],
    owned: dict[str, list[_Var]],
    requires: dict[str, tuple[str, ...]],
    pinned: frozenset[str],
) -> dict[str, list[list[int]]]:
    """Units worth nothing (a school with no pupils) that nothing pinned or bought needs are
    not bought: the solver is indifferent to them, a procurement officer is not."""
    needed = {
        q for k, chains in units_owned.items() if any(c[-1] for c in chains) for q in requires[k]
    }
    out = {}
    for key, chains in units_owned.items():
        worthless = all(var.unit_benefit <= 0.0 for var in owned[key])
        if worthless and key not in pinned and key not in needed:
            out[key] = [[0] * len(c) for c in chains]
        else:
            out[key] = chains
    return out


def _check_budgets(spend: list[int], request: PlanRequest) -> None:
    for t, amount in enumerate(spend):
        limit = sum(request.budgets[: t + 1]) if request.carry_over else request.budgets[t]
        used = sum(spend[: t + 1]) if request.carry_over else amount
        if used > limit:
            raise RuntimeError(
                f"Internal error: the solver's plan spends {_kzt(used)} in year {t + 1}, "
                f"above the budget of {_kzt(limit)}."
            )


def _purchases(
    request: PlanRequest,
    packages: dict[str, Package],
    needs: dict[str, SchoolNeed],
    owned: dict[str, list[_Var]],
    units_owned: dict[str, list[list[int]]],
    requires: dict[str, tuple[str, ...]],
) -> tuple[Purchase, ...]:
    """One purchase per package and year with units bought, each with its reason."""
    discount = request.weights.year_discount
    bought = {k for k, chains in units_owned.items() if any(c[-1] for c in chains)}
    dependents: dict[str, list[str]] = defaultdict(list)
    for k in sorted(bought):
        for q in requires.get(k, ()):
            dependents[q].append(packages[k].item)
    ranks = _district_ranks(request.needs)
    out = []
    for key, chains in units_owned.items():
        if key not in bought:
            continue
        p, need = packages[key], needs[packages[key].school]
        for t in range(len(request.budgets)):
            units, benefit = 0, 0.0
            for var, owned_units in zip(owned[key], chains, strict=True):
                new = owned_units[t] - (owned_units[t - 1] if t else 0)
                units += new
                benefit += new * var.unit_benefit * discount**t
            if units <= 0:
                continue
            rank, of = ranks[p.school]
            args: dict[str, str | int | float] = {
                "item": p.item,
                "units": units,
                "quantity": p.quantity,
                "pupils": need.pupils,
                "readiness": round(need.readiness),
                "district": need.district,
                "district_rank": rank,
                "district_schools": of,
                "rank_text": _rank_text(rank, of),
                "year": t + 1,
                "dependents": ", ".join(sorted(set(dependents.get(key, [])))),
            }
            if key in request.pinned:
                code = "pinned"
            elif dependents.get(key) and p.category == "connectivity":
                code = "connectivity_first"
            elif dependents.get(key):
                code = "prerequisite"
            else:
                code = "best_value"
            out.append(
                Purchase(
                    key=key,
                    school=p.school,
                    item=p.item,
                    year=t,
                    units=units,
                    cost=units * p.unit_cost,
                    benefit=benefit,
                    reason=REASON_TEMPLATES[code].format(**args),
                    category=p.category,
                    quantity=p.quantity,
                    district=need.district,
                    pupils_reached=round(need.pupils * units / p.quantity),
                    reason_code=code,
                    reason_args=args,
                )
            )
    out.sort(key=lambda x: (x.year, x.school, x.key))
    return tuple(out)
