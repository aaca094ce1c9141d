"""The school registry: districts, schools, enrolment, class-sets, teachers, infrastructure.

Names of places and schools are stored in Kazakh and Russian (``name_kk``, ``name_ru``); the
interface shows the one that matches the active language (Russian for English, as official
English names are not kept). Every model whose changes matter keeps an audit history
(django-simple-history: who, when, before, after). Writes go through ``services.py``;
reads that depend on who is asking go through ``selectors.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

#: Grades that exist in a Kazakh school: 0 is the pre-school class, 1-11 the school grades.
GRADES = tuple(range(0, 12))
MIN_GRADE, MAX_GRADE = GRADES[0], GRADES[-1]
grade_validators = [MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)]


class BilingualName(models.Model):
    """Abstract: a thing with a Kazakh and a Russian name, shown in the active language."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "kk").startswith("kk"):
            return self.name_kk or self.name_ru
        return self.name_ru or self.name_kk


class Region(BilingualName):
    """An oblast (or a whole country's worth of schools in a benchmark)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Generated data, not real schools.")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]


class District(BilingualName):
    """A district (аудан/район) or a city of regional status."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("region")
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    centre_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    centre_lon = models.FloatField(_("centre longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    @property
    def name(self) -> str:
        if (get_language() or "kk").startswith("en") and self.name_en:
            return self.name_en
        return super().name


class Subject(BilingualName):
    """A school subject from the reference list (mathematics, physics, Kazakh language...)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["code"]

    @property
    def name(self) -> str:
        if (get_language() or "kk").startswith("en"):
            return self.name_en
        return super().name


class School(BilingualName):
    """A general-education school with its place in the hub network.

    Invariants (checked in :meth:`clean`): a magnet school names its hub, which is a hub
    school; a hub or an unlinked school has no hub; coordinates are inside plausible
    latitude/longitude ranges.
    """

    class Locality(models.TextChoices):
        RURAL = "rural", _("rural")
        URBAN = "urban", _("urban")

    class NetworkRole(models.TextChoices):
        NONE = "none", _("not in the network")
        HUB = "hub", _("hub school")
        MAGNET = "magnet", _("magnet school")

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")
        MIXED = "mixed", _("Kazakh and Russian")

    code = models.CharField(_("school code"), max_length=20, unique=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    settlement_kk = models.CharField(_("settlement (Kazakh)"), max_length=200)
    settlement_ru = models.CharField(_("settlement (Russian)"), max_length=200)
    locality = models.CharField(_("locality"), max_length=10, choices=Locality.choices)
    language = models.CharField(
        _("language of instruction"), max_length=10, choices=Language.choices
    )
    network_role = models.CharField(
        _("network role"), max_length=10, choices=NetworkRole.choices, default=NetworkRole.NONE
    )
    hub = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="magnets",
        verbose_name=_("hub school"),
        limit_choices_to={"network_role": "hub"},
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]
        indexes = [models.Index(fields=["district", "locality"])]

    @property
    def settlement(self) -> str:
        if (get_language() or "kk").startswith("kk"):
            return self.settlement_kk or self.settlement_ru
        return self.settlement_ru or self.settlement_kk

    @property
    def is_rural(self) -> bool:
        return self.locality == self.Locality.RURAL

    def clean(self) -> None:
        if self.network_role == self.NetworkRole.MAGNET:
            if self.hub_id is None:
                raise ValidationError({"hub": _("A magnet school must name its hub school.")})
            if self.hub is not None and self.hub.network_role != self.NetworkRole.HUB:
                raise ValidationError({"hub": _("The chosen hub is not a hub school.")})
            if self.hub_id == self.pk:
                raise ValidationError({"hub": _("A school cannot be its own hub.")})
        elif self.hub_id is not None:
            raise ValidationError({"hub": _("Only a magnet school has a hub school.")})


class Enrolment(models.Model):
    """How many pupils a school has in one grade this year."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("school")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), validators=grade_validators)
    pupils = models.PositiveIntegerField(_("pupils"), validators=[MaxValueValidator(5000)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["school", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="one_enrolment_per_grade"),
            models.CheckConstraint(
                condition=models.Q(grade__gte=MIN_GRADE, grade__lte=MAX_GRADE),
                name="enrolment_grade_exists",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.grade} ({self.pupils})"


class ClassSet(models.Model):
    """Pupils taught together in one room: one grade, or several grades combined.

    ``grades`` is a sorted list of distinct grades; a class-set with two or more grades is a
    combined class-set (сынып-жинақ), the mark of a small school. A grade belongs to at most
    one class-set of its school (checked in ``services.class_set_save``).
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="class_sets", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=50)
    grades = models.JSONField(_("grades"), default=list)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("class-set")
        verbose_name_plural = _("class-sets")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="class_set_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_combined(self) -> bool:
        return len(self.grades) > 1

    def clean(self) -> None:
        grades = self.grades
        if not isinstance(grades, list) or not grades:
            raise ValidationError({"grades": _("A class-set needs at least one grade.")})
        bad = [g for g in grades if not isinstance(g, int) or g < MIN_GRADE or g > MAX_GRADE]
        if bad:
            raise ValidationError(
                {
                    "grades": _("Grade %(grade)s does not exist (grades are 0-11).")
                    % {"grade": bad[0]}
                }
            )
        if len(set(grades)) != len(grades):
            raise ValidationError({"grades": _("A grade is listed twice.")})
        self.grades = sorted(grades)


class Teacher(models.Model):
    """A teacher, with a main school; teaching assignments may be at other schools too."""

    code = models.CharField(_("teacher code"), max_length=20, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("main school")
    )
    subjects = models.ManyToManyField(
        Subject, related_name="teachers", verbose_name=_("qualified subjects"), blank=True
    )
    weekly_hours = models.PositiveSmallIntegerField(
        _("weekly teaching hours"), default=18, validators=[MaxValueValidator(40)]
    )
    history = HistoricalRecords(m2m_fields=[subjects])

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class TeachingAssignment(models.Model):
    """A teacher teaches a subject at a school (possibly not their main school)."""

    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("teacher")
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("school")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("subject")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "school", "subject"], name="assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} @ {self.school_id}: {self.subject_id}"


class Infrastructure(models.Model):
    """A school's connectivity, power, rooms and labs (one row per school)."""

    class InternetType(models.TextChoices):
        NONE = "none", _("no internet")
        FIBRE = "fibre", _("fibre optic")
        ADSL = "adsl", _("ADSL")
        MOBILE = "mobile", _("mobile (3G/4G)")
        SATELLITE = "satellite", _("satellite")
        RADIO = "radio", _("radio link")

    class Electricity(models.TextChoices):
        STABLE = "stable", _("grid, stable")
        UNSTABLE = "unstable", _("grid, frequent cuts")
        OFF_GRID = "off_grid", _("generator or solar only")

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="infrastructure", verbose_name=_("school")
    )
    internet_type = models.CharField(
        _("internet type"), max_length=12, choices=InternetType.choices, default=InternetType.NONE
    )
    internet_mbps = models.DecimalField(
        _("internet speed (Mbps)"),
        max_digits=7,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    electricity = models.CharField(
        _("electricity"), max_length=10, choices=Electricity.choices, default=Electricity.STABLE
    )
    rooms = models.PositiveSmallIntegerField(
        _("classrooms"), default=0, validators=[MaxValueValidator(300)]
    )
    computer_lab = models.BooleanField(_("computer lab"), default=False)
    science_lab = models.BooleanField(_("science lab (physics, chemistry, biology)"), default=False)
    stem_lab = models.BooleanField(_("STEM / robotics lab"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("infrastructure")
        verbose_name_plural = _("infrastructure")

    def __str__(self) -> str:
        return f"{self.school_id}: {self.internet_type} {self.internet_mbps} Mbps"

    def clean(self) -> None:
        if self.internet_type == self.InternetType.NONE and self.internet_mbps:
            raise ValidationError(
                {"internet_mbps": _("A school with no internet cannot have a speed above 0.")}
            )
        if self.internet_type != self.InternetType.NONE and not self.internet_mbps:
            raise ValidationError(
                {"internet_mbps": _("Give the measured speed, or set the type to no internet.")}
            )


class DeviceStock(models.Model):
    """How many devices of one kind in one condition a school has."""

    class Kind(models.TextChoices):
        LAPTOP = "laptop", _("laptop")
        DESKTOP = "desktop", _("desktop computer")
        TABLET = "tablet", _("tablet")
        PANEL = "panel", _("interactive panel")
        PROJECTOR = "projector", _("projector")

    class Condition(models.TextChoices):
        WORKING = "working", _("working")
        REPAIR = "repair", _("needs repair")
        BROKEN = "broken", _("broken")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="devices", verbose_name=_("school")
    )
    kind = models.CharField(_("device"), max_length=12, choices=Kind.choices)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    count = models.PositiveIntegerField(_("count"), validators=[MaxValueValidator(5000)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("devices")
        verbose_name_plural = _("devices")
        ordering = ["school", "kind", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "condition"], name="device_stock_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.kind}/{self.condition} x{self.count}"
