"""Reads of the network app, scoped through :mod:`auyl.network.access` (itself built on
:mod:`auyl.accounts.scoping`). Every list is read with a fixed number of queries whatever
its length.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from auyl.accounts.scoping import AnyUser, visible_schools
from auyl.network import access
from auyl.network.design import haversine_km
from auyl.network.models import (
    Event,
    EventParticipation,
    FollowUp,
    Mentor,
    MentorAssignment,
    NetworkDesign,
    Visit,
)
from auyl.registry.models import Enrolment, School, Teacher

ROAD_FACTOR = 1.3  # road km ~ straight-line km x 1.3, as the design's default


# --- The network as it is -------------------------------------------------------------------


@dataclass(frozen=True)
class MagnetRow:
    school: School
    km: float
    pupils: int


@dataclass(frozen=True)
class ClusterRow:
    hub: School
    hub_pupils: int
    magnets: list[MagnetRow]
    mentors: list[Mentor]

    @property
    def magnet_count(self) -> int:
        return len(self.magnets)

    @property
    def pupils(self) -> int:
        return sum(m.pupils for m in self.magnets)

    @property
    def max_km(self) -> float:
        return max((m.km for m in self.magnets), default=0.0)

    @property
    def mean_km(self) -> float:
        return sum(m.km for m in self.magnets) / len(self.magnets) if self.magnets else 0.0


def _pupils(school_ids: Any) -> dict[int, int]:
    return dict(
        Enrolment.objects.filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(n=Sum("pupils"))
        .values_list("school_id", "n")
    )


def clusters(user: AnyUser, hub: School | None = None) -> list[ClusterRow]:
    """The clusters ``user`` may see (or just ``hub``'s), with their magnets' road
    distances and pupils and the mentors assigned (four queries).

    A principal or teacher sees the hub and his own school, not the other magnets."""
    hubs = access.visible_hubs(user).select_related("district", "infrastructure")
    if hub is not None:
        hubs = hubs.filter(pk=hub.pk)
    hub_list = list(hubs.order_by("code"))
    sees_hub = set(
        visible_schools(user).filter(pk__in=[h.pk for h in hub_list]).values_list("pk", flat=True)
    )
    magnets = School.objects.filter(hub__in=hub_list).select_related("district", "infrastructure")
    if not access.is_admin(user):
        magnets = magnets.filter(
            Q(hub__in=list(sees_hub)) | Q(pk__in=visible_schools(user).values("pk"))
        )
    magnet_list = list(magnets.order_by("code"))
    pupils = _pupils([h.pk for h in hub_list] + [m.pk for m in magnet_list])
    mentors: dict[int, list[Mentor]] = defaultdict(list)
    for a in MentorAssignment.objects.filter(hub__in=hub_list).select_related("mentor"):
        mentors[a.hub_id or 0].append(a.mentor)
    by_hub: dict[int, list[MagnetRow]] = defaultdict(list)
    hub_by_pk = {h.pk: h for h in hub_list}
    for m in magnet_list:
        h = hub_by_pk[m.hub_id or 0]
        km = haversine_km(m.latitude, m.longitude, h.latitude, h.longitude) * ROAD_FACTOR
        by_hub[h.pk].append(MagnetRow(m, round(km, 1), pupils.get(m.pk, 0)))
    return [
        ClusterRow(h, pupils.get(h.pk, 0), by_hub[h.pk], sorted(mentors[h.pk], key=str))
        for h in hub_list
    ]


@dataclass(frozen=True)
class NetworkSummary:
    hubs: int
    magnets: int
    pupils: int
    mean_km: float
    max_km: float

    @property
    def per_hub(self) -> float:
        return self.magnets / self.hubs if self.hubs else 0.0


def summary(rows: list[ClusterRow]) -> NetworkSummary:
    kms = [m.km for r in rows for m in r.magnets]
    return NetworkSummary(
        hubs=len(rows),
        magnets=len(kms),
        pupils=sum(r.pupils for r in rows),
        mean_km=round(sum(kms) / len(kms), 1) if kms else 0.0,
        max_km=max(kms, default=0.0),
    )


def network_map_rows(rows: list[ClusterRow]) -> list[dict[str, Any]]:
    """Map rows (see ``registry.mapping.school_map``) of the hubs and magnets shown."""
    out = []
    for r in rows:
        for s in [r.hub, *(m.school for m in r.magnets)]:
            out.append(
                {
                    "pk": s.pk,
                    "code": s.code,
                    "name_kk": s.name_kk,
                    "name_ru": s.name_ru,
                    "latitude": s.latitude,
                    "longitude": s.longitude,
                    "locality": s.locality,
                    "network_role": s.network_role,
                    "hub_id": s.hub_id,
                }
            )
    return out


# --- Designs --------------------------------------------------------------------------------


def design_list() -> QuerySet[NetworkDesign]:
    return NetworkDesign.objects.select_related("created_by", "accepted_by", "job")


def school_names(codes: Any) -> dict[str, School]:
    """Schools by code, with their district (one query)."""
    return {
        s.code: s for s in School.objects.filter(code__in=list(codes)).select_related("district")
    }


# --- Mentors, visits, follow-ups ------------------------------------------------------------


def mentor_list(user: AnyUser) -> QuerySet[Mentor]:
    assignments = MentorAssignment.objects.select_related("hub", "school").order_by(
        "hub__code", "school__code"
    )
    return (
        Mentor.objects.filter(access.mentor_scope_q(user))
        .distinct()
        .select_related("school", "district", "user")
        .prefetch_related("subjects", Prefetch("assignments", queryset=assignments))
        .annotate(
            n_visits=Count("visits", distinct=True),
        )
        .order_by("full_name", "pk")
    )


def visible_visits(user: AnyUser) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(access.visit_scope_q(user))
        .distinct()
        .select_related("mentor", "school", "observed_subject", "observed_teacher")
    )


def visit_list(user: AnyUser, *, school: School | None = None, mentor: Mentor | None = None) -> Any:
    visits = visible_visits(user).annotate(
        n_open=Count("follow_ups", filter=Q(follow_ups__status=FollowUp.Status.OPEN), distinct=True)
    )
    if school is not None:
        visits = visits.filter(school=school)
    if mentor is not None:
        visits = visits.filter(mentor=mentor)
    return visits.order_by("-date", "-pk")


@dataclass(frozen=True)
class SchoolFollowUps:
    school: School
    items: list[FollowUp]

    @property
    def overdue(self) -> int:
        today = timezone.localdate()
        return sum(1 for f in self.items if f.due_date < today)


def open_follow_ups(user: AnyUser, school: School | None = None) -> list[SchoolFollowUps]:
    """Open follow-ups of the visits ``user`` may see, grouped by school (one query)."""
    follow_ups = (
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN,
            visit__in=Visit.objects.filter(access.visit_scope_q(user)).values("pk"),
        )
        .select_related("visit__school", "visit__mentor")
        .order_by("visit__school__code", "due_date", "pk")
    )
    if school is not None:
        follow_ups = follow_ups.filter(visit__school=school)
    groups: dict[int, SchoolFollowUps] = {}
    for f in follow_ups:
        group = groups.setdefault(f.visit.school_id, SchoolFollowUps(f.visit.school, []))
        group.items.append(f)
    return list(groups.values())


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    in_month: bool
    visits: list[Visit]
    due: list[FollowUp]
    events: list[Event]


@dataclass(frozen=True)
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay]]

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)


def month_calendar(
    user: AnyUser, year: int, month: int, mentor: Mentor | None = None
) -> MonthCalendar:
    """A month of visits (and follow-ups falling due) as weeks Monday-Sunday: a mentor's,
    or all ``user`` may see; events too when no mentor is chosen (three queries)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1]
    visits = visible_visits(user).filter(date__range=(start, end))
    due = FollowUp.objects.filter(
        visit__in=Visit.objects.filter(access.visit_scope_q(user)).values("pk"),
        due_date__range=(start, end),
        status=FollowUp.Status.OPEN,
    ).select_related("visit__school")
    if mentor is not None:
        visits = visits.filter(mentor=mentor)
        due = due.filter(visit__mentor=mentor)
        events: list[Event] = []
    else:
        events = list(event_list(user).filter(date__range=(start, end)))
    by_day: dict[dt.date, list[Visit]] = defaultdict(list)
    for v in visits.order_by("date", "pk"):
        by_day[v.date].append(v)
    due_by_day: dict[dt.date, list[FollowUp]] = defaultdict(list)
    for f in due.order_by("due_date", "pk"):
        due_by_day[f.due_date].append(f)
    events_by_day: dict[dt.date, list[Event]] = defaultdict(list)
    for e in events:
        events_by_day[e.date].append(e)
    return MonthCalendar(
        year,
        month,
        [
            [
                CalendarDay(d, d.month == month, by_day[d], due_by_day[d], events_by_day[d])
                for d in week
            ]
            for week in weeks
        ],
    )


# --- Events ---------------------------------------------------------------------------------


def event_list(user: AnyUser) -> QuerySet[Event]:
    ids = Event.objects.filter(access.event_scope_q(user)).values("pk")
    return (
        Event.objects.filter(pk__in=ids)
        .select_related("hub", "district", "host_school")
        .annotate(n_participants=Count("participations", distinct=True))
        .order_by("-date", "-pk")
    )


def event_participants(event: Event) -> list[EventParticipation]:
    return list(
        event.participations.select_related("teacher__school").order_by(
            "teacher__school__code", "teacher__full_name"
        )
    )


def teacher_history(teacher: Teacher) -> dict[str, Any]:
    """What ``teacher`` took part in: events, and visits where her lesson was observed."""
    participations = (
        EventParticipation.objects.filter(teacher=teacher)
        .select_related("event__hub", "event__district")
        .order_by("-event__date", "-event__pk")
    )
    visits = (
        Visit.objects.filter(observed_teacher=teacher)
        .select_related("mentor", "school", "observed_subject")
        .order_by("-date", "-pk")
    )
    return {"participations": list(participations), "visits": list(visits)}


def school_participation(user: AnyUser, school: School) -> list[dict[str, Any]]:
    """The teachers of ``school`` with the number of events each took part in (one query)."""
    rows = (
        Teacher.objects.filter(school=school)
        .annotate(n_events=Count("event_participations", distinct=True))
        .order_by("full_name")
    )
    return [{"teacher": t, "events": t.n_events} for t in rows]
