"""``{% school_readiness school as r %}``: a school's readiness index, band and audit state,
for pages of other apps (the registry's school page includes ``readiness/_school_panel.html``).
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def school_readiness(school: Any) -> dict[str, Any]:
    from auyl.readiness.selectors import school_panel

    return school_panel(school)


@register.filter
def kzt(value: Any) -> str:
    """12345678 -> "12 345 678" (thin groups, as Kazakh and Russian write numbers)."""
    try:
        return f"{int(value):,}".replace(",", "\u00a0")
    except (TypeError, ValueError):
        return ""
