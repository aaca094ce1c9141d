"""Who may do what with learning-outcome monitoring, built on ``auyl.accounts.scoping``.

- Region administrators and district methodologists define tests, import answers and run
  scalings (:func:`can_define`). A methodologist imports answers of her district's schools
  only (:func:`import_school_ids`).
- Everyone with a role sees the tests of the regions of the schools he may see
  (:func:`visible_assessments`), and the pupils' answers and scores of those schools only
  (:func:`visible_sittings`): a principal or a teacher sees his school's results, a hub
  coordinator his cluster's, a methodologist her district's.
- Item statistics of a scaling (difficulty, fit, DIF) describe the test, not a school: whoever
  sees the test sees them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, can_import, profile_of, role_of, visible_schools
from auyl.jobs.models import Job
from auyl.monitoring.models import Assessment, Scaling, Sitting
from auyl.registry.models import School


def can_define(user: AnyUser) -> bool:
    """Define and edit tests, import answers, run scalings: region admins and methodologists."""
    return can_import(user)


def ensure_can_define(user: AnyUser) -> None:
    if not can_define(user):
        raise PermissionDenied(
            _("Only region administrators and methodologists define tests and import answers.")
        )


def visible_assessments(user: AnyUser) -> QuerySet[Assessment]:
    """The tests of every region in which ``user`` sees at least one school."""
    regions = visible_schools(user).values("district__region_id")
    return Assessment.objects.filter(region_id__in=regions)


def may_see_scaling_job(user: AnyUser, job: Job) -> bool:
    """A scaling's job: whoever sees the scaling's test (registered in ``apps.ready``)."""
    tests = Scaling.objects.filter(job=job).values("assessment_id")
    return visible_assessments(user).filter(pk__in=tests).exists()


def visible_sittings(user: AnyUser, assessment: Assessment) -> QuerySet[Sitting]:
    """The sittings of ``assessment`` at schools ``user`` may see."""
    return assessment.sittings.filter(school__in=visible_schools(user))


def import_school_ids(user: AnyUser, assessment: Assessment) -> dict[str, int]:
    """School code → id of the schools of the test's region whose answers ``user`` may import."""
    ensure_can_define(user)
    schools = School.objects.filter(district__region_id=assessment.region_id)
    if role_of(user) is Role.METHODOLOGIST:
        profile = profile_of(user)
        district = profile.district_id if profile else None
        schools = schools.filter(district_id=district) if district else schools.none()
    return dict(schools.values_list("code", "pk"))
