"""The demo registry: the Aktobe region as the programme describes it, and the country.

The figures come from ``shared/domain/facts.md``: Aktobe has 424 schools, 281 of them rural
and about 200 small; 12 hub schools (the first, Bestamak in Alga, with 770 pupils) serve
134 magnet schools; about 158,000 pupils, few of them in rural schools; 77.4% of schools
got good internet. Kazakhstan has about 7,700 schools, 68% rural, half of them small.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

import pytest

from auyl.demo.generator import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    RegionSpec,
    distance_km,
    generate_region,
    norm_mbps,
    read_aktobe_districts,
    ru_adjective,
)


@pytest.fixture(scope="module")
def aktobe() -> RegionSpec:
    return generate_region(seed=2024)


@pytest.fixture(scope="module")
def national() -> RegionSpec:
    return generate_region(seed=2024, schools=7700)


def schools_by_code(spec: RegionSpec) -> dict:
    return {s.code: s for s in spec.schools}


# --- Aktobe: the counts the programme reports ---------------------------------------------


def test_aktobe_has_424_schools_of_which_281_rural(aktobe: RegionSpec) -> None:
    assert len(aktobe.schools) == 424
    assert sum(s.locality == "rural" for s in aktobe.schools) == 281
    assert [o.code for o in aktobe.oblasts] == ["aktobe-demo"]


def test_aktobe_has_its_13_real_districts(aktobe: RegionSpec) -> None:
    csv_rows = read_aktobe_districts()
    assert len(aktobe.districts) == len(csv_rows) == 13
    by_code = {d.code: d for d in aktobe.districts}
    assert {"aktobe-city", "alga", "khromtau", "bayganin"} <= set(by_code)
    alga = by_code["alga"]
    assert (alga.centre_lat, alga.centre_lon) == (49.9028, 57.3350)
    assert alga.name_kk == "Алға ауданы" and alga.name_ru == "Алгинский район"


def test_urban_schools_are_in_aktobe_city_and_the_towns(aktobe: RegionSpec) -> None:
    urban = Counter(s.district_code for s in aktobe.schools if s.locality == "urban")
    assert urban.most_common(1)[0][0] == "aktobe-city"
    assert urban["aktobe-city"] > 100
    towns = {s.settlement_ru for s in aktobe.schools if s.locality == "urban"}
    assert towns == {"Актобе", "Алга", "Хромтау", "Кандыагаш", "Шалкар", "Темир", "Эмба", "Жем"}


def test_12_hubs_serve_exactly_134_magnets(aktobe: RegionSpec) -> None:
    schools = schools_by_code(aktobe)
    hubs = [s for s in aktobe.schools if s.network_role == "hub"]
    magnets = [s for s in aktobe.schools if s.network_role == "magnet"]
    assert len(hubs) == 12
    assert len(magnets) == 134
    assert all(schools[m.hub_code].network_role == "hub" for m in magnets)
    assert all(s.hub_code is None for s in aktobe.schools if s.network_role != "magnet")
    per_hub = Counter(m.hub_code for m in magnets)
    assert set(per_hub) == {h.code for h in hubs}
    assert all(9 <= n <= 14 for n in per_hub.values()), per_hub  # about 11 each


def test_bestamak_is_the_770_pupil_hub_of_alga_and_kumsai_its_magnet(aktobe: RegionSpec) -> None:
    schools = schools_by_code(aktobe)
    bestamak = schools[aktobe.landmarks["bestamak"]]
    assert bestamak.network_role == "hub" and bestamak.district_code == "alga"
    assert bestamak.pupils == pytest.approx(770, abs=10)
    assert bestamak.rooms == 27 and bestamak.stem_lab
    assert bestamak.name_kk == "Бестамақ жалпы білім беретін мектебі"
    assert bestamak.name_ru == "Бестамакская общеобразовательная школа"
    kumsai = schools[aktobe.landmarks["kumsai"]]
    assert kumsai.settlement_ru == "Кумсай" and kumsai.district_code == "khromtau"
    assert kumsai.hub_code == bestamak.code and kumsai.is_small


def test_hubs_are_larger_rural_schools(aktobe: RegionSpec) -> None:
    hubs = [s for s in aktobe.schools if s.network_role == "hub"]
    assert all(s.locality == "rural" and not s.is_small for s in hubs)
    small = [s.pupils for s in aktobe.schools if s.is_small]
    assert min(h.pupils for h in hubs) > 3 * statistics.mean(small)


def test_magnets_are_small_schools_near_their_hub(aktobe: RegionSpec) -> None:
    schools = schools_by_code(aktobe)
    magnets = [s for s in aktobe.schools if s.network_role == "magnet"]
    assert all(m.is_small for m in magnets)
    for m in magnets:
        hub = schools[m.hub_code]
        assert distance_km(m.latitude, m.longitude, hub.latitude, hub.longitude) < 150, m.code
    same_district = sum(schools[m.hub_code].district_code == m.district_code for m in magnets)
    assert same_district / len(magnets) > 0.75


# --- Small schools and class-sets --------------------------------------------------------------


def test_about_200_small_schools_have_combined_class_sets(aktobe: RegionSpec) -> None:
    small = [s for s in aktobe.schools if s.is_small]
    assert 180 <= len(small) <= 220
    assert all(s.locality == "rural" for s in small)
    combined = Counter(name for s in small for name, grades in s.class_sets if len(grades) > 1)
    assert {"1+3", "2+4", "5+6"} <= set(combined)


def test_small_schools_have_few_pupils_per_grade(aktobe: RegionSpec) -> None:
    per_grade = [n for s in aktobe.schools if s.is_small for g, n in s.enrolment.items() if g]
    assert max(per_grade) <= 12
    assert min(per_grade) >= 2
    assert statistics.median(per_grade) <= 6


def test_every_grade_with_pupils_is_in_exactly_one_class_set(aktobe: RegionSpec) -> None:
    for s in aktobe.schools:
        listed = Counter(g for _, grades in s.class_sets for g in grades)
        assert set(listed) == set(s.enrolment), s.code
        assert all(n == 1 for n in listed.values()), s.code


def test_every_grade_of_a_class_set_has_pupils(aktobe: RegionSpec) -> None:
    for s in aktobe.schools:
        assert all(n > 0 for n in s.enrolment.values()), s.code
        for name, grades in s.class_sets:
            assert list(grades) == sorted(set(grades)), (s.code, name)
            assert all(s.enrolment.get(g, 0) > 0 for g in grades), (s.code, name)
        names = [name for name, _ in s.class_sets]
        assert len(names) == len(set(names)), s.code


def test_schools_that_are_not_small_do_not_combine_grades(aktobe: RegionSpec) -> None:
    for s in aktobe.schools:
        if not s.is_small:
            assert all(len(grades) == 1 for _, grades in s.class_sets), s.code


# --- Pupils and connectivity ----------------------------------------------------------------


def test_about_158000_pupils_few_of_them_rural(aktobe: RegionSpec) -> None:
    total = sum(s.pupils for s in aktobe.schools)
    rural = sum(s.pupils for s in aktobe.schools if s.locality == "rural")
    assert 0.9 * 158_000 <= total <= 1.1 * 158_000
    assert 0.06 <= rural / total <= 0.14


def test_aktobe_city_schools_are_big(aktobe: RegionSpec) -> None:
    city = [s.pupils for s in aktobe.schools if s.district_code == "aktobe-city"]
    assert statistics.median(city) >= 800
    assert max(city) <= 2_000


def test_about_77_percent_meet_the_internet_norm(aktobe: RegionSpec) -> None:
    from auyl.engines.norms import is_connectivity_adequate

    adequate = sum(is_connectivity_adequate(s.internet_mbps, s.pupils) for s in aktobe.schools)
    assert 0.70 <= adequate / len(aktobe.schools) <= 0.85
    kinds = Counter(s.internet_type for s in aktobe.schools)
    assert kinds["none"] > 0 and kinds["satellite"] > 0


def test_the_generator_uses_the_engines_internet_norm() -> None:
    from auyl.engines.norms import connectivity_norm_mbps

    for pupils in (0, 30, 400, 401, 770, 1500):
        assert norm_mbps(pupils) == connectivity_norm_mbps(pupils)


def test_infrastructure_and_devices_fit_the_models(aktobe: RegionSpec) -> None:
    from auyl.registry.models import DeviceStock, Infrastructure, School

    for s in aktobe.schools:
        assert s.language in School.Language.values
        assert s.internet_type in Infrastructure.InternetType.values
        assert s.electricity in Infrastructure.Electricity.values
        assert (s.internet_mbps == 0) == (s.internet_type == "none"), s.code
        assert 0 < s.rooms <= 300
        keys = [(kind, cond) for kind, cond, _ in s.devices]
        assert len(keys) == len(set(keys)), s.code
        for kind, cond, count in s.devices:
            assert kind in DeviceStock.Kind.values and cond in DeviceStock.Condition.values
            assert 0 < count <= 5000


# --- Places ----------------------------------------------------------------------------------


def test_schools_lie_around_their_district_centre(aktobe: RegionSpec) -> None:
    centre = {d.code: (d.centre_lat, d.centre_lon) for d in aktobe.districts}
    for s in aktobe.schools:
        km = distance_km(s.latitude, s.longitude, *centre[s.district_code])
        limit = 8.5 if s.district_code == "aktobe-city" else 110
        assert km <= limit, (s.code, s.district_code, km)


def test_names_read_like_kazakh_places(aktobe: RegionSpec) -> None:
    rural = [s for s in aktobe.schools if s.locality == "rural"]
    assert len({s.settlement_kk for s in rural}) > 200
    for s in rural:
        assert s.settlement_kk and s.settlement_ru
        assert s.name_kk.startswith(s.settlement_kk), s.name_kk
        assert "школа" in s.name_ru
    city_names = {s.name_ru for s in aktobe.schools if s.district_code == "aktobe-city"}
    assert any(n.startswith("Школа-гимназия №") for n in city_names)


@pytest.mark.parametrize(
    ("settlement", "adjective"),
    [
        ("Бестамак", "Бестамакская"),
        ("Кумсай", "Кумсайская"),
        ("Коктобе", "Коктобинская"),
        ("Бадамша", "Бадамшинская"),
        ("Акколь", "Аккольская"),
        ("Котибар батыр", None),
    ],
)
def test_russian_school_names_use_the_settlements_adjective(
    settlement: str, adjective: str | None
) -> None:
    assert ru_adjective(settlement) == adjective


# --- Teachers --------------------------------------------------------------------------------


def test_every_school_has_teachers_and_some_teach_at_two_schools(aktobe: RegionSpec) -> None:
    taught_at = {code for t in aktobe.teachers for code, _ in t.assignments}
    assert taught_at == {s.code for s in aktobe.schools}
    two_schools = [t for t in aktobe.teachers if len({c for c, _ in t.assignments}) == 2]
    assert len(two_schools) >= 20
    assert all(len({c for c, _ in t.assignments}) <= 2 for t in aktobe.teachers)
    assert all(t.school_code in {c for c, _ in t.assignments} for t in two_schools)


def test_teachers_in_small_schools_cover_several_subjects(aktobe: RegionSpec) -> None:
    small = {s.code for s in aktobe.schools if s.is_small}
    specialists = [
        t
        for t in aktobe.teachers
        if t.school_code in small and "literacy" not in t.subjects  # not class teachers
    ]
    taught = [len({subject for _, subject in t.assignments}) for t in specialists]
    assert statistics.mean(taught) >= 3


def test_outside_small_schools_teachers_teach_only_what_they_are_qualified_for(
    aktobe: RegionSpec,
) -> None:
    from auyl.registry.subjects import SUBJECTS

    codes = {row[0] for row in SUBJECTS}
    small = {s.code for s in aktobe.schools if s.is_small}
    for t in aktobe.teachers:
        assert set(t.subjects) <= codes
        assert 0 < t.weekly_hours <= 40
        assert len(t.full_name.split()) == 3
        if t.school_code not in small:
            assert {subject for _, subject in t.assignments} <= set(t.subjects), t.code


def test_many_small_schools_teach_a_subject_with_no_qualified_teacher(
    aktobe: RegionSpec,
) -> None:
    """The gap hub schools fill with online lessons: a small-school teacher who takes on a
    further subject family teaches it without the qualification."""
    small = {s.code for s in aktobe.schools if s.is_small}
    qualified: dict[str, set[str]] = {code: set() for code in small}
    taught: dict[str, set[str]] = {code: set() for code in small}
    for t in aktobe.teachers:
        for school, subject in t.assignments:
            if school in small:
                taught[school].add(subject)
                if subject in t.subjects:
                    qualified[school].add(subject)
    with_gap = [code for code in small if taught[code] - qualified[code]]
    assert 0.3 * len(small) <= len(with_gap) < len(small)


# --- Codes, determinism, national scale -----------------------------------------------------


def test_codes_are_unique_and_well_formed(aktobe: RegionSpec) -> None:
    codes = [s.code for s in aktobe.schools]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"AKT-\d{4}", c) for c in codes)
    teacher_codes = [t.code for t in aktobe.teachers]
    assert len(teacher_codes) == len(set(teacher_codes))
    assert all(re.fullmatch(r"T\d{6}", c) for c in teacher_codes)


def test_same_seed_same_region_another_seed_another(aktobe: RegionSpec) -> None:
    assert generate_region(seed=2024) == aktobe
    other = generate_region(seed=7)
    assert other != aktobe
    assert [s.pupils for s in other.schools] != [s.pupils for s in aktobe.schools]
    assert len(other.schools) == 424  # the calibration holds for any seed
    assert sum(s.network_role == "magnet" for s in other.schools) == 134


def test_fewer_schools_than_aktobe_is_refused() -> None:
    with pytest.raises(ValueError, match="424"):
        generate_region(schools=100)


def test_national_scale_has_7700_schools_two_thirds_rural(national: RegionSpec) -> None:
    n = len(national.schools)
    assert n == 7700
    rural = sum(s.locality == "rural" for s in national.schools)
    assert 0.64 <= rural / n <= 0.72
    small = sum(s.is_small for s in national.schools)
    assert 0.45 <= small / n <= 0.55
    hubs = sum(s.network_role == "hub" for s in national.schools)
    assert 180 <= hubs <= 220
    assert len(national.oblasts) == 17


def test_national_scale_codes_are_unique_and_places_in_kazakhstan(national: RegionSpec) -> None:
    for codes in (
        [d.code for d in national.districts],
        [s.code for s in national.schools],
        [t.code for t in national.teachers],
    ):
        assert len(codes) == len(set(codes))
    assert all(len(d.code) <= 30 for d in national.districts)
    for s in national.schools:
        assert 40 <= s.latitude <= 56 and 46 <= s.longitude <= 88, s.code
        assert max(s.enrolment.values()) <= 5000, s.code  # the model's limit per grade


def test_national_scale_keeps_the_aktobe_region_unchanged(
    aktobe: RegionSpec, national: RegionSpec
) -> None:
    assert national.schools[:424] == aktobe.schools
    assert national.landmarks == aktobe.landmarks


def test_national_magnets_have_a_hub_nearby(national: RegionSpec) -> None:
    schools = schools_by_code(national)
    for m in national.schools:
        if m.network_role == "magnet":
            hub = schools[m.hub_code]
            assert hub.network_role == "hub"
            assert distance_km(m.latitude, m.longitude, hub.latitude, hub.longitude) < 150


# --- Loading into the database --------------------------------------------------------------


@pytest.mark.django_db
def test_ensure_demo_region_loads_what_the_generator_made(aktobe: RegionSpec) -> None:
    from auyl.demo.loader import CHANGE_REASON, ensure_demo_region
    from auyl.registry.models import (
        ClassSet,
        DeviceStock,
        Enrolment,
        Infrastructure,
        Region,
        School,
        Teacher,
        TeachingAssignment,
    )

    assert ensure_demo_region(progress=lambda _: None) is True

    assert list(Region.objects.values_list("code", "is_demo")) == [("aktobe-demo", True)]
    assert School.objects.count() == 424
    assert School.objects.filter(locality="rural").count() == 281
    assert School.objects.filter(network_role="hub").count() == 12
    assert School.objects.filter(network_role="magnet", hub__network_role="hub").count() == 134
    expected = {
        Enrolment: sum(len(s.enrolment) for s in aktobe.schools),
        ClassSet: sum(len(s.class_sets) for s in aktobe.schools),
        Infrastructure: 424,
        DeviceStock: sum(len(s.devices) for s in aktobe.schools),
        Teacher: len(aktobe.teachers),
        TeachingAssignment: sum(len(t.assignments) for t in aktobe.teachers),
    }
    for model, count in expected.items():
        assert model.objects.count() == count, model
        # every row has its "created" history row
        assert model.history.filter(history_type="+").count() == count, model
    assert Teacher.subjects.through.objects.count() == sum(len(t.subjects) for t in aktobe.teachers)

    kumsai = School.objects.get(code=aktobe.landmarks["kumsai"])
    spec = schools_by_code(aktobe)[kumsai.code]
    assert kumsai.hub.code == aktobe.landmarks["bestamak"]
    assert dict(kumsai.enrolments.values_list("grade", "pupils")) == spec.enrolment
    assert [tuple(g) for g in kumsai.class_sets.values_list("grades", flat=True)] == [
        g for _, g in sorted(spec.class_sets)
    ]
    assert float(kumsai.infrastructure.internet_mbps) == spec.internet_mbps
    kumsai.full_clean()
    created = kumsai.history.get()
    assert created.history_change_reason == CHANGE_REASON and created.hub_id == kumsai.hub_id

    teacher = Teacher.objects.filter(school=kumsai).first()
    snapshot = teacher.history.get()
    assert {r.subject_id for r in snapshot.subjects.all()} == set(
        teacher.subjects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_the_five_demo_users_have_their_roles_and_scopes(aktobe: RegionSpec) -> None:
    from django.contrib.auth import get_user_model

    from auyl.accounts.models import Role
    from auyl.demo.loader import ensure_demo_region

    ensure_demo_region(progress=lambda _: None)
    users = {u.username: u for u in get_user_model().objects.select_related("profile")}
    assert set(users) == {a.username for a in DEMO_ACCOUNTS}
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())

    admin = users["admin"]
    assert admin.is_superuser and admin.is_staff and admin.profile.role == Role.REGION_ADMIN
    methodologist = users["methodologist"].profile
    assert methodologist.role == Role.METHODOLOGIST and methodologist.district.code == "alga"
    hub = users["hub"].profile
    assert hub.role == Role.HUB_COORDINATOR
    assert hub.school.code == aktobe.landmarks["bestamak"] and hub.school.network_role == "hub"
    for username, role in (("principal", Role.PRINCIPAL), ("teacher", Role.TEACHER)):
        profile = users[username].profile
        assert profile.role == role
        assert profile.school.code == aktobe.landmarks["kumsai"]
        assert profile.school.hub == hub.school
        assert not users[username].is_staff


@pytest.mark.django_db
def test_ensure_demo_region_builds_once(aktobe: RegionSpec) -> None:
    from django.contrib.auth import get_user_model

    from auyl.demo.loader import demo_accounts_table, ensure_demo_region
    from auyl.registry.models import School, Teacher

    assert ensure_demo_region(progress=lambda _: None) is True
    before = (School.objects.count(), Teacher.objects.count(), School.history.count())
    messages: list[str] = []
    assert ensure_demo_region(progress=messages.append) is False
    assert (School.objects.count(), Teacher.objects.count(), School.history.count()) == before
    assert get_user_model().objects.count() == len(DEMO_ACCOUNTS)
    assert messages == ["A demo region already exists: nothing to build."]

    table = demo_accounts_table()
    for account in DEMO_ACCOUNTS:
        assert account.username in table
    assert DEMO_PASSWORD in table
    assert "Бестамакская общеобразовательная школа" in table
