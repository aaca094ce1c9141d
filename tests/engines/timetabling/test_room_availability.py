"""Rooms and links have periods in which nobody may use them (FET's "room not available
times"): the solver keeps lessons out of a room then, :func:`evaluate` counts a lesson in a
closed room, :func:`validate` names a lesson whose room is never open when it could be, and
FET files carry the rule in and out.

Weeks are tiny: ``week(days, periods)``, slot = day * periods + period.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from auyl.engines.timetabling import Group, Resource, Teacher, check, evaluate
from auyl.engines.timetabling.export import write_fet
from auyl.engines.timetabling.fet import read_fet, read_fet_timetable
from auyl.engines.timetabling.model import Placement, Unsupported

from .fet_cl import FET_CL, run_fet_cl
from .tiny import lesson, problem, solved, starts, week

LAB = Resource("lab", name="Lab", unavailable=frozenset({0, 1}))


def rooms(solution) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {p.activity: p.room for p in solution.placements}


# ---- the solver ----------------------------------------------------------------------------


def test_a_lesson_needing_a_room_waits_until_the_room_is_open():
    p = problem([lesson("chem", resources=("lab",))], week(1, 3), resources=[LAB])
    assert starts(solved(p)) == {"chem": 2}


def test_a_lesson_choosing_its_only_room_waits_until_the_room_is_open():
    p = problem([lesson("chem", room_choices=("lab",))], week(1, 3), resources=[LAB])
    s = solved(p)
    assert starts(s) == {"chem": 2} and rooms(s) == {"chem": "lab"}


def test_a_lesson_at_a_closed_room_takes_another_room_of_its_list():
    """Chemistry is locked in period 1, when the lab is closed: it goes to the classroom."""
    chem = lesson("chem", room_choices=("lab", "room1"), fixed_start=0)
    p = problem([chem], week(1, 3), resources=[LAB])
    s = solved(p)
    assert rooms(s) == {"chem": "room1"}
    assert s.evaluation is not None and s.evaluation.hard_violations == 0


def test_a_broadcast_waits_until_the_school_link_is_up():
    """Kumsai's link is down in period 2: a double broadcast can only be in periods 3-4."""
    link = Resource("kumsai", kind="link", capacity=2, unavailable=frozenset({1}))
    p = problem(
        [lesson("physics", "hub", "k7", resources=("kumsai",), duration=2, broadcast=True)],
        week(1, 4),
        resources=[link],
    )
    assert starts(solved(p)) == {"physics": 2}


# ---- evaluate ------------------------------------------------------------------------------


def test_evaluate_counts_a_lesson_in_a_closed_room_fixed_or_chosen():
    p = problem(
        [
            lesson("chem", "T1", "G1", subject="Chemistry", resources=("lab",)),
            lesson("bio", "T2", "G2", subject="Biology", room_choices=("lab", "room1")),
        ],
        week(1, 3),
        resources=[LAB],
    )
    placed = (Placement("chem", 1), Placement("bio", 0, "lab"))
    found = [v for v in evaluate(p, placed).violations if v.kind == "resource_unavailable"]
    assert [(v.activities, v.detail) for v in found] == [
        (("chem",), "Room Lab is not available for Chemistry for G1 (T1) on Day1, period 2"),
        (("bio",), "Room Lab is not available for Biology for G2 (T2) on Day1, period 1"),
    ]
    assert evaluate(p, (Placement("chem", 2), Placement("bio", 0, "room1"))).hard_violations == 0


def test_evaluate_counts_a_two_period_lesson_touching_a_closed_period_once():
    p = problem([lesson("chem", resources=("lab",), duration=2)], week(1, 3), resources=[LAB])
    assert evaluate(p, (Placement("chem", 1),)).hard_violations == 1


# ---- validate ------------------------------------------------------------------------------


def test_validate_names_a_lesson_whose_room_is_closed_whenever_it_could_be():
    """The teacher can only come in period 3; the lab is closed then."""
    t = Teacher("T", "A. Nurova", unavailable=frozenset({0, 1}))
    lab = replace(LAB, unavailable=frozenset({2}))
    p = problem(
        [lesson("chem", subject="Chemistry", resources=("lab",))],
        week(1, 3),
        teachers=[t],
        resources=[lab],
    )
    (finding,) = check(p)
    assert finding.kind == "lesson_no_room"
    assert finding.activities == ("chem",) and finding.resources == ("lab",)
    assert finding.detail == (
        "Chemistry for G (A. Nurova) needs room Lab, which is not available at any time the "
        "lesson could take place"
    )


def test_validate_names_the_rooms_of_a_lesson_none_of_which_is_ever_open():
    closed = frozenset(range(3))
    lab, hall = (
        Resource("lab", name="Lab", unavailable=closed),
        Resource("hall", name="Hall", unavailable=closed),
    )
    p = problem(
        [lesson("chem", subject="Chemistry", room_choices=("lab", "hall"))],
        week(1, 3),
        resources=[lab, hall],
    )
    (finding,) = check(p)
    assert finding.kind == "lesson_no_room" and finding.resources == ("lab", "hall")
    assert finding.detail == (
        "Chemistry for G (T) can only be in one of the rooms Lab and Hall, none of which is "
        "available at any time the lesson could take place"
    )


def test_a_lesson_that_fits_nowhere_for_its_people_is_not_blamed_on_its_room():
    g = Group("G", unavailable=frozenset(range(3)))
    p = problem([lesson("chem", resources=("lab",))], week(1, 3), groups=[g], resources=[LAB])
    assert {c.kind for c in check(p)} >= {"lesson_no_slot"}
    assert "lesson_no_room" not in {c.kind for c in check(p)}


# ---- FET files -----------------------------------------------------------------------------

SCHOOL = (Path(__file__).parents[2] / "data" / "fet" / "school.fet").read_bytes()
GYM_CLOSED_MONDAY = (
    "<ConstraintRoomNotAvailableTimes><Weight_Percentage>{weight}</Weight_Percentage>"
    "<Room>Gym</Room><Number_of_Not_Available_Times>2</Number_of_Not_Available_Times>"
    "<Not_Available_Time><Day>Mon</Day><Hour>1</Hour></Not_Available_Time>"
    "<Not_Available_Time><Day>Mon</Day><Hour>2</Hour></Not_Available_Time>"
    "<Active>true</Active><Comments></Comments></ConstraintRoomNotAvailableTimes>"
)
SPORT_IN_GYM = (
    "<ConstraintActivityPreferredRoom><Weight_Percentage>100</Weight_Percentage>"
    "<Activity_Id>4</Activity_Id><Room>Gym</Room></ConstraintActivityPreferredRoom>"
)


def school_with(space: str) -> bytes:
    return SCHOOL.replace(
        b"</Space_Constraints_List>", space.encode() + b"</Space_Constraints_List>"
    )


def gym(problem_):  # type: ignore[no-untyped-def]
    return next(r for r in problem_.resources if r.id == "Gym")


def test_fet_room_not_available_times_close_the_room():
    p = read_fet(school_with(GYM_CLOSED_MONDAY.format(weight=100)), strict=True)
    assert gym(p).unavailable == frozenset({0, 1})
    assert p.unsupported == ()


def test_fet_soft_room_not_available_times_are_listed_as_unsupported():
    p = read_fet(school_with(GYM_CLOSED_MONDAY.format(weight=90)))
    assert gym(p).unavailable == frozenset()
    assert p.unsupported == (Unsupported("ConstraintRoomNotAvailableTimes (weight below 100)"),)


def test_a_generated_fet_file_keeps_the_closed_periods_of_rooms():
    p = read_fet(school_with(GYM_CLOSED_MONDAY.format(weight=100) + SPORT_IN_GYM))
    again = read_fet(write_fet(p, None))
    assert gym(again).unavailable == frozenset({0, 1})
    assert again.unsupported == ()


EXAMPLES = Path("/usr/share/doc/fet-data/examples")
needs_fet_data = pytest.mark.skipif(
    not EXAMPLES.is_dir() and os.environ.get("CI") != "true",
    reason="Debian's fet-data is not installed",
)


@needs_fet_data
def test_a_real_school_with_closed_rooms_imports_with_nothing_unsupported():
    p = read_fet(EXAMPLES / "FET-5-official" / "Argentina" / "Horario_ISJ.fet", strict=True)
    closed = [r for r in p.resources if r.unavailable]
    assert closed and p.unsupported == ()
    assert check(p) == ()


@pytest.mark.skipif(not FET_CL.exists(), reason="FET's fet-cl is not installed")
def test_fet_reads_our_closed_rooms_the_same_way(tmp_path):
    """Sport (activity 4) must be in the Gym, closed on Monday morning: fet-cl solves the
    file we write, and its timetable keeps Sport out of those periods."""
    p = read_fet(school_with(GYM_CLOSED_MONDAY.format(weight=100) + SPORT_IN_GYM))
    written = tmp_path / "school.fet"
    written.write_bytes(write_fet(p, None))
    solved_file = run_fet_cl(written, tmp_path / "out")
    generated = read_fet(written)
    placed = read_fet_timetable(solved_file, generated)
    assert evaluate(generated, placed).hard_violations == 0
    sport = next(pl for pl in placed if pl.activity == "4")
    assert sport.room == "Gym" and sport.start not in (0, 1)
