"""Demo equipment plans, built once the demo registry and readiness data are loaded.

Two scenarios of the Aktobe pilot's budget for equipping small schools, 2.063 bn KZT
(``shared/domain/facts.md``: baq.kz), to compare: (A) spent in one year on every school of
the region with the default weights, which sends most of it to the large town schools
where a pupil is cheapest to equip; (B) spread over three years on the small schools only,
with weights that favour small and least-ready schools (pupils 0.5, equity 2). They are
created without solving: the plan is computed when a user presses "Run the plan" (a few
seconds for the region).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from auyl.equipment.models import PlanScenario
from auyl.equipment.services import ScenarioData, scenario_create

PILOT_BUDGET = 2_063_000_000  # KZT, Aktobe pilot 2023-24 (baq.kz)
DEMO_ADMIN = "admin"


def three_years(total: int) -> tuple[int, int, int]:
    """``total`` split into three yearly budgets (the remainder in the first year)."""
    third = total // 3
    return (total - 2 * third, third, third)


def load_demo(*, seed: int, progress: Callable[[str], Any]) -> None:
    if PlanScenario.objects.exists():
        return
    admin = get_user_model().objects.filter(username=DEMO_ADMIN).first()
    if admin is None:
        progress("  no demo administrator: no demo equipment scenarios")
        return
    scenarios = (
        ScenarioData(
            name="Пилот: 2,063 млрд ₸, 1 жыл, барлық мектеп (1 год, все школы)",
            district=None,
            schools=PlanScenario.Schools.ALL,
            budgets=(PILOT_BUDGET,),
            notes=(
                "Бюджет пилота на оснащение (baq.kz), за один год, на все школы области, "
                "веса по умолчанию."
            ),
        ),
        ScenarioData(
            name="Пилот: 2,063 млрд ₸, 3 жыл, шағын мектептер (3 года, малокомплектные)",
            district=None,
            schools=PlanScenario.Schools.SMALL,
            budgets=three_years(PILOT_BUDGET),
            weight_pupils=0.5,
            weight_equity=2.0,
            notes=(
                "Тот же бюджет за три года, только малокомплектные школы; малые школы весят "
                "больше (вес учеников 0,5), наименее готовые — вперёд (вес справедливости 2)."
            ),
        ),
    )
    for data in scenarios:
        scenario_create(data=data, by=admin)
    progress(f"  created {len(scenarios)} demo equipment scenarios (not yet planned)")
