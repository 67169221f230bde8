"""Compare while you play: the previous run drawn faintly behind the current one, a band from a
few replications of the current settings on other seeds, and a second policy run side by side.

The side-by-side run, **B** (:func:`pair`), takes another scenario's policy and everything else
from the run in use, **A**: the same seed, people, network, population and market. It moves on
with A week for week (:func:`follow`, called wherever the page moves A on), and a market lever
moved in A during the run (price, the competitor) reaches B in the same week, so that the two
runs differ by their policies alone. With the same seed both meet the same people and the same
luck until their policies make them part (sequential random numbers then go their own ways).

All of it is kept on the run it is compared with (:func:`comparison`), so that every figure of
that run, on every tab, draws it; the figures' images are kept per comparison
(:attr:`Comparison.token`), so a band that arrives, or a B picked, redraws them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crmsim import checks, scenarios
from crmsim.app.model import SEED_RANGE, DashboardModel
from crmsim.i18n import N_, _, format_number
from crmsim.levers import Market
from crmsim.plots import OKABE_ITO

#: Replications run by the "Band" button: other seeds, the settings of the run in use.
REPLICATIONS = 5
#: What the "Compare with" menu shows for no side-by-side run (its value; the menu shows it in
#: the language in use).
NOTHING = N_("nothing")
#: The levers that belong to the market, not the policy: moved in A during a run, they are
#: moved in B in the same week.
MARKET_LEVERS = tuple(f.name for f in fields(Market))
#: How B's line is drawn: a colour and a dash no line of the run's own figures uses.
B_STYLE = {"color": OKABE_ITO["sky_blue"], "linestyle": "-.", "linewidth": 2.4, "zorder": 3}


def _customers(frame: pd.DataFrame) -> np.ndarray:
    return frame[["actual", "loyal", "marketer"]].sum(axis=1).to_numpy(dtype=float)


def _churn(frame: pd.DataFrame) -> np.ndarray:
    return frame["churn_rate"].astype(float).rolling(13, min_periods=1).mean().to_numpy()


def _trust(frame: pd.DataFrame) -> np.ndarray:
    return frame["trust"].to_numpy(dtype=float)


def _profit(frame: pd.DataFrame) -> np.ndarray:
    return frame["profit"].cumsum().to_numpy(dtype=float)


def _referrals(frame: pd.DataFrame) -> np.ndarray:
    return frame["referrals"].cumsum().to_numpy(dtype=float)


#: The series compared, by figure: the panel (axes number) and the series drawn there.
TRACES: dict[str, tuple[int, Callable[[pd.DataFrame], np.ndarray]]] = {
    "tiers": (0, _customers),
    "churn": (1, _churn),
    "trust": (0, _trust),
    "profit": (1, _profit),
    "referrals": (1, _referrals),
}
#: The legend's name for the run's own line of each series in :data:`TRACES`, in English (as
#: :mod:`crmsim.plots` names it; :func:`own_line` in the language in use): with B drawn beside
#: it, it is called "A: ..." there.
OWN_LINES: dict[str, str] = {
    "tiers": "all customers",
    "churn": "13-week average",
    "trust": "overall (stage-weighted)",
    "profit": "cumulative profit",
    "referrals": "referrals",
}


def own_line(key: str) -> str:
    """The legend's name for the run's own line of figure ``key`` (:data:`OWN_LINES`) in the
    language in use, exactly as :mod:`crmsim.plots` writes it.

    Examples
    --------
    >>> own_line("churn"), own_line("profit")
    ('13-week average', 'cumulative profit')
    """
    if key == "churn":
        return _("{weeks}-week average").format(weeks=format_number(13))
    return _(OWN_LINES[key])


@dataclass
class Comparison:
    """What a run is compared with: the previous run, and replications on other seeds.

    Attributes
    ----------
    previous : pandas.DataFrame or None
        The weekly frame of the run before this one (at its last week).
    runs : list of pandas.DataFrame
        The replications finished so far.
    wanted : int
        Replications asked for (0: none).
    token : int
        Changes whenever what is drawn changes: part of the figures' keys in the cache.
    choice : str or None
        The scenario whose policy B runs (:func:`pair`), or ``None`` for no B.
    other : DashboardModel or None
        B, the run side by side: ``choice``'s policy on this run's seed, people and market.
    replayed : int
        How many of this run's :attr:`~crmsim.app.DashboardModel.changes` B has gone through
        (a market lever among them is applied to B in its week).
    """

    previous: pd.DataFrame | None = None
    runs: list[pd.DataFrame] = field(default_factory=list)
    wanted: int = 0
    token: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    choice: str | None = None
    other: DashboardModel | None = None
    replayed: int = 0

    @property
    def progress(self) -> str:
        """The replications' progress in words, or ``""`` if none were asked for."""
        if not self.wanted:
            return ""
        if len(self.runs) < self.wanted:
            return _("Band: {done} of {wanted} other seeds run…").format(
                done=format_number(len(self.runs)), wanted=format_number(self.wanted)
            )
        return _("Band: the {wanted} other seeds' lowest to highest").format(
            wanted=format_number(self.wanted)
        )


def comparison(model: DashboardModel) -> Comparison:
    """The :class:`Comparison` kept on ``model`` (made empty the first time)."""
    found = getattr(model, "_comparison", None)
    if found is None:
        found = Comparison()
        model._comparison = found
    return found


def overlay(figure: Figure, key: str, model: DashboardModel) -> None:
    """Draw ``model``'s comparison on figure ``key``: the previous run faint and dotted, the
    replications as a band, behind the current run's lines; B (:func:`pair`) as a bold
    dash-dotted line over them, the run's own line then called "A: ..." in the legend."""
    if key not in TRACES:
        return
    found = comparison(model)
    axis_number, series = TRACES[key]
    if axis_number >= len(figure.axes):
        return
    ax = figure.axes[axis_number]
    weeks = model.snapshot()["week"].to_numpy()
    added = False
    if found.runs and len(found.runs) >= found.wanted:
        values = [series(run)[: len(weeks)] for run in found.runs]
        n = min(len(v) for v in values)
        stack = np.vstack([v[:n] for v in values])
        ax.fill_between(
            weeks[:n],
            np.nanmin(stack, axis=0),
            np.nanmax(stack, axis=0),
            color="#888888",
            alpha=0.25,
            linewidth=0,
            zorder=0,
            label=_("{count} other seeds").format(count=format_number(len(values))),
        )
        added = True
    if found.previous is not None and len(found.previous):
        previous = found.previous
        values = series(previous)
        ax.plot(
            previous["week"].to_numpy(),
            values,
            color="#777777",
            linestyle=":",
            linewidth=2.0,
            alpha=0.8,
            zorder=1,
            label=_("previous run"),
        )
        _make_room(ax, values)
        added = True
    other = found.other
    if other is not None and found.choice is not None:
        frame = other.snapshot()
        if len(frame):
            own = own_line(key)
            for line in ax.get_lines():
                if line.get_label() == own:
                    line.set_label(_("A: {line}").format(line=own))
            values = series(frame)
            ax.plot(
                frame["week"].to_numpy(),
                values,
                **B_STYLE,
                label=_("B: {scenario}").format(scenario=found.choice),
            )
            _make_room(ax, values)
            added = True
    if added:
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _make_room(ax: Axes, values: np.ndarray) -> None:
    """Widen ``ax``'s vertical limits, which the figure may have fixed, to show ``values``."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return
    low, high = ax.get_ylim()
    margin = 0.04 * (max(high, finite.max()) - min(low, finite.min()))
    if finite.max() > high:
        high = finite.max() + margin
    if finite.min() < low:
        low = finite.min() - margin
    ax.set_ylim(low, high)


def _starting_market(model: DashboardModel) -> Market:
    """``model``'s market as it was at week 0: the market levers changed since put back."""
    first: dict[str, object] = {}
    for _week, name, old, _new in model.changes:
        if name in MARKET_LEVERS:
            first.setdefault(name, old)
    return model.market.replace(**first)


def pair(model: DashboardModel, choice: str | None) -> DashboardModel | None:
    """Run scenario ``choice``'s policy side by side with ``model``, as B; ``None`` stops it.

    B is a fresh :class:`~crmsim.app.DashboardModel` with ``model``'s seed, number of people,
    network, population and market as they were at week 0, and ``choice``'s policy; it is
    simulated up to ``model``'s week at once (:func:`follow`), any market lever moved in
    ``model`` on the way applied in its week. Picking ``model``'s own scenario compares the
    levers in use with the scenario's own.

    Parameters
    ----------
    model : DashboardModel
        The run in use, A.
    choice : str or None
        A scenario's name (:func:`crmsim.scenarios.names`), or ``None`` (or :data:`NOTHING`).

    Returns
    -------
    DashboardModel or None
        B, also kept as ``comparison(model).other``.

    Examples
    --------
    >>> a = DashboardModel(n_customers=200, rng=3, weeks=10)
    >>> b = pair(a, "customer_centric")
    >>> (b.week, b.seed, b.n_customers), b.policy.respect, a.policy.respect
    ((10, 3, 200), 0.8, 0.5)
    >>> a.step(); follow(a); b.week
    11
    >>> same = pair(a, "baseline")  # a's own scenario and levers: the very same run
    >>> same.frame.equals(a.frame)
    True
    """
    found = comparison(model)
    if choice == NOTHING:
        choice = None
    if choice is not None:
        checks.choice("the policy compared with", choice, scenarios.names())
    other = None
    if choice is not None:
        other = DashboardModel(
            scenario_name=model.scenario_name,
            n_customers=model.n_customers,
            network=model.network_kind,
            rng=model.seed,
        )
        policy = scenarios.load(choice).kwargs["policy"]
        checks.discount_target(
            policy.discount_target, other.population.segment_names, "discount_target"
        )
        # Week 0 draws nothing from the policy or the market: set here, they act as if given.
        other.policy, other.market = policy, _starting_market(model)
    with model.lock:
        found.choice, found.other, found.replayed = choice, other, 0
        found.token += 1
    follow(model)
    return other


def follow(model: DashboardModel) -> None:
    """Move B (:func:`pair`) on to ``model``'s week; nothing if there is no B.

    Called after each week of ``model`` (Step, ▶), or many (Run 156 weeks, a new run). Before
    each of its weeks, B takes the market levers ``model`` had changed by that week. Safe to
    call from two threads at once: each week of B is simulated once.
    """
    found = comparison(model)
    while True:
        with model.lock:
            other, week, changes = found.other, model.week, list(model.changes)
        if other is None:
            return
        with other.lock:
            if found.other is not other or other.week >= week:
                return
            # Every change made before ``model`` simulated week ``other.week`` is listed by now.
            while found.replayed < len(changes) and changes[found.replayed][0] <= other.week:
                _week, name, _old, new = changes[found.replayed]
                if name in MARKET_LEVERS:
                    other.market = other.market.replace(**{name: new})
                found.replayed += 1
            other.step()


def replicate(
    model: DashboardModel,
    n: int = REPLICATIONS,
    on_progress: Callable[[], None] | None = None,
) -> threading.Thread:
    """Run ``n`` replications of ``model``'s settings on other seeds, in a background thread.

    Each runs as many weeks as ``model`` has, with the levers in use now; they are added to
    ``model``'s :class:`Comparison` one by one, and ``on_progress()`` is called after each (and
    the page redraws). Asking again, or a new run, cancels replications under way.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1, weeks=5)
    >>> replicate(model, 2).join()
    >>> comparison(model).progress
    "Band: the 2 other seeds' lowest to highest"
    """
    from crmsim.app.link import settings_from_query, settings_query

    found = comparison(model)
    found.cancel.set()  # replications of an earlier request stop
    cancel = threading.Event()
    found.cancel, found.runs, found.wanted = cancel, [], n
    found.token += 1
    kwargs, _per_attribute = settings_from_query(settings_query(model), model.scenario_name)
    weeks = model.week
    seed = model.seed or 0

    def run() -> None:
        for k in range(1, n + 1):
            if cancel.is_set():
                return
            other = DashboardModel(**{**kwargs, "rng": (seed + k) % SEED_RANGE})
            for _week in range(weeks):
                if cancel.is_set():
                    return
                other.step()
            found.runs.append(other.frame)
            found.token += 1
            if on_progress is not None:
                on_progress()

    thread = threading.Thread(target=run, name="crmsim-replications", daemon=True)
    thread.start()
    return thread
