"""Charts of monitoring results, drawn on the server with matplotlib (Agg backend).

Each chart function takes plain numbers and already-translated words and returns a
:class:`Chart`: an SVG for pages (embedded as an ``<img>`` data URI, so the content
security policy, which forbids inline styles, does not apply to matplotlib's style
attributes) and a PNG for PDFs. Every chart carries a title and a text alternative
(``<title>``/``<desc>`` in the SVG and the ``alt`` of the image); pages also print the
numbers in a table next to the chart.

Invariant: no chart ever draws a NaN. Suppressed rows (``mean is None``) are skipped, and
an empty chart says so in words.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

BLUE, LIGHT_BLUE, ORANGE, GREY, GREEN, RED = (
    "#1f5f8b",
    "#b7cfe2",
    "#d9822b",
    "#8a96a3",
    "#2e9e5b",
    "#b42318",
)
LEVEL_COLOURS = ("#b42318", "#e0a31e", "#7cae3a", "#1e7d46", "#145a32")


class Chart:
    """A drawn figure; its SVG (for pages) and PNG (for PDFs) are rendered on first use."""

    def __init__(self, fig: Any, title: str, description: str) -> None:
        self.fig = fig
        self.title = title
        self.description = description

    @cached_property
    def svg(self) -> bytes:
        """SVG with text kept as text, a ``<title>`` and a ``<desc>``."""
        import matplotlib

        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "auyl"}):
            out = io.BytesIO()
            self.fig.savefig(out, format="svg", metadata={"Date": None, "Title": self.title})
        svg = out.getvalue().decode("utf-8")
        head = f"<title>{escape(self.title)}</title><desc>{escape(self.description)}</desc>"
        svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)
        return svg.replace("<svg ", '<svg role="img" ', 1).encode("utf-8")

    @cached_property
    def png(self) -> bytes:
        out = io.BytesIO()
        self.fig.savefig(out, format="png", dpi=110)
        return out.getvalue()

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


@dataclass(frozen=True)
class RenderedChart:
    """What a page needs of a chart (picklable, so it can be cached)."""

    title: str
    description: str
    data_uri: str


def cached_dashboard_charts(dash: Any) -> dict[str, RenderedChart]:
    """:func:`dashboard_charts` as rendered SVG data URIs, cached beside the dashboard."""
    from django.core.cache import cache

    from auyl.monitoring.analysis import CACHE_SECONDS

    key = f"{dash.cache_key}:charts"
    hit = cache.get(key) if dash.cache_key else None
    if hit is None:
        hit = {
            name: RenderedChart(chart.title, chart.description, chart.data_uri)
            for name, chart in dashboard_charts(dash).items()
        }
        if dash.cache_key:
            cache.set(key, hit, timeout=CACHE_SECONDS)
    return hit


def _figure(width: float = 7.0, height: float = 3.2) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5)
    return fig, ax


def _render(fig: Any, title: str, description: str) -> Chart:
    fig.suptitle(title, fontsize=10.5, x=0.01, ha="left")
    fig.tight_layout()
    return Chart(fig, title, description)


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10)
    ax.set_axis_off()


def _shown(rows: Sequence[Any]) -> list[Any]:
    return [r for r in rows if getattr(r, "mean", None) is not None]


def trend_chart(
    rows: Sequence[Any],
    reference: Sequence[Any] = (),
    *,
    title: str,
    ylabel: str,
    label: str,
    reference_label: str,
    empty: str,
    description: str,
) -> Chart:
    """Mean scale score per year with its confidence band; the region's line for reference."""
    fig, ax = _figure()
    shown = _shown(rows)
    if not shown:
        _empty(ax, empty)
        return _render(fig, title, description)
    years = [r.year for r in shown]
    ax.fill_between(
        years, [r.ci_low for r in shown], [r.ci_high for r in shown], color=LIGHT_BLUE, alpha=0.8
    )
    ax.plot(years, [r.mean for r in shown], marker="o", color=BLUE, label=label)
    ref = _shown(reference)
    if ref:
        ax.plot(
            [r.year for r in ref],
            [r.mean for r in ref],
            linestyle="--",
            marker=".",
            color=GREY,
            label=reference_label,
        )
    ax.set_xticks(sorted({r.year for r in shown} | {r.year for r in ref}))
    ax.set_ylabel(ylabel, fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="best")
    return _render(fig, title, description)


def gap_chart(
    rows: Sequence[Any], *, title: str, ylabel: str, empty: str, description: str
) -> Chart:
    """A gap (difference of means) per year with its confidence interval; zero marked."""
    fig, ax = _figure(height=2.8)
    shown = _shown(rows)
    if not shown:
        _empty(ax, empty)
        return _render(fig, title, description)
    years = np.array([r.year for r in shown])
    means = np.array([r.mean for r in shown])
    err = np.array(
        [
            [m - r.ci_low for m, r in zip(means, shown, strict=True)],
            [r.ci_high - m for m, r in zip(means, shown, strict=True)],
        ]
    )
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.errorbar(years, means, yerr=err, fmt="o-", color=ORANGE, capsize=4)
    ax.set_xticks(list(years))
    ax.set_ylabel(ylabel, fontsize=9)
    return _render(fig, title, description)


def distribution_chart(
    groups: Sequence[tuple[str, np.ndarray]],
    *,
    title: str,
    xlabel: str,
    empty: str,
    description: str,
    min_pupils: int,
) -> Chart:
    """Score distributions of a few groups as box plots (groups under ``min_pupils`` left out)."""
    data = [(label, values) for label, values in groups if len(values) >= min_pupils]
    fig, ax = _figure(height=max(2.2, 0.55 * len(data) + 1.2))
    if not data:
        _empty(ax, empty)
        return _render(fig, title, description)
    ax.boxplot(
        [values for _label, values in data],
        orientation="horizontal",
        tick_labels=[label for label, _values in data],
        widths=0.55,
        showfliers=False,
        patch_artist=True,
        boxprops={"facecolor": LIGHT_BLUE, "edgecolor": BLUE},
        medianprops={"color": BLUE},
    )
    ax.set_xlabel(xlabel, fontsize=9)
    return _render(fig, title, description)


def levels_chart(
    rows: Sequence[Any],
    *,
    names: Sequence[str],
    title: str,
    xlabel: str,
    empty: str,
    description: str,
) -> Chart:
    """Stacked horizontal bars: the share of pupils at each level per year."""
    shown = [r for r in rows if not r.suppressed]
    fig, ax = _figure(height=max(2.0, 0.45 * len(shown) + 1.4))
    if not shown:
        _empty(ax, empty)
        return _render(fig, title, description)
    labels = [str(r.year) for r in shown]
    left = np.zeros(len(shown))
    for level, name in enumerate(names):
        widths = np.array([100 * r.shares[level] for r in shown])
        ax.barh(labels, widths, left=left, color=LEVEL_COLOURS[level % 5], label=name)
        for y, (x0, w) in enumerate(zip(left, widths, strict=True)):
            if w >= 7:
                ax.text(
                    x0 + w / 2, y, f"{w:.0f}", ha="center", va="center", fontsize=7.5, color="white"
                )
        left += widths
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.legend(
        fontsize=7.5,
        frameon=False,
        ncols=len(names),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35),
    )
    return _render(fig, title, description)


def item_map(
    scores: np.ndarray,
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    pupils_label: str,
    items_label: str,
    empty: str,
    description: str,
) -> Chart:
    """A Wright map: pupils' scale scores (left) against item difficulties on the same scale."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.2), dpi=100)
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.2, 1]})
    finite = scores[np.isfinite(scores)]
    placed = [(code, b) for code, b in items if np.isfinite(b)]
    if finite.size == 0 or not placed:
        _empty(left, empty)
        right.set_axis_off()
        return _render(fig, title, description)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    left.hist(finite, bins=30, orientation="horizontal", color=LIGHT_BLUE, edgecolor=BLUE)
    left.invert_xaxis()
    left.set_xlabel(pupils_label, fontsize=9)
    bs = np.array([b for _c, b in placed])
    xs = np.zeros(len(placed))
    order = np.argsort(bs)
    # spread items of similar difficulty sideways so their labels stay readable
    for k, i in enumerate(order):
        xs[i] = k % 4
    right.scatter(xs, bs, marker="s", color=ORANGE, s=14)
    for (code, b), x in zip(placed, xs, strict=True):
        right.annotate(code, (x, b), xytext=(4, -3), textcoords="offset points", fontsize=6.5)
    right.set_xlim(-0.5, 4.5)
    right.set_xticks([])
    right.set_xlabel(items_label, fontsize=9)
    return _render(fig, title, description)


def event_chart(
    coefs: Sequence[tuple[int, float, float, float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    empty: str,
    description: str,
) -> Chart:
    """Event study: effect by year relative to joining (rel_year, value, ci_low, ci_high);
    the year before joining (-1) is the reference at zero."""
    fig, ax = _figure(height=3.0)
    data = [c for c in coefs if all(np.isfinite(v) for v in c[1:])]
    if not data:
        _empty(ax, empty)
        return _render(fig, title, description)
    data = sorted([*data, (-1, 0.0, 0.0, 0.0)] if all(c[0] != -1 for c in data) else data)
    rel = np.array([c[0] for c in data])
    value = np.array([c[1] for c in data])
    err = np.array([value - np.array([c[2] for c in data]), np.array([c[3] for c in data]) - value])
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.axvline(-0.5, color=GREY, linewidth=0.8, linestyle=":")
    colours = [GREY if r < 0 else BLUE for r in rel]
    for r, v, lo, hi, colour in zip(rel, value, err[0], err[1], colours, strict=True):
        ax.errorbar([r], [v], yerr=[[lo], [hi]], fmt="o", color=colour, capsize=4)
    ax.set_xticks(list(rel))
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    return _render(fig, title, description)


# --- The charts of a dashboard, with translated words -------------------------------------


def _describe_rows(rows: Sequence[Any], unit: str) -> str:
    """A text alternative listing the numbers of a chart (suppressed rows named as such)."""
    from django.utils.translation import gettext as _

    parts = []
    for r in rows:
        label = str(r.year) if r.year is not None else r.label
        if r.mean is None:
            parts.append(_("%(label)s: not shown (too few pupils)") % {"label": label})
        else:
            parts.append(
                _("%(label)s: %(mean)s%(unit)s (%(low)s to %(high)s)")
                % {
                    "label": label,
                    "mean": f"{r.mean:.0f}",
                    "unit": unit,
                    "low": f"{r.ci_low:.0f}",
                    "high": f"{r.ci_high:.0f}",
                }
            )
    return "; ".join(parts)


def dashboard_charts(dash: Any) -> dict[str, Chart]:
    """Trend, rural-urban gap, levels, distribution and item map of a dashboard."""
    from django.utils.translation import gettext as _

    from auyl.monitoring.analysis import MIN_PUPILS, group_label, level_names

    empty = _("No results to show for this selection.")
    score_label = _("mean scale score")
    charts = {
        "trend": trend_chart(
            dash.trend,
            dash.reference,
            title=_("Mean score over the years, with 95 in 100 confidence band"),
            ylabel=score_label,
            label=dash.scope.label,
            reference_label=_("region"),
            empty=empty,
            description=_describe_rows(dash.trend, ""),
        ),
        "gap": gap_chart(
            dash.rural_gap,
            title=_("Urban minus rural mean score, by year"),
            ylabel=_("points on the scale"),
            empty=_("Needs both rural and urban pupils in the selection."),
            description=_describe_rows(dash.rural_gap, ""),
        ),
        "levels": levels_chart(
            dash.levels,
            names=level_names(),
            title=_("Pupils at each proficiency level (illustrative cut scores)"),
            xlabel=_("pupils, per hundred"),
            empty=empty,
            description="; ".join(
                f"{r.year}: "
                + ", ".join(f"{n} {p}" for n, p in zip(level_names(), r.percents, strict=False))
                for r in dash.levels
                if not r.suppressed
            ),
        ),
    }
    year_frame = dash.frame[dash.frame["year"] == dash.year]
    groups = [
        (group_label("rural", value, {}), part["score"].to_numpy())
        for value, part in year_frame.groupby("rural")
    ] + [
        (group_label("pilot", value, {}), part["score"].to_numpy())
        for value, part in year_frame.groupby("pilot")
    ]
    charts["distribution"] = distribution_chart(
        groups,
        title=_("Spread of scores in %(year)s") % {"year": dash.year},
        xlabel=_("scale score"),
        empty=empty,
        description=_("Box plots: the box holds the middle half of pupils, the line the median."),
        min_pupils=MIN_PUPILS,
    )
    items = [(i.code, i.difficulty) for i in dash.items if i.difficulty is not None]
    charts["items"] = item_map(
        year_frame["score"].to_numpy(),
        items,
        title=_("Item map: pupils and item difficulties on one scale (%(year)s)")
        % {"year": dash.year},
        pupils_label=_("pupils"),
        items_label=_("items"),
        empty=_("No item estimates for this year."),
        description=_(
            "An item placed at a score is answered correctly by about half of the pupils "
            "with that score."
        ),
    )
    return charts


def impact_chart(result: Any) -> Chart:
    from django.utils.translation import gettext as _

    coefs = [
        (c.rel_year, c.estimate.value, c.estimate.ci_low, c.estimate.ci_high)
        for c in getattr(result, "event", ())
    ]
    return event_chart(
        coefs,
        title=_("Event study: difference by year relative to joining the programme"),
        xlabel=_("years since the school joined (−1 = the year before, the reference)"),
        ylabel=_("points on the scale"),
        empty=_("An event study needs at least three years of results."),
        description="; ".join(
            _("%(rel)s: %(value)s (%(low)s to %(high)s)")
            % {"rel": r, "value": f"{v:.0f}", "low": f"{lo:.0f}", "high": f"{hi:.0f}"}
            for r, v, lo, hi in coefs
        ),
    )
