"""Demo readiness data, built once the demo registry is loaded (same transaction).

For every demo region: the default norms and catalogue (with their "created" history rows).
For every school: a submitted audit v1 derived deterministically from the registry:

- internet, electricity, rooms and labs as in the registry's Infrastructure;
- the share of school days online by connection type (fibre 95-100%, ADSL 90-99%,
  satellite and radio 87-99%, mobile 84-98%; none: 0), an assumption;
- devices as in DeviceStock, split into age bands (mostly 4-7 years; broken and repair
  devices older);
- classrooms with a working panel: the working panels, at most one per classroom;
- an offline content server at about a third of the schools with no internet (the region
  preloads panels with content, facts.md "offline reinforcement");
- teachers' self-assessed digital skills: the school's registry teachers spread over the
  four levels with proportions that vary by school and by ``seed`` (hub and urban schools a
  little higher).

Written with ``bulk_create`` (a few seconds for 7,700 schools). Called on a fresh build;
run again, it adds nothing for regions that have norms or schools that have an audit.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from auyl.engines import readiness as engine
from auyl.readiness.models import DEFAULT_PRICES, Audit, CatalogueItem, NormSet
from auyl.readiness.selectors import (
    SCHOOL_FIELDS,
    count_per_school,
    pupils_per_school,
    state_from_audit,
    top_grade_per_school,
)
from auyl.registry.models import ClassSet, DeviceStock, Enrolment, Region, School, Teacher

CHANGE_REASON = "demo region generated"
RELIABILITY = {
    "fibre": (95, 100),
    "adsl": (90, 99),
    "satellite": (87, 99),
    "radio": (87, 99),
    "mobile": (84, 98),
}
#: Shares of new (0-3 years) and old (8+) devices by condition; the rest is 4-7 years.
AGE_SHARES = {"working": (0.3, 0.1), "repair": (0.1, 0.35), "broken": (0.05, 0.55)}


def _teachers() -> Coalesce:
    rows = (
        Teacher.objects.filter(school=OuterRef("pk"))
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _split_ages(rng: random.Random, condition: str, count: int) -> dict[str, int]:
    new_share, old_share = AGE_SHARES[condition]
    new = round(count * min(1.0, new_share * rng.uniform(0.5, 1.5)))
    old = min(count - new, round(count * min(1.0, old_share * rng.uniform(0.5, 1.5))))
    return {"0_3": new, "4_7": count - new - old, "8_plus": old}


def _skills(rng: random.Random, teachers: int, lift: float) -> list[int]:
    """Teachers spread over the four levels; ``lift`` moves them up."""
    weights = [
        max(0.02, rng.uniform(0.05, 0.3) - lift),
        rng.uniform(0.25, 0.45),
        rng.uniform(0.2, 0.4) + lift / 2,
        max(0.02, rng.uniform(0.02, 0.15) + lift),
    ]
    total = sum(weights)
    counts = [int(teachers * w / total) for w in weights]
    for i in sorted(range(4), key=lambda i: -weights[i])[: teachers - sum(counts)]:
        counts[i] += 1
    return counts


def demo_audit(seed: int, school: dict[str, Any], devices: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit fields of one school (deterministic in ``seed`` and the school's code)."""
    rng = random.Random(f"{seed}:readiness:{school['code']}")
    itype = school["infrastructure__internet_type"] or "none"
    mbps = school["infrastructure__internet_mbps"] or Decimal("0")
    if itype == "none":
        mbps, reliability = Decimal("0"), 0
    else:
        low, high = RELIABILITY.get(itype, (85, 99))
        reliability = rng.randint(low, high)
    counts: dict[str, int] = defaultdict(int)
    for d in devices:
        for age, n in _split_ages(rng, d["condition"], d["count"]).items():
            if n:
                counts[f"{d['kind']}:{age}:{d['condition']}"] += n
    rooms = school["infrastructure__rooms"] or 0
    panels = sum(n for key, n in counts.items() if key.startswith("panel:") and "working" in key)
    lift = 0.1 if school["network_role"] == "hub" else 0.05 if school["locality"] == "urban" else 0
    levels = _skills(rng, max(1, school["n_teachers"]), lift)
    return {
        "internet_type": itype,
        "internet_mbps": mbps,
        "reliability_pct": reliability,
        "electricity": school["infrastructure__electricity"] or "stable",
        "rooms": rooms,
        "rooms_with_panel": min(panels, rooms),
        "computer_lab": bool(school["infrastructure__computer_lab"]),
        "science_lab": bool(school["infrastructure__science_lab"]),
        "stem_lab": bool(school["infrastructure__stem_lab"]),
        "offline_server": itype == "none" and rng.random() < 0.35,
        "devices": dict(counts),
        **{f"teachers_level_{i}": n for i, n in enumerate(levels)},
    }


def load_demo(*, seed: int, progress: Callable[[str], Any]) -> None:
    """Default norms and catalogue for every demo region, and a submitted audit v1 for
    every school of those regions."""
    now = timezone.now()
    regions = list(Region.objects.filter(is_demo=True))
    fresh = [r for r in regions if not NormSet.objects.filter(region=r).exists()]
    norm_sets = NormSet.objects.bulk_create([NormSet(region=r) for r in fresh])
    items = CatalogueItem.objects.bulk_create(
        [
            CatalogueItem(region=r, item=item, unit_price=price)
            for r in fresh
            if not CatalogueItem.objects.filter(region=r).exists()
            for item, (price, _source) in DEFAULT_PRICES.items()
        ]
    )
    for model, rows in ((NormSet, norm_sets), (CatalogueItem, items)):
        model.history.bulk_history_create(
            rows, default_change_reason=CHANGE_REASON, default_date=now
        )

    schools = (
        School.objects.filter(district__region__in=regions, audits__isnull=True)
        .order_by()
        .annotate(
            pupils=pupils_per_school(),
            n_class_sets=count_per_school(ClassSet),
            n_grades=count_per_school(Enrolment, pupils__gt=0),
            top_grade=top_grade_per_school(),
            n_teachers=_teachers(),
        )
        .values(
            *SCHOOL_FIELDS,
            "infrastructure__electricity",
            "infrastructure__computer_lab",
            "pupils",
            "n_class_sets",
            "n_grades",
            "top_grade",
            "n_teachers",
        )
    )
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in DeviceStock.objects.filter(school__district__region__in=regions).values(
        "school_id", "kind", "condition", "count"
    ):
        devices[d["school_id"]].append(dict(d))
    norms = {n.region_id: n.engine_norms() for n in NormSet.objects.filter(region__in=regions)}
    audits = []
    for school in schools:
        fields = demo_audit(seed, school, devices[school["pk"]])
        state = state_from_audit(school, {**fields, "version": 1, "submitted_at": now})
        index = engine.readiness(state, norms[school["district__region_id"]]).index
        audits.append(
            Audit(
                school_id=school["pk"],
                status=Audit.Status.SUBMITTED,
                version=1,
                is_latest=True,
                source=Audit.Source.DEMO,
                submitted_at=now,
                index_at_submit=index,
                **fields,
            )
        )
    Audit.objects.bulk_create(audits, batch_size=1000)
    progress(
        f"  readiness: norms and catalogue for {len(regions)} region(s), {len(audits):,} audits"
    )
