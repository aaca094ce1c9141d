"""factory_boy factories for the registry and accounts."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from auyl.accounts.models import Profile, Role
from auyl.registry.models import (
    ClassSet,
    DeviceStock,
    District,
    Enrolment,
    Infrastructure,
    Region,
    School,
    Teacher,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "aktobe"
    name_kk = "Ақтөбе облысы"
    name_ru = "Актюбинская область"
    is_demo = False


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"district-{n}")
    name_kk = factory.Sequence(lambda n: f"Аудан {n}")
    name_ru = factory.Sequence(lambda n: f"Район {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    centre_lat = 50.0
    centre_lon = 57.0


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"S{n:05d}")
    district = factory.SubFactory(DistrictFactory)
    name_kk = factory.Sequence(lambda n: f"№{n} мектеп")
    name_ru = factory.Sequence(lambda n: f"Школа №{n}")
    settlement_kk = "Ауыл"
    settlement_ru = "Аул"
    locality = School.Locality.RURAL
    language = School.Language.KAZAKH
    network_role = School.NetworkRole.NONE
    latitude = 50.1
    longitude = 57.1


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    school = factory.SubFactory(SchoolFactory)
    grade = 1
    pupils = 10


class ClassSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassSet

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"set-{n}")
    grades = factory.LazyFunction(lambda: [1])


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    code = factory.Sequence(lambda n: f"T{n:06d}")
    full_name = factory.Sequence(lambda n: f"Мұғалім {n}")
    school = factory.SubFactory(SchoolFactory)


class InfrastructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Infrastructure

    school = factory.SubFactory(SchoolFactory)
    internet_type = Infrastructure.InternetType.FIBRE
    internet_mbps = 25
    rooms = 10


class DeviceStockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceStock

    school = factory.SubFactory(SchoolFactory)
    kind = DeviceStock.Kind.LAPTOP
    condition = DeviceStock.Condition.WORKING
    count = 5


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


def make_person(username: str, role: Role, **scope: object) -> object:
    """A user with a profile of ``role`` scoped to ``district=`` or ``school=``."""
    user = UserFactory(username=username)
    Profile.objects.create(user=user, role=role, **scope)
    return user
