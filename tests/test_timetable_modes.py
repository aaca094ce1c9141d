"""Which lesson mode applies to a class-set and subject, and why: one rule
(``problem.choose_mode``), read for a whole cluster by one selector
(``selectors.effective_lesson_modes``), which both the solver's input and the settings page
use.

The rule on its own (no database): a mode the school set wins; an online mode set at the hub
becomes joint; a magnet's coverage gap makes the subject online by default; else a combined
primary set is joint, a combined set of older grades parallel, a single grade joint.

On the tiny cluster of ``tests/timetable_cluster.py``: Kumsai's "7" takes physics online
from Bestamak by default (its teacher Serik is not qualified in physics, Erlan at the hub
is); its "1+3" takes math jointly; its "7" takes algebra jointly (a single grade).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from auyl.registry.models import Infrastructure, Subject
from auyl.timetable import selectors, services
from auyl.timetable.problem import (
    SOURCE_COMBINED_SET,
    SOURCE_COVERAGE,
    SOURCE_HUB,
    SOURCE_PRIMARY_SET,
    SOURCE_SET,
    SOURCE_SINGLE_GRADE,
    ClassSetData,
    CoverDefault,
    build_problem,
    choose_mode,
    cluster_data,
)
from tests.timetable_cluster import make_cluster

PRIMARY_13 = ClassSetData(1, "KUM", "1+3", (1, 3))
OLDER_78 = ClassSetData(2, "KUM", "7+8", (7, 8))
SINGLE_7 = ClassSetData(3, "KUM", "7", (7,))
GAP = CoverDefault("Bestamak", ("Erlan",))


# ---- the rule ----------------------------------------------------------------------------


def test_a_mode_the_school_set_wins_over_every_default():
    choice = choose_mode(SINGLE_7, role="magnet", explicit="separate", cover=GAP)
    assert (choice.mode, choice.source, choice.is_set) == ("separate", SOURCE_SET, True)


def test_an_online_mode_set_at_the_hub_becomes_joint():
    choice = choose_mode(SINGLE_7, role="hub", explicit="online")
    assert (choice.mode, choice.source, choice.set_mode) == ("joint", SOURCE_HUB, "online")


def test_a_coverage_gap_makes_a_magnets_subject_online_from_the_hub_by_default():
    choice = choose_mode(OLDER_78, role="magnet", cover=GAP)
    assert (choice.mode, choice.source, choice.hub) == ("online", SOURCE_COVERAGE, "Bestamak")
    assert choice.local == "parallel" and not choice.is_set  # if it cannot be given


def test_a_coverage_gap_at_the_hub_itself_is_no_online_default():
    assert choose_mode(SINGLE_7, role="hub", cover=GAP).source == SOURCE_SINGLE_GRADE


@pytest.mark.parametrize(
    ("class_set", "mode", "source"),
    [
        (PRIMARY_13, "joint", SOURCE_PRIMARY_SET),
        (OLDER_78, "parallel", SOURCE_COMBINED_SET),
        (SINGLE_7, "joint", SOURCE_SINGLE_GRADE),
    ],
)
def test_otherwise_the_shape_of_the_class_set_decides(class_set, mode, source):
    choice = choose_mode(class_set, role="magnet")
    assert (choice.mode, choice.source, choice.set_mode) == (mode, source, "")


# ---- one selector for the page and the solver ---------------------------------------------


@pytest.fixture
def tiny(region, people):
    return make_cluster(region, people)


def rows_by_key(tiny):
    return {
        (r.class_set.name, r.subject.code): r
        for r in selectors.school_lesson_modes(tiny.hub, tiny.magnet)
    }


def test_the_defaults_of_kumsai_with_their_reasons(tiny):
    rows = rows_by_key(tiny)
    assert set(rows) == {("1+3", "math"), ("7", "algebra"), ("7", "physics")}
    physics = rows[("7", "physics")].choice
    assert (physics.mode, physics.source, physics.hub) == (
        "online",
        SOURCE_COVERAGE,
        "Школа Бестамак",
    )
    assert physics.teachers == ("Ерлан Сейітов",)
    assert rows[("1+3", "math")].choice.source == SOURCE_PRIMARY_SET
    assert rows[("7", "algebra")].choice.source == SOURCE_SINGLE_GRADE


def test_without_internet_the_coverage_gap_is_no_online_default(tiny):
    Infrastructure.objects.filter(school=tiny.magnet).update(internet_type="none", internet_mbps=0)
    assert rows_by_key(tiny)[("7", "physics")].choice.source == SOURCE_SINGLE_GRADE


def test_the_solver_gets_exactly_the_modes_the_page_shows(tiny, people):
    physics = Subject.objects.get(code="physics")
    services.lesson_mode_save(class_set=tiny.kum_7, subject=physics, mode="joint", by=people.bolat)
    data = cluster_data(tiny.hub)
    for row in selectors.school_lesson_modes(tiny.hub, tiny.magnet):
        assert data.mode_choice(row.class_set, row.subject.code) == row.choice
    build = build_problem(data)
    assert not [a for a in build.problem.activities if a.broadcast]  # Serik teaches it
    assert rows_by_key(tiny)[("7", "physics")].choice.source == SOURCE_SET


def test_by_default_the_solver_broadcasts_the_coverage_gap(tiny):
    build = build_problem(cluster_data(tiny.hub))
    casts = [a for a in build.problem.activities if a.broadcast]
    assert {a.subject for a in casts} == {"physics"}


# ---- the settings page ----------------------------------------------------------------------


def settings_page(client, user, tiny):
    client.force_login(user)
    return client.get(reverse("timetable:school_settings", args=[tiny.hub.pk, tiny.magnet.pk]))


def test_the_page_says_which_mode_applies_and_why(tiny, people, client):
    page = settings_page(client, people.bolat, tiny).content.decode()
    assert "default: online lesson from hub Школа Бестамак (coverage list" in page
    assert "Ерлан Сейітов" in page  # the hub teacher who could give it
    assert "default for a combined primary class-set (grades 1-4)" in page
    assert "default for a class-set of one grade" in page
    assert "tt-mode-set" not in page.split("<tbody>", 1)[1]  # nothing set yet


def test_a_mode_the_school_set_is_marked_and_preselected(tiny, people, client):
    client.force_login(people.bolat)
    url = reverse("timetable:lesson_mode_save", args=[tiny.hub.pk, tiny.kum_7.pk])
    physics = Subject.objects.get(code="physics")
    client.post(url, {"subject": physics.pk, "mode": "separate"})
    page = settings_page(client, people.bolat, tiny)
    row = next(r for r in page.context["modes"] if r.subject.code == "physics")
    assert (row.choice.mode, row.choice.source) == ("separate", SOURCE_SET)
    html = page.content.decode()
    assert 'class="tt-mode-set' in html and "set by the school" in html
    assert '<option value="separate" selected>' in html


def test_a_teacher_reads_the_modes_without_the_forms(tiny, people, client):
    page = settings_page(client, people.saule, tiny).content.decode()
    assert "default: online lesson from hub" in page
    assert 'name="mode"' not in page
