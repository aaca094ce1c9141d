"""A school's digital readiness: an index from 0 to 100 with its components, and the gaps
(items and quantities) that equipment would close. Pure Python: no Django, no apps.

The index is a weighted sum of five components, each a number from 0 to 1:

- **connectivity**: measured bandwidth as a share of the national norm
  (:func:`auyl.engines.norms.connectivity_norm_mbps`: 20 Mbps for a 400-place school plus
  1 Mbps per 20 pupils above 400), at most 1, times the share of school days online as a
  share of the region's reliability norm (90% of days), at most 1. No internet: 0.
  Reliability unknown (registry data, no audit): counted as 100%.
- **devices**: computers (laptops, desktops, tablets) that count, as a share of the target
  ``ceil(pupils x devices per pupil)``, at most 1. Devices needing repair and devices over
  7 years old count only if the norms say so.
- **panels**: class-set rooms with a working interactive panel, as a share of the rooms
  that should have one (``ceil(class-sets x panels per class-set room)``), at most 1.
- **labs**: 1 when the school teaches no grade from the norm's lab grade (7) up, or has a
  science or STEM lab; 0 otherwise.
- **teachers**: the teachers' self-assessed digital skills: the mean level (0-3) divided by
  3. No teachers reported: 0 (unknown counts as no evidence).

Needs (one rule per function below): an internet connection upgrade where the school is below
the bandwidth norm or online on fewer days than the norm asks; an offline content server where
internet is missing (none, slower than the offline threshold, or too unreliable) and there is
no server yet; laptops up to the device target; panels up to one per class-set room; a
science/STEM lab kit where grades from the lab grade up are taught and there is no lab.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from auyl.engines import norms as national
from auyl.engines.planning.equipment import Package, SchoolNeed

DEVICE_KINDS = ("laptop", "desktop", "tablet", "panel", "projector")
#: Devices that count towards "devices per pupil".
COMPUTING_KINDS = ("laptop", "desktop", "tablet")
AGE_BANDS = ("0_3", "4_7", "8_plus")  # years
OLD_AGE_BAND = "8_plus"
CONDITIONS = ("working", "repair", "broken")
SKILL_LEVELS = 4  # 0: beginner ... 3: advanced
NO_INTERNET = "none"

COMPONENTS = ("connectivity", "devices", "panels", "labs", "teachers")

#: Catalogue items in the order needs are listed, with the plan's category of each.
ITEMS = ("internet", "offline_server", "laptop", "panel", "lab_stem")
ITEM_CATEGORY = {
    "internet": "connectivity",
    "offline_server": "offline",
    "laptop": "devices",
    "panel": "panels",
    "lab_stem": "labs",
}
#: Whether a package of the item may be bought in part (a whole number of units).
ITEM_DIVISIBLE = {
    "internet": False,
    "offline_server": False,
    "laptop": True,
    "panel": True,
    "lab_stem": False,
}
#: Items that are useless without the school's connectivity package, when it has one.
NEEDS_CONNECTIVITY = ("laptop",)


@dataclass(frozen=True)
class Weights:
    """Points of the index (they sum to 100) that each component is worth."""

    connectivity: float = 30.0
    devices: float = 25.0
    panels: float = 15.0
    labs: float = 10.0
    teachers: float = 20.0

    def of(self, component: str) -> float:
        return float(getattr(self, component))

    @property
    def total(self) -> float:
        return sum(self.of(c) for c in COMPONENTS)


@dataclass(frozen=True)
class Norms:
    """A region's equipment norms (the national internet norm is not among them: it is
    national and lives in :mod:`auyl.engines.norms`)."""

    devices_per_pupil: float = 0.2
    panels_per_class_set_room: float = 1.0
    lab_min_grade: int = 7
    min_reliability_pct: float = 90.0
    offline_below_mbps: float = 2.0
    offline_below_reliability_pct: float = 50.0
    count_devices_needing_repair: bool = False
    count_devices_over_7_years: bool = False
    weights: Weights = Weights()


@dataclass(frozen=True)
class DeviceCount:
    kind: str  # one of DEVICE_KINDS
    age: str  # one of AGE_BANDS
    condition: str  # one of CONDITIONS
    count: int


@dataclass(frozen=True)
class SchoolState:
    """What a school has: from its latest submitted audit, or from the registry."""

    code: str
    pupils: int
    class_sets: int  # class-set rooms in use at once
    top_grade: int | None  # highest grade with pupils; None: no pupils
    internet_type: str  # NO_INTERNET or a connection type
    internet_mbps: float
    reliability_pct: float | None  # share of school days online; None: unknown
    devices: tuple[DeviceCount, ...] = ()
    rooms_with_panel: int = 0  # class-set rooms with a working interactive panel
    science_lab: bool = False
    stem_lab: bool = False
    offline_server: bool = False
    teacher_levels: tuple[int, ...] | None = None  # teachers at each skill level 0..3


@dataclass(frozen=True)
class Component:
    name: str
    score: float  # 0-1
    weight: float  # points it is worth
    have: float  # what the school has (Mbps, devices, rooms, labs, mean skill level)
    target: float  # what the norm asks

    @property
    def points(self) -> float:
        return self.score * self.weight


@dataclass(frozen=True)
class Readiness:
    index: float  # 0-100, one decimal
    components: tuple[Component, ...]

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)


@dataclass(frozen=True)
class Need:
    """A gap: ``quantity`` units of catalogue ``item``; ``have`` and ``target`` say why."""

    item: str
    quantity: int
    have: float
    target: float


def _share(have: float, target: float) -> float:
    """have / target, between 0 and 1; a target of nothing is met."""
    if target <= 0:
        return 1.0
    return max(0.0, min(1.0, have / target))


# --- Connectivity -----------------------------------------------------------------------


def required_mbps(state: SchoolState) -> float:
    """The national norm's bandwidth for the school's pupils (auyl.engines.norms)."""
    return national.connectivity_norm_mbps(state.pupils)


def has_internet(state: SchoolState) -> bool:
    return state.internet_type != NO_INTERNET and state.internet_mbps > 0


def reliability_share(state: SchoolState) -> float:
    """Share of school days online; unknown counts as every day (an assumption)."""
    if not has_internet(state):
        return 0.0
    if state.reliability_pct is None:
        return 1.0
    return max(0.0, min(1.0, state.reliability_pct / 100.0))


def connectivity_score(state: SchoolState, norms: Norms) -> float:
    """Bandwidth as a share of the national norm (at most 1) times days online as a share
    of the reliability norm (at most 1)."""
    if not has_internet(state):
        return 0.0
    bandwidth = _share(state.internet_mbps, required_mbps(state))
    return bandwidth * _share(100.0 * reliability_share(state), norms.min_reliability_pct)


def connectivity_need(state: SchoolState, norms: Norms) -> Need | None:
    """One connection upgrade where bandwidth is below the national norm, or where the
    school is online on fewer days than the region's reliability norm."""
    target = required_mbps(state)
    slow = not has_internet(state) or state.internet_mbps < target
    unreliable = 100.0 * reliability_share(state) < norms.min_reliability_pct
    if slow or unreliable:
        return Need("internet", 1, state.internet_mbps if has_internet(state) else 0.0, target)
    return None


def internet_missing(state: SchoolState, norms: Norms) -> bool:
    """No internet, slower than the offline threshold, or online on too few days."""
    if not has_internet(state) or state.internet_mbps < norms.offline_below_mbps:
        return True
    return 100.0 * reliability_share(state) < norms.offline_below_reliability_pct


def offline_server_need(state: SchoolState, norms: Norms) -> Need | None:
    """An offline content server where internet is missing and there is none yet."""
    if internet_missing(state, norms) and not state.offline_server:
        return Need("offline_server", 1, 0.0, 1.0)
    return None


# --- Devices ------------------------------------------------------------------------------


def countable_devices(state: SchoolState, norms: Norms) -> int:
    """Computers that count: working ones (and those needing repair if the norms say so),
    under 8 years old (or any age if the norms say so)."""
    conditions = {"working", "repair"} if norms.count_devices_needing_repair else {"working"}
    total = 0
    for d in state.devices:
        if d.kind not in COMPUTING_KINDS or d.condition not in conditions:
            continue
        if d.age == OLD_AGE_BAND and not norms.count_devices_over_7_years:
            continue
        total += max(0, d.count)
    return total


def device_target(state: SchoolState, norms: Norms) -> int:
    """ceil(pupils x devices per pupil)."""
    return math.ceil(state.pupils * norms.devices_per_pupil - 1e-9)


def devices_score(state: SchoolState, norms: Norms) -> float:
    return _share(countable_devices(state, norms), device_target(state, norms))


def devices_need(state: SchoolState, norms: Norms) -> Need | None:
    """Laptops up to the device target."""
    have, target = countable_devices(state, norms), device_target(state, norms)
    if have < target:
        return Need("laptop", target - have, have, target)
    return None


# --- Panels -------------------------------------------------------------------------------


def panel_rooms_target(state: SchoolState, norms: Norms) -> int:
    """Class-set rooms that should have a panel: ceil(class-sets x panels per room)."""
    return math.ceil(state.class_sets * norms.panels_per_class_set_room - 1e-9)


def panels_score(state: SchoolState, norms: Norms) -> float:
    return _share(state.rooms_with_panel, panel_rooms_target(state, norms))


def panels_need(state: SchoolState, norms: Norms) -> Need | None:
    """A panel for every class-set room the norm wants equipped and that has none."""
    have, target = state.rooms_with_panel, panel_rooms_target(state, norms)
    if have < target:
        return Need("panel", target - have, have, target)
    return None


# --- Labs ---------------------------------------------------------------------------------


def lab_required(state: SchoolState, norms: Norms) -> bool:
    """A school teaching a grade from the norm's lab grade up needs a science/STEM lab."""
    return state.top_grade is not None and state.top_grade >= norms.lab_min_grade


def has_lab(state: SchoolState) -> bool:
    return state.science_lab or state.stem_lab


def labs_score(state: SchoolState, norms: Norms) -> float:
    return 1.0 if has_lab(state) or not lab_required(state, norms) else 0.0


def lab_need(state: SchoolState, norms: Norms) -> Need | None:
    """One science/STEM lab kit (bought whole) where a lab is required and missing."""
    if lab_required(state, norms) and not has_lab(state):
        return Need("lab_stem", 1, 0.0, 1.0)
    return None


# --- Teachers -----------------------------------------------------------------------------


def mean_skill_level(state: SchoolState) -> float | None:
    levels = state.teacher_levels
    if not levels or sum(levels) <= 0:
        return None
    return sum(level * max(0, n) for level, n in enumerate(levels)) / sum(levels)


def teachers_score(state: SchoolState) -> float:
    """The teachers' mean self-assessed level over the top level; none reported: 0."""
    mean = mean_skill_level(state)
    return 0.0 if mean is None else _share(mean, SKILL_LEVELS - 1)


# --- The index and the needs ------------------------------------------------------------


def readiness(state: SchoolState, norms: Norms) -> Readiness:
    """The index (0-100) and its components, weighted by ``norms.weights``."""
    w = norms.weights
    mean = mean_skill_level(state)
    components = (
        Component(
            "connectivity",
            connectivity_score(state, norms),
            w.connectivity,
            state.internet_mbps if has_internet(state) else 0.0,
            required_mbps(state),
        ),
        Component(
            "devices",
            devices_score(state, norms),
            w.devices,
            countable_devices(state, norms),
            device_target(state, norms),
        ),
        Component(
            "panels",
            panels_score(state, norms),
            w.panels,
            state.rooms_with_panel,
            panel_rooms_target(state, norms),
        ),
        Component(
            "labs",
            labs_score(state, norms),
            w.labs,
            1.0 if has_lab(state) else 0.0,
            1.0 if lab_required(state, norms) else 0.0,
        ),
        Component(
            "teachers",
            teachers_score(state),
            w.teachers,
            mean if mean is not None else 0.0,
            SKILL_LEVELS - 1,
        ),
    )
    total = w.total
    index = 100.0 * sum(c.points for c in components) / total if total > 0 else 0.0
    return Readiness(round(index, 1), components)


def school_needs(state: SchoolState, norms: Norms) -> tuple[Need, ...]:
    """Every gap of the school, in the order of :data:`ITEMS`."""
    found = (
        connectivity_need(state, norms),
        offline_server_need(state, norms),
        devices_need(state, norms),
        panels_need(state, norms),
        lab_need(state, norms),
    )
    return tuple(n for n in found if n is not None)


def needs_cost(needs: tuple[Need, ...], prices: Mapping[str, int]) -> int:
    """KZT to close every gap at catalogue ``prices``."""
    return sum(n.quantity * prices[n.item] for n in needs)


def package_key(school: str, item: str) -> str:
    return f"{school}/{item}"


def packages(
    state: SchoolState, needs: tuple[Need, ...], prices: Mapping[str, int]
) -> tuple[Package, ...]:
    """The plan's packages for a school's needs: keyed "<school>/<item>", labs and other
    single items indivisible, laptops requiring the school's connectivity package when it
    has one."""
    items = {n.item for n in needs}
    connectivity = package_key(state.code, "internet") if "internet" in items else None
    out = []
    for n in needs:
        requires = (connectivity,) if connectivity and n.item in NEEDS_CONNECTIVITY else ()
        out.append(
            Package(
                key=package_key(state.code, n.item),
                school=state.code,
                item=n.item,
                category=ITEM_CATEGORY[n.item],
                quantity=n.quantity,
                unit_cost=int(prices[n.item]),
                divisible=ITEM_DIVISIBLE[n.item],
                requires=requires,
            )
        )
    return tuple(out)


def school_need(
    state: SchoolState, district: str, norms: Norms, prices: Mapping[str, int]
) -> SchoolNeed:
    """The planning engine's view of a school: pupils, readiness and packages."""
    return SchoolNeed(
        school=state.code,
        district=district,
        pupils=state.pupils,
        readiness=readiness(state, norms).index,
        packages=packages(state, school_needs(state, norms), prices),
    )


def apply_purchases(state: SchoolState, norms: Norms, units: Mapping[str, int]) -> SchoolState:
    """The school after buying ``units`` of each item (for "readiness after the plan").

    An internet package brings the school to the national norm and the reliability norm;
    laptops arrive new and working; each panel equips one class-set room; a lab kit gives a
    STEM lab; an offline server is installed."""
    changes: dict[str, object] = {}
    if units.get("internet", 0) > 0:
        changes["internet_type"] = state.internet_type if has_internet(state) else "new"
        changes["internet_mbps"] = max(state.internet_mbps, required_mbps(state))
        if state.reliability_pct is not None or not has_internet(state):
            changes["reliability_pct"] = max(
                state.reliability_pct or 0.0, norms.min_reliability_pct
            )
    laptops = units.get("laptop", 0)
    if laptops > 0:
        changes["devices"] = (*state.devices, DeviceCount("laptop", "0_3", "working", laptops))
    if units.get("panel", 0) > 0:
        changes["rooms_with_panel"] = state.rooms_with_panel + units["panel"]
    if units.get("lab_stem", 0) > 0:
        changes["stem_lab"] = True
    if units.get("offline_server", 0) > 0:
        changes["offline_server"] = True
    return replace(state, **changes)  # type: ignore[arg-type]
