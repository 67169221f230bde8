"""The standard figures of a run: one function per question a learner asks of the weekly frame.

Every function takes the weekly frame (``model.datacollector.get_model_vars_dataframe()``, or
the ``weekly.csv`` written by ``crmsim run`` read back with :func:`pandas.read_csv`) and returns
a matplotlib :class:`~matplotlib.figure.Figure` (:func:`time_to_tier` alone takes the curves of
:func:`crmsim.analysis.time_to_tier`, read from a run's history). Pass ``ax=`` to draw into your
own layout instead; the function then draws its main panel there and returns that ``Axes``.

The figures are made as plain ``Figure`` objects, not through :mod:`matplotlib.pyplot`, so
this module never chooses or changes the backend: a notebook keeps its inline backend and the
figure shows as the cell's result, once; a script or the command line saves PNGs with no
display at all (saving uses the Agg renderer, whatever the backend); figures made in a loop do
not pile up in pyplot's list of open figures; and the functions are safe to call from the
threads of a web dashboard. To show a figure in a window from a script, draw it into pyplot
axes: ``fig, ax = plt.subplots(); plots.profit(frame, ax=ax); plt.show()``. In a notebook, a
figure that is not the cell's last expression shows with ``display(fig)``.

Colours are the Okabe–Ito palette, distinguishable with the common colour-vision
deficiencies; fonts and lines are sized to be read from the back of a lecture room.

Figures speak the language in use (:func:`crmsim.set_language`): in Persian their titles,
labels and legends are read from ``locale/fa/LC_MESSAGES/plots.po`` (the names of stages,
tiers and causes from ``terms.po``), set in the shipped Vazirmatn typeface, with Persian digits
on the axes and each panel's own title on the right, where a Persian reader starts.

Examples
--------
>>> from crmsim import CRMModel
>>> from crmsim import plots
>>> model = CRMModel(n_customers=200, rng=1)
>>> model.run(weeks=26)
>>> fig = plots.stages_over_time(model.frame)
>>> fig.axes[0].get_xlabel()
'week'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import StepPatch
from matplotlib.text import Text
from matplotlib.ticker import (
    Formatter,
    FuncFormatter,
    MaxNLocator,
    PercentFormatter,
    StrMethodFormatter,
)

from crmsim import analysis, checks, terms, typefaces
from crmsim.i18n import (
    N_,
    _,
    format_number,
    persian_numbers,
    persian_signs,
    pgettext,
    right_to_left,
)
from crmsim.stages import CHURN_CAUSES

# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia, protanopia, tritanopia.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

#: Stage colours run from pale (not yet a customer) to deep (committed); leaving is vermillion.
STAGE_COLOURS = {
    "unaware": "#D9D9D9",
    "awareness": OKABE_ITO["sky_blue"],
    "exploration": OKABE_ITO["yellow"],
    "expansion": OKABE_ITO["bluish_green"],
    "commitment": OKABE_ITO["blue"],
    "dissolution": OKABE_ITO["vermillion"],
}
TIER_COLOURS = {
    "prospect": OKABE_ITO["grey"],
    "actual": OKABE_ITO["orange"],
    "loyal": OKABE_ITO["blue"],
    "marketer": OKABE_ITO["bluish_green"],
}
TRUST_COLOURS = {
    "trust_calculus": OKABE_ITO["orange"],
    "trust_knowledge": OKABE_ITO["blue"],
    "trust_identification": OKABE_ITO["reddish_purple"],
}
CAUSE_COLOURS = {
    "competitor": OKABE_ITO["blue"],
    "failure": OKABE_ITO["vermillion"],
    "disrespect": OKABE_ITO["reddish_purple"],
    "drift": OKABE_ITO["grey"],
    "moved": OKABE_ITO["bluish_green"],
}

#: Default title of each standard figure, by its key in :func:`standard_figures`, in English
#: (a figure shows it in the language in use).
TITLES = {
    "stages": N_("Customers by relationship stage"),
    "tiers": N_("Customers by tier, former customers and prospects"),
    "churn": N_("Customers won and lost, and churn"),
    "trust": N_("Trust of active customers: calculus, knowledge, identification"),
    "profit": N_("Revenue, cost and profit"),
    "referrals": N_("Referrals and negative word of mouth"),
    "churn_causes": N_("Why customers left"),
}

# Projector-readable: large type, thick lines, light grid, no box around the plot.
_STYLE = {
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "lines.linewidth": 2.4,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.8,
    "figure.titlesize": 16,
    "figure.titleweight": "bold",
}

_THOUSANDS = "{x:,.0f}"


# ---------------------------------------------------------------------------- helpers
@contextmanager
def figure_style() -> Iterator[None]:
    """Context in which the standard figures are drawn: large type and thick lines, in the
    typeface of the language in use (:func:`crmsim.typefaces.figure_style`).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> with figure_style():
    ...     fig = Figure()
    """
    with mpl.rc_context({**_STYLE, **typefaces.figure_style()}):
        yield


#: A tick label that is a number: digits, separators, a sign and a per cent sign, nothing else.
_NUMBER_LABEL = re.compile(r"[+\-−]?[0-9.,]*[0-9][0-9.,]*%?")


class _PersianDigits(Formatter):
    """Another formatter's tick labels, written in Persian digits and signs.

    A label that is not a number is a name from the data (a period, a stage, a policy, a
    parameter): it is shown as :func:`crmsim.terms.data_name` writes it, with the numbers of a
    Persian text in Persian digits but a Latin name such as ``market.trial_rate`` or
    ``win-back 10%`` as it is.
    """

    def __init__(self, inner: Formatter) -> None:
        self.inner = inner

    def _written(self, text: str) -> str:
        if _NUMBER_LABEL.fullmatch(text):
            return persian_signs(text)
        return persian_numbers(terms.data_name(text))

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs: Any) -> None:
        self.inner.set_locs(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._written(self.inner(x, pos))

    def format_ticks(self, values: Any) -> list[str]:
        return [self._written(text) for text in self.inner.format_ticks(values)]

    def get_offset(self) -> str:
        return persian_signs(self.inner.get_offset())  # "1e6" and the like

    def format_data(self, value: float) -> str:
        return self._written(self.inner.format_data(value))

    def format_data_short(self, value: float) -> str:
        return self._written(self.inner.format_data_short(value))


def localize(drawn: Figure | Axes) -> None:
    """Give the text of a figure (or of one ``Axes``) the typeface of the language in use and
    its tick labels and numbers that language's digits: Vazirmatn and Persian digits in
    Persian (:func:`crmsim.i18n.persian_numbers` says which texts), and the entries of its
    legends, names from the data, as :func:`crmsim.terms.data_name` writes them; in English,
    nothing changes.

    The standard figures do it themselves. Call it for a figure drawn another way once its
    tick formatters are chosen: drawn into axes made before :func:`figure_style`, its text
    would otherwise keep the typeface of those axes.

    Examples
    --------
    >>> from crmsim.i18n import language
    >>> fig = make_figure()
    >>> ax = fig.subplots()
    >>> ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.1f}"))
    >>> with language("fa"):
    ...     localize(ax)
    >>> ax.yaxis.get_major_formatter()(-1234.5)
    '−۱٬۲۳۴٫۵'
    """
    family = typefaces.figure_style().get("font.family")
    panels = drawn.axes if isinstance(drawn, Figure) else [drawn]
    if family:
        for text in drawn.findobj(Text):
            text.set_fontfamily(family)
        for axes in panels:
            axes.tick_params(labelfontfamily=family)  # for tick labels made when drawn
    if not right_to_left():
        return
    for legend in drawn.findobj(Legend):
        for entry in legend.get_texts():
            if entry.get_text() != (named := terms.data_name(entry.get_text())):
                entry.set_text(named)
    for text in drawn.findobj(Text):
        shown = text.get_text()
        if shown != (written := persian_numbers(shown)):
            text.set_text(written)
    for axes in panels:
        for axis in (axes.xaxis, axes.yaxis):
            formatter = axis.get_major_formatter()
            # shared axes share one formatter: wrap it once
            if not isinstance(formatter, _PersianDigits):
                axis.set_major_formatter(_PersianDigits(formatter))


def localize_when_drawn(figure: Figure) -> None:
    """Make ``figure`` :func:`localize` itself each time it is drawn.

    A pyplot figure hook (matplotlib's ``figure.hooks`` setting), which
    :func:`crmsim.set_language` lists in Persian: the figures a notebook draws with pyplot get
    Persian digits on their axes and in their text like crmsim's own, whatever formatters and
    labels the notebook gives them after making the figure.
    """
    draw = figure.draw

    @functools.wraps(draw)
    def draw_localized(renderer: Any) -> None:
        localize(figure)
        draw(renderer)

    figure.draw = draw_localized  # type: ignore[method-assign]


def _styled[**P](draw: Callable[P, Figure | Axes]) -> Callable[P, Figure | Axes]:
    """``draw`` in :func:`figure_style`, then :func:`localize`-d to the language in use."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> Figure | Axes:
        with figure_style():
            drawn = draw(*args, **kwargs)
            localize(drawn)
        return drawn

    return styled


class CRMFigure(Figure):
    """A matplotlib ``Figure`` that a notebook shows as a PNG when it is a cell's result.

    Made without pyplot, a figure has no backend to display it; IPython asks for
    ``_repr_png_`` instead (unless the inline backend already registered its own printer).
    """

    def _repr_png_(self) -> bytes:
        buffer = BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def make_figure(**kwargs: Any) -> CRMFigure:
    """A new figure, made without pyplot, laid out with ``constrained`` layout by default.

    Examples
    --------
    >>> fig = make_figure(figsize=(4, 3))
    >>> ax = fig.subplots()
    """
    kwargs.setdefault("layout", "constrained")
    return CRMFigure(**kwargs)


def _check(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"frame must be a pandas DataFrame (a crmsim weekly frame), got {type(frame)}"
        )
    if len(frame) == 0:
        raise ValueError("frame has no rows: run the model for at least one week before plotting")
    missing = [c for c in ("week", *columns) if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks the column(s) {missing}; pass a crmsim weekly frame")


def _weeks(frame: pd.DataFrame) -> np.ndarray:
    return frame["week"].to_numpy()


def _panels(
    n: int, height_ratios: list[float] | None = None, size=(10.0, 5.5)
) -> tuple[Figure, list[Axes]]:
    fig = make_figure(figsize=size)
    axes = fig.subplots(n, 1, sharex=True, squeeze=False, height_ratios=height_ratios)[:, 0]
    return fig, list(axes)


def _panel_title(ax: Axes, text: str) -> None:
    # a panel's own title starts where its reader starts: on the right in Persian
    ax.set_title(text, loc="right" if right_to_left() else "left", fontsize=12)


def _finish_week_axis(ax: Axes, weeks: np.ndarray) -> None:
    ax.set_xlabel(_("week"))
    if len(weeks) > 1:
        ax.set_xlim(weeks[0], weeks[-1])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def legend_outside(ax: Axes, reverse: bool = False) -> None:
    """Put the legend to the right of the axes, where it cannot hide data.

    ``reverse=True`` lists the entries bottom-up, so a stack's legend reads like the stack.
    In a right-to-left language each entry's key stands on the right, where reading starts.
    """
    handles, labels = ax.get_legend_handles_labels()
    if reverse:
        handles, labels = handles[::-1], labels[::-1]
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        markerfirst=not right_to_left(),
    )


def _result(ax: Axes | None, fig: Figure) -> Figure | Axes:
    return fig if ax is None else ax


def _bars(
    ax: Axes,
    x: np.ndarray,
    heights: np.ndarray,
    width: float,
    bottom: float | np.ndarray = 0.0,
    color: Any = None,
    label: str | None = None,
) -> StepPatch:
    """Vertical bars of ``width`` centred on ``x``, drawn as one artist instead of one per bar.

    Looks like :meth:`~matplotlib.axes.Axes.bar` (filled, no edge, the gaps between bars
    kept; the pixels are the same) but is a single :class:`~matplotlib.patches.StepPatch`: a
    run of 156 weeks is one artist to add, lay out and render, not 156 rectangles, which is
    what keeps the figures of the dashboard quick. The patch's data
    (:meth:`~matplotlib.patches.StepPatch.get_data`) alternates bars and gaps:
    ``values[::2]`` are the tops of the bars, ``baseline[::2]`` their bottoms and
    ``edges[::2]`` / ``edges[1::2]`` their left and right sides; the gaps are NaN. ``x``
    must be increasing and more than ``width`` apart.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like
        Centres of the bars.
    heights : array_like
        Height of each bar (negative: drawn downwards from ``bottom``).
    width : float
        Width of every bar, in data units.
    bottom : float or array_like
        Where each bar starts, for stacked bars.
    color : colour, optional
    label : str, optional
        The legend entry.

    Returns
    -------
    matplotlib.patches.StepPatch

    Examples
    --------
    >>> fig = make_figure()
    >>> patch = _bars(fig.subplots(), [0, 1, 2], [3, 1, 2], width=0.8, color="C0")
    >>> patch.get_data().values[::2].tolist()
    [3.0, 1.0, 2.0]
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    base = np.broadcast_to(np.asarray(bottom, dtype=float), (n,))
    tops = base + np.asarray(heights, dtype=float)
    edges = np.empty(2 * n)
    edges[0::2] = x - width / 2
    edges[1::2] = x + width / 2
    values = np.full(max(2 * n - 1, 0), np.nan)
    values[0::2] = tops
    baseline = np.repeat(base, 2)[:-1]  # a gap's baseline is never drawn
    patch = StepPatch(
        values,
        edges,
        baseline=baseline,
        fill=True,
        facecolor=color,
        linewidth=0,
        label=label,
        # Snapped to whole pixels like the rectangles of bar() (matplotlib snaps a path by
        # itself only up to 1,024 points), so that the bars stay crisp and evenly spaced.
        snap=True,
    )
    # Not ax.stairs/add_patch: those find the data limits segment by segment, in Python,
    # which for a few hundred bars costs more than drawing them. The limits are the bars'
    # corners; as bar() does, the axis sticks to the bars' bottoms when it autoscales.
    ax.add_artist(patch)
    finite = np.isfinite(tops) & np.isfinite(base)
    if finite.any():
        low = min(tops[finite].min(), base[finite].min())
        high = max(tops[finite].max(), base[finite].max())
        ax.update_datalim([(edges[0], low), (edges[-1], high)])
        patch.sticky_edges.y.extend(np.unique(base[finite]).tolist())
        ax.autoscale_view()
    return patch


# ---------------------------------------------------------------------------- figures
@_styled
def stages_over_time(
    frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure | Axes:
    """Everyone in the market by relationship stage, week by week, as a stacked area.

    The stack runs up the Dwyer–Schurr–Oh ladder (unaware at the bottom, dissolution on
    top), so over a run the colour mass moves upward as people hear of the firm, buy,
    commit and, eventually, leave.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure, or ``ax`` when it was given.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=200, rng=1)
    >>> model.run(weeks=13)
    >>> stages_over_time(model.frame).axes[0].get_ylabel()
    'people in the market'
    """
    stages = list(STAGE_COLOURS)
    _check(frame, stages)
    weeks = _weeks(frame)
    fig, (axis,) = _panels(1) if ax is None else (ax.figure, [ax])
    axis.stackplot(
        weeks,
        *(frame[s].to_numpy() for s in stages),
        labels=[pgettext("stage", s) for s in stages],
        colors=[STAGE_COLOURS[s] for s in stages],
        edgecolor="white",
        linewidth=0.4,
    )
    axis.set_ylim(0, frame[stages].sum(axis=1).max())
    axis.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    axis.set_ylabel(_("people in the market"))
    axis.set_title(title or _(TITLES["stages"]))
    axis.grid(False)
    _finish_week_axis(axis, weeks)
    legend_outside(axis, reverse=True)
    return _result(ax, fig)


@_styled
def tiers_over_time(
    frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure | Axes:
    """Customers on each rung of the CAM ladder, and everyone else: the customers the firm
    has lost and the prospects still to win.

    Everyone in the market is in one of the two panels. The top one shows the actual, loyal
    and marketer customers and their total. The bottom one stacks the people who are not
    customers: first the former customers by the highest tier they reached, hatched in that
    tier's colour, so that the loyal customers and marketers a firm has lost stay in sight
    instead of turning back into prospects; above them the prospects who never bought.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw only the customers into these axes, with the former customers of each tier as
        a thin dashed line of its colour.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new two-panel figure, or ``ax`` when it was given.
    """
    tiers = ["actual", "loyal", "marketer"]
    former = [f"former_{tier}" for tier in tiers]
    former_names = {tier: f"former {tier}" for tier in tiers}
    former_labels = {tier: pgettext("tier", name) for tier, name in former_names.items()}
    _check(frame, [*tiers, *former, "prospect"])
    weeks = _weeks(frame)
    if ax is None:
        fig, (top, bottom) = _panels(2, [2.0, 1.4], size=(10.0, 7.0))
    else:
        fig, top, bottom = ax.figure, ax, None
    for tier in tiers:
        top.plot(
            weeks, frame[tier].to_numpy(), color=TIER_COLOURS[tier], label=pgettext("tier", tier)
        )
    top.plot(
        weeks,
        frame[tiers].sum(axis=1).to_numpy(),
        color=OKABE_ITO["black"],
        linestyle="--",
        linewidth=1.6,
        label=_("all customers"),
    )
    top.set_ylim(bottom=0)
    top.set_ylabel(_("customers"))
    top.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    if bottom is None:
        for tier in tiers:
            top.plot(
                weeks,
                frame[f"former_{tier}"].to_numpy(),
                color=TIER_COLOURS[tier],
                linestyle=(0, (3, 2)),
                linewidth=1.2,
                label=former_labels[tier],
            )
        legend_outside(top)
        top.set_title(title or _(TITLES["tiers"]))
        _finish_week_axis(top, weeks)
        return _result(ax, fig)
    legend_outside(top)
    fig.suptitle(title or _(TITLES["tiers"]))
    _panel_title(top, _("Customers"))
    stacks = bottom.stackplot(
        weeks,
        *(frame[name].to_numpy() for name in former),
        frame["prospect"].to_numpy(),
        colors=[*(TIER_COLOURS[tier] for tier in tiers), TIER_COLOURS["prospect"]],
        labels=[
            *(former_labels[tier] for tier in tiers),
            pgettext("tier", "prospect"),
        ],
    )
    # hatched and paler: the same tiers as above, but people the firm no longer has
    for stack in stacks[:-1]:
        stack.set_hatch("///")
        stack.set_edgecolor("white")
        stack.set_alpha(0.55)
    stacks[-1].set_alpha(0.35)
    bottom.set_ylim(bottom=0)
    bottom.set_ylabel(_("people"))
    _panel_title(
        bottom,
        _("Not customers: former customers by the highest tier they reached, and prospects"),
    )
    bottom.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    bottom.grid(False)
    legend_outside(bottom, reverse=True)
    _finish_week_axis(bottom, weeks)
    return _result(ax, fig)


def _quarterly(frame: pd.DataFrame, losses: pd.DataFrame | None) -> pd.DataFrame | None:
    """Quarterly churn if the loss log is at hand (a frame read from CSV has none)."""
    if len(frame) < 13 or (losses is None and frame.attrs.get("losses") is None):
        return None
    table = analysis.period_churn(frame, 13, losses=losses)
    return table if table["churn"].notna().any() else None


@_styled
def churn_and_acquisition(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    title: str | None = None,
    losses: pd.DataFrame | None = None,
) -> Figure | Axes:
    """Customers won and lost each week, weekly churn and, when it can be computed, quarterly churn.

    Churn follows the course's definition (seed 001): of the customers there at the start of a
    period, the share lost during it; newcomers of the period do not count. Weekly churn is the
    frame's ``churn_rate``; quarterly churn is :func:`crmsim.analysis.period_churn` over 13
    weeks and needs the loss log, which a frame straight from the model carries. A frame read
    back from CSV has no loss log: pass ``losses=`` (e.g. the ``losses.csv`` of ``crmsim run``)
    to get the quarterly panel.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw only the won/lost bars into these axes.
    title : str, optional
        Replaces the default title.
    losses : pandas.DataFrame, optional
        The model's loss log (``model.losses``) if the frame does not carry it.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure (two panels, or three with quarterly churn), or ``ax`` when given.
    """
    _check(frame, ["acquired", "won_back", "lost", "churn_rate"])
    weeks = _weeks(frame)
    quarterly = _quarterly(frame, losses) if ax is None else None
    if ax is None:
        n = 2 if quarterly is None else 3
        fig, axes = _panels(n, [1.3, 1.0, 1.0][:n], size=(10.0, 3.0 + 2.4 * n))
        fig.suptitle(title or _(TITLES["churn"]))
        top = axes[0]
    else:
        fig, axes, top = ax.figure, [ax], ax
    acquired = frame["acquired"].to_numpy()
    won_back = frame["won_back"].to_numpy()
    returned = frame["returned"].to_numpy() if "returned" in frame else 0 * won_back
    lost = frame["lost"].to_numpy()
    # One artist per series rather than one bar per week: a three-year run would
    # otherwise be some 470 rectangles to lay out and render.
    _bars(top, weeks, acquired, width=0.9, color=OKABE_ITO["blue"], label=_("new customers"))
    if won_back.any():
        _bars(
            top,
            weeks,
            won_back,
            bottom=acquired,
            width=0.9,
            color=OKABE_ITO["sky_blue"],
            label=_("won back"),
        )
    if returned.any():
        _bars(
            top,
            weeks,
            returned,
            bottom=acquired + won_back,
            width=0.9,
            color=OKABE_ITO["bluish_green"],
            label=_("came back on their own"),
        )
    _bars(
        top,
        weeks,
        -lost,
        width=0.9,
        color=OKABE_ITO["vermillion"],
        label=_("lost (shown below 0)"),
    )
    top.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    # Losses are drawn downwards, but a count is never negative: label ticks by size.
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, pos: f"{abs(v):,.0f}"))
    top.set_ylabel(_("customers per week"))
    legend_outside(top)
    if ax is not None:
        top.set_title(title or _("Customers won and lost each week"))
        _finish_week_axis(top, weeks)
        return ax
    _panel_title(top, _("Won and lost each week"))

    weekly = axes[1]
    rate = frame["churn_rate"].to_numpy(dtype=float)
    weekly.plot(
        weeks, rate, color=OKABE_ITO["vermillion"], linewidth=1.2, alpha=0.55, label=_("weekly")
    )
    weekly.plot(
        weeks,
        pd.Series(rate).rolling(13, min_periods=1).mean().to_numpy(),
        color=OKABE_ITO["vermillion"],
        label=_("{weeks}-week average").format(weeks=format_number(13)),
    )
    weekly.set_ylim(bottom=0)
    weekly.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    weekly.set_ylabel(_("share lost per week"))
    _panel_title(weekly, _("Weekly churn: share of the week's starting customers lost"))
    legend_outside(weekly)

    if quarterly is not None:
        q = axes[2]
        q.bar(
            quarterly["first_week"] + 6,
            quarterly["churn"],
            width=12,
            color=OKABE_ITO["reddish_purple"],
            label=_("quarterly churn"),
        )
        if len(quarterly) <= 16:
            for x, value in zip(quarterly["first_week"] + 6, quarterly["churn"], strict=True):
                if np.isfinite(value):
                    q.annotate(
                        format_number(value, ".0%"),
                        (x, value),
                        ha="center",
                        va="bottom",
                        fontsize=10,
                        xytext=(0, 2),
                        textcoords="offset points",
                    )
        q.set_ylim(0, max(0.05, float(np.nanmax(quarterly["churn"])) * 1.2))
        q.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        q.set_ylabel(_("share lost per quarter"))
        _panel_title(q, _("Quarterly churn: share of the quarter's starting customers lost in it"))
        legend_outside(q)
    _finish_week_axis(axes[-1], weeks)
    return fig


@_styled
def trust_composition(
    frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure | Axes:
    """Mean calculus, knowledge and identification trust of the active customers, and overall trust.

    Weeks without any active customer are left blank rather than drawn at zero.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure, or ``ax`` when it was given.
    """
    components = list(TRUST_COLOURS)
    _check(frame, [*components, "active"])
    weeks = _weeks(frame)
    nobody = frame["active"].to_numpy() == 0
    fig, (axis,) = _panels(1) if ax is None else (ax.figure, [ax])
    for column in components:
        values = np.where(nobody, np.nan, frame[column].to_numpy(dtype=float))
        kind = pgettext("trust", column.removeprefix("trust_"))
        label = _("{kind}-based").format(kind=kind)
        axis.plot(weeks, values, color=TRUST_COLOURS[column], label=label)
    if "trust" in frame.columns:
        overall = np.where(nobody, np.nan, frame["trust"].to_numpy(dtype=float))
        axis.plot(
            weeks,
            overall,
            color=OKABE_ITO["black"],
            linestyle="--",
            linewidth=1.8,
            label=_("overall (stage-weighted)"),
        )
    axis.set_ylim(0, 1)
    axis.set_ylabel(
        _("mean trust of active customers ({low} to {high})").format(
            low=format_number(0), high=format_number(1)
        )
    )
    axis.set_title(title or _(TITLES["trust"]))
    _finish_week_axis(axis, weeks)
    legend_outside(axis)
    return _result(ax, fig)


@_styled
def profit(frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None) -> Figure | Axes:
    """Weekly revenue, cost and profit, and profit accumulated since week 0.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw only the weekly revenue, cost and profit into these axes.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new two-panel figure, or ``ax`` when it was given.
    """
    _check(frame, ["revenue", "cost", "profit"])
    weeks = _weeks(frame)
    money = StrMethodFormatter(_THOUSANDS)
    if ax is None:
        fig, (top, bottom) = _panels(2, [1.3, 1.0], size=(10.0, 7.0))
        fig.suptitle(title or _(TITLES["profit"]))
        _panel_title(top, _("Each week"))
    else:
        fig, top, bottom = ax.figure, ax, None
        top.set_title(title or _(TITLES["profit"]))
    for column, label, colour in (
        ("revenue", _("revenue"), OKABE_ITO["blue"]),
        ("cost", _("cost"), OKABE_ITO["orange"]),
        ("profit", _("profit"), OKABE_ITO["bluish_green"]),
    ):
        top.plot(weeks, frame[column].to_numpy(), color=colour, label=label)
    top.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    top.set_ylabel(_("money per week"))
    top.yaxis.set_major_formatter(money)
    legend_outside(top)
    if bottom is None:
        _finish_week_axis(top, weeks)
        return ax
    total = frame["profit"].cumsum().to_numpy(dtype=float)
    bottom.plot(weeks, total, color=OKABE_ITO["black"], linewidth=2.0, label=_("cumulative profit"))
    # Green while the firm is in the black so far, vermillion while it is still in the red
    # (an opening discount or heavy advertising shows as an early red dip).
    for ahead, colour, label in (
        (total >= 0, OKABE_ITO["bluish_green"], _("in profit so far")),
        (total < 0, OKABE_ITO["vermillion"], _("in loss so far")),
    ):
        if ahead.any():
            bottom.fill_between(
                weeks,
                total,
                0,
                where=ahead,
                color=colour,
                alpha=0.35,
                interpolate=True,
                label=label,
            )
    bottom.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    bottom.set_ylabel(_("money since week {week}").format(week=format_number(0)))
    bottom.yaxis.set_major_formatter(money)
    _panel_title(bottom, _("Cumulative profit"))
    legend_outside(bottom)
    _finish_week_axis(bottom, weeks)
    return fig


@_styled
def referrals_and_word_of_mouth(
    frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure | Axes:
    """Friends told good things (referrals) against people told bad things (negative word of mouth).

    Top: people reached each week; bottom: the running totals, which show who is winning the
    conversation about the firm.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw only the weekly counts into these axes.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new two-panel figure, or ``ax`` when it was given.
    """
    _check(frame, ["referrals", "negative_wom"])
    weeks = _weeks(frame)
    series = {
        "referrals": (_("referrals"), OKABE_ITO["bluish_green"]),
        "negative_wom": (_("negative word of mouth"), OKABE_ITO["vermillion"]),
    }
    if ax is None:
        fig, (top, bottom) = _panels(2, [1.0, 1.0], size=(10.0, 7.0))
        fig.suptitle(title or _(TITLES["referrals"]))
        _panel_title(top, _("People reached each week"))
    else:
        fig, top, bottom = ax.figure, ax, None
        top.set_title(title or _(TITLES["referrals"]))
    for column, (label, colour) in series.items():
        top.plot(weeks, frame[column].to_numpy(), color=colour, label=label)
    top.set_ylim(bottom=0)
    top.set_ylabel(_("people per week"))
    top.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    legend_outside(top)
    if bottom is None:
        _finish_week_axis(top, weeks)
        return ax
    for column, (label, colour) in series.items():
        bottom.plot(weeks, frame[column].cumsum().to_numpy(), color=colour, label=label)
    bottom.set_ylim(bottom=0)
    bottom.set_ylabel(_("people since week {week}").format(week=format_number(0)))
    bottom.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    _panel_title(bottom, _("Running total"))
    legend_outside(bottom)
    _finish_week_axis(bottom, weeks)
    return fig


def _bin_width(n_weeks: int) -> int:
    """Weeks per bar, so that a long run still shows at most about 60 readable bars."""
    for width in (1, 2, 4, 13, 26, 52):
        if n_weeks / width <= 60:
            return width
    return int(np.ceil(n_weeks / 60))


@_styled
def churn_causes(
    frame: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure | Axes:
    """Customers lost by cause (competitor, failure, disrespect, drift), as stacked bars.

    Long runs are grouped into bars of several weeks (2, 4, 13, ...) so that the bars stay
    readable; the legend gives each cause's total over the run.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure, or ``ax`` when it was given.
    """
    columns = [f"lost_{cause}" for cause in CHURN_CAUSES]
    _check(frame, columns)
    weeks = _weeks(frame)
    width = _bin_width(len(frame))
    group = np.arange(len(frame)) // width
    binned = frame[columns].groupby(group).sum()
    starts = weeks[::width][: len(binned)]
    fig, (axis,) = _panels(1) if ax is None else (ax.figure, [ax])
    bottom = np.zeros(len(binned))
    for cause, column in zip(CHURN_CAUSES, columns, strict=True):
        if cause == "moved" and not frame[column].any():
            continue  # a closed market: nobody can leave the category
        values = binned[column].to_numpy()
        _bars(
            axis,
            starts + (width - 1) / 2,
            values,
            width=0.9 * width,
            bottom=bottom,
            color=CAUSE_COLOURS[cause],
            label=_("{cause} ({count})").format(
                cause=pgettext("cause", cause), count=format_number(int(frame[column].sum()), ",")
            ),
        )
        bottom = bottom + values
    axis.set_ylabel(
        _("customers lost per week")
        if width == 1
        else _("customers lost per {weeks} weeks").format(weeks=format_number(width))
    )
    axis.yaxis.set_major_formatter(StrMethodFormatter(_THOUSANDS))
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title(title or _(TITLES["churn_causes"]))
    _finish_week_axis(axis, weeks)
    if len(weeks):
        axis.set_xlim(weeks[0] - 0.5, weeks[0] + len(binned) * width - 0.5)
    legend_outside(axis, reverse=True)
    return _result(ax, fig)


# ---------------------------------------------------------------------------- the set
#: Colours of :func:`time_to_tier`'s bands, besides the tier's own.
_CLIMBING = {"still climbing": "#E8E8E8", "left first": OKABE_ITO["vermillion"]}


@_styled
def time_to_tier(
    curves: pd.DataFrame | Mapping[str, pd.DataFrame],
    ax: Axes | None = None,
    title: str | None = None,
    min_at_risk: int = 20,
) -> Figure | Axes:
    """Of all the customers acquired, how many have reached a tier so many weeks after their
    first purchase, how many left before, and how many are still climbing.

    Takes the curves of :func:`crmsim.analysis.time_to_tier` (which needs a run's history),
    not the weekly frame. Each panel stacks three shares of the customers acquired: those
    who left their first relationship before reaching the tier (vermillion, hatched), those
    still customers without it (grey) and those who reached it (the tier's colour). The
    black line between the grey and the coloured bands is the survival curve: the share of
    acquired customers not yet at the tier. A curve is drawn only as far as ``min_at_risk``
    customers are still followed (in their first relationship, without the tier, and acquired
    early enough): beyond, it would rest on a handful of customers.

    Parameters
    ----------
    curves : pandas.DataFrame or mapping of str to pandas.DataFrame
        One curve, or several (one panel each, side by side, e.g. ``{"loyal": ...,
        "marketer": ...}``).
    ax : matplotlib.axes.Axes, optional
        Draw one curve into these axes instead of a new figure.
    title : str, optional
        Replaces the default title.
    min_at_risk : int
        The fewest customers at risk a week of the curve must have to be drawn (>= 1).

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure, or ``ax`` when it was given.

    Examples
    --------
    >>> from crmsim import CRMModel, analysis
    >>> model = CRMModel(n_customers=300, rng=1)
    >>> model.run(weeks=40)
    >>> fig = time_to_tier({t: analysis.time_to_tier(model, t) for t in ("loyal", "marketer")})
    >>> [axis.get_xlabel() for axis in fig.axes]
    ['weeks since first purchase', 'weeks since first purchase']
    """
    if isinstance(curves, pd.DataFrame):
        curves = {curves.attrs.get("tier", "tier"): curves}
    if not curves or not all(isinstance(c, pd.DataFrame) for c in curves.values()):
        raise ValueError("curves must be a curve of analysis.time_to_tier, or a mapping of them")
    if ax is not None and len(curves) != 1:
        raise ValueError(f"ax= takes one curve, got {len(curves)}")
    min_at_risk = checks.integer("min_at_risk", min_at_risk, low=1)
    heading = title or _("Time to a tier: every customer acquired, from the first purchase")
    if ax is None:
        fig = make_figure(figsize=(5.5 * len(curves) + 1.5, 4.6))
        axes = list(fig.subplots(1, len(curves), sharey=True, squeeze=False)[0])
        fig.suptitle(heading)
    else:
        fig, axes = ax.figure, [ax]
    for axis, (name, curve) in zip(axes, curves.items(), strict=True):
        tier = curve.attrs.get("tier", name)
        # at_risk never rises with the weeks: keep the weeks up to the last well-followed one
        curve = curve[curve["at_risk"] >= min_at_risk]
        weeks = curve.index.to_numpy()
        bands = axis.stackplot(
            weeks,
            curve["share_left"].to_numpy(),
            curve["share_climbing"].to_numpy(),
            curve["share_reached"].to_numpy(),
            colors=[
                _CLIMBING["left first"],
                _CLIMBING["still climbing"],
                TIER_COLOURS.get(tier, OKABE_ITO["blue"]),
            ],
            labels=[
                _("left before reaching it"),
                _("still a customer, not there yet"),
                _("reached it"),
            ],
            alpha=0.85,
        )
        bands[0].set_hatch("///")
        bands[0].set_edgecolor("white")
        axis.plot(
            weeks,
            curve["share_not_yet"].to_numpy(),
            color=OKABE_ITO["black"],
            linewidth=2.0,
            label=_("not there yet (survival curve)"),
        )
        axis.set_xlim(0, weeks[-1] if len(weeks) > 1 else 1)
        axis.set_ylim(0, 1)
        axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axis.set_xlabel(_("weeks since first purchase"))
        axis.grid(False)
        customers = curve.attrs.get("customers")
        values = {"tier": pgettext("tier", tier)}
        if customers is None:
            panel, whole = _("to {tier}"), _("Time to {tier}")
        else:
            values["customers"] = format_number(customers, ",")
            panel = _("to {tier} (of {customers} acquired)")
            whole = _("Time to {tier} (of {customers} acquired)")
        _panel_title(axis, panel.format(**values))
        if ax is not None:
            axis.set_title(title or whole.format(**values))
    axes[0].set_ylabel(_("share of customers acquired"))
    legend_outside(axes[-1], reverse=True)
    return _result(ax, fig)


#: The standard figures, by the key used for their file name.
STANDARD_FIGURES: dict[str, Callable[..., Figure | Axes]] = {
    "stages": stages_over_time,
    "tiers": tiers_over_time,
    "churn": churn_and_acquisition,
    "trust": trust_composition,
    "profit": profit,
    "referrals": referrals_and_word_of_mouth,
    "churn_causes": churn_causes,
}


def standard_figures(frame: pd.DataFrame, label: str | None = None) -> dict[str, Figure]:
    """All standard figures of a run.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    label : str, optional
        Added to every title (e.g. the scenario's name) so a figure read on its own says
        which run it shows.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        Keyed ``stages``, ``tiers``, ``churn``, ``trust``, ``profit``, ``referrals`` and
        ``churn_causes``.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=200, rng=1)
    >>> model.run(weeks=13)
    >>> sorted(standard_figures(model.frame))[:3]
    ['churn', 'churn_causes', 'profit']
    """
    figures = {}
    for key, draw in STANDARD_FIGURES.items():
        title = _("{title} — {label}").format(title=_(TITLES[key]), label=label) if label else None
        figures[key] = draw(frame, title=title)
    return figures


def save_standard_figures(
    frame: pd.DataFrame, out_dir: str | Path, label: str | None = None, dpi: int = 150
) -> list[Path]:
    """Write every standard figure as a PNG file ``<key>.png`` in ``out_dir``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A crmsim weekly frame.
    out_dir : str or pathlib.Path
        Folder for the files; created if missing.
    label : str, optional
        Added to every title, see :func:`standard_figures`.
    dpi : int
        Resolution of the PNG files.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`STANDARD_FIGURES`.

    Examples
    --------
    >>> import tempfile
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=200, rng=1)
    >>> model.run(weeks=13)
    >>> [p.name for p in save_standard_figures(model.frame, tempfile.mkdtemp())][:2]
    ['stages.png', 'tiers.png']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for key, fig in standard_figures(frame, label=label).items():
        path = out / f"{key}.png"
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths
