"""Plain rows that the outputs are drawn from, built from a stored run or from an engine
result (the command line)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from auyl.engines.planning.equipment import PlanResult, SchoolNeed


@dataclass(frozen=True)
class ProcurementLine:
    """One purchase for one school, as the procurement list shows it."""

    district: str
    school_code: str
    school_name: str
    item: str  # catalogue code
    item_label: str
    year: int  # 1-based
    units: int
    unit_cost: int
    cost: int
    reason: str = ""


@dataclass(frozen=True)
class LetterLine:
    item_label: str
    units: int
    year: int  # 1-based
    cost: int
    reason: str


@dataclass(frozen=True)
class Letter:
    """What one school's letter says (all text already in the letter's language)."""

    school_name: str
    school_code: str
    district_name: str
    scenario_name: str
    date: str
    pupils: int
    readiness_before: float
    readiness_after: float
    lines: tuple[LetterLine, ...] = ()
    total: int = 0
    why_not: str = ""  # when the school gets nothing
    notes: tuple[str, ...] = field(default_factory=tuple)


def lines_from_result(
    result: PlanResult,
    needs: Iterable[SchoolNeed],
    school_names: Mapping[str, str],
    district_names: Mapping[str, str],
    item_label: Mapping[str, str] | None = None,
) -> list[ProcurementLine]:
    """Procurement lines straight from an engine result (no database rows)."""
    unit_cost = {p.key: p.unit_cost for n in needs for p in n.packages}
    district_of = {n.school: n.district for n in needs}
    labels = item_label or {}
    lines = [
        ProcurementLine(
            district=district_names.get(
                district_of.get(p.school, ""), district_of.get(p.school, "")
            ),
            school_code=p.school,
            school_name=school_names.get(p.school, p.school),
            item=p.item,
            item_label=labels.get(p.item, p.item),
            year=p.year + 1,
            units=p.units,
            unit_cost=unit_cost.get(p.key, p.cost // max(1, p.units)),
            cost=p.cost,
            reason=p.reason,
        )
        for p in result.purchases
    ]
    lines.sort(key=lambda x: (x.district, x.school_code, x.year, x.item))
    return lines
