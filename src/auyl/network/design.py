"""From the registry to the design engine and back: which schools may be hubs, which must
be served, the engine's request, and the comparison of two networks.

Reads the whole registry (a design is a region administrator's work) with a fixed handful
of queries, whatever the number of schools.

Hub eligibility (:class:`HubRule`), each criterion optional:

- at least ``min_pupils`` pupils;
- internet meeting the national norm (:mod:`auyl.engines.norms`);
- teachers (main school here) qualified in at least ``min_specialist_subjects`` of the
  subjects of grades 5-11 (:mod:`auyl.engines.curriculum`);
- a science lab, a computer lab;
- not itself a small school (a school with a combined class-set);
- a readiness index (``auyl.readiness``: its latest audit, else the registry) of at least
  ``min_readiness``.

An existing hub kept open (``keep_hubs``) is a candidate whatever the rule says.

The schools to serve are the small schools (default), or only the current magnet schools
(a like-for-like comparison with the current network).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from auyl.engines import curriculum
from auyl.engines.norms import is_connectivity_adequate
from auyl.engines.planning.network import NetworkRequest, NetworkResult, Site
from auyl.registry.models import Enrolment, Infrastructure, School, Teacher
from auyl.registry.selectors import combined_class_sets

SERVE_SMALL = "small"
SERVE_CURRENT = "current"

#: Subjects a hub's specialists are counted in: those of grades 5-11.
SECONDARY_SUBJECTS = frozenset(s for g in range(5, 12) for s in curriculum.DEFAULT.subjects_for(g))


@dataclass(frozen=True)
class HubRule:
    min_pupils: int = 200
    adequate_internet: bool = True
    min_specialist_subjects: int = 12
    science_lab: bool = False
    computer_lab: bool = True
    not_small: bool = True
    min_readiness: float = 0.0  # the readiness index (0-100) of the readiness app; 0: off

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> HubRule:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in params.get("rule", {}).items() if k in names})


@dataclass
class SchoolFacts:
    """What the design needs to know of one school."""

    pk: int
    code: str
    name_kk: str
    name_ru: str
    district: str
    district_id: int
    region_id: int
    latitude: float
    longitude: float
    pupils: int
    network_role: str
    hub_code: str | None
    small: bool
    mbps: float
    science_lab: bool
    computer_lab: bool
    specialist_subjects: int
    readiness: float | None = None
    fails: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        if (get_language() or "kk").startswith("kk"):
            return self.name_kk or self.name_ru
        return self.name_ru or self.name_kk

    @property
    def eligible(self) -> bool:
        return not self.fails


def school_facts(region_id: int | None = None) -> dict[str, SchoolFacts]:
    """Every school (of one region, or all) with the figures the design needs (five
    queries)."""
    schools = School.objects.all()
    if region_id is not None:
        schools = schools.filter(district__region_id=region_id)
    rows = schools.values(
        "pk",
        "code",
        "name_kk",
        "name_ru",
        "district__code",
        "district_id",
        "district__region_id",
        "latitude",
        "longitude",
        "network_role",
        "hub__code",
    )
    pupils = dict(
        Enrolment.objects.filter(school__in=schools)
        .values("school_id")
        .annotate(n=Sum("pupils"))
        .values_list("school_id", "n")
    )
    small = set(
        combined_class_sets().filter(school__in=schools).values_list("school_id", flat=True)
    )
    infra = {
        r["school_id"]: r
        for r in Infrastructure.objects.filter(school__in=schools).values(
            "school_id", "internet_mbps", "science_lab", "computer_lab"
        )
    }
    links: Any = Teacher.subjects.through.objects  # the auto-created m2m model
    specialists = dict(
        links.filter(teacher__school__in=schools, subject__code__in=SECONDARY_SUBJECTS)
        .values("teacher__school_id")
        .annotate(n=Count("subject_id", distinct=True))
        .values_list("teacher__school_id", "n")
    )
    out: dict[str, SchoolFacts] = {}
    for r in rows:
        i: Mapping[str, Any] = infra.get(r["pk"]) or {}
        out[r["code"]] = SchoolFacts(
            pk=r["pk"],
            code=r["code"],
            name_kk=r["name_kk"],
            name_ru=r["name_ru"],
            district=r["district__code"],
            district_id=r["district_id"],
            region_id=r["district__region_id"],
            latitude=r["latitude"],
            longitude=r["longitude"],
            pupils=int(pupils.get(r["pk"]) or 0),
            network_role=r["network_role"],
            hub_code=r["hub__code"],
            small=r["pk"] in small,
            mbps=float(i.get("internet_mbps") or 0),
            science_lab=bool(i.get("science_lab")),
            computer_lab=bool(i.get("computer_lab")),
            specialist_subjects=int(specialists.get(r["pk"]) or 0),
        )
    return out


def attach_readiness(facts: Mapping[str, SchoolFacts]) -> None:
    """Each school's readiness index from the readiness app (its latest audit, else the
    registry), for the ``min_readiness`` criterion."""
    from auyl.readiness.selectors import load_rows

    pks = [s.pk for s in facts.values()]
    index = {row.pk: row.index for row in load_rows(School.objects.filter(pk__in=pks))}
    for s in facts.values():
        s.readiness = index.get(s.pk)


def apply_rule(facts: Iterable[SchoolFacts], rule: HubRule) -> None:
    """Fill each school's ``fails`` with the criteria of ``rule`` it does not meet."""
    for s in facts:
        s.fails = []
        if s.pupils < rule.min_pupils:
            s.fails.append("pupils")
        if rule.adequate_internet and not is_connectivity_adequate(s.mbps, s.pupils):
            s.fails.append("internet")
        if s.specialist_subjects < rule.min_specialist_subjects:
            s.fails.append("specialists")
        if rule.science_lab and not s.science_lab:
            s.fails.append("science_lab")
        if rule.computer_lab and not s.computer_lab:
            s.fails.append("computer_lab")
        if rule.not_small and s.small:
            s.fails.append("small")
        if rule.min_readiness > 0 and (s.readiness is None or s.readiness < rule.min_readiness):
            s.fails.append("readiness")


def fail_labels() -> dict[str, str]:
    return {
        "pupils": _("too few pupils"),
        "internet": _("internet below the norm"),
        "specialists": _("too few specialist teachers"),
        "science_lab": _("no science lab"),
        "computer_lab": _("no computer lab"),
        "small": _("a small school"),
        "readiness": _("readiness index too low"),
    }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (the same formula as the engine's)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def road_km(a: SchoolFacts, b: SchoolFacts, road_factor: float) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) * road_factor


def to_serve(facts: Mapping[str, SchoolFacts], serve: str) -> set[str]:
    if serve == SERVE_CURRENT:
        return {c for c, s in facts.items() if s.network_role == School.NetworkRole.MAGNET}
    return {c for c, s in facts.items() if s.small}


def travel_dict(triples: Iterable[Iterable[Any]] | None) -> dict[tuple[str, str], float] | None:
    if not triples:
        return None
    return {(str(m), str(h)): float(t) for m, h, t in triples}


def build_request(
    facts: Mapping[str, SchoolFacts],
    params: Mapping[str, Any],
    travel: dict[tuple[str, str], float] | None = None,
) -> NetworkRequest:
    """The engine's request for ``params`` (as stored on a :class:`NetworkDesign`)."""
    rule = HubRule.from_params(params)
    if rule.min_readiness > 0:
        attach_readiness(facts)
    apply_rule(facts.values(), rule)
    serve = to_serve(facts, params.get("serve", SERVE_SMALL))
    keep = bool(params.get("keep_hubs"))
    sites = []
    for code, s in sorted(facts.items()):
        fixed = keep and s.network_role == School.NetworkRole.HUB
        can_be_hub = s.eligible or fixed
        must = code in serve and not fixed
        if can_be_hub or must:
            sites.append(
                Site(
                    code=code,
                    district=s.district,
                    latitude=s.latitude,
                    longitude=s.longitude,
                    pupils=s.pupils,
                    can_be_hub=can_be_hub,
                    must_be_served=must,
                    fixed_hub=fixed,
                )
            )
    hubs = params.get("hubs")
    return NetworkRequest(
        sites=tuple(sites),
        hubs=int(hubs) if hubs else None,
        max_km=_float_or_none(params.get("max_km")),
        max_magnets=int(params["max_magnets"]) if params.get("max_magnets") else None,
        same_district=bool(params.get("same_district")),
        road_factor=float(params.get("road_factor") or 1.3),
        travel_minutes=travel,
        max_minutes=_float_or_none(params.get("max_minutes")) if travel else None,
        hub_open_cost=float(params.get("hub_open_cost") or 0.0),
        time_limit_s=float(params.get("time_limit_s") or 60.0),
    )


def _float_or_none(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


# --- Networks and their comparison --------------------------------------------------------


@dataclass(frozen=True)
class Link:
    magnet: str
    hub: str
    km: float
    minutes: float | None
    pupils: int


@dataclass(frozen=True)
class NetworkFigures:
    """Figures of one network, the same way for the current and a proposed network."""

    hubs: int
    magnets: int
    pupils: int
    pupil_km: float
    mean_km: float
    max_km: float
    mean_magnets_per_hub: float
    max_magnets_per_hub: int
    pupil_minutes: float | None


def links_of_current(
    facts: Mapping[str, SchoolFacts],
    road_factor: float,
    travel: Mapping[tuple[str, str], float] | None = None,
) -> list[Link]:
    out = []
    for code, s in sorted(facts.items()):
        if s.network_role == School.NetworkRole.MAGNET and s.hub_code and s.hub_code in facts:
            hub = facts[s.hub_code]
            minutes = travel.get((code, hub.code)) if travel else None
            out.append(Link(code, hub.code, road_km(s, hub, road_factor), minutes, s.pupils))
    return out


def links_of_result(
    facts: Mapping[str, SchoolFacts],
    result: NetworkResult,
    road_factor: float,
    travel: Mapping[tuple[str, str], float] | None = None,
) -> list[Link]:
    out = []
    for a in sorted(result.assignments, key=lambda a: a.magnet):
        if a.magnet == a.hub or a.magnet not in facts or a.hub not in facts:
            continue
        s, hub = facts[a.magnet], facts[a.hub]
        minutes = travel.get((a.magnet, a.hub)) if travel else a.minutes
        out.append(Link(a.magnet, a.hub, road_km(s, hub, road_factor), minutes, s.pupils))
    return out


def figures(hubs: Iterable[str], links: list[Link]) -> NetworkFigures:
    hubs = set(hubs)
    per_hub: dict[str, int] = defaultdict(int)
    for link in links:
        per_hub[link.hub] += 1
    kms = [link.km for link in links]
    minutes = [link.minutes for link in links]
    return NetworkFigures(
        hubs=len(hubs),
        magnets=len(links),
        pupils=sum(link.pupils for link in links),
        pupil_km=round(sum(link.km * link.pupils for link in links), 1),
        mean_km=round(sum(kms) / len(kms), 1) if kms else 0.0,
        max_km=round(max(kms), 1) if kms else 0.0,
        mean_magnets_per_hub=round(len(links) / len(hubs), 1) if hubs else 0.0,
        max_magnets_per_hub=max((per_hub[h] for h in hubs), default=0),
        pupil_minutes=(
            round(sum(m * link.pupils for m, link in zip(minutes, links, strict=True) if m), 1)
            if links and all(m is not None for m in minutes)
            else None
        ),
    )


def changes(current: list[Link], proposed: list[Link]) -> list[dict[str, str | None]]:
    """Schools whose hub differs between the two networks (None: no hub)."""
    before = {link.magnet: link.hub for link in current}
    after = {link.magnet: link.hub for link in proposed}
    return [
        {"school": code, "before": before.get(code), "after": after.get(code)}
        for code in sorted(set(before) | set(after))
        if before.get(code) != after.get(code)
    ]


def unserved_reason(u: Any, facts: Mapping[str, SchoolFacts]) -> str:
    """The engine's reason in the user's language (the engine speaks English)."""
    kind = getattr(u, "kind", "")
    hub = getattr(u, "nearest_hub", None)
    km = getattr(u, "nearest_km", None)
    where = ""
    if hub is not None and km is not None:
        name = facts[hub].name if hub in facts else hub
        where = _("%(school)s (%(code)s), %(km)s km") % {
            "school": name,
            "code": hub,
            "km": f"{km:.0f}",
        }
    if kind == "no_hub":
        return _("No school may be a hub under the eligibility rule.")
    if kind == "out_of_range":
        if where:
            return _(
                "No eligible hub within the limits; the nearest eligible hub is %(where)s."
            ) % {"where": where}
        return _("No eligible hub within the limits.")
    if kind == "no_room":
        if where:
            return _(
                "The hubs within reach are full or were not chosen; the nearest chosen hub is "
                "%(where)s."
            ) % {"where": where}
        return _("The hubs within reach are full or were not chosen.")
    return str(u.reason)


def result_payload(
    facts: Mapping[str, SchoolFacts],
    request: NetworkRequest,
    result: NetworkResult,
) -> dict[str, Any]:
    """What a design stores: the engine's answer, the proposed and current links, the
    figures of both networks, and the candidates' counts (JSON-ready)."""
    travel = request.travel_minutes
    current_hubs = sorted(c for c, s in facts.items() if s.network_role == School.NetworkRole.HUB)
    current = links_of_current(facts, request.road_factor, travel)
    proposed = links_of_result(facts, result, request.road_factor, travel)
    candidates = [s for s in request.sites if s.can_be_hub]
    ineligible: dict[str, int] = defaultdict(int)
    for s in facts.values():
        for reason in s.fails:
            ineligible[reason] += 1
    return {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "gap_percent": round(100 * result.gap, 3),
        "seconds": round(result.seconds, 3),
        "messages": list(result.messages),
        "hubs": sorted(result.hubs),
        "links": [asdict(link) for link in proposed],
        "unserved": [
            {"school": u.school, "reason": unserved_reason(u, facts), "detail": u.reason}
            for u in result.unserved
        ],
        "current_hubs": current_hubs,
        "current_links": [asdict(link) for link in current],
        "figures": {
            "current": asdict(figures(current_hubs, current)),
            "proposed": asdict(figures(result.hubs, proposed)),
        },
        "changes": changes(current, proposed),
        "sites": len(request.sites),
        "to_serve": sum(1 for s in request.sites if s.must_be_served),
        "candidates": len(candidates),
        "ineligible": dict(ineligible),
    }
