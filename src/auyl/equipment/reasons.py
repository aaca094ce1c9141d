"""Why a school gets what the plan buys it, in the reader's language.

The engine's own ``Purchase.reason`` is one plain-text sentence; the app keeps it, and
writes the explanation people read from the structured facts the run stored: the
package's category, how much of the gap it closes, the school's pupils, its readiness and
its rank in the district, the year, and whether a planner pinned it. Every sentence is a
translated string, so the same purchase reads in Kazakh on the page and in Russian in a
letter (call these under ``translation.override``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auyl.equipment.models import CATEGORY_LABELS, PlanPurchase, PlanSchool

WHY_CATEGORY = {
    "connectivity": gettext_lazy(
        "Its internet is below the national norm; devices and online lessons depend on it."
    ),
    "devices": gettext_lazy("It has too few working computers for its pupils."),
    "panels": gettext_lazy("Some class-set rooms have no interactive panel."),
    "labs": gettext_lazy("It teaches the upper grades without a science or STEM lab."),
    "offline": gettext_lazy(
        "It has no usable internet: an offline content server brings the learning materials."
    ),
}


def item_label(item: str) -> str:
    """A catalogue item's name in the active language (its code if unknown)."""
    try:  # the readiness catalogue names its items
        from auyl.readiness.selectors import catalogue_label

        return str(catalogue_label(item))
    except (ImportError, ValueError, LookupError):
        pass
    return item.replace("_", " ")


def category_label(category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category


def _dependents(purchase: PlanPurchase) -> str:
    codes = str(purchase.reason_args.get("dependents", "") or "")
    return ", ".join(item_label(c.strip()) for c in codes.split(",") if c.strip())


def decision(purchase: PlanPurchase) -> str:
    """Why the plan chose it, from the engine's reason code."""
    code = purchase.reason_code or ("pinned" if purchase.pinned else "")
    if code == "pinned":
        return _("Pinned by hand by the planner: bought whatever the optimum says.")
    if code == "connectivity_first":
        return _("Connectivity comes first: the school's %(items)s need it.") % {
            "items": _dependents(purchase)
        }
    if code == "prerequisite":
        return _("Needed first for the school's %(items)s.") % {"items": _dependents(purchase)}
    if code == "best_value":
        return _("Among the best value for the budget.")
    return ""


def coverage(purchase: PlanPurchase) -> str:
    needed = purchase.quantity_needed
    if purchase.units >= needed:
        return _("This closes the gap in full (%(units)s of %(needed)s).") % {
            "units": purchase.units,
            "needed": needed,
        }
    share = round(100 * purchase.units / needed) if needed else 0
    return _("This closes %(share)s%% of the gap (%(units)s of %(needed)s).") % {
        "share": share,
        "units": purchase.units,
        "needed": needed,
    }


def purchase_reason(purchase: PlanPurchase, school: PlanSchool, *, priority: bool = True) -> str:
    """Why the plan chose it, what gap it closes and how much of it, and (with
    ``priority``) where the school stands."""
    parts = [decision(purchase)]
    why = WHY_CATEGORY.get(purchase.category)
    if why is not None:
        parts.append(str(why))
    parts.append(coverage(purchase))
    if priority:
        parts.append(school_priority(school))
    return " ".join(p for p in parts if p)


def school_priority(school: PlanSchool) -> str:
    """Where the school stands: pupils, readiness and its rank in the district."""
    return _(
        "The school has %(pupils)s pupils and a readiness of %(readiness)s out of 100: "
        "number %(rank)s of %(count)s schools in its district, counting from the least ready."
    ) % {
        "pupils": school.pupils,
        "readiness": round(school.readiness_before),
        "rank": school.rank_in_district,
        "count": school.schools_in_district,
    }


def district_rank(school: PlanSchool) -> str:
    """The school's place in its district by readiness (for the letter)."""
    return _(
        "Among the %(count)s schools of its district in the plan, it is number %(rank)s "
        "counting from the least ready."
    ) % {"rank": school.rank_in_district, "count": school.schools_in_district}


def not_served_reason(school: PlanSchool) -> str:
    if school.excluded:
        return _("Excluded from this scenario by hand.")
    if not school.need_cost:
        return _("The school meets every norm: it needs nothing.")
    return _(
        "Within this budget the same money helps more pupils elsewhere; "
        "a larger budget or a higher equity weight would reach it."
    )
