"""How KPIs are shown: units, number formats, axis ticks, colours and plain-text tables.

Numbers and the words around them are written in the language in use (:mod:`crmsim.i18n`):
Persian digits and separators, and the Persian of ``experiments.po``, when Persian is in use.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from crmsim.experiments.kpis import KPIS
from crmsim.i18n import _, format_number, pgettext

#: KPIs that are shares (shown as percentages) and KPIs shown with one decimal.
_SHARE_KPIS = frozenset({"churn", "churn_year", "net_growth"})
_DECIMAL_KPIS = frozenset({"final_tenure", "mean_tenure", "clv", "acquisition_cost"})


def _unit(kpi: str) -> str:
    """The unit of a KPI: the last parenthesis of its description."""
    return KPIS[kpi].rsplit("(", 1)[-1].rstrip(")")


def _unit_label(kpi: str) -> str:
    """The unit of a KPI as a figure names it, in the language in use (context ``"unit"``)."""
    return pgettext("unit", _unit(kpi))


def _formatter(kpi: str) -> Any:
    """Tick labels for a KPI: percentages for shares, thousands separators for the rest."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if kpi in _SHARE_KPIS:
        return PercentFormatter(1.0)  # as many decimals as the ticks need: 22.5 %, not 23 %
    # thousands separators for money and counts, decimals kept for small values
    return FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}")


def _format_axis(axis: Any, kpi: str) -> None:
    axis.set_major_formatter(_formatter(kpi))


#: Strong colours first; black is kept for the means and their intervals.
_COLOUR_ORDER = ("orange", "blue", "bluish_green", "vermillion", "reddish_purple", "sky_blue")


def _format_value(kpi: str, value: float) -> str:
    if kpi in _SHARE_KPIS:
        return format_number(value, ".1%")
    if kpi in _DECIMAL_KPIS:
        return format_number(value, ",.1f")
    return format_number(value, ",.0f")


def _format_interval(kpi: str, mean: float, low: float, high: float) -> str:
    if not np.isfinite(mean):
        return _("n/a")
    if not np.isfinite(low):
        return _format_value(kpi, mean)
    return _("{mean} [{low}, {high}]").format(
        mean=_format_value(kpi, mean),
        low=_format_value(kpi, low),
        high=_format_value(kpi, high),
    )


def _format_difference(kpi: str, mean: float, low: float, high: float) -> str:
    """A paired difference: shares in percentage points (pp), the rest as their KPI."""
    if kpi not in _SHARE_KPIS:
        return _format_interval(kpi, mean, low, high)
    if not np.isfinite(mean):
        return _("n/a")
    points = format_number(100 * mean, "+.1f")
    if not np.isfinite(low):
        # TRANSLATORS: pp is percentage points, the unit of a difference of two shares
        return _("{points} pp").format(points=points)
    return _("{points} pp [{low}, {high}]").format(
        points=points,
        low=format_number(100 * low, "+.1f"),
        high=format_number(100 * high, "+.1f"),
    )


def _show(value: Any) -> str:
    """A design value for a label: numbers short (0.3, 18), anything else as text."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return format_number(value, "g")
    return str(value)


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
