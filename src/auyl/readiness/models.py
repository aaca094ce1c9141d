"""Digital readiness: audits of schools, the region's equipment norms and its catalogue.

- :class:`Audit`: a school's digital readiness as its principal (or a methodologist's
  import) reports it. A draft may be saved with gaps; submitting it makes it an immutable
  numbered version (v1, v2, ...) with who and when, and the latest submitted version is
  the one that counts (``is_latest``). At most one draft per school.
- :class:`NormSet`: the region's equipment norms and index weights (one row per region,
  audit history). The national internet norm is not stored: it is national
  (:mod:`auyl.engines.norms`).
- :class:`CatalogueItem`: unit prices (KZT) of the items that close gaps, per region, each
  with where its default comes from (audit history).

The rules (index components, needs) are in :mod:`auyl.engines.readiness`; this module turns
rows into the engine's dataclasses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from auyl.engines import norms as national
from auyl.engines import readiness as engine
from auyl.registry.models import Infrastructure, Region, School

# --- Audits -------------------------------------------------------------------------------

DEVICE_KIND_LABELS = {
    "laptop": _("laptop"),
    "desktop": _("desktop computer"),
    "tablet": _("tablet"),
    "panel": _("interactive panel"),
    "projector": _("projector"),
}
AGE_LABELS = {"0_3": _("under 4 years"), "4_7": _("4-7 years"), "8_plus": _("8 years or more")}
CONDITION_LABELS = {
    "working": _("working"),
    "repair": _("needs repair"),
    "broken": _("broken"),
}
SKILL_LABELS = (
    _("beginner: needs help to use a computer"),
    _("basic: uses a computer and the internet to prepare lessons"),
    _("confident: teaches with digital resources and online lessons"),
    _("advanced: makes digital content and helps colleagues"),
)
DEVICE_KEYS = tuple(
    f"{kind}:{age}:{condition}"
    for kind in engine.DEVICE_KINDS
    for age in engine.AGE_BANDS
    for condition in engine.CONDITIONS
)
MAX_DEVICES = 5000
MAX_TEACHERS = 500


class Audit(models.Model):
    """A school's digital-readiness audit: a draft, or a submitted (immutable) version.

    Invariants: a submitted audit has a version number unique for its school, a submitter
    and a date, and is never changed again (:meth:`save` refuses); one draft per school;
    exactly the highest version of a school is ``is_latest``. ``devices`` maps
    ``"kind:age:condition"`` (see :data:`DEVICE_KEYS`) to a count.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    class Source(models.TextChoices):
        FORM = "form", _("audit form")
        IMPORT = "import", _("file import")
        DEMO = "demo", _("generated demo data")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="audits", verbose_name=_("school")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    is_latest = models.BooleanField(_("latest submitted version"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default="form")
    prefilled_from = models.CharField(_("prefilled from"), max_length=40, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    internet_type = models.CharField(
        _("internet type"), max_length=12, choices=Infrastructure.InternetType.choices, blank=True
    )
    internet_mbps = models.DecimalField(
        _("measured internet speed (Mbps)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
        help_text=_("A speed test at a normal school hour."),
    )
    reliability_pct = models.PositiveSmallIntegerField(
        _("days online (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of last month's school days on which the internet worked."),
    )
    electricity = models.CharField(
        _("electricity"), max_length=10, choices=Infrastructure.Electricity.choices, blank=True
    )
    rooms = models.PositiveSmallIntegerField(
        _("classrooms"), null=True, blank=True, validators=[MaxValueValidator(300)]
    )
    rooms_with_panel = models.PositiveSmallIntegerField(
        _("classrooms with a working interactive panel"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(300)],
    )
    computer_lab = models.BooleanField(_("computer lab"), default=False)
    science_lab = models.BooleanField(_("science lab (physics, chemistry, biology)"), default=False)
    stem_lab = models.BooleanField(_("STEM / robotics lab"), default=False)
    offline_server = models.BooleanField(
        _("offline content server"),
        default=False,
        help_text=_("A local server or panels preloaded with lessons, usable without internet."),
    )
    teachers_level_0 = models.PositiveSmallIntegerField(
        SKILL_LABELS[0], null=True, blank=True, validators=[MaxValueValidator(MAX_TEACHERS)]
    )
    teachers_level_1 = models.PositiveSmallIntegerField(
        SKILL_LABELS[1], null=True, blank=True, validators=[MaxValueValidator(MAX_TEACHERS)]
    )
    teachers_level_2 = models.PositiveSmallIntegerField(
        SKILL_LABELS[2], null=True, blank=True, validators=[MaxValueValidator(MAX_TEACHERS)]
    )
    teachers_level_3 = models.PositiveSmallIntegerField(
        SKILL_LABELS[3], null=True, blank=True, validators=[MaxValueValidator(MAX_TEACHERS)]
    )
    devices = models.JSONField(_("devices"), default=dict, blank=True)
    index_at_submit = models.FloatField(_("readiness index when submitted"), null=True, blank=True)

    #: Fields a submitted audit must have filled in.
    REQUIRED_TO_SUBMIT = (
        "internet_type",
        "internet_mbps",
        "reliability_pct",
        "electricity",
        "rooms",
        "rooms_with_panel",
        "teachers_level_0",
        "teachers_level_1",
        "teachers_level_2",
        "teachers_level_3",
    )
    LEVEL_FIELDS = ("teachers_level_0", "teachers_level_1", "teachers_level_2", "teachers_level_3")

    class Meta:
        verbose_name = _("readiness audit")
        verbose_name_plural = _("readiness audits")
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "version"],
                condition=Q(version__isnull=False),
                name="audit_version_unique",
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(status="draft"), name="audit_one_draft"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_latest=True), name="audit_one_latest"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", version__isnull=True, is_latest=False)
                | Q(status="submitted", version__isnull=False),
                name="audit_version_iff_submitted",
            ),
        ]
        indexes = [models.Index(fields=["school", "is_latest"])]

    def __str__(self) -> str:
        if self.status == self.Status.SUBMITTED:
            return f"{self.school_id} v{self.version}"
        return f"{self.school_id} draft"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Audit.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.SUBMITTED:
                raise ValidationError(_("A submitted audit cannot be changed; start a new one."))
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        if self.status == self.Status.SUBMITTED:
            return f"v{self.version}"
        return str(_("draft"))

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def device_count(self, key: str) -> int:
        return int((self.devices or {}).get(key, 0) or 0)

    def teacher_levels(self) -> tuple[int, ...] | None:
        values = [getattr(self, f) for f in self.LEVEL_FIELDS]
        if all(v is None for v in values):
            return None
        return tuple(v or 0 for v in values)

    def clean(self) -> None:
        """Checks that hold for drafts too: counts in range, a consistent internet line."""
        errors: dict[str, Any] = {}
        devices = self.devices or {}
        if not isinstance(devices, dict):
            errors["devices"] = _("The device counts are not readable.")
        else:
            for key, count in devices.items():
                if key not in DEVICE_KEYS:
                    errors["devices"] = _("Unknown device line %(key)s.") % {"key": key}
                elif not isinstance(count, int) or count < 0:
                    errors["devices"] = _("A device count cannot be negative.")
                elif count > MAX_DEVICES:
                    errors["devices"] = _(
                        "%(count)s devices of one kind is not plausible for a school "
                        "(at most %(max)s)."
                    ) % {"count": count, "max": MAX_DEVICES}
        if self.internet_type == Infrastructure.InternetType.NONE and self.internet_mbps:
            errors["internet_mbps"] = _("A school with no internet cannot have a speed above 0.")
        if (
            self.rooms is not None
            and self.rooms_with_panel is not None
            and self.rooms_with_panel > self.rooms
        ):
            errors["rooms_with_panel"] = _(
                "More classrooms with a panel (%(panel)s) than classrooms (%(rooms)s)."
            ) % {"panel": self.rooms_with_panel, "rooms": self.rooms}
        if errors:
            raise ValidationError(errors)

    def submission_problems(self) -> dict[str, str]:
        """What stops this draft from being submitted (field -> message)."""
        problems: dict[str, str] = {}
        for name in self.REQUIRED_TO_SUBMIT:
            if getattr(self, name) in (None, ""):
                problems[name] = str(_("Fill this in before submitting."))
        if (
            self.internet_type
            and self.internet_type != Infrastructure.InternetType.NONE
            and self.internet_mbps is not None
            and self.internet_mbps <= 0
        ):
            problems["internet_mbps"] = str(
                _("Give the measured speed, or set the type to no internet.")
            )
        if self.internet_type == Infrastructure.InternetType.NONE and self.reliability_pct:
            problems["reliability_pct"] = str(
                _("A school with no internet is never online: set reliability to 0.")
            )
        panels = sum(self.device_count(f"panel:{age}:working") for age in engine.AGE_BANDS)
        if self.rooms_with_panel and self.rooms_with_panel > panels:
            problems["rooms_with_panel"] = str(
                _(
                    "%(rooms)s classrooms with a working panel, but only %(panels)s working "
                    "panels are listed under devices."
                )
                % {"rooms": self.rooms_with_panel, "panels": panels}
            )
        levels = self.teacher_levels()
        if levels is not None and sum(levels) == 0:
            problems["teachers_level_0"] = str(
                _("Give the number of teachers at each level (at least one teacher).")
            )
        return problems

    def device_counts(self) -> tuple[engine.DeviceCount, ...]:
        out = []
        for key, count in sorted((self.devices or {}).items()):
            kind, age, condition = key.split(":")
            if count:
                out.append(engine.DeviceCount(kind, age, condition, int(count)))
        return tuple(out)


# --- Norms --------------------------------------------------------------------------------


def _pct_validators() -> list[Any]:
    return [MinValueValidator(0), MaxValueValidator(100)]


class NormSet(models.Model):
    """A region's equipment norms and the weights of the readiness index.

    Defaults and their sources are in :data:`NORM_SOURCES`; :meth:`clean` refuses norms
    that contradict each other or the national internet norm.
    """

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="readiness_norms", verbose_name=_("region")
    )
    devices_per_pupil = models.DecimalField(
        _("computers per pupil"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        help_text=_("0.20 is one computer for every five pupils."),
    )
    panels_per_class_set_room = models.DecimalField(
        _("interactive panels per class-set room"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("1 is one panel in every room where a class-set is taught."),
    )
    lab_min_grade = models.PositiveSmallIntegerField(
        _("a science/STEM lab for schools teaching this grade or above"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(11)],
    )
    min_reliability_pct = models.PositiveSmallIntegerField(
        _("internet must work on at least this share of school days (%)"),
        default=90,
        validators=_pct_validators(),
    )
    offline_below_mbps = models.DecimalField(
        _("offline content server where the internet is slower than (Mbps)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("2.0"),
    )
    offline_below_reliability_pct = models.PositiveSmallIntegerField(
        _("offline content server where the internet works on fewer school days than (%)"),
        default=50,
        validators=_pct_validators(),
    )
    count_devices_needing_repair = models.BooleanField(
        _("count computers that need repair"), default=False
    )
    count_devices_over_7_years = models.BooleanField(
        _("count computers 8 years old or more"), default=False
    )
    weight_connectivity = models.PositiveSmallIntegerField(
        _("index points for connectivity"), default=30, validators=[MaxValueValidator(100)]
    )
    weight_devices = models.PositiveSmallIntegerField(
        _("index points for computers per pupil"), default=25, validators=[MaxValueValidator(100)]
    )
    weight_panels = models.PositiveSmallIntegerField(
        _("index points for panels per class-set room"),
        default=15,
        validators=[MaxValueValidator(100)],
    )
    weight_labs = models.PositiveSmallIntegerField(
        _("index points for labs"), default=10, validators=[MaxValueValidator(100)]
    )
    weight_teachers = models.PositiveSmallIntegerField(
        _("index points for teachers' digital skills"),
        default=20,
        validators=[MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    WEIGHT_FIELDS = (
        "weight_connectivity",
        "weight_devices",
        "weight_panels",
        "weight_labs",
        "weight_teachers",
    )
    EDITABLE = (
        "devices_per_pupil",
        "panels_per_class_set_room",
        "lab_min_grade",
        "min_reliability_pct",
        "offline_below_mbps",
        "offline_below_reliability_pct",
        "count_devices_needing_repair",
        "count_devices_over_7_years",
        *WEIGHT_FIELDS,
    )

    class Meta:
        verbose_name = _("equipment norms")
        verbose_name_plural = _("equipment norms")

    def __str__(self) -> str:
        return f"norms of {self.region_id}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        dpp = self.devices_per_pupil
        if dpp is None or dpp <= 0 or dpp > 2:
            errors["devices_per_pupil"] = _(
                "Computers per pupil must be above 0 and at most 2 (found %(value)s)."
            ) % {"value": dpp}
        share = self.panels_per_class_set_room
        if share is None or share < 0 or share > 1:
            errors["panels_per_class_set_room"] = _(
                "Panels per class-set room must be between 0 and 1 (found %(value)s)."
            ) % {"value": share}
        mbps = self.offline_below_mbps
        if mbps is None or mbps < 0:
            errors["offline_below_mbps"] = _("A speed cannot be negative (found %(value)s).") % {
                "value": mbps
            }
        elif mbps >= Decimal(str(national.BASE_MBPS)):
            errors["offline_below_mbps"] = _(
                "The offline threshold (%(value)s Mbps) must be below the national internet "
                "norm of %(norm)s Mbps: otherwise a school that meets the norm would still be "
                "treated as having no internet."
            ) % {"value": mbps, "norm": f"{national.BASE_MBPS:g}"}
        if self.offline_below_reliability_pct > self.min_reliability_pct:
            errors["offline_below_reliability_pct"] = _(
                "The offline threshold (%(offline)s%% of days) must not exceed the reliability "
                "norm (%(norm)s%%): a school would need an offline server while its internet "
                "counts as reliable."
            ) % {"offline": self.offline_below_reliability_pct, "norm": self.min_reliability_pct}
        total = sum(getattr(self, f) or 0 for f in self.WEIGHT_FIELDS)
        if total != 100:
            errors[NON_FIELD_ERRORS] = _(
                "The index points must add up to 100 (they add up to %(total)s)."
            ) % {"total": total}
        if errors:
            raise ValidationError(errors)

    def engine_norms(self) -> engine.Norms:
        return engine.Norms(
            devices_per_pupil=float(self.devices_per_pupil),
            panels_per_class_set_room=float(self.panels_per_class_set_room),
            lab_min_grade=self.lab_min_grade,
            min_reliability_pct=float(self.min_reliability_pct),
            offline_below_mbps=float(self.offline_below_mbps),
            offline_below_reliability_pct=float(self.offline_below_reliability_pct),
            count_devices_needing_repair=self.count_devices_needing_repair,
            count_devices_over_7_years=self.count_devices_over_7_years,
            weights=engine.Weights(
                connectivity=self.weight_connectivity,
                devices=self.weight_devices,
                panels=self.weight_panels,
                labs=self.weight_labs,
                teachers=self.weight_teachers,
            ),
        )


ASSUMPTION = _("assumption (no official figure found)")

#: Where each default norm comes from.
NORM_SOURCES: dict[str, Any] = {
    "devices_per_pupil": ASSUMPTION,
    "panels_per_class_set_room": _(
        "the programme's norm: one panel per class-set room (no official ratio found)"
    ),
    "lab_min_grade": _(
        "the programme's norm: a science/STEM lab kit for schools teaching grades 7+"
    ),
    "min_reliability_pct": ASSUMPTION,
    "offline_below_mbps": ASSUMPTION,
    "offline_below_reliability_pct": ASSUMPTION,
    "count_devices_needing_repair": ASSUMPTION,
    "count_devices_over_7_years": ASSUMPTION,
    "weights": ASSUMPTION,
}
INTERNET_NORM_SOURCE = _(
    "national norm (inform.kz): at least 20 Mbps for a 400-place school plus 1 Mbps per 20 "
    "pupils above 400; Auyl applies the 20 Mbps floor to smaller schools too (an assumption)"
)


# --- Catalogue ----------------------------------------------------------------------------


class CatalogueItem(models.Model):
    """The unit price of an item that closes a gap, in one region, with its source."""

    class Item(models.TextChoices):
        INTERNET = "internet", _("internet connection upgrade (installation and first year)")
        OFFLINE_SERVER = "offline_server", _("offline content server")
        LAPTOP = "laptop", _("laptop")
        PANEL = "panel", _("interactive panel")
        LAB_STEM = "lab_stem", _("science/STEM lab kit")

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="catalogue", verbose_name=_("region")
    )
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)
    unit_price = models.PositiveBigIntegerField(_("unit price (KZT)"))
    source = models.CharField(_("source of the price"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue")
        ordering = ["region", "item"]
        constraints = [
            models.UniqueConstraint(fields=["region", "item"], name="catalogue_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.unit_price} KZT"

    def clean(self) -> None:
        low, high = PRICE_RANGE[self.item]
        if self.unit_price is None or not low <= self.unit_price <= high:
            raise ValidationError(
                {
                    "unit_price": _(
                        "%(price)s KZT is not a plausible price for this item: give a price "
                        "between %(low)s and %(high)s KZT."
                    )
                    % {
                        "price": self.unit_price,
                        "low": f"{low:,}".replace(",", " "),
                        "high": f"{high:,}".replace(",", " "),
                    }
                }
            )


#: Default unit prices (KZT) and their sources. facts.md gives only the laptop figure.
DEFAULT_PRICES: dict[str, tuple[int, Any]] = {
    "internet": (1_500_000, ASSUMPTION),
    "offline_server": (450_000, ASSUMPTION),
    "laptop": (
        175_000,
        _(
            "public figure: about 150-200 thousand KZT per laptop/PC in regional bulk "
            "purchases, 2020 (Atyrau, Kyzylorda); the middle of that range"
        ),
    ),
    "panel": (1_200_000, ASSUMPTION),
    "lab_stem": (6_000_000, ASSUMPTION),
}
#: Prices outside these ranges (KZT) are refused as absurd.
PRICE_RANGE: dict[str, tuple[int, int]] = {
    "internet": (10_000, 200_000_000),
    "offline_server": (10_000, 20_000_000),
    "laptop": (20_000, 3_000_000),
    "panel": (50_000, 20_000_000),
    "lab_stem": (100_000, 300_000_000),
}
