"""The timetable app's demo data, on the generated Aktobe demo region, and the builder on
every pilot cluster of it (12 hubs, 134 magnets): every cluster's data is valid."""

from __future__ import annotations

import pytest

from auyl.demo.generator import generate_region
from auyl.demo.loader import create_demo_accounts, load_region
from auyl.engines.timetabling import check
from auyl.registry.models import School
from auyl.timetable import demo
from auyl.timetable.models import TeacherAccount, TimetableRun, TimetableSettings
from auyl.timetable.problem import build_problem, cluster_data


@pytest.fixture
def demo_region(db):
    spec = generate_region(seed=2024)
    load_region(spec, progress=lambda _m: None)
    create_demo_accounts(spec)
    return spec


def test_the_demo_links_the_teacher_login_and_every_pilot_cluster_is_valid(demo_region):
    said: list[str] = []
    demo.load_demo(seed=2024, progress=said.append)
    account = TeacherAccount.objects.select_related("teacher__school", "user").get()
    assert account.user.username == "teacher"
    assert account.teacher.school.code == demo_region.landmarks["kumsai"]
    hub = School.objects.get(code=demo_region.landmarks["bestamak"])
    assert TimetableSettings.objects.count() == 1 + hub.magnets.count()
    assert not TimetableRun.objects.exists()  # tests run tasks inline: nothing is queued
    assert "teacher login linked" in said[0]
    every_pilot_cluster_builds_a_valid_problem()


def every_pilot_cluster_builds_a_valid_problem():
    """One demo region load for both checks (it takes most of this test's time)."""
    hubs = School.objects.filter(network_role="hub")
    assert hubs.count() == 12
    sizes = []
    for hub in hubs:
        build = build_problem(cluster_data(hub))
        assert not build.errors, (hub.code, build.errors[:3])
        assert not check(build.problem), hub.code
        sizes.append(len(build.problem.activities))
        assert any(a.broadcast for a in build.problem.activities), hub.code
    assert sum(sizes) > 15_000
