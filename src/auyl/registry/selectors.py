"""Reads of the registry, always through the scoping in :mod:`auyl.accounts.scoping`.

Every list is built with a fixed number of queries whatever its length: per-school
figures come from correlated subqueries, never from a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from auyl.accounts.scoping import AnyUser, school_scope_q, visible_districts, visible_schools
from auyl.core.text import Casefold
from auyl.engines import norms
from auyl.registry.models import ClassSet, District, Enrolment, School, Teacher

SORT_LABELS = {
    "code": _("code"),
    "name": _("name"),
    "district": _("district"),
    "pupils": _("pupils, fewest first"),
    "-pupils": _("pupils, most first"),
    "mbps": _("internet speed, slowest first"),
    "-mbps": _("internet speed, fastest first"),
}
SORTS = {
    "code": ("code",),
    "name": ("name_ru", "code"),
    "district": ("district__code", "code"),
    "pupils": ("pupils", "code"),
    "-pupils": ("-pupils", "code"),
    "mbps": ("infrastructure__internet_mbps", "code"),
    "-mbps": ("-infrastructure__internet_mbps", "code"),
}


SEARCH_FIELDS = ("code", "name_kk", "name_ru", "settlement_kk", "settlement_ru")


def search(qs: QuerySet[School], text: str) -> QuerySet[School]:
    """Schools any of whose SEARCH_FIELDS contains ``text``, ignoring case in any alphabet."""
    needle = text.casefold()
    aliases = {f"{field}_folded": Casefold(field) for field in SEARCH_FIELDS}
    query = Q()
    for alias in aliases:
        query |= Q(**{f"{alias}__contains": needle})
    return qs.alias(**aliases).filter(query)


def _pupils_subquery() -> Coalesce:
    total = (
        Enrolment.objects.filter(school_id=OuterRef("pk"))
        .order_by()
        .values("school_id")
        .annotate(total=Sum("pupils"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _teachers_subquery() -> Coalesce:
    count = (
        Teacher.objects.filter(school_id=OuterRef("pk"))
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def _combined_class_set_exists() -> Exists:
    """A school is small when it has a combined class-set (Law on Education, art. 1).

    A combined class-set's ``grades`` JSON list has a comma; checked as text so the same
    expression works on SQLite and PostgreSQL.
    """
    return Exists(combined_class_sets().filter(school=OuterRef("pk")))


def combined_class_sets() -> QuerySet[ClassSet]:
    """Class-sets of two or more grades: their JSON text holds a comma."""
    return ClassSet.objects.annotate(grades_text=Cast("grades", TextField())).filter(
        grades_text__contains=","
    )


def _connectivity_norm() -> Any:
    """The national internet norm of :mod:`auyl.engines.norms` as a SQL expression."""
    extra = ExpressionWrapper(
        Greatest(Cast(F("pupils"), FloatField()) - norms.BASE_PLACES, Value(0.0))
        / norms.PUPILS_PER_EXTRA_MBPS,
        output_field=FloatField(),
    )
    return ExpressionWrapper(Value(norms.BASE_MBPS) + extra, output_field=FloatField())


def annotated_schools(user: AnyUser) -> QuerySet[School]:
    """Visible schools with pupils, teachers, small, norm and adequate connectivity."""
    mbps = Cast(Coalesce(F("infrastructure__internet_mbps"), Value(0)), FloatField())
    return (
        visible_schools(user)
        .select_related("district", "infrastructure", "hub")
        .annotate(
            pupils=_pupils_subquery(),
            teacher_count=_teachers_subquery(),
            is_small=_combined_class_set_exists(),
        )
        .annotate(norm_mbps=_connectivity_norm())
        .annotate(
            adequate=Case(
                When(Q(infrastructure__internet_mbps__gt=0) & Q(norm_mbps__lte=mbps), then=True),
                default=False,
            )
        )
    )


@dataclass(frozen=True)
class SchoolFilters:
    q: str = ""
    district: str = ""
    locality: str = ""
    small: str = ""  # "yes" / "no"
    role: str = ""  # none / hub / magnet
    language: str = ""
    connectivity: str = ""  # adequate / inadequate / none
    sort: str = "code"

    @classmethod
    def from_query(cls, query: Any) -> SchoolFilters:
        fields = cls.__dataclass_fields__
        return cls(
            **{name: str(query.get(name, "")).strip()[:100] for name in fields if query.get(name)}
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__ if f != "sort")


def school_list(user: AnyUser, filters: SchoolFilters) -> QuerySet[School]:
    qs = annotated_schools(user)
    if filters.q:
        qs = search(qs, filters.q)
    if filters.district:
        qs = qs.filter(district__code=filters.district)
    if filters.locality:
        qs = qs.filter(locality=filters.locality)
    if filters.small in ("yes", "no"):
        qs = qs.filter(is_small=filters.small == "yes")  # type: ignore[misc]  # an annotation
    if filters.role:
        qs = qs.filter(network_role=filters.role)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.connectivity == "adequate":
        qs = qs.filter(adequate=True)  # type: ignore[misc]  # an annotation
    elif filters.connectivity == "inadequate":
        qs = qs.filter(adequate=False)  # type: ignore[misc]  # an annotation
    elif filters.connectivity == "none":
        qs = qs.filter(Q(infrastructure__isnull=True) | Q(infrastructure__internet_type="none"))
    return qs.order_by(*SORTS.get(filters.sort, SORTS["code"]))


@dataclass(frozen=True)
class KeyFigures:
    schools: int
    rural: int
    small: int
    hubs: int
    magnets: int
    pupils: int
    rural_pupils: int
    class_sets: int
    combined_class_sets: int
    teachers: int
    adequate: int
    no_internet: int

    def share(self, part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 0.0

    @property
    def rural_share(self) -> float:
        return self.share(self.rural, self.schools)

    @property
    def rural_pupils_share(self) -> float:
        return self.share(self.rural_pupils, self.pupils)

    @property
    def adequate_share(self) -> float:
        return self.share(self.adequate, self.schools)

    @property
    def small_share(self) -> float:
        return self.share(self.small, self.schools)


def key_figures(user: AnyUser, district: District | None = None) -> KeyFigures:
    """The dashboard's figures over the schools ``user`` may see (a fixed number of queries).

    Pupil and teacher totals are summed from their own tables: Django cannot aggregate
    over the per-school subquery annotations.
    """
    schools = annotated_schools(user)
    if district is not None:
        schools = schools.filter(district=district)
    agg = schools.order_by().aggregate(
        schools=Count("pk"),
        rural=Count("pk", filter=Q(locality=School.Locality.RURAL)),
        small=Count("pk", filter=Q(is_small=True)),
        hubs=Count("pk", filter=Q(network_role=School.NetworkRole.HUB)),
        magnets=Count("pk", filter=Q(network_role=School.NetworkRole.MAGNET)),
        # not named "adequate": an aggregate may not shadow the annotation it filters on
        n_adequate=Count("pk", filter=Q(adequate=True)),
        no_internet=Count(
            "pk",
            filter=Q(infrastructure__isnull=True) | Q(infrastructure__internet_type="none"),
        ),
    )
    agg["adequate"] = agg.pop("n_adequate")
    in_scope = School.objects.filter(school_scope_q(user)).values("pk")
    if district is not None:
        in_scope = in_scope.filter(district=district)
    enrolment = Enrolment.objects.filter(school__in=in_scope).aggregate(
        total=Coalesce(Sum("pupils"), 0),
        rural=Coalesce(Sum("pupils", filter=Q(school__locality="rural")), 0),
    )
    return KeyFigures(
        pupils=enrolment["total"],
        rural_pupils=enrolment["rural"],
        teachers=Teacher.objects.filter(school__in=in_scope).count(),
        class_sets=ClassSet.objects.filter(school__in=in_scope).count(),
        combined_class_sets=combined_class_sets().filter(school__in=in_scope).count(),
        **agg,
    )


def district_rows(user: AnyUser) -> list[dict[str, Any]]:
    """One row per visible district with its counts (two queries).

    Aggregates are named ``n_*`` so that none shadows the annotation it counts (PostgreSQL
    refuses ``adequate=Count(..., filter=Q(adequate=True))``).
    """
    districts = {d.pk: d for d in visible_districts(user)}
    rows = (
        annotated_schools(user)
        .order_by()
        .values("district_id")
        .annotate(
            n_schools=Count("pk"),
            n_rural=Count("pk", filter=Q(locality=School.Locality.RURAL)),
            n_small=Count("pk", filter=Q(is_small=True)),
            n_hubs=Count("pk", filter=Q(network_role=School.NetworkRole.HUB)),
            n_magnets=Count("pk", filter=Q(network_role=School.NetworkRole.MAGNET)),
            n_pupils=Coalesce(Sum("pupils"), 0),
            n_adequate=Count("pk", filter=Q(adequate=True)),
        )
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        district = districts.get(row["district_id"])
        if district is not None:
            counts = {k[2:]: v for k, v in row.items() if k.startswith("n_")}
            out.append({"district": district, **counts})
    out.sort(key=lambda r: r["district"].code)
    return out


def map_points(user: AnyUser) -> list[dict[str, Any]]:
    """Visible schools as plain map points (one query)."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in visible_schools(user).values(
            "pk",
            "code",
            "name_kk",
            "name_ru",
            "latitude",
            "longitude",
            "locality",
            "network_role",
            "hub_id",
        )
    ]
    return rows


def school_enrolment(school: School) -> list[dict[str, Any]]:
    """Grades with pupils, each with the name of its class-set (two queries)."""
    set_of = {g: cs for cs in school.class_sets.all() for g in cs.grades}
    return [
        {"grade": e.grade, "pupils": e.pupils, "class_set": set_of.get(e.grade)}
        for e in school.enrolments.order_by("grade")
    ]


def school_class_sets(school: School) -> list[dict[str, Any]]:
    pupils = dict(school.enrolments.values_list("grade", "pupils"))
    return [
        {"class_set": cs, "pupils": sum(pupils.get(g, 0) for g in cs.grades)}
        for cs in school.class_sets.order_by("name")
    ]


def school_teachers(school: School) -> list[dict[str, Any]]:
    """Teachers who teach at the school (main or visiting), with the subjects they teach
    here and the schools they teach at (four queries, each on an index)."""
    from auyl.registry.models import TeachingAssignment

    teacher_ids = set(school.teachers.values_list("pk", flat=True)) | set(
        TeachingAssignment.objects.filter(school=school).values_list("teacher_id", flat=True)
    )
    assignments = (
        TeachingAssignment.objects.filter(teacher_id__in=teacher_ids)
        .select_related("teacher__school", "subject", "school")
        .order_by("teacher__full_name", "subject__code")
    )
    by_teacher: dict[int, dict[str, Any]] = {}
    for a in assignments:
        row = by_teacher.setdefault(
            a.teacher_id,
            {
                "teacher": a.teacher,
                "subjects_here": [],
                "other_schools": set(),
                "visiting": a.teacher.school_id != school.pk,
            },
        )
        if a.school_id == school.pk:
            row["subjects_here"].append(a.subject)
        else:
            row["other_schools"].add(a.school)
    for teacher in school.teachers.exclude(pk__in=by_teacher.keys()):
        by_teacher[teacher.pk] = {
            "teacher": teacher,
            "subjects_here": [],
            "other_schools": set(),
            "visiting": False,
        }
    rows = sorted(by_teacher.values(), key=lambda r: r["teacher"].full_name)
    for row in rows:
        row["other_schools"] = sorted(row["other_schools"], key=lambda s: s.code)
    return rows


def school_devices(school: School) -> list[dict[str, Any]]:
    """Device counts as rows by kind with a count per condition (one query)."""
    from auyl.registry.models import DeviceStock

    counts = {(d.kind, d.condition): d.count for d in school.devices.all()}
    rows = []
    for kind, label in DeviceStock.Kind.choices:
        cells = [counts.get((kind, c), 0) for c, _l in DeviceStock.Condition.choices]
        if any(cells):
            rows.append({"label": label, "cells": cells, "total": sum(cells)})
    return rows
