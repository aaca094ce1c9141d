"""Number formats of the equipment pages: tenge with thin spaces, millions, percentages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def kzt(value: Any) -> str:
    """2063000000 -> "2 063 000 000 ₸" (narrow no-break spaces)."""
    try:
        amount = round(float(value))
    except (TypeError, ValueError):
        return ""
    return f"{amount:,}".replace(",", "\u202f") + "\u00a0₸"


@register.filter
def mkzt(value: Any) -> str:
    """Millions of tenge with one decimal: 2063000000 -> "2 063.0"."""
    try:
        amount = float(value) / 1e6
    except (TypeError, ValueError):
        return ""
    return f"{amount:,.1f}".replace(",", "\u202f")


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    try:
        return f"{float(value):.{int(digits)}f}\u00a0%"
    except (TypeError, ValueError):
        return ""


@register.filter
def delta(value: Any) -> str:
    """A signed difference in tenge: "+12 000 ₸", "−3 000 ₸", "0"."""
    try:
        amount = round(float(value))
    except (TypeError, ValueError):
        return ""
    if amount == 0:
        return "0"
    sign = "+" if amount > 0 else "\u2212"
    return sign + f"{abs(amount):,}".replace(",", "\u202f") + "\u00a0₸"
