"""Export followed by import is the identity, whatever the registry holds (property test).

Hypothesis builds random but valid registries on top of the ``region`` fixture: schools
with Kazakh, Russian and formula-looking names, hubs and magnets, enrolment with class-sets,
teachers with subjects and teaching at several schools, infrastructure with device counts.
For CSV and XLSX alike:

- importing the export of every dataset finds nothing to create, update or delete;
- wiping the generated data and importing the exports brings back exactly the same registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auyl.registry.io.apply import import_file, plan_for_file
from auyl.registry.io.datasets import DEVICE_COLUMNS
from auyl.registry.io.export import export_dataset
from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    District,
    Enrolment,
    Infrastructure,
    School,
    Subject,
    Teacher,
    TeachingAssignment,
)
from auyl.registry.subjects import SUBJECTS

DATASETS = ("schools", "enrolment", "teachers", "infrastructure")
FIXTURE_CODES = {"ALG001", "ALG002", "KHR001", "KHR007"}
SUBJECT_CODES = [code for code, *_names in SUBJECTS]
HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people type it, and as attackers do: Kazakh and Russian letters, quotes, the
# delimiters, a line break, and the characters that start a spreadsheet formula.
LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАӘҒҚҢӨҰҮҺІABCxyz0123456789"
text = (
    st.text(alphabet=LETTERS + " ,;:'\"=+-@№\n\t()", min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
codes = st.text(alphabet="ABCKZ0123456789-=+@'_", min_size=1, max_size=8).filter(
    lambda c: c not in FIXTURE_CODES
)
coordinate = st.floats(-90, 90, allow_nan=False).map(lambda x: round(x, 6))
longitude = st.floats(-180, 180, allow_nan=False).map(lambda x: round(x, 6))


@st.composite
def registries(draw: st.DrawFn) -> dict[str, Any]:
    school_codes = draw(st.lists(codes, min_size=1, max_size=5, unique=True))
    schools = []
    hubs = ["ALG001"]
    for code in school_codes:
        role = draw(st.sampled_from(["none", "hub", "magnet"]))
        hub = draw(st.sampled_from(hubs)) if role == "magnet" else None
        if role == "hub":
            hubs.append(code)
        schools.append(
            {
                "code": code,
                "district": draw(st.sampled_from(["alga", "khromtau"])),
                "name_kk": draw(text),
                "name_ru": draw(text),
                "settlement_kk": draw(text),
                "settlement_ru": draw(text),
                "locality": draw(st.sampled_from(["rural", "urban"])),
                "language": draw(st.sampled_from(["kk", "ru", "mixed"])),
                "network_role": role,
                "hub": hub,
                "latitude": draw(coordinate),
                "longitude": draw(longitude),
            }
        )
    enrolment, class_sets = [], []
    for code in school_codes:
        grades = draw(st.lists(st.integers(0, 11), unique=True, max_size=6))
        names = draw(st.lists(text.map(lambda t: t[:50]), unique=True, max_size=3))
        members: dict[str, list[int]] = {}
        for grade in grades:
            enrolment.append((code, grade, draw(st.integers(0, 5000))))
            name = draw(st.sampled_from(["", *names]))
            if name:
                members.setdefault(name, []).append(grade)
        class_sets += [(code, name, sorted(gs)) for name, gs in members.items()]
    teachers = []
    for teacher_code in draw(st.lists(codes, max_size=4, unique=True)):
        teachers.append(
            {
                "code": teacher_code,
                "full_name": draw(text),
                "school": draw(st.sampled_from(school_codes)),
                "weekly_hours": draw(st.integers(0, 40)),
                "subjects": draw(st.sets(st.sampled_from(SUBJECT_CODES), max_size=3)),
                "pairs": draw(
                    st.sets(
                        st.tuples(
                            st.sampled_from([*school_codes, "ALG002"]),
                            st.sampled_from(SUBJECT_CODES),
                        ),
                        max_size=3,
                    )
                ),
            }
        )
    infrastructure = []
    for code in draw(st.lists(st.sampled_from(school_codes), unique=True)):
        kind = draw(st.sampled_from(["none", "fibre", "adsl", "mobile", "satellite", "radio"]))
        tenths = 0 if kind == "none" else draw(st.integers(1, 100_000))
        infrastructure.append(
            {
                "code": code,
                "internet_type": kind,
                "internet_mbps": Decimal(tenths) / 10,
                "electricity": draw(st.sampled_from(["stable", "unstable", "off_grid"])),
                "rooms": draw(st.integers(0, 300)),
                "computer_lab": draw(st.booleans()),
                "science_lab": draw(st.booleans()),
                "stem_lab": draw(st.booleans()),
                "devices": draw(
                    st.dictionaries(
                        st.sampled_from([(k, c) for _n, k, c in DEVICE_COLUMNS]),
                        st.integers(0, 5000),
                        max_size=4,
                    )
                ),
            }
        )
    return {
        "schools": schools,
        "enrolment": enrolment,
        "class_sets": class_sets,
        "teachers": teachers,
        "infrastructure": infrastructure,
    }


def build(world: dict[str, Any]) -> None:
    """Write a generated registry straight through the ORM (not through the import)."""
    districts = dict(District.objects.values_list("code", "id"))
    ids = dict(School.objects.values_list("code", "id"))
    for s in sorted(world["schools"], key=lambda s: s["network_role"] == "magnet"):
        school = School.objects.create(
            district_id=districts[s["district"]],
            hub_id=ids[s["hub"]] if s["hub"] else None,
            **{k: v for k, v in s.items() if k not in ("district", "hub")},
        )
        ids[school.code] = school.pk
    for code, grade, pupils in world["enrolment"]:
        Enrolment.objects.create(school_id=ids[code], grade=grade, pupils=pupils)
    for code, name, grades in world["class_sets"]:
        ClassSet.objects.create(school_id=ids[code], name=name, grades=grades)
    subjects = dict(Subject.objects.values_list("code", "id"))
    for t in world["teachers"]:
        teacher = Teacher.objects.create(
            code=t["code"],
            full_name=t["full_name"],
            school_id=ids[t["school"]],
            weekly_hours=t["weekly_hours"],
        )
        teacher.subjects.set([subjects[s] for s in t["subjects"]])
        for school, subject in t["pairs"]:
            teacher.assignments.create(school_id=ids[school], subject_id=subjects[subject])
    for i in world["infrastructure"]:
        values = {k: v for k, v in i.items() if k not in ("code", "devices")}
        Infrastructure.objects.create(school_id=ids[i["code"]], **values)
        for (kind, condition), count in i["devices"].items():
            DeviceStock.objects.create(
                school_id=ids[i["code"]], kind=kind, condition=condition, count=count
            )


def wipe(world: dict[str, Any]) -> None:
    TeachingAssignment.objects.all().delete()
    Teacher.objects.all().delete()
    DeviceStock.objects.all().delete()
    Infrastructure.objects.all().delete()
    ClassSet.objects.all().delete()
    Enrolment.objects.all().delete()
    generated = [s["code"] for s in world["schools"]]
    School.objects.filter(code__in=generated, network_role="magnet").delete()
    School.objects.filter(code__in=generated).delete()


def _rows(queryset: Any, *fields: str) -> list[tuple[Any, ...]]:
    return sorted(
        tuple("" if v is None else v for v in row) for row in queryset.values_list(*fields)
    )


def natural_dump() -> dict[str, Any]:
    """The registry by codes rather than ids, so that it survives a wipe and re-import."""
    subjects: dict[str, list[str]] = {}
    for teacher, subject in Teacher.subjects.through.objects.values_list(
        "teacher__code", "subject__code"
    ):
        subjects.setdefault(teacher, []).append(subject)
    return {
        "schools": _rows(
            School.objects,
            "code",
            "district__code",
            "name_kk",
            "name_ru",
            "settlement_kk",
            "settlement_ru",
            "locality",
            "language",
            "network_role",
            "hub__code",
            "latitude",
            "longitude",
        ),
        "enrolment": _rows(Enrolment.objects, "school__code", "grade", "pupils"),
        "class_sets": sorted(
            (code, name, tuple(grades))
            for code, name, grades in ClassSet.objects.values_list("school__code", "name", "grades")
        ),
        "teachers": _rows(Teacher.objects, "code", "full_name", "school__code", "weekly_hours"),
        "subjects": sorted((t, tuple(sorted(s))) for t, s in subjects.items()),
        "assignments": _rows(
            TeachingAssignment.objects, "teacher__code", "school__code", "subject__code"
        ),
        "infrastructure": _rows(
            Infrastructure.objects,
            "school__code",
            "internet_type",
            "internet_mbps",
            "electricity",
            "rooms",
            "computer_lab",
            "science_lab",
            "stem_lab",
        ),
        "devices": _rows(
            DeviceStock.objects.filter(count__gt=0), "school__code", "kind", "condition", "count"
        ),
    }


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each Hypothesis example starts from the fixture's registry again."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def exports(tmp_path: Path) -> Any:
    def write(dataset: str, user: Any, fmt: str) -> Path:
        path = tmp_path / f"{dataset}.{fmt}"
        path.write_bytes(export_dataset(dataset, user, fmt))
        return path

    return write


@HYPOTHESIS
@given(world=registries())
def test_importing_an_export_changes_nothing(people, exports, world):
    with translation.override("en"), rolled_back():
        build(world)
        for fmt in ("csv", "xlsx"):
            for dataset in DATASETS:
                plan = plan_for_file(
                    exports(dataset, people.dana, fmt), dataset=dataset, user=people.dana
                )
                assert plan.ok, (fmt, dataset, plan.issues)
                changed = [c for c in plan.changes if c.action != "unchanged"]
                assert changed == [], (fmt, dataset)


@HYPOTHESIS
@given(world=registries(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_wiping_and_importing_the_exports_restores_the_registry(people, exports, world, fmt):
    with translation.override("en"), rolled_back():
        build(world)
        expected = natural_dump()
        files = {dataset: exports(dataset, people.dana, fmt) for dataset in DATASETS}
        wipe(world)
        for dataset in DATASETS:
            plan, writer = import_file(files[dataset], dataset=dataset, user=people.dana)
            assert writer is not None, (dataset, plan.issues)
        assert natural_dump() == expected
