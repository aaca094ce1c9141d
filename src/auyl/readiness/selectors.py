"""Reads of the readiness app, always through :mod:`auyl.accounts.scoping`.

A school's state comes from its latest submitted audit, or from the registry
(Infrastructure, DeviceStock) when it has none; the index and the needs are computed by
:mod:`auyl.engines.readiness` with the norms and catalogue of the school's region. Lists are
built with a fixed number of queries whatever their length (:func:`_load_states`: schools,
latest audits, registry devices, norms, catalogue).

Ranks are computed over the whole district and region (so a principal sees where his school
stands among all of them), but only schools the user may see are listed.

The equipment app calls :func:`planning_needs`, :func:`catalogue_prices`,
:func:`catalogue_label` and :func:`readiness_after_purchases`.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, role_of, visible_districts, visible_schools
from auyl.engines import readiness as engine
from auyl.engines.planning.equipment import SchoolNeed
from auyl.readiness.models import (
    DEFAULT_PRICES,
    Audit,
    CatalogueItem,
    NormSet,
)
from auyl.registry.models import ClassSet, DeviceStock, District, Enrolment, Region, School
from auyl.registry.selectors import search

#: Readiness bands for colours and filters: (lowest index, css class, label).
BANDS = (
    (80.0, "band-4", _("80-100: ready")),
    (60.0, "band-3", _("60-79: mostly ready")),
    (40.0, "band-2", _("40-59: half ready")),
    (20.0, "band-1", _("20-39: far from ready")),
    (0.0, "band-0", _("0-19: not ready")),
)
COMPONENT_LABELS = {
    "connectivity": _("connectivity"),
    "devices": _("computers per pupil"),
    "panels": _("panels per class-set room"),
    "labs": _("labs for the grades taught"),
    "teachers": _("teachers' digital skills"),
}


def band_of(index: float) -> str:
    return next(css for low, css, _label in BANDS if index >= low)


def catalogue_label(item: str) -> str:
    """A catalogue item's name in the active language."""
    return str(CatalogueItem.Item(item).label)


# --- Norms and catalogue ----------------------------------------------------------------


def norms_for(region: Region | int) -> NormSet:
    """The region's norms; the defaults (unsaved) if it has none yet."""
    region_id = region if isinstance(region, int) else region.pk
    found = NormSet.objects.filter(region_id=region_id).first()
    return found or NormSet(region_id=region_id)


def _norms_by_region(region_ids: Iterable[int]) -> dict[int, engine.Norms]:
    ids = set(region_ids)
    stored = {n.region_id: n for n in NormSet.objects.filter(region_id__in=ids)}
    return {rid: (stored.get(rid) or NormSet(region_id=rid)).engine_norms() for rid in ids}


def _prices_by_region(region_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = set(region_ids)
    out = {rid: {code: price for code, (price, _s) in DEFAULT_PRICES.items()} for rid in ids}
    for row in CatalogueItem.objects.filter(region_id__in=ids).values(
        "region_id", "item", "unit_price"
    ):
        out[row["region_id"]][row["item"]] = int(row["unit_price"])
    return out


@dataclass(frozen=True)
class CatalogueRow:
    item: str
    label: str
    category: str
    unit_price: int
    default_price: int
    source: str
    is_default: bool
    divisible: bool


def catalogue_rows(region: Region) -> list[CatalogueRow]:
    """The region's catalogue, every item present (defaults where the region set none)."""
    stored = {c.item: c for c in CatalogueItem.objects.filter(region=region)}
    rows = []
    for item in engine.ITEMS:
        default_price, default_source = DEFAULT_PRICES[item]
        found = stored.get(item)
        price = found.unit_price if found else default_price
        if found and found.source:
            source = found.source
        elif price == default_price:
            source = str(default_source)
        else:
            source = gettext("set by the region; no source given")
        rows.append(
            CatalogueRow(
                item=item,
                label=catalogue_label(item),
                category=engine.ITEM_CATEGORY[item],
                unit_price=int(price),
                default_price=default_price,
                source=source,
                is_default=price == default_price and not (found and found.source),
                divisible=engine.ITEM_DIVISIBLE[item],
            )
        )
    return rows


def default_region(user: AnyUser, code: str = "") -> Region | None:
    """The region a user works in: ``code`` if visible, else the first visible one."""
    regions = visible_regions(user)
    if code:
        chosen = regions.filter(code=code).first()
        if chosen is not None:
            return chosen
    return regions.first()


def visible_regions(user: AnyUser) -> QuerySet[Region]:
    if role_of(user) is Role.REGION_ADMIN:
        return Region.objects.order_by("code")
    return Region.objects.filter(pk__in=visible_districts(user).values("region_id")).order_by(
        "code"
    )


def catalogue_prices(region: Region | None = None) -> dict[str, int]:
    """Unit prices (KZT) by item code: the region's catalogue, defaults where it has none.

    Without ``region``: the only region's catalogue, or with several regions the first
    (by code) that has a catalogue; the defaults when no region has one.
    """
    if region is None:
        region_id = (
            CatalogueItem.objects.order_by("region__code").values_list("region_id", flat=True)
        ).first()
        if region_id is None:
            return {code: price for code, (price, _s) in DEFAULT_PRICES.items()}
        return _prices_by_region([region_id])[region_id]
    return _prices_by_region([region.pk])[region.pk]


# --- School states ------------------------------------------------------------------------


@dataclass
class SchoolRow:
    """One school's readiness, as lists and pages show it."""

    pk: int
    code: str
    name_kk: str
    name_ru: str
    district_id: int
    region_id: int
    locality: str
    network_role: str
    latitude: float
    longitude: float
    pupils: int
    state: engine.SchoolState
    readiness: engine.Readiness
    needs: tuple[engine.Need, ...]
    cost: int
    audit_version: int | None
    audit_date: datetime | None
    district: District | None = None
    rank_district: int = 0
    rank_region: int = 0
    district_size: int = 0
    region_size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        if (get_language() or "kk").startswith("kk"):
            return self.name_kk or self.name_ru
        return self.name_ru or self.name_kk

    @property
    def index(self) -> float:
        return self.readiness.index

    @property
    def band(self) -> str:
        return band_of(self.readiness.index)

    @property
    def audited(self) -> bool:
        return self.audit_version is not None

    def as_map_row(self) -> dict[str, Any]:
        return {
            "pk": self.pk,
            "code": self.code,
            "name_kk": self.name_kk,
            "name_ru": self.name_ru,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "locality": self.locality,
            "network_role": "none",
            "hub_id": None,
            "band": self.band,
        }


def count_per_school(model: Any, **filters: Any) -> Coalesce:
    rows = (
        model.objects.filter(school=OuterRef("pk"), **filters)
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def pupils_per_school() -> Coalesce:
    rows = (
        Enrolment.objects.filter(school=OuterRef("pk"))
        .values("school")
        .annotate(total=Sum("pupils"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def top_grade_per_school() -> Subquery:
    rows = Enrolment.objects.filter(school=OuterRef("pk"), pupils__gt=0).order_by("-grade")
    return Subquery(rows.values("grade")[:1], output_field=IntegerField())


SCHOOL_FIELDS = (
    "pk",
    "code",
    "name_kk",
    "name_ru",
    "district_id",
    "district__region_id",
    "locality",
    "network_role",
    "latitude",
    "longitude",
    "infrastructure__internet_type",
    "infrastructure__internet_mbps",
    "infrastructure__rooms",
    "infrastructure__science_lab",
    "infrastructure__stem_lab",
)
AUDIT_FIELDS = (
    "school_id",
    "version",
    "submitted_at",
    "internet_type",
    "internet_mbps",
    "reliability_pct",
    "rooms_with_panel",
    "science_lab",
    "stem_lab",
    "offline_server",
    "devices",
    *Audit.LEVEL_FIELDS,
)


def _registry_devices(rows: list[dict[str, Any]]) -> tuple[engine.DeviceCount, ...]:
    """Registry device counts have no age: they count as 4-7 years old (an assumption)."""
    return tuple(
        engine.DeviceCount(r["kind"], "4_7", r["condition"], r["count"]) for r in rows if r["count"]
    )


def state_from_registry(
    school: Mapping[str, Any], devices: list[dict[str, Any]]
) -> engine.SchoolState:
    """What the registry knows: no reliability, no teacher skills, no offline server; rooms
    with a panel are the working panels, at most one per classroom."""
    mbps = float(school["infrastructure__internet_mbps"] or 0)
    panels = sum(
        d["count"] for d in devices if d["kind"] == "panel" and d["condition"] == "working"
    )
    rooms = school["infrastructure__rooms"]
    return engine.SchoolState(
        code=school["code"],
        pupils=school["pupils"],
        class_sets=school["n_class_sets"] or school["n_grades"],
        top_grade=school["top_grade"],
        internet_type=school["infrastructure__internet_type"] or engine.NO_INTERNET,
        internet_mbps=mbps,
        reliability_pct=None,
        devices=_registry_devices(devices),
        rooms_with_panel=min(panels, rooms) if rooms is not None else panels,
        science_lab=bool(school["infrastructure__science_lab"]),
        stem_lab=bool(school["infrastructure__stem_lab"]),
        offline_server=False,
        teacher_levels=None,
    )


def state_from_audit(school: Mapping[str, Any], audit: Mapping[str, Any]) -> engine.SchoolState:
    devices = tuple(
        engine.DeviceCount(*key.split(":"), int(count))  # type: ignore[call-arg]
        for key, count in sorted((audit["devices"] or {}).items())
        if count
    )
    levels = [audit[f] for f in Audit.LEVEL_FIELDS]
    return engine.SchoolState(
        code=school["code"],
        pupils=school["pupils"],
        class_sets=school["n_class_sets"] or school["n_grades"],
        top_grade=school["top_grade"],
        internet_type=audit["internet_type"] or engine.NO_INTERNET,
        internet_mbps=float(audit["internet_mbps"] or 0),
        reliability_pct=(
            float(audit["reliability_pct"]) if audit["reliability_pct"] is not None else None
        ),
        devices=devices,
        rooms_with_panel=audit["rooms_with_panel"] or 0,
        science_lab=audit["science_lab"],
        stem_lab=audit["stem_lab"],
        offline_server=audit["offline_server"],
        teacher_levels=None if all(v is None for v in levels) else tuple(v or 0 for v in levels),
    )


def load_rows(schools: QuerySet[School]) -> list[SchoolRow]:
    """Every school of ``schools`` with its state, index, needs and cost (five queries).

    Python's cyclic garbage collector is paused meanwhile: the rows hold no cycles, and
    collecting while thousands of them are built nearly doubles the time for a country."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_rows(schools)
    finally:
        if paused:
            gc.enable()


def _load_rows(schools: QuerySet[School]) -> list[SchoolRow]:
    values = list(
        schools.order_by()
        .annotate(
            pupils=pupils_per_school(),
            n_class_sets=count_per_school(ClassSet),
            n_grades=count_per_school(Enrolment, pupils__gt=0),
            top_grade=top_grade_per_school(),
        )
        .values(*SCHOOL_FIELDS, "pupils", "n_class_sets", "n_grades", "top_grade")
    )
    ids = schools.order_by().values("pk")
    audits = {
        a["school_id"]: a
        for a in Audit.objects.filter(is_latest=True, school__in=ids).values(*AUDIT_FIELDS)
    }
    # Ids listed in Python, in chunks: a NOT EXISTS subquery here made PostgreSQL pick a
    # nested loop over stale statistics right after a bulk load (minutes, not milliseconds).
    unaudited = [v["pk"] for v in values if v["pk"] not in audits]
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(unaudited), 5000):
        chunk = unaudited[start : start + 5000]
        for d in DeviceStock.objects.filter(school_id__in=chunk).values(
            "school_id", "kind", "condition", "count"
        ):
            devices[d["school_id"]].append(dict(d))
    regions = {v["district__region_id"] for v in values}
    norms = _norms_by_region(regions)
    prices = _prices_by_region(regions)
    rows = []
    for v in values:
        audit = audits.get(v["pk"])
        state = state_from_audit(v, audit) if audit else state_from_registry(v, devices[v["pk"]])
        region_norms = norms[v["district__region_id"]]
        needs = engine.school_needs(state, region_norms)
        rows.append(
            SchoolRow(
                pk=v["pk"],
                code=v["code"],
                name_kk=v["name_kk"],
                name_ru=v["name_ru"],
                district_id=v["district_id"],
                region_id=v["district__region_id"],
                locality=v["locality"],
                network_role=v["network_role"],
                latitude=v["latitude"],
                longitude=v["longitude"],
                pupils=v["pupils"],
                state=state,
                readiness=engine.readiness(state, region_norms),
                needs=needs,
                cost=engine.needs_cost(needs, prices[v["district__region_id"]]),
                audit_version=audit["version"] if audit else None,
                audit_date=audit["submitted_at"] if audit else None,
            )
        )
    return rows


def _rank(rows: list[SchoolRow]) -> None:
    """Competition ranks (1, 2, 2, 4) by index, highest first, in district and region."""

    def assign(group: list[SchoolRow], attr: str, size_attr: str) -> None:
        group.sort(key=lambda r: -r.readiness.index)
        previous, rank = None, 0
        for position, row in enumerate(group, start=1):
            if row.readiness.index != previous:
                rank, previous = position, row.readiness.index
            setattr(row, attr, rank)
            setattr(row, size_attr, len(group))

    by_district: dict[int, list[SchoolRow]] = defaultdict(list)
    by_region: dict[int, list[SchoolRow]] = defaultdict(list)
    for row in rows:
        by_district[row.district_id].append(row)
        by_region[row.region_id].append(row)
    for group in by_district.values():
        assign(group, "rank_district", "district_size")
    for group in by_region.values():
        assign(group, "rank_region", "region_size")


# --- The ranking page ---------------------------------------------------------------------


ALL_REGIONS = "all"


@dataclass(frozen=True)
class RankingFilters:
    region: str = ""  # a region's code, or ALL_REGIONS
    district: str = ""
    locality: str = ""
    band: str = ""
    audited: str = ""  # "yes" / "no"
    q: str = ""
    sort: str = "index"  # index (lowest first), -index, code, district

    @classmethod
    def from_query(cls, query: Any) -> RankingFilters:
        fields = cls.__dataclass_fields__
        return cls(
            **{name: str(query.get(name, "")).strip()[:100] for name in fields if query.get(name)}
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__ if f != "sort")


SORT_LABELS = {
    "index": _("readiness, lowest first"),
    "-index": _("readiness, highest first"),
    "code": _("code"),
    "district": _("district"),
    "-cost": _("cost of the needs, highest first"),
}


@dataclass
class Ranking:
    rows: list[SchoolRow]  # visible, filtered, sorted
    all_visible: int
    average: float
    audited: int
    total_cost: int
    districts: dict[int, District]


def ranking(user: AnyUser, filters: RankingFilters) -> Ranking:
    """Visible schools with index, needs and ranks in district and region (eight queries)."""
    region_ids = visible_regions(user).values("pk")
    if filters.region and filters.region != ALL_REGIONS:
        region_ids = region_ids.filter(code=filters.region)
    every = School.objects.filter(district__region_id__in=region_ids).select_related(None)
    rows = load_rows(every)
    _rank(rows)
    visible = visible_schools(user)
    if filters.district:
        visible = visible.filter(district__code=filters.district)
    if filters.locality:
        visible = visible.filter(locality=filters.locality)
    if filters.q:
        visible = search(visible, filters.q)
    shown = set(visible.values_list("pk", flat=True))
    districts = {d.pk: d for d in District.objects.filter(region_id__in=region_ids)}
    out = []
    for row in rows:
        if row.pk not in shown:
            continue
        if filters.band and row.band != filters.band:
            continue
        if filters.audited in ("yes", "no") and row.audited != (filters.audited == "yes"):
            continue
        row.district = districts.get(row.district_id)
        out.append(row)
    keys = {
        "index": lambda r: (r.index, r.code),
        "-index": lambda r: (-r.index, r.code),
        "code": lambda r: (r.code,),
        "district": lambda r: (r.district.code if r.district else "", r.index, r.code),
        "-cost": lambda r: (-r.cost, r.code),
    }
    out.sort(key=keys.get(filters.sort, keys["index"]))
    pupils = sum(r.pupils for r in out)
    average = (
        sum(r.index * r.pupils for r in out) / pupils
        if pupils
        else (sum(r.index for r in out) / len(out) if out else 0.0)
    )
    return Ranking(
        rows=out,
        all_visible=len(out),
        average=round(average, 1),
        audited=sum(1 for r in out if r.audited),
        total_cost=sum(r.cost for r in out),
        districts=districts,
    )


# --- One school ---------------------------------------------------------------------------


def school_row(school: School, *, ranked: bool = True) -> SchoolRow:
    """One school's readiness; with ``ranked`` its ranks in district and region (computed
    over the whole region)."""
    if ranked:
        rows = load_rows(School.objects.filter(district__region_id=school.district.region_id))
        _rank(rows)
        found = next(r for r in rows if r.pk == school.pk)
    else:
        found = load_rows(School.objects.filter(pk=school.pk))[0]
    found.district = school.district
    return found


def school_audits(school: School) -> list[Audit]:
    """The school's submitted versions, newest first, with who submitted them."""
    return list(
        Audit.objects.filter(school=school, status=Audit.Status.SUBMITTED)
        .select_related("submitted_by")
        .order_by("-version")
    )


def school_draft(school: School) -> Audit | None:
    return Audit.objects.filter(school=school, status=Audit.Status.DRAFT).first()


def latest_audit(school: School) -> Audit | None:
    return Audit.objects.filter(school=school, is_latest=True).first()


def visible_audit(user: AnyUser, pk: int) -> Audit | None:
    return (
        Audit.objects.filter(pk=pk, school__in=visible_schools(user).values("pk"))
        .select_related("school__district", "submitted_by", "created_by")
        .first()
    )


# --- Needs totals -------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedTotal:
    item: str
    label: str
    quantity: int
    schools: int
    unit_price: int
    cost: int


def need_totals(rows: Iterable[SchoolRow], prices: Mapping[str, int]) -> list[NeedTotal]:
    """Needs summed by item over ``rows`` (prices: the region's catalogue)."""
    quantity: dict[str, int] = defaultdict(int)
    schools: dict[str, int] = defaultdict(int)
    cost: dict[str, int] = defaultdict(int)
    for row in rows:
        for need in row.needs:
            quantity[need.item] += need.quantity
            schools[need.item] += 1
            cost[need.item] += need.quantity * prices[need.item]
    return [
        NeedTotal(
            item, catalogue_label(item), quantity[item], schools[item], prices[item], cost[item]
        )
        for item in engine.ITEMS
        if quantity[item]
    ]


def district_totals(rows: Iterable[SchoolRow]) -> list[dict[str, Any]]:
    """Per district: schools, audited, pupil-weighted readiness, cost of the needs."""
    groups: dict[int, list[SchoolRow]] = defaultdict(list)
    for row in rows:
        groups[row.district_id].append(row)
    out = []
    for group in groups.values():
        pupils = sum(r.pupils for r in group)
        out.append(
            {
                "district": group[0].district,
                "schools": len(group),
                "audited": sum(1 for r in group if r.audited),
                "pupils": pupils,
                "index": round(sum(r.index * r.pupils for r in group) / pupils, 1)
                if pupils
                else 0.0,
                "cost": sum(r.cost for r in group),
                "items": {
                    item: sum(n.quantity for r in group for n in r.needs if n.item == item)
                    for item in engine.ITEMS
                },
            }
        )
    out.sort(key=lambda d: getattr(d["district"], "code", ""))
    return out


# --- For the equipment app ---------------------------------------------------------------


def _planning_schools(user: AnyUser, schools: Any) -> QuerySet[School]:
    qs = visible_schools(user)
    if schools is None:
        return qs
    if isinstance(schools, QuerySet):
        return qs.filter(pk__in=schools.order_by().values("pk"))
    codes = [s.code if isinstance(s, School) else str(s) for s in schools]
    return qs.filter(code__in=codes)


def planning_needs(user: AnyUser, schools: Any = None) -> tuple[SchoolNeed, ...]:
    """The visible schools' gaps as the planning engine's :class:`SchoolNeed` (by code).

    ``schools``: None (every visible school), a School queryset, or school codes/objects.
    Packages are keyed "<school code>/<item>", priced from the school's region catalogue;
    labs (and other single items) are indivisible; laptops require the school's connectivity
    package when it has one. Schools with no gaps are included (with no packages), so the
    plan can report their readiness.
    """
    qs = _planning_schools(user, schools)
    rows = load_rows(qs.select_related(None))
    district_codes = dict(
        District.objects.filter(pk__in={r.district_id for r in rows}).values_list("pk", "code")
    )
    prices = _prices_by_region({r.region_id for r in rows})
    out = []
    for row in sorted(rows, key=lambda r: r.code):
        out.append(
            SchoolNeed(
                school=row.code,
                district=district_codes[row.district_id],
                pupils=row.pupils,
                readiness=row.readiness.index,
                packages=engine.packages(row.state, row.needs, prices[row.region_id]),
            )
        )
    return tuple(out)


def readiness_after_purchases(
    user: AnyUser, bought: Mapping[str, int], schools: Any = None
) -> dict[str, tuple[float, float]]:
    """Each visible school's index before and after buying ``bought`` (package key
    "<school>/<item>" -> units), by school code."""
    by_school: dict[str, dict[str, int]] = defaultdict(dict)
    for key, units in bought.items():
        code, _sep, item = key.rpartition("/")
        by_school[code][item] = by_school[code].get(item, 0) + int(units)
    rows = load_rows(_planning_schools(user, schools).select_related(None))
    norms = _norms_by_region({r.region_id for r in rows})
    out = {}
    for row in rows:
        after = engine.apply_purchases(row.state, norms[row.region_id], by_school.get(row.code, {}))
        out[row.code] = (row.readiness.index, engine.readiness(after, norms[row.region_id]).index)
    return out


def school_panel(school: School) -> dict[str, Any]:
    """For the registry's school page: index, band and audit (five queries)."""
    row = school_row(school, ranked=False)
    return {"index": row.index, "band": row.band, "audited": row.audited, "row": row}


# --- Texts for the pages ----------------------------------------------------------------


def item_labels() -> dict[str, str]:
    return {item: catalogue_label(item) for item in engine.ITEMS}


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def component_rows(row: SchoolRow) -> list[dict[str, Any]]:
    """The index's components with what the school has against what the norm asks."""
    out = []
    state = row.state
    for c in row.readiness.components:
        if c.name == "connectivity":
            if not engine.has_internet(state):
                detail = gettext("no internet (norm: %(target)s Mbps)") % {"target": _fmt(c.target)}
            else:
                detail = gettext("%(have)s of %(target)s Mbps") % {
                    "have": _fmt(c.have),
                    "target": _fmt(c.target),
                }
                if state.reliability_pct is not None:
                    detail = gettext("%(speed)s, online on %(pct)s%% of school days") % {
                        "speed": detail,
                        "pct": _fmt(state.reliability_pct),
                    }
        elif c.name == "devices":
            detail = gettext("%(have)s computers count, the norm asks for %(target)s") % {
                "have": int(c.have),
                "target": int(c.target),
            }
        elif c.name == "panels":
            detail = gettext("%(have)s of %(target)s class-set rooms have a working panel") % {
                "have": int(c.have),
                "target": int(c.target),
            }
        elif c.name == "labs":
            if not c.target:
                detail = gettext("not needed: no grade from the lab grade up is taught")
            elif c.have:
                detail = gettext("has a science or STEM lab")
            else:
                detail = gettext(
                    "no science or STEM lab, though the school teaches grade %(grade)s"
                ) % {"grade": state.top_grade}
        elif engine.mean_skill_level(state) is None:
            detail = gettext("not reported (counts as 0)")
        else:
            detail = gettext("mean self-assessed level %(have)s of 3") % {"have": f"{c.have:.1f}"}
        out.append(
            {
                "name": c.name,
                "label": COMPONENT_LABELS[c.name],
                "score": round(100 * c.score),
                "points": round(c.points, 1),
                "weight": c.weight,
                "detail": detail,
            }
        )
    return out


def need_reason(need: engine.Need, row: SchoolRow, norms: engine.Norms) -> str:
    state = row.state
    if need.item == "internet":
        if not engine.has_internet(state):
            return gettext("No internet; the national norm asks for %(target)s Mbps.") % {
                "target": _fmt(need.target)
            }
        if state.internet_mbps < need.target:
            return gettext("%(have)s Mbps, below the national norm of %(target)s Mbps.") % {
                "have": _fmt(need.have),
                "target": _fmt(need.target),
            }
        return gettext("Online on only %(pct)s%% of school days; the norm asks for %(norm)s%%.") % {
            "pct": _fmt(state.reliability_pct or 0),
            "norm": _fmt(norms.min_reliability_pct),
        }
    if need.item == "offline_server":
        return gettext("No usable internet and no offline content server.")
    if need.item == "laptop":
        return gettext(
            "%(have)s computers count for %(pupils)s pupils; the norm asks for %(target)s."
        ) % {
            "have": int(need.have),
            "pupils": row.pupils,
            "target": int(need.target),
        }
    if need.item == "panel":
        return gettext("%(have)s of %(target)s class-set rooms have a working panel.") % {
            "have": int(need.have),
            "target": int(need.target),
        }
    return gettext("Teaches grade %(grade)s but has no science or STEM lab.") % {
        "grade": state.top_grade
    }


def need_rows(
    row: SchoolRow, prices: Mapping[str, int], norms: engine.Norms
) -> list[dict[str, Any]]:
    return [
        {
            "item": n.item,
            "label": catalogue_label(n.item),
            "quantity": n.quantity,
            "unit_price": prices[n.item],
            "cost": n.quantity * prices[n.item],
            "reason": need_reason(n, row, norms),
        }
        for n in row.needs
    ]


def _verbose_name(name: str) -> str:
    field_: Any = NormSet._meta.get_field(name)
    return str(field_.verbose_name)


def _yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def norm_rows(norms: NormSet) -> list[dict[str, Any]]:
    """Each editable norm with its value and where its default comes from."""
    from auyl.readiness.models import NORM_SOURCES

    out = []
    for name in NormSet.EDITABLE:
        field_: Any = NormSet._meta.get_field(name)
        default = field_.get_default()
        source = NORM_SOURCES.get(name) or NORM_SOURCES["weights"]
        out.append(
            {
                "name": name,
                "label": field_.verbose_name,
                "value": _yes_no(getattr(norms, name)),
                "default": _yes_no(default),
                "source": source,
            }
        )
    return out


def catalogue_history(region: Region) -> list[Any]:
    return list(
        CatalogueItem.history.filter(region_id=region.pk)
        .select_related("history_user")
        .order_by("-history_date")[:10]
    )


def norms_history(norms: NormSet, limit: int = 10) -> list[dict[str, Any]]:
    """The latest changes of the norms, newest first, each with what changed (a created
    record lists what differs from the defaults). Two queries."""
    if norms.pk is None:
        return []
    records = list(
        norms.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    defaults = NormSet(region_id=norms.region_id)
    out: list[dict[str, Any]] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(out) == limit:
            break
        before = older if older is not None else defaults
        changes = [
            (
                _verbose_name(name),
                _yes_no(getattr(before, name)),
                _yes_no(getattr(newer, name)),
            )
            for name in NormSet.EDITABLE
            if getattr(before, name) != getattr(newer, name)
        ]
        out.append({"record": newer, "changes": changes})
    return out
