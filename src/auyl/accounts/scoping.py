"""Roles and scoping, in one place.

- A region administrator sees and edits every school.
- A district methodologist sees and edits the schools of her district.
- A hub coordinator sees his hub school and its magnet schools; he edits nothing.
- A principal sees and edits his school.
- A teacher sees her school; she edits nothing.
- A superuser is treated as a region administrator (and keeps Django admin).
- A user with no profile sees nothing.

Every view that reads schools goes through :func:`visible_schools`; every write checks
:func:`can_edit_school` (services raise :class:`PermissionDenied` otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from auyl.accounts.models import Profile, Role

if TYPE_CHECKING:
    from auyl.registry.models import District, School

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser


def profile_of(user: AnyUser) -> Profile | None:
    if not user.is_authenticated:
        return None
    try:
        profile: Profile = getattr(user, "profile")  # noqa: B009  (reverse one-to-one)
    except Profile.DoesNotExist:
        return None
    return profile


def role_of(user: AnyUser) -> Role | None:
    if user.is_authenticated and getattr(user, "is_superuser", False):
        return Role.REGION_ADMIN
    profile = profile_of(user)
    return Role(profile.role) if profile else None


def school_scope_q(user: AnyUser, prefix: str = "") -> Q:
    """A filter on School (or on a model reaching School through ``prefix``) for ``user``."""
    role = role_of(user)
    profile = profile_of(user)
    if role is Role.REGION_ADMIN:
        return Q()
    if role is None or profile is None:
        return Q(pk__in=[])
    if role is Role.METHODOLOGIST:
        return Q(**{f"{prefix}district_id": profile.district_id})
    if role is Role.HUB_COORDINATOR:
        return Q(**{f"{prefix}pk": profile.school_id}) | Q(**{f"{prefix}hub_id": profile.school_id})
    return Q(**{f"{prefix}pk": profile.school_id})


def visible_schools(user: AnyUser) -> QuerySet[School]:
    from auyl.registry.models import School

    return School.objects.filter(school_scope_q(user))


def visible_districts(user: AnyUser) -> QuerySet[District]:
    from auyl.registry.models import District

    role = role_of(user)
    if role is Role.REGION_ADMIN:
        return District.objects.all()
    return District.objects.filter(pk__in=visible_schools(user).values("district_id"))


def can_view_school(user: AnyUser, school: School) -> bool:
    return visible_schools(user).filter(pk=school.pk).exists()


def can_edit_school(user: AnyUser, school: School) -> bool:
    role = role_of(user)
    profile = profile_of(user)
    if role is Role.REGION_ADMIN:
        return True
    if profile is None:
        return False
    if role is Role.METHODOLOGIST:
        return school.district_id == profile.district_id
    if role is Role.PRINCIPAL:
        return school.pk == profile.school_id
    return False


def can_import(user: AnyUser) -> bool:
    """Imports touch many schools: region administrators and methodologists only."""
    return role_of(user) in (Role.REGION_ADMIN, Role.METHODOLOGIST)


def ensure_can_edit(user: AnyUser, school: School) -> None:
    if not can_edit_school(user, school):
        raise PermissionDenied("You may not edit this school.")
