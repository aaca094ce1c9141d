"""Equipment plans: scenarios a planner sets up, and the runs of the allocation engine.

- :class:`PlanScenario`: a budget (one amount per year), the benefit weights, the schools
  excluded by hand and (through :class:`PinnedPackage`) the packages pinned by hand. A
  scenario covers one district, or every school its region administrator sees
  (``district`` empty). Changes keep an audit history.
- :class:`PlanRun`: one solve of a scenario, run as a background job. It keeps a snapshot
  of what it was given (budgets, weights, pins, exclusions), the solver's figures (status,
  total cost, objective, bound, optimality gap, seconds) and, per school considered, a
  :class:`PlanSchool` row (pupils, readiness before and after, what it needed and what it
  gets) with its :class:`PlanPurchase` rows. A run never changes once finished: outputs
  (XLSX, PDF letters, charts) are drawn from it.

Writes go through :mod:`auyl.equipment.services`; reads through
:mod:`auyl.equipment.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from auyl.registry.models import District, School

#: Package categories of the engine (:class:`auyl.engines.planning.equipment.Package`).
CATEGORIES = ("connectivity", "devices", "panels", "labs", "offline")
CATEGORY_LABELS = {
    "connectivity": _("connectivity"),
    "devices": _("devices"),
    "panels": _("interactive panels"),
    "labs": _("labs"),
    "offline": _("offline content server"),
}
#: The most a scenario may spend in one year (1 trillion KZT): anything above is a typo.
MAX_YEAR_BUDGET = 1_000_000_000_000
MAX_YEARS = 5
weight_validators = [MinValueValidator(0), MaxValueValidator(100)]
#: The pupils and gap-closed weights are exponents (see the engine): 0 to 2.
exponent_validators = [MinValueValidator(0), MaxValueValidator(2)]


class PlanScenario(models.Model):
    class Schools(models.TextChoices):
        ALL = "all", _("every school")
        RURAL = "rural", _("rural schools only")
        SMALL = "small", _("small schools only (with combined class-sets)")

    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_scenarios",
        verbose_name=_("district"),
        help_text=_("Empty: every school of the region."),
    )
    schools = models.CharField(
        _("schools"), max_length=10, choices=Schools.choices, default=Schools.SMALL
    )
    budgets = models.JSONField(_("budget per year (KZT)"), default=list)
    weight_pupils = models.FloatField(
        _("pupils reached"), default=1.0, validators=exponent_validators
    )
    weight_gap_closed = models.FloatField(
        _("gap closed"), default=1.0, validators=exponent_validators
    )
    weight_equity = models.FloatField(
        _("equity (least-ready schools first)"), default=1.0, validators=weight_validators
    )
    category_weights = models.JSONField(_("weight of each category"), default=dict)
    connectivity_first = models.BooleanField(
        _("connectivity before the devices that need it"), default=True
    )
    year_discount = models.FloatField(
        _("worth of a year's delay"),
        default=0.9,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    carry_over = models.BooleanField(
        _("money not spent in a year may be spent later"), default=False
    )
    excluded_schools = models.ManyToManyField(
        School, blank=True, related_name="+", verbose_name=_("excluded schools")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    latest_run = models.ForeignKey(
        "PlanRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[excluded_schools], excluded_fields=["latest_run"])

    class Meta:
        verbose_name = _("plan scenario")
        verbose_name_plural = _("plan scenarios")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_budget(self) -> int:
        return sum(int(b) for b in self.budgets)

    @property
    def years(self) -> int:
        return len(self.budgets)


class PinnedPackage(models.Model):
    """A package a planner wants bought whatever the optimum says (the engine must buy it)."""

    scenario = models.ForeignKey(PlanScenario, on_delete=models.CASCADE, related_name="pins")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("package"), max_length=100)
    item = models.CharField(_("item"), max_length=50)
    category = models.CharField(_("category"), max_length=20)
    quantity = models.PositiveIntegerField(_("quantity"))
    cost = models.BigIntegerField(_("cost (KZT)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pinned package")
        verbose_name_plural = _("pinned packages")
        ordering = ["school", "key"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "key"], name="pin_once_per_scenario")
        ]

    def __str__(self) -> str:
        return self.key


class PlanRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Status(models.TextChoices):
        OPTIMAL = "optimal", _("optimal")
        TIME_LIMIT = "time_limit", _("stopped at the time limit")
        INFEASIBLE = "infeasible", _("no plan possible")
        ERROR = "error", _("the solver failed")

    scenario = models.ForeignKey(PlanScenario, on_delete=models.CASCADE, related_name="runs")
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    # What the run was given (the scenario may change afterwards).
    budgets = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    pinned = models.JSONField(default=list)
    excluded = models.JSONField(default=list)  # school codes
    # What the solver reported.
    total_cost = models.BigIntegerField(default=0)
    spend_by_year = models.JSONField(default=list)
    objective = models.FloatField(default=0.0)
    bound = models.FloatField(default=0.0)
    gap = models.FloatField(default=0.0)
    seconds = models.FloatField(default=0.0)
    total_seconds = models.FloatField(default=0.0)  # the whole job: needs, solve, saving
    messages = models.JSONField(default=list)
    error = models.TextField(blank=True)
    # Totals kept for the list and compare pages.
    schools_considered = models.PositiveIntegerField(default=0)
    schools_served = models.PositiveIntegerField(default=0)
    pupils_reached = models.PositiveIntegerField(default=0)
    need_cost = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("plan run")
        verbose_name_plural = _("plan runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scenario_id} run {self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def has_plan(self) -> bool:
        return self.state == self.State.DONE and self.status in (
            self.Status.OPTIMAL,
            self.Status.TIME_LIMIT,
        )

    @property
    def gap_percent(self) -> float:
        return 100.0 * self.gap

    @property
    def budget(self) -> int:
        return sum(int(b) for b in self.budgets)


class PlanSchool(models.Model):
    """A school considered by a run: its figures before and after the plan."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    pupils = models.PositiveIntegerField(default=0)
    readiness_before = models.FloatField(default=0.0)
    readiness_after = models.FloatField(default=0.0)
    rank_in_district = models.PositiveIntegerField(default=0)  # 1 = least ready
    schools_in_district = models.PositiveIntegerField(default=0)
    need_cost = models.BigIntegerField(default=0)
    cost = models.BigIntegerField(default=0)
    benefit = models.FloatField(default=0.0)
    packages = models.JSONField(default=list)  # every package it needed (for pinning)
    excluded = models.BooleanField(default=False)

    class Meta:
        ordering = ["district_id", "school_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="plan_school_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "district"])]

    def __str__(self) -> str:
        return f"run {self.run_id}: school {self.school_id}"

    @property
    def served(self) -> bool:
        return self.cost > 0


class PlanPurchase(models.Model):
    """One thing a run buys for one school (the engine's Purchase)."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="purchases")
    plan_school = models.ForeignKey(PlanSchool, on_delete=models.CASCADE, related_name="purchases")
    key = models.CharField(max_length=100)
    item = models.CharField(max_length=50)
    category = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField(default=0)  # 0-based
    units = models.PositiveIntegerField()
    quantity_needed = models.PositiveIntegerField()
    unit_cost = models.BigIntegerField()
    cost = models.BigIntegerField()
    benefit = models.FloatField(default=0.0)
    pinned = models.BooleanField(default=False)
    engine_reason = models.TextField(blank=True)  # the engine's English sentence
    reason_code = models.CharField(max_length=30, blank=True)
    reason_args = models.JSONField(default=dict)

    class Meta:
        ordering = ["plan_school_id", "year", "key"]
        indexes = [models.Index(fields=["run", "item"])]

    def __str__(self) -> str:
        return f"{self.key} x{self.units} (year {self.year + 1})"

    @property
    def year_label(self) -> int:
        return self.year + 1
