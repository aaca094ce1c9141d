"""Writes of the network app. Each service checks the caller's right (``access``),
validates with ``full_clean``, writes inside one transaction and records the audit history
with the acting user and a reason.

The design engine is looked up at call time (``engine.design_network``), so tests can put
a small fake in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from auyl.accounts.models import Profile, Role
from auyl.accounts.scoping import AnyUser
from auyl.core.history import delete_with_history, save_with_history
from auyl.engines.planning import network as engine
from auyl.jobs.models import Job
from auyl.network import access
from auyl.network.design import build_request, result_payload, school_facts, travel_dict
from auyl.network.models import (
    Event,
    EventMaterial,
    EventParticipation,
    FollowUp,
    Mentor,
    MentorAssignment,
    NetworkDesign,
    Visit,
)
from auyl.registry.models import School, Subject, Teacher

Progress = Callable[[int, int, str], None]

#: Materials shared at events: at most this size, one of these kinds of file.
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
MATERIAL_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".odt", ".ppt", ".pptx", ".odp", ".xls", ".xlsx", ".ods",
     ".txt", ".csv", ".jpg", ".jpeg", ".png", ".mp4", ".mp3", ".zip"}
)  # fmt: skip


def _actor(by: AnyUser) -> Any:
    """The user to record as author (None for an anonymous caller, e.g. a script)."""
    return by if by.is_authenticated else None


_save = save_with_history
_delete = delete_with_history


# --- Network design -----------------------------------------------------------------------


def design_create(
    *, params: Mapping[str, Any], travel: list[list[Any]] | None, by: AnyUser
) -> NetworkDesign:
    """A queued design with validated ``params`` (see ``forms.DesignForm``)."""
    if not access.can_design(by):
        raise PermissionDenied(_("Only a region administrator designs the network."))
    design = NetworkDesign(params=dict(params), travel_minutes=travel, created_by=_actor(by))
    _save(design, by, "network design created")
    return design


def design_compute(*, design: NetworkDesign, progress: Progress | None = None) -> dict[str, Any]:
    """Run the engine for ``design`` and store the result with the comparison."""
    report = progress or (lambda done, total, message: None)
    report(0, 3, _("Reading the registry"))
    region = design.params.get("region")
    facts = school_facts(int(region) if region else None)
    travel = travel_dict(design.travel_minutes)
    request = build_request(facts, design.params, travel)
    report(1, 3, _("Solving: choosing hubs and assigning schools"))
    result = engine.design_network(request)
    report(2, 3, _("Comparing with the current network"))
    payload = result_payload(facts, request, result)
    design.result = payload
    design.status = NetworkDesign.Status.DONE
    design.save(update_fields=["result", "status"])
    report(3, 3, _("Done"))
    return {"design": design.pk, "status": payload["status"]}


def design_mark_failed(design_id: int) -> None:
    NetworkDesign.objects.filter(pk=design_id).update(status=NetworkDesign.Status.FAILED)


@dataclass
class AcceptPlan:
    """What accepting a design would change in the registry, school by school."""

    promote: list[School] = field(default_factory=list)  # become hubs
    attach: list[tuple[School, School]] = field(default_factory=list)  # (magnet, its new hub)
    release: list[School] = field(default_factory=list)  # leave the network
    coordinators: list[Profile] = field(default_factory=list)  # profiles of demoted hubs
    missing: list[str] = field(default_factory=list)  # codes no longer in the registry

    @property
    def count(self) -> int:
        return len(self.promote) + len(self.attach) + len(self.release)


def accept_plan(design: NetworkDesign) -> AcceptPlan:
    """Compare the design with the registry as it is now (a fixed number of queries)."""
    result = design.result or {}
    hubs = set(result.get("hubs", ()))
    magnet_hub = {link["magnet"]: link["hub"] for link in result.get("links", ())}
    region = design.params.get("region")
    schools = School.objects.select_related(None)
    if region:
        schools = schools.filter(district__region_id=int(region))
    by_code = {s.code: s for s in schools.order_by("code")}
    hub_code = {s.pk: s.code for s in by_code.values()}
    plan = AcceptPlan(missing=sorted((hubs | set(magnet_hub)) - set(by_code)))
    for code, school in by_code.items():
        if code in hubs:
            if school.network_role != School.NetworkRole.HUB or school.hub_id is not None:
                plan.promote.append(school)
        elif code in magnet_hub and magnet_hub[code] in by_code:
            target = magnet_hub[code]
            if school.network_role != School.NetworkRole.MAGNET or (
                hub_code.get(school.hub_id or 0) != target
            ):
                plan.attach.append((school, by_code[target]))
        elif school.network_role != School.NetworkRole.NONE or school.hub_id is not None:
            plan.release.append(school)
    demoted = [s.pk for s in by_code.values() if s.network_role == "hub" and s.code not in hubs]
    plan.coordinators = list(
        Profile.objects.filter(role=Role.HUB_COORDINATOR, school_id__in=demoted).select_related(
            "user", "school"
        )
    )
    return plan


@dataclass(frozen=True)
class AcceptOutcome:
    changed: int
    promoted: int
    attached: int
    released: int


@transaction.atomic
def design_accept(*, design: NetworkDesign, by: AnyUser) -> AcceptOutcome:
    """Apply ``design`` to the registry: its hubs become hub schools, its assignments the
    magnets' hubs, every other school of its region leaves the network. One transaction;
    every changed school gets a history entry by ``by`` with the reason
    "network design #N accepted". Accepting again changes nothing."""
    if not access.can_design(by):
        raise PermissionDenied(_("Only a region administrator accepts a network design."))
    design = NetworkDesign.objects.select_for_update().get(pk=design.pk)
    if design.status not in (NetworkDesign.Status.DONE, NetworkDesign.Status.ACCEPTED):
        raise ValidationError(_("Only a computed design can be accepted."))
    if (design.result or {}).get("status") not in ("optimal", "time_limit"):
        raise ValidationError(_("This design found no feasible network: nothing to accept."))
    result = design.result or {}
    stray = sorted({x["hub"] for x in result.get("links", ())} - set(result.get("hubs", ())))
    if stray:
        raise ValidationError(
            _("The design sends schools to %(codes)s, which it does not open as hubs.")
            % {"codes": ", ".join(stray[:10])}
        )
    plan = accept_plan(design)
    if plan.missing:
        raise ValidationError(
            _("These schools are no longer in the registry: %(codes)s. Compute a new design.")
            % {"codes": ", ".join(plan.missing[:10])}
        )
    reason = f"network design #{design.pk} accepted"
    # Hubs first, so that every magnet's hub is a hub when the magnet is checked.
    for school in plan.promote:
        school.network_role, school.hub = School.NetworkRole.HUB, None
        _save(school, by, reason)
    for school, hub in plan.attach:
        school.network_role, school.hub = School.NetworkRole.MAGNET, hub
        _save(school, by, reason)
    for school in plan.release:
        school.network_role, school.hub = School.NetworkRole.NONE, None
        _save(school, by, reason)
    orphans = School.objects.filter(network_role=School.NetworkRole.MAGNET).exclude(
        hub__network_role=School.NetworkRole.HUB
    )
    if orphans.exists():  # e.g. a magnet outside the design's region left with no hub
        raise ValidationError(
            _("Accepting would leave magnet schools without a hub: %(codes)s.")
            % {"codes": ", ".join(orphans.values_list("code", flat=True)[:10])}
        )
    if design.status != NetworkDesign.Status.ACCEPTED:
        design.status = NetworkDesign.Status.ACCEPTED
        design.accepted_at, design.accepted_by = timezone.now(), _actor(by)
        _save(design, by, reason)
    return AcceptOutcome(plan.count, len(plan.promote), len(plan.attach), len(plan.release))


def design_job_params(design: NetworkDesign) -> dict[str, Any]:
    return {"design": design.pk, "language": translation.get_language()}


def design_start(
    *, params: Mapping[str, Any], travel: list[list[Any]] | None, by: AnyUser
) -> NetworkDesign:
    """Create a design and start computing it as a background job."""
    from auyl.jobs.services import job_start
    from auyl.network.tasks import network_design_task

    design = design_create(params=params, travel=travel, by=by)
    job = job_start(
        kind="network_design", by=by, params=design_job_params(design), task=network_design_task
    )
    NetworkDesign.objects.filter(pk=design.pk).update(job=job)
    design.refresh_from_db()
    return design


def design_job_failed(design: NetworkDesign) -> bool:
    return bool(design.job_id and design.job and design.job.state == Job.State.FAILED)


# --- Mentors --------------------------------------------------------------------------------


@transaction.atomic
def mentor_save(
    *,
    data: Mapping[str, Any],
    subjects: Iterable[Subject],
    by: AnyUser,
    mentor: Mentor | None = None,
) -> Mentor:
    if not access.can_manage_mentors(by) or (mentor and not access.can_edit_mentor(by, mentor)):
        raise PermissionDenied(_("You may not change this mentor."))
    mentor = mentor or Mentor()
    for name, value in data.items():
        setattr(mentor, name, value)
    if not access.can_edit_mentor(by, mentor):  # a methodologist keeps mentors in her district
        raise PermissionDenied(_("You may only add mentors of your district."))
    _save(mentor, by, "edit mentor")
    mentor.subjects.set(list(subjects))
    return mentor


@transaction.atomic
def mentor_assign(
    *, mentor: Mentor, by: AnyUser, hub: School | None = None, school: School | None = None
) -> MentorAssignment:
    """Assign ``mentor`` to a cluster (``hub``) or one ``school``; assigning twice keeps the
    first assignment."""
    target = hub or school
    if target is None or (hub is not None and school is not None):
        raise ValidationError(_("Choose either a cluster or a school."))
    if not access.can_manage_school(by, target):
        raise PermissionDenied(_("You may not assign mentors there."))
    existing = MentorAssignment.objects.filter(mentor=mentor, hub=hub, school=school).first()
    if existing is not None:
        return existing
    assignment = MentorAssignment(mentor=mentor, hub=hub, school=school, since=timezone.localdate())
    _save(assignment, by, "assign mentor")
    return assignment


@transaction.atomic
def mentor_unassign(*, assignment: MentorAssignment, by: AnyUser) -> None:
    target = assignment.hub or assignment.school
    assert target is not None
    if not access.can_manage_school(by, target):
        raise PermissionDenied(_("You may not change this assignment."))
    _delete(assignment, by, "unassign mentor")


# --- Visits and follow-ups ------------------------------------------------------------------


@transaction.atomic
def visit_save(*, data: Mapping[str, Any], by: AnyUser, visit: Visit | None = None) -> Visit:
    """Plan a visit or record what happened (``data``: the fields of :class:`Visit`)."""
    if visit is not None and not access.can_record_visit(by, visit):
        raise PermissionDenied(_("You may not change this visit."))
    visit = visit or Visit(created_by=_actor(by))
    for name, value in data.items():
        setattr(visit, name, value)
    if not access.can_plan_visit(by, visit.school, visit.mentor):
        raise PermissionDenied(_("You may not plan visits to this school."))
    teacher = visit.observed_teacher
    if teacher is not None and teacher.school_id != visit.school_id:
        raise ValidationError(
            {"observed_teacher": _("The observed teacher does not work at this school.")}
        )
    _save(visit, by, "record visit" if visit.status == Visit.Status.DONE else "plan visit")
    return visit


@transaction.atomic
def follow_up_add(*, visit: Visit, data: Mapping[str, Any], by: AnyUser) -> FollowUp:
    if not access.can_record_visit(by, visit):
        raise PermissionDenied(_("You may not change this visit."))
    follow_up = FollowUp(visit=visit, **data)
    _save(follow_up, by, "add follow-up")
    return follow_up


@transaction.atomic
def follow_up_set_status(*, follow_up: FollowUp, status: str, by: AnyUser) -> FollowUp:
    if not access.can_update_follow_up(by, follow_up):
        raise PermissionDenied(_("You may not change this follow-up."))
    if status not in FollowUp.Status.values:
        raise ValidationError(_("Unknown status."))
    if follow_up.status != status:
        follow_up.status = status
        _save(follow_up, by, f"follow-up {status}")
    return follow_up


# --- Events ---------------------------------------------------------------------------------


@transaction.atomic
def event_save(*, data: Mapping[str, Any], by: AnyUser, event: Event | None = None) -> Event:
    if event is not None and not access.can_edit_event(by, event):
        raise PermissionDenied(_("You may not change this event."))
    event = event or Event(created_by=_actor(by))
    for name, value in data.items():
        setattr(event, name, value)
    if not access.can_create_event(by, hub=event.hub, district=event.district):
        raise PermissionDenied(_("You may not organise events there."))
    host = event.host_school
    if host is not None and host.pk not in event_schools(event).values_list("pk", flat=True):
        raise ValidationError({"host_school": _("The host school is not part of this event.")})
    _save(event, by, "edit event")
    return event


def event_schools(event: Event) -> QuerySet[School]:
    """The schools whose teachers may take part: the cluster's, or the district's."""
    if event.hub_id is not None:
        return School.objects.filter(Q(pk=event.hub_id) | Q(hub_id=event.hub_id))
    return School.objects.filter(district_id=event.district_id or 0)


@transaction.atomic
def event_set_participants(
    *,
    event: Event,
    teachers: Iterable[Teacher],
    by: AnyUser,
    presenters: Iterable[Teacher] = (),
) -> int:
    """Make ``teachers`` the event's participants (``presenters`` among them presented);
    returns how many there are."""
    if not access.can_edit_event(by, event):
        raise PermissionDenied(_("You may not change this event."))
    teachers = list(teachers)
    allowed = set(event_schools(event).values_list("pk", flat=True))
    outside = [t for t in teachers if t.school_id not in allowed]
    if outside:
        raise ValidationError(
            _("%(name)s does not work at a school of this event.") % {"name": outside[0].full_name}
        )
    presenting = {t.pk for t in presenters}
    wanted = {t.pk: t for t in teachers}
    current = {p.teacher_id: p for p in event.participations.all()}
    for teacher_id, participation in current.items():
        if teacher_id not in wanted:
            participation.delete()
    for teacher_id, teacher in wanted.items():
        role = (
            EventParticipation.Role.PRESENTER
            if teacher_id in presenting
            else EventParticipation.Role.PARTICIPANT
        )
        existing = current.get(teacher_id)
        if existing is None:
            EventParticipation.objects.create(event=event, teacher=teacher, role=role)
        elif existing.role != role:
            existing.role = role
            existing.save(update_fields=["role"])
    event._history_user = by  # type: ignore[attr-defined]
    event._change_reason = "participants"  # type: ignore[attr-defined]
    event.save()  # one history entry for the change of participants
    return len(wanted)


def check_material_file(file: UploadedFile) -> None:
    name = file.name or ""
    if PurePath(name).suffix.lower() not in MATERIAL_EXTENSIONS:
        raise ValidationError(
            _("Files of this kind are not accepted: %(name)s. Accepted: %(kinds)s.")
            % {"name": name, "kinds": ", ".join(sorted(MATERIAL_EXTENSIONS))}
        )
    limit = min(MATERIAL_MAX_BYTES, settings.AUYL_MAX_UPLOAD_BYTES)
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(file.size / 1048576, 1), "limit": limit // 1048576}
        )
    if not file.size:
        raise ValidationError(_("The file is empty."))


@transaction.atomic
def material_add(
    *,
    event: Event,
    title: str,
    by: AnyUser,
    file: UploadedFile | None = None,
    url: str = "",
) -> EventMaterial:
    if not access.can_edit_event(by, event):
        raise PermissionDenied(_("You may not change this event."))
    if file is not None:
        check_material_file(file)
    material = EventMaterial(
        event=event,
        title=title,
        url=url,
        size=(file.size or 0) if file is not None else 0,
        added_by=_actor(by),
    )
    if file is not None:
        material.file.save(PurePath(file.name or "file").name, file, save=False)
    try:
        material.full_clean()
    except ValidationError:
        if material.file:
            material.file.delete(save=False)
        raise
    material.save()
    return material


@transaction.atomic
def material_delete(*, material: EventMaterial, by: AnyUser) -> None:
    if not access.can_edit_event(by, material.event):
        raise PermissionDenied(_("You may not change this event."))
    if material.file:
        stored = material.file
        transaction.on_commit(lambda: stored.delete(save=False))
    material.delete()
