"""Readiness audits: drafts, submitted versions and who may write them.

Bolat (principal of Kumsai) audits his school; Saule (teacher at Kumsai) may not; Aigerim
(methodologist of Alga) may not audit Kumsai, which is in Khromtau district; Dana (region
administrator) may audit any school.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from auyl.readiness import selectors, services
from auyl.readiness.models import Audit
from tests.factories import (
    ClassSetFactory,
    DeviceStockFactory,
    EnrolmentFactory,
    InfrastructureFactory,
)

COMPLETE = {
    "internet_type": "mobile",
    "internet_mbps": Decimal("8.0"),
    "reliability_pct": 80,
    "electricity": "stable",
    "rooms": 6,
    "rooms_with_panel": 1,
    "computer_lab": False,
    "science_lab": False,
    "stem_lab": False,
    "offline_server": False,
    "teachers_level_0": 2,
    "teachers_level_1": 3,
    "teachers_level_2": 1,
    "teachers_level_3": 0,
}
DEVICES = {"laptop:0_3:working": 4, "panel:4_7:working": 1}


@pytest.fixture
def kumsai(region):
    """Kumsai: 30 pupils in grades 1-8 taught in 4 class-sets."""
    for grade in range(1, 9):
        EnrolmentFactory(school=region.magnet, grade=grade, pupils=4 if grade < 8 else 2)
    for name, grades in (("1+3", [1, 3]), ("2+4", [2, 4]), ("5+6", [5, 6]), ("7+8", [7, 8])):
        ClassSetFactory(school=region.magnet, name=name, grades=grades)
    return region.magnet


def submit(school, by, **changes):
    services.audit_draft_save(school=school, data={**COMPLETE, **changes}, devices=DEVICES, by=by)
    return services.audit_submit(school=school, by=by)


def test_a_principal_saves_a_partial_draft(people, kumsai):
    draft = services.audit_draft_save(
        school=kumsai, data={"internet_type": "mobile"}, devices={}, by=people.bolat
    )
    assert draft.status == "draft" and draft.version is None and draft.rooms is None
    assert draft.created_by == people.bolat


def test_saving_again_changes_the_same_draft(people, kumsai):
    first = services.audit_draft_save(school=kumsai, data={"rooms": 5}, devices={}, by=people.bolat)
    again = services.audit_draft_save(school=kumsai, data={"rooms": 6}, devices={}, by=people.bolat)
    assert first.pk == again.pk and Audit.objects.filter(school=kumsai).count() == 1


def test_submitting_makes_version_1_with_who_and_when(people, kumsai):
    audit = submit(kumsai, people.bolat)
    assert (audit.status, audit.version, audit.is_latest) == ("submitted", 1, True)
    assert audit.submitted_by == people.bolat and audit.submitted_at is not None
    assert audit.index_at_submit == selectors.school_row(kumsai, ranked=False).index


def test_a_second_submission_is_version_2_and_the_one_that_counts(people, kumsai):
    v1 = submit(kumsai, people.bolat, internet_mbps=Decimal("8.0"))
    v2 = submit(kumsai, people.bolat, internet_mbps=Decimal("30.0"))
    v1.refresh_from_db()
    assert v2.version == 2 and v2.is_latest and not v1.is_latest
    row = selectors.school_row(kumsai, ranked=False)
    assert row.audit_version == 2 and row.state.internet_mbps == 30.0


def test_a_submitted_audit_cannot_be_changed(people, kumsai):
    audit = submit(kumsai, people.bolat)
    audit.rooms = 99
    with pytest.raises(ValidationError):
        audit.save()
    audit.refresh_from_db()
    assert audit.rooms == 6


def test_an_incomplete_draft_is_not_submitted_and_nothing_changes(people, kumsai):
    services.audit_draft_save(
        school=kumsai, data={"internet_type": "mobile"}, devices={}, by=people.bolat
    )
    with pytest.raises(ValidationError) as error:
        services.audit_submit(school=kumsai, by=people.bolat)
    assert "reliability_pct" in error.value.message_dict
    assert not Audit.objects.filter(school=kumsai, status="submitted").exists()


def test_save_and_submit_writes_nothing_when_the_audit_is_incomplete(people, kumsai):
    with pytest.raises(ValidationError):
        services.audit_save_and_submit(
            school=kumsai, data={"rooms": 4}, devices={}, by=people.bolat
        )
    assert not Audit.objects.filter(school=kumsai).exists()


def test_more_rooms_with_a_panel_than_working_panels_is_refused_on_submit(people, kumsai):
    services.audit_draft_save(
        school=kumsai, data={**COMPLETE, "rooms_with_panel": 3}, devices=DEVICES, by=people.bolat
    )
    with pytest.raises(ValidationError) as error:
        services.audit_submit(school=kumsai, by=people.bolat)
    assert "working panels" in error.value.message_dict["rooms_with_panel"][0]


def test_a_negative_device_count_is_refused(people, kumsai):
    with pytest.raises(ValidationError, match="negative"):
        services.audit_draft_save(
            school=kumsai, data={}, devices={"laptop:0_3:working": -3}, by=people.bolat
        )
    assert not Audit.objects.exists()


def test_an_absurd_device_count_is_refused(people, kumsai):
    with pytest.raises(ValidationError, match="not plausible"):
        services.audit_draft_save(
            school=kumsai, data={}, devices={"laptop:0_3:working": 90_000}, by=people.bolat
        )


def test_a_speed_with_no_internet_is_refused(people, kumsai):
    with pytest.raises(ValidationError) as error:
        services.audit_draft_save(
            school=kumsai,
            data={"internet_type": "none", "internet_mbps": Decimal("5")},
            devices={},
            by=people.bolat,
        )
    assert "internet_mbps" in error.value.message_dict


def test_saule_the_teacher_cannot_audit_her_school(people, kumsai):
    with pytest.raises(PermissionDenied):
        services.audit_draft_save(school=kumsai, data={}, devices={}, by=people.saule)


def test_aigerim_cannot_audit_a_khromtau_school(people, kumsai):
    with pytest.raises(PermissionDenied):
        services.audit_draft_save(school=kumsai, data={}, devices={}, by=people.aigerim)


def test_aigerim_audits_an_alga_school(people, region):
    draft = services.audit_draft_save(
        school=region.alga_school, data={"rooms": 3}, devices={}, by=people.aigerim
    )
    assert draft.school == region.alga_school


def test_nurlan_the_hub_coordinator_cannot_submit_for_a_magnet(people, kumsai):
    services.audit_draft_save(school=kumsai, data=COMPLETE, devices=DEVICES, by=people.bolat)
    with pytest.raises(PermissionDenied):
        services.audit_submit(school=kumsai, by=people.nurlan)


def test_a_draft_is_prefilled_from_the_registry(people, region):
    InfrastructureFactory(school=region.magnet, internet_type="satellite", internet_mbps=6, rooms=7)
    DeviceStockFactory(school=region.magnet, kind="laptop", condition="working", count=5)
    data, devices, source = services.audit_prefill(region.magnet)
    assert source == "registry"
    assert data["internet_type"] == "satellite" and data["rooms"] == 7
    assert devices == {"laptop:4_7:working": 5}


def test_a_new_draft_is_prefilled_from_the_latest_version(people, kumsai):
    submit(kumsai, people.bolat, rooms=9)
    data, devices, source = services.audit_prefill(kumsai)
    assert source == "audit v1" and data["rooms"] == 9 and devices == DEVICES


def test_discarding_a_draft_keeps_the_submitted_versions(people, kumsai):
    submit(kumsai, people.bolat)
    services.audit_draft_save(school=kumsai, data={"rooms": 1}, devices={}, by=people.bolat)
    services.audit_discard(school=kumsai, by=people.bolat)
    assert list(Audit.objects.filter(school=kumsai).values_list("status", flat=True)) == [
        "submitted"
    ]


def test_without_an_audit_the_registry_counts(region, kumsai):
    InfrastructureFactory(school=kumsai, internet_type="fibre", internet_mbps=50, rooms=6)
    row = selectors.school_row(kumsai, ranked=False)
    assert not row.audited and row.state.internet_mbps == 50.0
    assert row.readiness.component("teachers").score == 0.0  # unknown without an audit


def test_the_latest_audit_decides_the_needs(people, kumsai):
    submit(kumsai, people.bolat)  # 8 Mbps < 20: a connection; 4 laptops for 30 pupils: 2 more
    needs = {n.item: n.quantity for n in selectors.school_row(kumsai, ranked=False).needs}
    assert needs == {"internet": 1, "laptop": 2, "panel": 3, "lab_stem": 1}
