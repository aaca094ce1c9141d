"""Who may see and do what in the network app, built on :mod:`auyl.accounts.scoping`.

Schools are always scoped by ``visible_schools``; on top of it:

- A cluster (a hub and its magnets) is visible to a user who may see its hub or one of its
  magnets: the region administrator sees all, a methodologist the clusters touching her
  district, a hub coordinator his own, a principal or teacher the cluster of their school.
- Only a region administrator designs the network and accepts a design.
- Mentor assignments and visits are managed by the region administrator anywhere and by a
  methodologist in her district (a cluster whose hub is in it, or a school in it). A
  mentor with a login records his own visits.
- A follow-up's status may also be changed by the principal of the visited school.
- Events are created by the region administrator anywhere, by a methodologist for her
  district or a cluster whose hub is in it, and by a hub coordinator for his cluster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, profile_of, role_of, visible_districts, visible_schools
from auyl.registry.models import District, School

if TYPE_CHECKING:
    from auyl.network.models import Event, FollowUp, Mentor, Visit


def is_admin(user: AnyUser) -> bool:
    return role_of(user) is Role.REGION_ADMIN


def _district_id(user: AnyUser) -> int | None:
    profile = profile_of(user)
    if role_of(user) is Role.METHODOLOGIST and profile is not None:
        return profile.district_id
    return None


def _own_school_id(user: AnyUser) -> int | None:
    profile = profile_of(user)
    return profile.school_id if profile is not None else None


def visible_hubs(user: AnyUser) -> QuerySet[School]:
    """Hub schools whose cluster ``user`` may see."""
    hubs = School.objects.filter(network_role=School.NetworkRole.HUB)
    if is_admin(user):
        return hubs
    schools = visible_schools(user)
    return hubs.filter(
        Q(pk__in=schools.values("pk"))
        | Q(pk__in=schools.filter(network_role=School.NetworkRole.MAGNET).values("hub_id"))
    )


def can_see_cluster(user: AnyUser, hub: School) -> bool:
    return visible_hubs(user).filter(pk=hub.pk).exists()


def cluster_schools_in_view(user: AnyUser, hub: School) -> QuerySet[School]:
    """The schools of ``hub``'s cluster whose coverage ``user`` may see: the whole cluster
    for those who see the hub, else only the schools they may see (a principal: his own)."""
    cluster = School.objects.filter(Q(pk=hub.pk) | Q(hub=hub))
    if is_admin(user) or visible_schools(user).filter(pk=hub.pk).exists():
        return cluster
    return cluster.filter(pk__in=visible_schools(user).values("pk"))


def can_design(user: AnyUser) -> bool:
    return is_admin(user)


def can_manage_school(user: AnyUser, school: School) -> bool:
    """Assign mentors to, and plan visits at, ``school``."""
    if is_admin(user):
        return True
    district = _district_id(user)
    return district is not None and school.district_id == district


def can_manage_cluster(user: AnyUser, hub: School) -> bool:
    """Assign mentors to ``hub``'s cluster."""
    return can_manage_school(user, hub)


def can_manage_mentors(user: AnyUser) -> bool:
    """Add mentors and change their details."""
    return role_of(user) in (Role.REGION_ADMIN, Role.METHODOLOGIST)


def can_edit_mentor(user: AnyUser, mentor: Mentor) -> bool:
    if is_admin(user):
        return True
    district = _district_id(user)
    return district is not None and mentor.district_id in (None, district)


def is_mentor_user(user: AnyUser, mentor: Mentor) -> bool:
    return bool(user.is_authenticated and mentor.user_id == user.pk)


def can_plan_visit(user: AnyUser, school: School, mentor: Mentor) -> bool:
    return can_manage_school(user, school) or (
        is_mentor_user(user, mentor) and visible_or_assigned(user, school)
    )


def visible_or_assigned(user: AnyUser, school: School) -> bool:
    """A school the user may see, or one his mentor record is assigned to."""
    if visible_schools(user).filter(pk=school.pk).exists():
        return True
    return school_ids_of_mentor_user(user).filter(pk=school.pk).exists()


def school_ids_of_mentor_user(user: AnyUser) -> QuerySet[School]:
    """Schools a mentor with this login is assigned to (directly or through a cluster)."""
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(
        Q(mentor_assignments__mentor__user=user)
        | Q(hub__mentor_cluster_assignments__mentor__user=user)
        | Q(mentor_cluster_assignments__mentor__user=user)
    ).distinct()


def can_record_visit(user: AnyUser, visit: Visit) -> bool:
    return can_manage_school(user, visit.school) or is_mentor_user(user, visit.mentor)


def can_update_follow_up(user: AnyUser, follow_up: FollowUp) -> bool:
    visit = follow_up.visit
    if can_record_visit(user, visit):
        return True
    return role_of(user) is Role.PRINCIPAL and _own_school_id(user) == visit.school_id


def can_create_event(user: AnyUser, *, hub: School | None, district: District | None) -> bool:
    if is_admin(user):
        return True
    role = role_of(user)
    if role is Role.METHODOLOGIST:
        mine = _district_id(user)
        if district is not None:
            return district.pk == mine
        return hub is not None and hub.district_id == mine
    if role is Role.HUB_COORDINATOR:
        return hub is not None and district is None and hub.pk == _own_school_id(user)
    return False


def can_edit_event(user: AnyUser, event: Event) -> bool:
    return can_create_event(user, hub=event.hub, district=event.district)


def may_create_events(user: AnyUser) -> bool:
    return role_of(user) in (Role.REGION_ADMIN, Role.METHODOLOGIST, Role.HUB_COORDINATOR)


def event_scope_q(user: AnyUser) -> Q:
    """Events ``user`` may see: of a visible cluster or district, or with a participant
    from a visible school."""
    if is_admin(user):
        return Q()
    schools = visible_schools(user)
    return (
        Q(hub__in=visible_hubs(user))
        | Q(district__in=visible_districts(user))
        | Q(participations__teacher__school__in=schools)
    )


def visit_scope_q(user: AnyUser) -> Q:
    """Visits ``user`` may see: at a visible school, or his own as a mentor."""
    if is_admin(user):
        return Q()
    q = Q(school__in=visible_schools(user))
    if user.is_authenticated:
        q |= Q(mentor__user=user)
    return q


def mentor_scope_q(user: AnyUser) -> Q:
    """Mentors ``user`` may see: all for administrators and methodologists; otherwise
    those assigned to a visible cluster or school, and himself."""
    if role_of(user) in (Role.REGION_ADMIN, Role.METHODOLOGIST):
        return Q()
    schools = visible_schools(user)
    q = Q(assignments__school__in=schools) | Q(assignments__hub__in=visible_hubs(user))
    if user.is_authenticated:
        q |= Q(user=user)
    return q
