"""A tiny cluster in the database for the timetable tests (built on ``conftest.region``).

- Bestamak (the hub) has one grade-7 class-set "7" (20 pupils). Erlan, its physics and
  algebra teacher, teaches both there.
- Kumsai (its magnet) has the combined primary set "1+3" and the set "7". Pana, its
  primary class teacher, teaches math to "1+3"; Serik teaches algebra and physics to "7"
  but is qualified only in algebra, so Kumsai's physics is a coverage gap: by default its
  grade 7 joins Erlan's physics broadcast.
- The curriculum of the region is cut down to math 2 h (grades 1 and 3), algebra 2 h and
  physics 2 h (grade 7): 10 lessons a week in all, so a solve takes a second or two.
- Both schools have fibre internet. Saule (the teacher login of ``people``) is Serik.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auyl.engines.curriculum import DEFAULT
from auyl.registry.models import Infrastructure, Subject, TeachingAssignment
from auyl.timetable.models import CurriculumHours, TeacherAccount
from tests.factories import ClassSetFactory, EnrolmentFactory, TeacherFactory

KEEP = {("math", 1): 2, ("math", 3): 2, ("algebra", 7): 2, ("physics", 7): 2}


@dataclass
class Cluster:
    hub: Any
    magnet: Any
    hub_7: Any
    kum_13: Any
    kum_7: Any
    erlan: Any
    pana: Any
    serik: Any


def make_cluster(region: Any, people: Any | None = None) -> Cluster:
    subjects = {s.code: s for s in Subject.objects.all()}
    CurriculumHours.objects.bulk_create(
        CurriculumHours(
            region=region.alga.region,
            subject=subjects[code],
            grade=grade,
            hours=KEEP.get((code, grade), 0),
        )
        for code in DEFAULT.hours
        for grade in range(1, 12)
        if code in subjects
    )
    hub, magnet = region.hub, region.magnet
    magnet.latitude, magnet.longitude = 50.1, 57.5  # about 37 road km from Bestamak
    magnet.save()
    for school in (hub, magnet):
        Infrastructure.objects.create(school=school, internet_type="fibre", internet_mbps=50)
    EnrolmentFactory(school=hub, grade=7, pupils=20)
    for grade in (1, 3, 7):
        EnrolmentFactory(school=magnet, grade=grade, pupils=4)
    hub_7 = ClassSetFactory(school=hub, name="7", grades=[7])
    kum_13 = ClassSetFactory(school=magnet, name="1+3", grades=[1, 3])
    kum_7 = ClassSetFactory(school=magnet, name="7", grades=[7])
    erlan = TeacherFactory(code="ERL", full_name="Ерлан Сейітов", school=hub)
    pana = TeacherFactory(code="PAN", full_name="Пана Әлиева", school=magnet)
    serik = TeacherFactory(code="SER", full_name="Серік Құдайберген", school=magnet)
    erlan.subjects.set([subjects["physics"], subjects["algebra"]])
    pana.subjects.set([subjects["literacy"], subjects["math"]])
    serik.subjects.set([subjects["algebra"]])
    for teacher, school, code in (
        (erlan, hub, "physics"),
        (erlan, hub, "algebra"),
        (pana, magnet, "math"),
        (serik, magnet, "algebra"),
        (serik, magnet, "physics"),
    ):
        TeachingAssignment.objects.create(teacher=teacher, school=school, subject=subjects[code])
    if people is not None:
        TeacherAccount.objects.create(user=people.saule, teacher=serik)
    return Cluster(hub, magnet, hub_7, kum_13, kum_7, erlan, pana, serik)


def planted_run(hub: Any, by: Any) -> Any:
    """A stored timetable of ``hub``'s cluster without solving: lesson i in slot i (the tiny
    cluster has 10 lessons, so no two share a period). Fast, for the page tests."""
    import time

    from auyl.engines.timetabling import evaluate
    from auyl.engines.timetabling.model import Placement, Solution
    from auyl.timetable.models import TimetableRun
    from auyl.timetable.problem import build_problem, cluster_data
    from auyl.timetable.services import problem_sizes, store_solution

    build = build_problem(cluster_data(hub))
    problem = build.problem
    placements = tuple(Placement(a.id, i) for i, a in enumerate(problem.activities))
    solution = Solution("feasible", placements, evaluate(problem, placements), 0.1, 0.1)
    run = TimetableRun.objects.create(hub=hub, created_by=by, params={"time_limit": 1})
    result = {
        "issues": [],
        "sizes": problem_sizes(problem, build),
        "week": {"days": problem.week.n_days, "periods": problem.week.periods_per_day},
    }
    store_solution(run, build, problem, solution, result, time.perf_counter())
    run.refresh_from_db()
    return run
