"""Cluster timetables: per-school week settings, curriculum overrides, lesson modes, solver
runs and the lessons they placed.

- :class:`TimetableSettings` — a school's week (5 or 6 days, periods per day, break periods,
  daily maxima) and how many online streams its internet link carries at once. A school
  without a row uses the defaults of :mod:`auyl.timetable.problem`.
- :class:`CurriculumHours` — weekly hours of a subject in a grade for a region or a school,
  overriding the default table of :mod:`auyl.engines.curriculum` (an APPROXIMATION).
- :class:`LessonMode` — how the grades of a class-set take a subject (joint, parallel,
  separate, online); pairs without a row use the defaults (see ``docs/timetable.md``).
- :class:`TeacherAvailability` — periods a teacher cannot teach.
- :class:`TeacherAccount` — which teacher record a login belongs to (her own timetable).
- :class:`TimetableRun` — one solve of one cluster (a hub and its magnets), as a background
  job; the newest finished run of a hub is its current timetable.
- :class:`Lesson` — one placed lesson of a run; :class:`LessonGroup` — the grades (of one
  or, for a broadcast, several schools) that take it.

Days and periods are stored 0-based; pages show them 1-based.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from auyl.registry.models import ClassSet, Region, School, Subject, Teacher, grade_validators

MAX_PERIODS = 10
#: the most weekly hours of one subject in one grade
MAX_WEEKLY_HOURS = 20


class TimetableSettings(models.Model):
    """A school's week and link capacity for timetabling."""

    school = models.OneToOneField(
        School,
        on_delete=models.CASCADE,
        related_name="timetable_settings",
        verbose_name=_("school"),
    )
    days = models.PositiveSmallIntegerField(
        _("school days per week"), choices=[(5, "5"), (6, "6")], default=6
    )
    periods_per_day = models.PositiveSmallIntegerField(
        _("lesson periods per day"),
        default=7,
        validators=[MinValueValidator(3), MaxValueValidator(MAX_PERIODS)],
    )
    break_periods = models.JSONField(
        _("periods without lessons"),
        default=list,
        blank=True,
        help_text=_("Numbers of the periods (1 = first) kept free every day, e.g. a long break."),
    )
    max_daily_primary = models.PositiveSmallIntegerField(
        _("most lessons a day, grades 1-4"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIODS)],
    )
    max_daily = models.PositiveSmallIntegerField(
        _("most lessons a day, grades 5-11"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIODS)],
    )
    link_streams = models.PositiveSmallIntegerField(
        _("online streams at once"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(20)],
        help_text=_("Empty: estimated from the school's internet speed."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("timetable settings")
        verbose_name_plural = _("timetable settings")

    def __str__(self) -> str:
        return f"{self.school_id}: {self.days}x{self.periods_per_day}"

    def clean(self) -> None:
        breaks = self.break_periods
        if not isinstance(breaks, list) or any(
            not isinstance(p, int) or not 1 <= p <= self.periods_per_day for p in breaks
        ):
            raise ValidationError(
                {
                    "break_periods": _("Give period numbers between 1 and %(n)s.")
                    % {"n": self.periods_per_day}
                }
            )
        if len(set(breaks)) >= self.periods_per_day:
            raise ValidationError({"break_periods": _("Every period would be a break.")})
        self.break_periods = sorted(set(breaks))


class CurriculumHours(models.Model):
    """Weekly hours of ``subject`` in ``grade`` for a whole region or for one school."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("region")
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("school")
    )
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, verbose_name=_("subject"))
    grade = models.PositiveSmallIntegerField(_("grade"), validators=grade_validators)
    hours = models.PositiveSmallIntegerField(
        _("weekly hours"), validators=[MaxValueValidator(MAX_WEEKLY_HOURS)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("curriculum hours")
        verbose_name_plural = _("curriculum hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True, school__isnull=False)
                | models.Q(region__isnull=False, school__isnull=True),
                name="curriculum_hours_region_xor_school",
            ),
            models.UniqueConstraint(
                fields=["region", "subject", "grade"], name="curriculum_hours_region_unique"
            ),
            models.UniqueConstraint(
                fields=["school", "subject", "grade"], name="curriculum_hours_school_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or self.school_id}: {self.subject_id} g{self.grade} {self.hours}"


class LessonMode(models.Model):
    """How the grades of ``class_set`` take ``subject``."""

    class Mode(models.TextChoices):
        JOINT = "joint", _("joint: all grades in one lesson")
        PARALLEL = "parallel", _("parallel: one teacher, each grade its own work")
        SEPARATE = "separate", _("separate: each grade alone")
        ONLINE = "online", _("online: joins the hub's broadcast")

    class_set = models.ForeignKey(
        ClassSet, on_delete=models.CASCADE, related_name="lesson_modes", verbose_name=_("class-set")
    )
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, verbose_name=_("subject"))
    mode = models.CharField(_("lesson mode"), max_length=10, choices=Mode.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lesson mode")
        verbose_name_plural = _("lesson modes")
        constraints = [
            models.UniqueConstraint(fields=["class_set", "subject"], name="lesson_mode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.class_set_id}/{self.subject_id}: {self.mode}"


class TeacherAvailability(models.Model):
    """Periods a teacher cannot teach: a list of ``[day, period]`` pairs (0-based)."""

    teacher = models.OneToOneField(
        Teacher,
        on_delete=models.CASCADE,
        related_name="timetable_availability",
        verbose_name=_("teacher"),
    )
    unavailable = models.JSONField(_("unavailable periods"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("teacher availability")
        verbose_name_plural = _("teacher availability")

    def __str__(self) -> str:
        return f"{self.teacher_id}: {len(self.unavailable)} periods off"

    def clean(self) -> None:
        pairs = self.unavailable
        ok = isinstance(pairs, list) and all(
            isinstance(p, list | tuple)
            and len(p) == 2
            and all(isinstance(x, int) and 0 <= x < MAX_PERIODS for x in p)
            for p in pairs
        )
        if not ok:
            raise ValidationError({"unavailable": _("Give a list of [day, period] pairs.")})


class TeacherAccount(models.Model):
    """The teacher record a login belongs to: its owner sees her own timetable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="teacher_account",
        verbose_name=_("login"),
    )
    teacher = models.OneToOneField(
        Teacher, on_delete=models.CASCADE, related_name="account", verbose_name=_("teacher")
    )

    class Meta:
        verbose_name = _("teacher login")
        verbose_name_plural = _("teacher logins")

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.teacher_id}"


class TimetableRun(models.Model):
    """One solve of a hub's cluster."""

    #: the kind of its background job (``jobs.Job.kind``)
    JOB_KIND = "timetable"

    class Status(models.TextChoices):
        RUNNING = "running", _("solving")
        DONE = "done", _("timetable found")
        INFEASIBLE = "infeasible", _("no timetable exists")
        INVALID = "invalid", _("the input has errors")
        TIMEOUT = "timeout", _("no timetable found in the time limit")
        FAILED = "failed", _("failed")

    hub = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="timetable_runs", verbose_name=_("hub")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(_("parameters"), default=dict)
    #: issues, conflicts, evaluation, moved activities, sizes (see services.run_compute)
    result = models.JSONField(_("result"), default=dict, blank=True)
    seconds = models.FloatField(_("seconds"), default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        verbose_name = _("timetable run")
        verbose_name_plural = _("timetable runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.hub_id}: {self.status}"


class Lesson(models.Model):
    """One placed lesson: ``school`` is where the teacher stands (the hub for a broadcast)."""

    run = models.ForeignKey(TimetableRun, on_delete=models.CASCADE, related_name="lessons")
    activity = models.CharField(_("activity"), max_length=200)
    school = models.ForeignKey(School, on_delete=models.CASCADE, verbose_name=_("school"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("subject"))
    teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("teacher")
    )
    day = models.PositiveSmallIntegerField(_("day"))
    period = models.PositiveSmallIntegerField(_("period"))
    mode = models.CharField(_("lesson mode"), max_length=10, choices=LessonMode.Mode.choices)
    broadcast = models.BooleanField(_("broadcast"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    label = models.CharField(_("label"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["day", "period", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "activity"], name="lesson_activity_unique")
        ]
        indexes = [models.Index(fields=["run", "teacher"])]

    def __str__(self) -> str:
        return f"{self.activity} @ {self.day}/{self.period}"


class LessonGroup(models.Model):
    """A grade (one class of it, ``section``) of one school taking a lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="groups")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    class_set = models.ForeignKey(ClassSet, on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(_("grade"), validators=grade_validators)
    section = models.CharField(_("class letter"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("lesson group")
        verbose_name_plural = _("lesson groups")
        indexes = [models.Index(fields=["school", "grade"])]

    def __str__(self) -> str:
        return f"{self.lesson_id}: {self.school_id} g{self.grade}{self.section}"
