"""Methodological support: mentors, their assignments, visits, follow-ups, the calendar.

Besides the named people of ``tests/conftest.py``, Marat is a mentor from a leading school
with a login of his own (no role in the registry): he records his own visits to the
schools he supports.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from auyl.network import access, selectors, services
from auyl.network.models import FollowUp, Mentor, MentorAssignment, Visit
from tests.factories import TeacherFactory, UserFactory

TODAY = dt.date(2024, 10, 15)


@pytest.fixture
def mentor(db):
    return Mentor.objects.create(full_name="Ақмарал Сейсенова", organisation="NIS Aktobe")


@pytest.fixture
def marat(region):
    user = UserFactory(username="marat")
    m = Mentor.objects.create(full_name="Марат Құрманов", organisation="NIS Astana", user=user)
    MentorAssignment.objects.create(mentor=m, hub=region.hub)
    return user


def visit_data(mentor, school, **extra):
    data = {
        "mentor": mentor,
        "school": school,
        "date": TODAY,
        "status": Visit.Status.PLANNED,
        "focus": "Формативті бағалау",
    }
    data.update(extra)
    return data


# --- Mentors and assignments ----------------------------------------------------------------


def test_region_admin_adds_a_mentor_and_assigns_her_to_a_cluster(client, people, region):
    client.force_login(people.dana)
    response = client.post(
        reverse("network:mentor_new"),
        {"full_name": "Жанна Әбенова", "organisation": "NIS Atyrau", "active": "on"},
    )
    mentor = Mentor.objects.get(full_name="Жанна Әбенова")
    assert response.status_code == 302
    response = client.post(
        reverse("network:cluster_mentor_add", args=[region.hub.pk]), {"mentor": mentor.pk}
    )
    assert response.status_code == 302
    assignment = MentorAssignment.objects.get(mentor=mentor)
    assert assignment.hub == region.hub and assignment.history.first().history_user == people.dana


def test_a_methodologist_adds_mentors_of_her_district_only(client, people, region):
    client.force_login(people.aigerim)
    refused = client.post(
        reverse("network:mentor_new"),
        {"full_name": "X", "district": region.khromtau.pk, "active": "on"},
    )
    assert refused.status_code == 400 and "district" in refused.context["form"].errors
    client.post(
        reverse("network:mentor_new"),
        {"full_name": "Гүлнара", "district": region.alga.pk, "active": "on"},
    )
    assert Mentor.objects.get(full_name="Гүлнара").district == region.alga


@pytest.mark.parametrize("who", ["nurlan", "bolat", "saule"])
def test_others_do_not_add_mentors(client, people, region, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("network:mentor_new")).status_code == 403
    assert client.post(reverse("network:mentor_new"), {"full_name": "X"}).status_code == 403


def test_a_methodologist_assigns_mentors_in_her_district_only(people, region, mentor):
    services.mentor_assign(mentor=mentor, hub=region.hub, by=people.aigerim)
    services.mentor_assign(mentor=mentor, school=region.alga_school, by=people.aigerim)
    with pytest.raises(PermissionDenied):
        services.mentor_assign(mentor=mentor, school=region.khromtau_school, by=people.aigerim)
    assert MentorAssignment.objects.filter(mentor=mentor).count() == 2


def test_assigning_twice_keeps_one_assignment_and_a_cluster_must_be_a_hub(people, region, mentor):
    first = services.mentor_assign(mentor=mentor, hub=region.hub, by=people.dana)
    assert services.mentor_assign(mentor=mentor, hub=region.hub, by=people.dana) == first
    with pytest.raises(ValidationError):
        services.mentor_assign(mentor=mentor, hub=region.alga_school, by=people.dana)
    with pytest.raises(ValidationError):
        services.mentor_assign(mentor=mentor, by=people.dana)


def test_the_hub_coordinator_cannot_assign_mentors(client, people, region, mentor):
    with pytest.raises(PermissionDenied):
        services.mentor_assign(mentor=mentor, hub=region.hub, by=people.nurlan)
    client.force_login(people.nurlan)
    response = client.post(
        reverse("network:cluster_mentor_add", args=[region.hub.pk]), {"mentor": mentor.pk}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "who,sees",
    [("dana", True), ("aigerim", True), ("nurlan", True), ("bolat", True), ("yerlan", False)],
)
def test_mentors_of_a_cluster_are_seen_by_its_people(people, region, mentor, who, sees):
    MentorAssignment.objects.create(mentor=mentor, hub=region.hub)
    assert selectors.mentor_list(getattr(people, who)).filter(pk=mentor.pk).exists() is sees


# --- Visits and follow-ups --------------------------------------------------------------------


def test_a_methodologist_plans_and_records_a_visit_in_her_district(people, region, mentor):
    visit = services.visit_save(data=visit_data(mentor, region.alga_school), by=people.aigerim)
    observed = TeacherFactory(school=region.alga_school, full_name="Сәуле")
    services.visit_save(
        visit=visit,
        data={
            "status": Visit.Status.DONE,
            "observed_teacher": observed,
            "observed_grades": "7+8",
            "recommendations": "Жұпта жұмыс",
        },
        by=people.aigerim,
    )
    visit.refresh_from_db()
    assert visit.status == "done" and visit.has_observation
    assert visit.history.first().history_change_reason == "record visit"
    with pytest.raises(PermissionDenied):
        services.visit_save(data=visit_data(mentor, region.khromtau_school), by=people.aigerim)


def test_the_observed_teacher_works_at_the_visited_school(people, region, mentor):
    elsewhere = TeacherFactory(school=region.hub)
    with pytest.raises(ValidationError):
        services.visit_save(
            data=visit_data(mentor, region.alga_school, observed_teacher=elsewhere),
            by=people.dana,
        )


def test_a_mentor_with_a_login_records_his_own_visits_to_schools_he_supports(people, region, marat):
    mentor = Mentor.objects.get(user=marat)
    visit = services.visit_save(data=visit_data(mentor, region.magnet), by=marat)
    assert visit.created_by == marat
    with pytest.raises(PermissionDenied):  # not a school of his cluster
        services.visit_save(data=visit_data(mentor, region.khromtau_school), by=marat)
    other = Mentor.objects.create(full_name="Other")
    with pytest.raises(PermissionDenied):  # not his own visit
        services.visit_save(data=visit_data(other, region.magnet), by=marat)
    assert selectors.visible_visits(marat).filter(pk=visit.pk).exists()


@pytest.mark.parametrize(
    "who,sees",
    [
        ("dana", True),
        ("aigerim", False),
        ("nurlan", True),
        ("bolat", True),
        ("saule", True),
        ("yerlan", False),
    ],
)
def test_a_visit_is_seen_by_who_sees_the_school(people, region, mentor, who, sees):
    visit = Visit.objects.create(mentor=mentor, school=region.magnet, date=TODAY, focus="x")
    assert selectors.visible_visits(getattr(people, who)).filter(pk=visit.pk).exists() is sees


def test_follow_ups_are_added_by_the_visits_editors_and_closed_by_the_principal_too(
    people, region, mentor
):
    visit = Visit.objects.create(mentor=mentor, school=region.magnet, date=TODAY, focus="x")
    follow_up = services.follow_up_add(
        visit=visit,
        data={"action": "Ашық сабақ", "due_date": TODAY + dt.timedelta(days=14)},
        by=people.dana,
    )
    with pytest.raises(PermissionDenied):
        services.follow_up_add(
            visit=visit, data={"action": "x", "due_date": TODAY}, by=people.bolat
        )
    for who in ("saule", "nurlan", "aigerim"):
        with pytest.raises(PermissionDenied):
            services.follow_up_set_status(
                follow_up=follow_up, status="done", by=getattr(people, who)
            )
    services.follow_up_set_status(follow_up=follow_up, status="done", by=people.bolat)
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert follow_up.history.first().history_user == people.bolat
    with pytest.raises(ValidationError):
        services.follow_up_set_status(follow_up=follow_up, status="lost", by=people.dana)


def test_open_follow_ups_are_grouped_by_school_with_overdue_counted(people, region, mentor):
    today = dt.date.today()
    for school, due, status in (
        (region.magnet, today - dt.timedelta(days=3), "open"),
        (region.magnet, today + dt.timedelta(days=3), "open"),
        (region.magnet, today - dt.timedelta(days=9), "done"),
        (region.alga_school, today + dt.timedelta(days=1), "open"),
    ):
        visit = Visit.objects.create(mentor=mentor, school=school, date=today, focus="x")
        FollowUp.objects.create(visit=visit, action="a", due_date=due, status=status)
    groups = {g.school.code: g for g in selectors.open_follow_ups(people.dana)}
    assert (len(groups["KHR007"].items), groups["KHR007"].overdue) == (2, 1)
    assert len(groups["ALG002"].items) == 1
    assert [g.school.code for g in selectors.open_follow_ups(people.bolat)] == ["KHR007"]


def test_the_follow_up_form_refuses_a_missing_due_date(client, people, region, mentor):
    visit = Visit.objects.create(mentor=mentor, school=region.alga_school, date=TODAY, focus="x")
    client.force_login(people.dana)
    response = client.post(
        reverse("network:follow_up_add", args=[visit.pk]), {"action": "x"}, follow=True
    )
    assert b"needs an action and a due date" in response.content
    assert not FollowUp.objects.exists()


def test_visit_form_offers_only_schools_the_user_may_see(client, people, region, mentor):
    client.force_login(people.aigerim)
    page = client.get(reverse("network:visit_new"))
    schools = list(page.context["form"].fields["school"].queryset.values_list("code", flat=True))
    assert schools == ["ALG001", "ALG002"]
    response = client.post(
        reverse("network:visit_new"),
        {
            "mentor": mentor.pk,
            "school": region.khromtau_school.pk,
            "date": "2024-10-15",
            "status": "planned",
            "focus": "x",
        },
    )
    assert response.status_code == 400 and not Visit.objects.exists()


# --- The calendar -----------------------------------------------------------------------------


def test_a_mentors_month_shows_his_visits_and_follow_ups_due_by_day(people, region, mentor):
    other = Mentor.objects.create(full_name="Other")
    visit = Visit.objects.create(
        mentor=mentor, school=region.magnet, date=dt.date(2024, 10, 8), focus="x"
    )
    Visit.objects.create(mentor=other, school=region.magnet, date=dt.date(2024, 10, 9), focus="y")
    FollowUp.objects.create(visit=visit, action="plan", due_date=dt.date(2024, 10, 22))
    cal = selectors.month_calendar(people.dana, 2024, 10, mentor)
    days = {d.date: d for week in cal.weeks for d in week}
    assert cal.weeks[0][0].date == dt.date(2024, 9, 30)  # weeks start on Monday
    assert [v.pk for v in days[dt.date(2024, 10, 8)].visits] == [visit.pk]
    assert days[dt.date(2024, 10, 9)].visits == []
    assert [f.action for f in days[dt.date(2024, 10, 22)].due] == ["plan"]
    assert (cal.previous, cal.next) == (dt.date(2024, 9, 1), dt.date(2024, 11, 1))


def test_calendar_page_uses_a_fixed_number_of_queries(client, people, region, mentor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.dana)
    url = reverse("network:calendar") + f"?mentor={mentor.pk}&month=2024-10"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for day in range(1, 25):
        v = Visit.objects.create(
            mentor=mentor, school=region.magnet, date=dt.date(2024, 10, day), focus="x"
        )
        FollowUp.objects.create(visit=v, action="a", due_date=dt.date(2024, 10, day))
    assert count() == before


def test_a_bad_month_falls_back_to_this_month(client, people, region):
    client.force_login(people.dana)
    page = client.get(reverse("network:calendar"), {"month": "2024-13"})
    assert page.status_code == 200
    today = dt.date.today()
    assert (page.context["cal"].year, page.context["cal"].month) == (today.year, today.month)


def test_a_mentor_of_another_scope_is_not_found(client, people, region, mentor):
    client.force_login(people.bolat)
    assert client.get(reverse("network:mentor_detail", args=[mentor.pk])).status_code == 404
    assert client.get(reverse("network:calendar"), {"mentor": mentor.pk}).status_code == 404
    assert not access.can_manage_school(people.bolat, region.magnet)
