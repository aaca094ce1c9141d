"""The hub network: designs of it, mentors and their visits, and events across schools.

- :class:`NetworkDesign`: one run of the design engine with its parameters and result; a
  region administrator may accept it, which rewrites the schools' ``network_role``/``hub``
  (``services.design_accept``).
- :class:`Mentor`, :class:`MentorAssignment`: people from leading schools or a district who
  support a cluster (a hub and its magnets) or one school.
- :class:`Visit`, :class:`FollowUp`: a mentor's planned or recorded visit to a school and
  the actions agreed, each with a due date and a status.
- :class:`Event`, :class:`EventParticipation`, :class:`EventMaterial`: joint seminars,
  lesson studies, open lessons and online meetings of a cluster or a district, with the
  teachers who took part and the materials shared.

Writes go through ``services.py``, reads that depend on who is asking through
``selectors.py``. The models whose changes matter keep an audit history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NetworkDesign(models.Model):
    """A design run: the parameters (``params``), the engine's result and the comparison
    with the network as it was when the design was computed (``result``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("computed")
        FAILED = "failed", _("failed")
        ACCEPTED = "accepted", _("accepted")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    params = models.JSONField(_("parameters"), default=dict)
    #: (magnet code, hub code, minutes) triples from a validated travel-time file.
    travel_minutes = models.JSONField(_("travel times"), null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(_("result"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    history = HistoricalRecords(excluded_fields=["result", "travel_minutes"])

    class Meta:
        verbose_name = _("network design")
        verbose_name_plural = _("network designs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Mentor(models.Model):
    """A person who gives methodological support: a teacher of a leading school (e.g. an
    NIS school) or a district methodologist. May have a login (``user``)."""

    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the leading school or the district education department."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentor",
        verbose_name=_("login"),
    )
    school = models.ForeignKey(
        "registry.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school in the registry"),
    )
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Leave empty for a mentor who works across the region."),
    )
    subjects = models.ManyToManyField(
        "registry.Subject", blank=True, related_name="+", verbose_name=_("subjects")
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[subjects])

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return self.full_name


class MentorAssignment(models.Model):
    """A mentor supports a cluster (``hub``: the hub and its magnets) or one ``school``."""

    mentor = models.ForeignKey(
        Mentor, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("mentor")
    )
    hub = models.ForeignKey(
        "registry.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentor_cluster_assignments",
        verbose_name=_("cluster (hub school)"),
    )
    school = models.ForeignKey(
        "registry.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentor_assignments",
        verbose_name=_("school"),
    )
    since = models.DateField(_("since"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(hub__isnull=False, school__isnull=True)
                    | models.Q(hub__isnull=True, school__isnull=False)
                ),
                name="mentor_assignment_cluster_or_school",
            ),
            models.UniqueConstraint(fields=["mentor", "hub"], name="mentor_assignment_hub_once"),
            models.UniqueConstraint(
                fields=["mentor", "school"], name="mentor_assignment_school_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.hub_id or self.school_id}"

    def clean(self) -> None:
        if (self.hub_id is None) == (self.school_id is None):
            raise ValidationError(_("Choose either a cluster or a school."))
        if self.hub_id is not None and self.hub is not None and self.hub.network_role != "hub":
            raise ValidationError({"hub": _("This school is not a hub school.")})


class Visit(models.Model):
    """A mentor's visit to a school: planned, then recorded (or cancelled)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    mentor = models.ForeignKey(
        Mentor, on_delete=models.PROTECT, related_name="visits", verbose_name=_("mentor")
    )
    school = models.ForeignKey(
        "registry.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    focus = models.CharField(
        _("focus"),
        max_length=200,
        help_text=_("E.g. formative assessment in combined class-sets."),
    )
    observed_teacher = models.ForeignKey(
        "registry.Teacher",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observed_visits",
        verbose_name=_("observed teacher"),
    )
    observed_subject = models.ForeignKey(
        "registry.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("observed lesson: subject"),
    )
    observed_grades = models.CharField(
        _("observed lesson: grades"), max_length=30, blank=True, help_text=_("E.g. 7+8.")
    )
    observed_notes = models.TextField(_("observed lesson: notes"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school", "date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.school_id}"

    @property
    def has_observation(self) -> bool:
        return bool(
            self.observed_teacher_id
            or self.observed_subject_id
            or self.observed_grades
            or self.observed_notes
        )


class FollowUp(models.Model):
    """An action agreed at a visit, with a due date and a status."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("visit")
    )
    action = models.CharField(_("action"), max_length=300)
    responsible = models.CharField(_("who does it"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.action


class Event(models.Model):
    """A collaborative event of a cluster (``hub``) or of a ``district``."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("joint seminar")
        LESSON_STUDY = "lesson_study", _("lesson study")
        OPEN_LESSON = "open_lesson", _("open lesson")
        ONLINE_MEETING = "online_meeting", _("online meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    hub = models.ForeignKey(
        "registry.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="network_events",
        verbose_name=_("cluster (hub school)"),
    )
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    host_school = models.ForeignKey(
        "registry.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host school"),
    )
    description = models.TextField(_("description"), blank=True)
    participants = models.ManyToManyField(
        "registry.Teacher",
        through="EventParticipation",
        related_name="network_events",
        blank=True,
        verbose_name=_("participants"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(hub__isnull=False, district__isnull=True)
                    | models.Q(hub__isnull=True, district__isnull=False)
                ),
                name="event_cluster_or_district",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (self.hub_id is None) == (self.district_id is None):
            raise ValidationError(_("An event belongs to a cluster or to a district."))
        if self.hub_id is not None and self.hub is not None and self.hub.network_role != "hub":
            raise ValidationError({"hub": _("This school is not a hub school.")})


class EventParticipation(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("participant")
        PRESENTER = "presenter", _("presenter")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    teacher = models.ForeignKey(
        "registry.Teacher", on_delete=models.CASCADE, related_name="event_participations"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["event", "teacher"], name="participation_once")
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} @ {self.event_id} ({self.role})"


def material_path(instance: EventMaterial, filename: str) -> str:
    return f"network/events/{instance.event_id}/{filename}"


class EventMaterial(models.Model):
    """A file (stored under MEDIA_ROOT) or a link shared at an event."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="materials", verbose_name=_("event")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, blank=True, max_length=300)
    url = models.URLField(_("link"), blank=True, max_length=500)
    size = models.PositiveIntegerField(
        _("size (bytes)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(2**31)]
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.file) == bool(self.url):
            raise ValidationError(_("Give either a file or a link."))
