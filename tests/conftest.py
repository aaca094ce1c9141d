"""Shared fixtures: a small region and the people who use it.

The people (each test may ask for ``people`` and read ``people.aigerim`` etc.):

- Dana is the region administrator: sees and edits every school.
- Aigerim is the methodologist of Alga district: sees and edits Alga's schools only.
- Nurlan coordinates the Alga hub (Bestamak): sees the hub and its magnet Kumsai (which
  lies in Khromtau district), edits nothing.
- Bolat is principal of the magnet school Kumsai: sees and edits Kumsai only.
- Saule teaches at Kumsai: sees Kumsai, edits nothing.
- Yerlan has an account but no role: sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Region:
    alga: Any
    khromtau: Any
    hub: Any  # Bestamak, a hub school in Alga
    magnet: Any  # Kumsai, a magnet of Bestamak, in Khromtau
    alga_school: Any  # Alga No. 2, an ordinary school in Alga
    khromtau_school: Any  # Khromtau No. 1, an ordinary school in Khromtau


@dataclass
class People:
    dana: Any
    aigerim: Any
    nurlan: Any
    bolat: Any
    saule: Any
    yerlan: Any


@pytest.fixture
def region(db: None) -> Region:
    from auyl.registry.models import School
    from tests.factories import DistrictFactory, RegionFactory, SchoolFactory

    RegionFactory()
    alga = DistrictFactory(code="alga", name_kk="Алға", name_ru="Алгинский", name_en="Alga")
    khromtau = DistrictFactory(
        code="khromtau", name_kk="Хромтау", name_ru="Хромтауский", name_en="Khromtau"
    )
    hub = SchoolFactory(
        code="ALG001",
        district=alga,
        name_kk="Бестамақ мектебі",
        name_ru="Школа Бестамак",
        network_role=School.NetworkRole.HUB,
    )
    magnet = SchoolFactory(
        code="KHR007",
        district=khromtau,
        name_kk="Құмсай мектебі",
        name_ru="Школа Кумсай",
        network_role=School.NetworkRole.MAGNET,
        hub=hub,
    )
    alga_school = SchoolFactory(code="ALG002", district=alga, name_ru="Алгинская школа №2")
    khromtau_school = SchoolFactory(code="KHR001", district=khromtau, name_ru="Хромтау №1")
    return Region(alga, khromtau, hub, magnet, alga_school, khromtau_school)


@pytest.fixture
def people(region: Region) -> People:
    from auyl.accounts.models import Role
    from tests.factories import UserFactory, make_person

    return People(
        dana=make_person("dana", Role.REGION_ADMIN),
        aigerim=make_person("aigerim", Role.METHODOLOGIST, district=region.alga),
        nurlan=make_person("nurlan", Role.HUB_COORDINATOR, school=region.hub),
        bolat=make_person("bolat", Role.PRINCIPAL, school=region.magnet),
        saule=make_person("saule", Role.TEACHER, school=region.magnet),
        yerlan=UserFactory(username="yerlan"),
    )
