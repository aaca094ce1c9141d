"""A tiny cluster: the hub school Kumsai and its magnet school Alga, one timetable for both.

* Alga teaches grades 2 and 3 as one class-set: Literacy is *joint* (one lesson for both
  grades); each grade also has its own Mathematics. Primary grades have no gaps.
* The hub teacher Aigul broadcasts Physics to grade 7 of both schools at once; the hub
  teacher Bolat broadcasts Chemistry to grade 7 as well. Each school's internet link
  carries one stream at a time, so the two broadcasts never coincide.
* Dana teaches at both schools (Kazakh at Kumsai for grade 7, Art at Alga for the
  class-set) and needs one free period to travel between them.

Week: 2 days x 4 periods (slot = day * 4 + period).
"""

from __future__ import annotations

from itertools import combinations

from auyl.engines.timetabling import (
    Activity,
    Group,
    LessonMode,
    Problem,
    Resource,
    SoftWeights,
    Teacher,
)

from .tiny import solved, week

DANA_TRAVEL = (("alga", "kumsai", 1),)


def cluster() -> Problem:
    groups = (
        Group("alga-2", "Grade 2, Alga", no_gaps=True, max_daily_periods=3, site="alga"),
        Group("alga-3", "Grade 3, Alga", no_gaps=True, max_daily_periods=3, site="alga"),
        Group("alga-7", "Grade 7, Alga", site="alga"),
        Group("kumsai-7", "Grade 7, Kumsai", site="kumsai"),
    )
    teachers = (
        Teacher("aigul", "Aigul (hub)"),
        Teacher("bolat", "Bolat (hub)"),
        Teacher("dana", "Dana", travel_periods=DANA_TRAVEL),
        Teacher("erzhan", "Erzhan"),
    )
    links = (
        Resource("link-alga", capacity=1, kind="link"),
        Resource("link-kumsai", capacity=1, kind="link"),
    )
    both_links = ("link-alga", "link-kumsai")
    both_7 = ("alga-7", "kumsai-7")
    class_set = ("alga-2", "alga-3")
    lessons: list[Activity] = []
    for i in range(2):
        lessons += [
            Activity(f"phys{i}", "Physics", ("aigul",), both_7, site="kumsai",
                     resources=both_links, mode=LessonMode.ONLINE, broadcast=True,
                     split_of="phys"),
            Activity(f"chem{i}", "Chemistry", ("bolat",), both_7, site="kumsai",
                     resources=both_links, mode=LessonMode.ONLINE, broadcast=True,
                     split_of="chem"),
            Activity(f"lit{i}", "Literacy", ("erzhan",), class_set, site="alga",
                     mode=LessonMode.JOINT, split_of="lit"),
            Activity(f"math2-{i}", "Mathematics", ("erzhan",), ("alga-2",), site="alga",
                     mode=LessonMode.SEPARATE, split_of="math2"),
            Activity(f"math3-{i}", "Mathematics", ("dana",), ("alga-3",), site="alga",
                     mode=LessonMode.SEPARATE, split_of="math3"),
        ]  # fmt: skip
    lessons += [
        Activity("kaz7", "Kazakh", ("dana",), ("kumsai-7",), site="kumsai"),
        Activity("art", "Art", ("dana",), class_set, site="alga"),
    ]
    return Problem(
        "Kumsai cluster",
        week(2, 4),
        teachers,
        groups,
        links,
        tuple(lessons),
        soft=SoftWeights(),
    )


def test_the_cluster_timetable_respects_every_rule():
    p = cluster()
    s = solved(p, time_limit=10.0)
    assert s.feasible and s.evaluation is not None
    assert s.evaluation.hard_violations == 0
    start = {pl.activity: pl.start for pl in s.placements}
    dur = {a.id: a.duration for a in p.activities}

    # the broadcasts share each school's single link: never two at once
    online = [a for a in start if a.startswith(("phys", "chem"))]
    assert len({start[a] for a in online}) == len(online)

    # the joint Literacy lesson occupies both grades of the class-set: nothing else then
    for lit in ("lit0", "lit1"):
        others = [a for a in start if a.startswith("math") or a == "art"]
        assert all(start[o] != start[lit] for o in others)

    # Dana never switches schools without a free period in between
    dana = ["math3-0", "math3-1", "kaz7", "art"]
    site = {a.id: a.site for a in p.activities}
    for a1, a2 in combinations(dana, 2):
        if start[a1] // 4 == start[a2] // 4 and site[a1] != site[a2]:
            first, second = sorted((a1, a2), key=start.__getitem__)
            assert start[second] - (start[first] + dur[first]) >= 1

    # primary grades: no gaps, at most 3 lessons a day
    for grade in ("alga-2", "alga-3"):
        mine = [a.id for a in p.activities if grade in a.groups]
        for day in range(2):
            periods = sorted(start[a] % 4 for a in mine if start[a] // 4 == day)
            assert len(periods) <= 3
            assert (
                periods == list(range(periods[0], periods[0] + len(periods))) if periods else True
            )


def test_the_cluster_reports_each_soft_goal_separately():
    s = solved(cluster(), time_limit=10.0)
    assert s.evaluation is not None
    assert set(s.evaluation.soft_by_kind) <= {
        "teacher_gaps",
        "group_gaps",
        "subject_twice_a_day",
        "spread",
        "hard_subject_last",
        "teacher_disliked",
    }
