"""Who sees and edits which school (auyl.accounts.scoping)."""

from __future__ import annotations

from auyl.accounts.scoping import can_edit_school, visible_schools


def codes(user) -> set[str]:
    return set(visible_schools(user).values_list("code", flat=True))


def test_region_admin_sees_every_school(people, region):
    assert codes(people.dana) == {"ALG001", "KHR007", "ALG002", "KHR001"}


def test_methodologist_sees_only_her_district(people, region):
    assert codes(people.aigerim) == {"ALG001", "ALG002"}


def test_hub_coordinator_sees_his_hub_and_its_magnets_even_across_districts(people, region):
    assert codes(people.nurlan) == {"ALG001", "KHR007"}


def test_principal_and_teacher_see_only_their_school(people, region):
    assert codes(people.bolat) == {"KHR007"}
    assert codes(people.saule) == {"KHR007"}


def test_user_without_role_sees_nothing(people, region):
    assert codes(people.yerlan) == set()


def test_who_may_edit_a_school(people, region):
    assert can_edit_school(people.dana, region.khromtau_school)
    assert can_edit_school(people.aigerim, region.alga_school)
    assert not can_edit_school(people.aigerim, region.khromtau_school)
    assert not can_edit_school(people.nurlan, region.hub)
    assert can_edit_school(people.bolat, region.magnet)
    assert not can_edit_school(people.bolat, region.hub)
    assert not can_edit_school(people.saule, region.magnet)
    assert not can_edit_school(people.yerlan, region.magnet)
