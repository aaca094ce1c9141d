"""The network's demo data, on the generated Aktobe demo region."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction

from auyl.demo.generator import generate_region
from auyl.demo.loader import create_demo_accounts, load_region
from auyl.network import demo
from auyl.network.models import Event, EventParticipation, FollowUp, Mentor, MentorAssignment, Visit
from auyl.registry.models import TeachingAssignment

TODAY = dt.date(2024, 10, 15)


class _Rollback(Exception):
    pass


def _build(seed: int) -> tuple[float, dict]:
    spec = generate_region(seed=2024)
    load_region(spec, progress=lambda _m: None)
    create_demo_accounts(spec)
    started = time.perf_counter()
    demo.load_demo(seed=seed, progress=lambda _m: None, today=TODAY)
    seconds = time.perf_counter() - started
    snapshot = {
        "mentors": sorted(
            (
                m.full_name,
                m.organisation,
                tuple(sorted(a.hub.code if a.hub else a.school.code for a in m.assignments.all())),
            )
            for m in Mentor.objects.prefetch_related("assignments__hub", "assignments__school")
        ),
        "visits": sorted(
            Visit.objects.values_list("mentor__full_name", "school__code", "date", "status")
        ),
        "follow_ups": sorted(
            FollowUp.objects.values_list("visit__school__code", "due_date", "status")
        ),
        "events": sorted(Event.objects.values_list("title", "date", "hub__code", "district__code")),
        "participants": EventParticipation.objects.count(),
        "assignments": TeachingAssignment.objects.count(),
    }
    return seconds, snapshot


@pytest.fixture
def built(db):
    with transaction.atomic():
        seconds, snapshot = _build(2024)
    return seconds, snapshot


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    snapshots = []
    for seed in (2024, 2024, 7):
        try:
            with transaction.atomic():
                snapshots.append(_build(seed)[1])
                raise _Rollback
        except _Rollback:
            pass
    assert snapshots[0] == snapshots[1]
    assert snapshots[0]["visits"] != snapshots[2]["visits"]


def test_22_nis_mentors_support_badamsha_and_khromtau_and_each_district_has_one(built):
    nis = Mentor.objects.filter(organisation__contains="НЗМ")
    assert nis.count() == 22
    clusters = set(
        MentorAssignment.objects.filter(mentor__in=nis, hub__isnull=False).values_list(
            "hub__district__code", flat=True
        )
    )
    assert clusters == {"kargaly", "khromtau"}
    assert Mentor.objects.filter(district__isnull=False).count() == 10  # the other districts
    methodologist = Mentor.objects.get(user__username="methodologist")
    assert methodologist.assignments.get().hub.district.code == "alga"


def test_visits_follow_ups_and_events_are_consistent(built):
    assert (
        Visit.objects.filter(status="done").exists()
        and Visit.objects.filter(status="planned").exists()
    )
    for visit in Visit.objects.select_related("observed_teacher"):
        assert visit.date.weekday() < 5
        assert (visit.status == "done") == (visit.date <= TODAY)
        if visit.observed_teacher is not None:
            assert visit.observed_teacher.school_id == visit.school_id
    assert FollowUp.objects.filter(status="open", due_date__lt=TODAY).exists()  # some overdue
    for p in EventParticipation.objects.select_related("event", "teacher__school"):
        if p.event.hub_id:
            assert p.event.hub_id in (p.teacher.school_id, p.teacher.school.hub_id)
        else:
            assert p.teacher.school.district_id == p.event.district_id


@pytest.mark.django_db
def test_the_demo_changes_no_registry_row():
    from auyl.registry.models import School, Teacher

    spec = generate_region(seed=2024)
    load_region(spec, progress=lambda _m: None)
    create_demo_accounts(spec)

    def counts():
        return (
            School.history.count(),
            Teacher.history.count(),
            TeachingAssignment.history.count(),
            Teacher.subjects.through.objects.count(),
        )

    before = counts()
    demo.load_demo(seed=2024, progress=lambda _m: None, today=TODAY)
    assert counts() == before
