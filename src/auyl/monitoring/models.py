"""Learning-outcome monitoring: tests, their items, pupils' answers, scalings and scores.

- :class:`Assessment`: one test (grade, subject, language, year) with its :class:`Item` s
  and, when pupils see different item sets, :class:`Booklet` s.
- :class:`Sitting`: one pupil taking one assessment at a school. Answers are stored on the
  sitting as two lists aligned with the assessment's items (by ``Item.position``):
  ``raw`` (what the pupil wrote, or None) and ``scores`` (an int, or None when the item
  was **not presented** by design). An item that was presented but left blank is
  **omitted**: its index is in ``omitted`` and it scores 0.
- :class:`Scaling`: one IRT calibration (Rasch, 2PL or partial credit) of an assessment,
  linked to a base-year scaling through anchor items; it holds :class:`ItemEstimate` s and
  :class:`PersonScore` s.
- :class:`Participation`: the school year from which a school is in the programme (for
  the impact estimate; the demo fills it for hub and magnet schools).

Writes go through ``services.py``; reads that depend on who is asking through
``selectors.py`` and ``auyl.accounts.scoping``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]


class Assessment(models.Model):
    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")

    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=200)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    subject = models.ForeignKey(
        "registry.Subject", on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "grade", "subject__code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "grade", "subject", "language", "year"],
                name="assessment_unique_per_year",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One task. ``max_score`` 1 is right/wrong; above 1 is partial credit.

    ``code`` identifies the item across years: an **anchor** item keeps its code in every
    year's test, which is what links the years' scales.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("item code"), max_length=40)
    key = models.CharField(_("key"), max_length=40, blank=True)
    domain = models.CharField(_("domain"), max_length=100, blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    anchor = models.BooleanField(_("anchor item"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("test item", "item")
        verbose_name_plural = _("items")
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="item_code_unique"),
            models.UniqueConstraint(fields=["assessment", "position"], name="item_position_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class Booklet(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="booklets")
    code = models.CharField(_("booklet"), max_length=20)
    items = models.ManyToManyField(Item, related_name="booklets", verbose_name=_("items"))

    class Meta:
        verbose_name = _("booklet")
        verbose_name_plural = _("booklets")
        ordering = ["assessment", "code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="booklet_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Sitting(models.Model):
    """One pupil's answers to one assessment (see the module docstring for the lists)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sittings")
    pupil_code = models.CharField(_("pupil id"), max_length=40)
    school = models.ForeignKey(
        "registry.School",
        on_delete=models.PROTECT,
        related_name="sittings",
        verbose_name=_("school"),
    )
    class_set = models.ForeignKey(
        "registry.ClassSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sittings",
        verbose_name=_("class-set"),
    )
    booklet = models.ForeignKey(
        Booklet, on_delete=models.PROTECT, null=True, blank=True, related_name="sittings"
    )
    raw = models.JSONField(_("answers"), default=list)
    scores = models.JSONField(_("scores"), default=list)
    omitted = models.JSONField(_("omitted items"), default=list)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        ordering = ["assessment", "school", "pupil_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "pupil_code"], name="sitting_pupil_unique"
            )
        ]
        indexes = [models.Index(fields=["assessment", "school"])]

    def __str__(self) -> str:
        return self.pupil_code


class Scaling(models.Model):
    """One calibration run and its summary; a base-year scaling has ``base`` empty."""

    class Model(models.TextChoices):
        RASCH = "rasch", _("Rasch")
        TWO_PL = "2pl", _("2PL")
        PARTIAL_CREDIT = "pcm", _("partial credit")

    class Link(models.TextChoices):
        NONE = "none", _("base year (no link)")
        STOCKING_LORD = "stocking_lord", _("Stocking-Lord")
        HAEBARA = "haebara", _("Haebara")
        MEAN_SIGMA = "mean_sigma", _("mean-sigma")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("computed")
        FAILED = "failed", _("failed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scalings")
    model = models.CharField(_("model"), max_length=8, choices=Model.choices)
    base = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked",
        verbose_name=_("linked to"),
    )
    link_method = models.CharField(
        _("linking method"), max_length=16, choices=Link.choices, default=Link.NONE
    )
    #: theta_on_base_scale = link_a * theta + link_b
    link_a = models.FloatField(default=1.0)
    link_b = models.FloatField(default=0.0)
    #: reporting scale: score = scale_mean + scale_sd * theta (base-year theta metric)
    scale_mean = models.FloatField(_("scale mean"), default=500.0)
    scale_sd = models.FloatField(_("scale SD"), default=100.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    n_persons = models.PositiveIntegerField(default=0)
    loglik = models.FloatField(null=True, blank=True)
    theta_sd = models.FloatField(null=True, blank=True)
    reliability = models.FloatField(null=True, blank=True)
    #: what was dropped or refused and why: [{"code": ..., "detail": ...}]
    warnings = models.JSONField(default=list)
    seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scaling")
        verbose_name_plural = _("scalings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_model_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class ItemEstimate(models.Model):
    scaling = models.ForeignKey(Scaling, on_delete=models.CASCADE, related_name="item_estimates")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="estimates")
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    #: partial-credit step difficulties (PCM), else empty
    steps = models.JSONField(default=list)
    infit = models.FloatField(null=True, blank=True)
    outfit = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(_("share correct"), null=True, blank=True)
    #: {"rural_urban": "A"|"B"|"C", "language": ...} (ETS Mantel-Haenszel categories)
    dif = models.JSONField(default=dict)
    dropped = models.CharField(_("dropped because"), max_length=200, blank=True)

    class Meta:
        ordering = ["scaling", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["scaling", "item"], name="item_estimate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item} (a={self.a}, b={self.b})"


class PersonScore(models.Model):
    scaling = models.ForeignKey(Scaling, on_delete=models.CASCADE, related_name="scores")
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="person_scores")
    theta = models.FloatField()
    se = models.FloatField()
    score = models.FloatField(_("scale score"))
    level = models.PositiveSmallIntegerField(_("proficiency level"))

    class Meta:
        ordering = ["scaling", "sitting"]
        constraints = [
            models.UniqueConstraint(fields=["scaling", "sitting"], name="person_score_unique")
        ]
        indexes = [models.Index(fields=["scaling", "score"])]

    def __str__(self) -> str:
        return f"{self.sitting} {self.score:.0f}"


class Participation(models.Model):
    """A school is in the programme from the school year that starts in ``since_year``."""

    school = models.OneToOneField(
        "registry.School",
        on_delete=models.CASCADE,
        related_name="participation",
        verbose_name=_("school"),
    )
    since_year = models.PositiveSmallIntegerField(
        _("in the programme since"), validators=year_validators
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme participation")
        verbose_name_plural = _("programme participations")

    def __str__(self) -> str:
        return f"{self.school} ({self.since_year})"
