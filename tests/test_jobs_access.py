"""Who may follow a background job's progress (``auyl.jobs.access``).

Nurlan (Bestamak's hub coordinator) starts the solve of his cluster. Everyone who may open
the cluster follows its progress bar: Dana (region administrator), Aigerim (methodologist
of Alga, where the hub is) and Bolat (principal of the magnet Kumsai). Asel, principal of a
school outside the cluster, and Yerlan (no role) get a 404, as if the job did not exist.
A kind of job whose app registered no rule stays its creator's alone.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from auyl.accounts.models import Role
from auyl.jobs.access import may_see_job, register_job_viewers
from auyl.jobs.models import Job
from auyl.timetable.models import TimetableRun
from tests.factories import make_person


@pytest.fixture
def solving(region, people):
    """A solve of Bestamak's cluster that Nurlan started and that is still running."""
    job = Job.objects.create(
        kind=TimetableRun.JOB_KIND,
        created_by=people.nurlan,
        state=Job.State.RUNNING,
        done=30,
        total=100,
        message="Looking for a timetable that keeps every rule",
    )
    TimetableRun.objects.create(hub=region.hub, created_by=people.nurlan, job=job)
    return job


def progress(client, user, job):
    client.force_login(user)
    return client.get(reverse("jobs:job_progress", args=[job.pk]))


def test_the_one_who_started_the_solve_follows_it(solving, people, client):
    answer = progress(client, people.nurlan, solving)
    assert answer.status_code == 200
    assert 'value="30"' in answer.content.decode()


@pytest.mark.parametrize("name", ["dana", "aigerim", "bolat"])
def test_everyone_who_may_open_the_cluster_follows_its_solve(solving, people, client, name):
    answer = progress(client, getattr(people, name), solving)
    assert answer.status_code == 200
    assert "Looking for a timetable" in answer.content.decode()


def test_the_cluster_page_polls_the_progress_for_a_methodologist(solving, region, people, client):
    client.force_login(people.aigerim)
    page = client.get(reverse("timetable:cluster_detail", args=[region.hub.pk]))
    assert reverse("jobs:job_progress", args=[solving.pk]) in page.content.decode()


def test_outside_the_cluster_the_solve_does_not_exist(solving, region, people, client):
    asel = make_person("asel", Role.PRINCIPAL, school=region.khromtau_school)
    assert progress(client, asel, solving).status_code == 404
    assert progress(client, people.yerlan, solving).status_code == 404


def test_a_finished_solve_reloads_the_page_of_whoever_follows_it(solving, people, client):
    Job.objects.filter(pk=solving.pk).update(state=Job.State.DONE)
    client.force_login(people.aigerim)
    url = reverse("jobs:job_progress", args=[solving.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").headers["HX-Refresh"] == "true"


def test_a_kind_without_a_rule_is_its_creators_alone(region, people):
    job = Job.objects.create(kind="registry_import_preview", created_by=people.aigerim)
    assert may_see_job(people.aigerim, job)
    assert not may_see_job(people.dana, job)


def test_a_kind_has_one_viewers_rule():
    def anyone(user, job):
        return True

    with pytest.raises(ImproperlyConfigured):
        register_job_viewers(TimetableRun.JOB_KIND, anyone)
