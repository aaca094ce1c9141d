"""Charts of a plan as PNG images (matplotlib, Agg backend): spend by district, and the
pupil-weighted readiness of each district before and after the plan.

PNG rather than SVG: matplotlib's SVG carries ``style`` attributes that the content
security policy would refuse, and a small PNG is light on a weak link.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

BLUE, LIGHT, GREEN = "#1f5f8b", "#b7c9d8", "#2e9e5b"


def _figure(rows: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    height = max(2.2, 0.32 * rows + 1.1)
    fig = Figure(figsize=(7.2, height), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    return fig, ax


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=100)
    return out.getvalue()


def spend_by_district(rows: Sequence[tuple[str, int]], *, xlabel: str, empty: str) -> bytes:
    """Horizontal bars: spend (million KZT) per district, largest at the top."""
    fig, ax = _figure(len(rows))
    data = sorted(rows, key=lambda r: r[1])
    if not data or not any(v for _l, v in data):
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    labels = [r[0] for r in data]
    values = [r[1] / 1e6 for r in data]
    bars = ax.barh(labels, values, color=BLUE)
    ax.bar_label(
        bars, labels=[f"{v:,.1f}".replace(",", " ") for v in values], fontsize=7.5, padding=2
    )
    ax.set_xlabel(xlabel, fontsize=9)
    ax.margins(x=0.12)
    return _png(fig)


def readiness_before_after(
    rows: Sequence[tuple[str, float, float]], *, before: str, after: str, xlabel: str
) -> bytes:
    """Paired horizontal bars per district: readiness (0-100) before and after the plan."""
    fig, ax = _figure(len(rows) * 1.5)
    data = sorted(rows, key=lambda r: r[1], reverse=True)
    positions = list(range(len(data)))
    h = 0.38
    ax.barh(
        [p + h / 2 for p in positions], [r[1] for r in data], height=h, color=LIGHT, label=before
    )
    ax.barh(
        [p - h / 2 for p in positions], [r[2] for r in data], height=h, color=GREEN, label=after
    )
    ax.set_yticks(positions, [r[0] for r in data])
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    return _png(fig)
