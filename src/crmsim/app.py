"""The interactive dashboard: pull the firm's levers and watch customers, churn and profit.

A Mesa :class:`~mesa.visualization.SolaraViz` page. The sidebar has a scenario picker, Mesa's
Reset / ▶ / Step controls, a "Run 156 weeks" button and one control per lever of
:class:`~crmsim.Policy`, three of the :class:`~crmsim.Market` and the population size. The main
area shows the standard figures of :mod:`crmsim.plots` (stages, tiers, churn and acquisitions,
referrals and negative word of mouth, trust, profit) and, for markets of up to
:data:`NETWORK_LIMIT` people, the social network coloured by stage.

How to use it
-------------
Standalone, in a browser::

    crmsim app                      # serves http://127.0.0.1:8765 and prints the address
    crmsim app --port 9000

In a notebook cell (JupyterLab or Notebook, with the ``lab`` extra installed)::

    from crmsim.app import Page
    Page(scenario_name="opening_discount")

Pick a scenario to load its settings into the controls. Change a control, then press
**Reset**: the model is rebuilt from the controls and, with "Run 156 weeks after Reset"
ticked, runs three years at once. **Step** and **▶** continue week by week. A value the
model refuses (a discount that ends before it starts, a seed that is not a number) does
not break the page: the message is shown and the scenario's own settings are used until
the control is fixed.

Why a subclass
--------------
SolaraViz rebuilds the model as ``type(model)(**controls)``, so every control must be a
keyword argument of the model's constructor. :class:`DashboardModel` takes the levers as
plain numbers and strings and builds the ``Policy`` and ``Market`` from them, starting from
the chosen scenario; :class:`~crmsim.CRMModel` itself keeps its ``policy=`` / ``market=``
interface.

The keyword is ``scenario_name``, not ``scenario``: Mesa 3.5 reserves ``Model.scenario``
(and a ``scenario=`` argument) for its own experiment scenarios and would overwrite ours
when it rebuilds the model.
"""

# Solara components are named like classes (Page, SolaraViz), as Solara and Mesa do.
# ruff: noqa: N802

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Mapping
from io import BytesIO
from typing import Any

import numpy as np
import pandas as pd
import solara
import solara.lab
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from crmsim import analysis, plots, scenarios
from crmsim.customer import Stage
from crmsim.levers import TIER_NAMES, KanoAttribute, Market, Policy, default_service
from crmsim.model import CRMModel
from crmsim.network import NETWORK_KINDS

DEFAULT_SCENARIO = "baseline"
#: Weeks run by the "Run 156 weeks" button and after a Reset: three years, the course's horizon.
RUN_WEEKS = 156
#: The network is drawn only for markets up to this size; beyond it the drawing is a hairball.
NETWORK_LIMIT = 400
#: ``discount_end`` value meaning "the discount never ends".
NO_END = 0
#: The five default Kano attributes, each with its own control.
ATTRIBUTES = tuple(default_service())
#: Resolution of the PNG images of the figures: 750 pixels wide, about what a figure beside
#: another gets on a laptop's screen. Their cost is in the drawing (layout, ticks, text), not
#: the pixels: 72 dpi would save little.
FIGURE_DPI = 100
#: The standard figures are sized for a projector; two side by side read better a bit smaller
#: (the same type on a smaller page is larger in proportion).
FIGURE_SCALE = 0.75

# Stand-in for "no end" in Policy.discount_weeks, which needs a finite end week.
_FOREVER = 1_000_000_000


# ---------------------------------------------------------------------------- the model
def _level(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return float(value)


def _week(name: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a slider may hand over 8.0
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a week number >= 0, got {value!r}")
    return int(value)


def parse_seed(value: Any) -> int | None:
    """The random seed from a control: an integer, a text of digits, or empty for a fresh one.

    Parameters
    ----------
    value : int, str or None
        What the seed control holds.

    Returns
    -------
    int or None
        ``None`` (draw a new seed) for ``None`` or blank text.

    Examples
    --------
    >>> parse_seed(" 42 "), parse_seed(""), parse_seed(7)
    (42, None, 7)
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"rng (the random seed) must be a whole number >= 0, got {value!r}")
        return int(text)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"rng (the random seed) must be a whole number >= 0, got {value!r}")
    return int(value)


def target_label(target: str | frozenset[str]) -> str:
    """The discount target as the dashboard names it: ``"all"``, ``"loyal+marketer"``, ...

    Examples
    --------
    >>> target_label(frozenset({"marketer", "loyal"})), target_label("new")
    ('loyal+marketer', 'new')
    """
    if isinstance(target, str):
        return target
    return "+".join(t for t in TIER_NAMES if t in target)


def _parse_target(label: Any) -> str | frozenset[str]:
    if isinstance(label, set | frozenset | list | tuple):
        return frozenset(label)
    if not isinstance(label, str) or not label:
        raise ValueError(
            "discount_target must be 'all', 'new', tiers such as 'loyal+marketer' or a "
            f"segment name, got {label!r}"
        )
    parts = label.split("+")
    if len(parts) > 1 or label in TIER_NAMES:
        return frozenset(parts)
    return label


class DashboardModel(CRMModel):
    """A :class:`~crmsim.CRMModel` built from the dashboard's controls: one number per lever.

    Every lever left as ``None`` keeps the value of the scenario named ``scenario_name``.

    Parameters
    ----------
    n_customers : int, optional
        People in the market; the scenario's by default.
    scenario_name : str
        A bundled scenario (:func:`crmsim.scenarios.names`) to start from.
    service_quality : float, optional
        Sets the level of every attribute except the reverse one (spam), in [0, 1].
    reliability, speed, personal_touch, spam, logo_colour : float, optional
        Level of each default Kano attribute, in [0, 1]; applied after ``service_quality``.
    respect, discount, recovery, win_back, advertising : float, optional
        The :class:`~crmsim.Policy` fields of the same names, in [0, 1] (discount up to 0.9).
    gift_value, referral_reward : float, optional
        Policy fields too: the value of a gift and the reward per referral (money, >= 0).
    gift_every : int, optional
        Weeks between gifts, >= 1.
    discount_target : str, optional
        ``"all"``, ``"new"``, a tier or tiers joined by ``+`` (``"loyal+marketer"``) or a
        segment of the population.
    discount_start, discount_end : int, optional
        The discount runs in weeks ``start <= week < end``; ``discount_end=0`` means it
        never ends.
    competitor_attractiveness, competitor_offer_rate, price : float, optional
        The :class:`~crmsim.Market` fields of the same names.
    network : str
        ``"small-world"``, ``"scale-free"`` or ``"well-mixed"``.
    rng : int, str, numpy.random.Generator or None
        Seed; a text of digits (as typed in the dashboard) is read as a number, blank or
        ``None`` draws a fresh seed.
    weeks : int
        Weeks to simulate at once, as soon as the model is built (the dashboard's "Run 156
        weeks after Reset"); 0 leaves it at week 0.
    errors : {"raise", "show"}
        What a bad value does: raise ``ValueError`` (the default), or, as the dashboard asks,
        keep the message in :attr:`error` and build the scenario's own run instead, so the
        page shows the message and stays usable.

    Attributes
    ----------
    error : str or None
        Why the controls were not applied (only with ``errors="show"``).
    scenario_name, network_kind : str
    seed : int or None
        The seed as given (``None``: a fresh one was drawn).
    lock : threading.RLock
        Held during each week and while the dashboard reads the data, so a running ▶ and
        the "Run 156 weeks" button cannot step the model at the same time.

    Examples
    --------
    >>> model = DashboardModel(scenario_name="customer_centric", respect=0.9, rng=1)
    >>> model.policy.respect, model.policy.gift_value
    (0.9, 2.0)
    >>> DashboardModel(discount_start=8, discount_end=4)
    Traceback (most recent call last):
    ...
    ValueError: discount_end (4) must be after discount_start (8); 0 means it never ends
    """

    def __init__(
        self,
        n_customers: int | None = None,
        scenario_name: str = DEFAULT_SCENARIO,
        service_quality: float | None = None,
        reliability: float | None = None,
        speed: float | None = None,
        personal_touch: float | None = None,
        spam: float | None = None,
        logo_colour: float | None = None,
        respect: float | None = None,
        discount: float | None = None,
        discount_target: str | None = None,
        discount_start: int | None = None,
        discount_end: int | None = None,
        gift_value: float | None = None,
        gift_every: int | None = None,
        referral_reward: float | None = None,
        recovery: float | None = None,
        win_back: float | None = None,
        advertising: float | None = None,
        competitor_attractiveness: float | None = None,
        competitor_offer_rate: float | None = None,
        price: float | None = None,
        network: str = "small-world",
        rng: Any = None,
        weeks: int = 0,
        errors: str = "raise",
    ) -> None:
        if errors not in ("raise", "show"):
            raise ValueError(f"errors must be 'raise' or 'show', got {errors!r}")
        levers = {
            "service_quality": service_quality,
            "reliability": reliability,
            "speed": speed,
            "personal_touch": personal_touch,
            "spam": spam,
            "logo_colour": logo_colour,
            "respect": respect,
            "discount": discount,
            "discount_target": discount_target,
            "discount_start": discount_start,
            "discount_end": discount_end,
            "gift_value": gift_value,
            "gift_every": gift_every,
            "referral_reward": referral_reward,
            "recovery": recovery,
            "win_back": win_back,
            "advertising": advertising,
            "competitor_attractiveness": competitor_attractiveness,
            "competitor_offer_rate": competitor_offer_rate,
            "price": price,
        }
        self.error: str | None = None
        problems = []
        try:
            seed = rng if isinstance(rng, np.random.Generator) else parse_seed(rng)
        except ValueError as err:
            problems.append(err)
            seed = None
        try:
            inputs = self._inputs(scenario_name, n_customers, network, levers)
        except ValueError as err:
            if scenario_name not in scenarios.names():
                raise
            problems.append(err)
            # The scenario's own run, so that the page keeps working while the learner fixes
            # the control (CRMModel.__init__ cannot be retried on one object, so everything
            # it could refuse is checked in _inputs first).
            inputs = self._inputs(scenario_name, None, "small-world", {})
        if problems:
            if errors == "raise":
                raise problems[0]
            self.error = "; ".join(str(p) for p in problems)
        self.scenario_name = scenario_name
        self.network_kind = inputs["network"]
        self.seed = seed
        self.lock = threading.RLock()
        self._snapshot: tuple[int, pd.DataFrame] | None = None
        super().__init__(**inputs, rng=seed)
        # Run here rather than after the page shows the new model: one redraw, not two.
        self.run(weeks, progress=False)

    @staticmethod
    def _inputs(
        scenario_name: str, n_customers: Any, network: Any, levers: Mapping[str, Any]
    ) -> dict[str, Any]:
        """CRMModel's keyword arguments: the scenario's, with the levers given applied."""
        scenario = scenarios.load(scenario_name)
        given = {k: v for k, v in levers.items() if v is not None}
        policy: Policy = scenario.kwargs["policy"]
        market: Market = scenario.kwargs["market"]
        population = scenario.kwargs["population"]
        if n_customers is None:
            n_customers = scenario.kwargs.get("n_customers", 2_000)
        if isinstance(n_customers, bool) or not isinstance(n_customers, int | np.integer):
            raise ValueError(f"n_customers must be an integer >= 1, got {n_customers!r}")
        if n_customers < 1:
            raise ValueError(f"n_customers must be an integer >= 1, got {n_customers!r}")
        if network not in NETWORK_KINDS:
            raise ValueError(f"network must be one of {NETWORK_KINDS}, got {network!r}")

        # Service: one level for all but the reverse attribute (as Policy.service_quality
        # does), then each attribute's own level on top.
        service = dict(policy.service)
        defaults = default_service()
        if "service_quality" in given:
            quality = _level("service_quality", given["service_quality"])
            service = {
                name: a if a.category == "reverse" else KanoAttribute(a.category, quality)
                for name, a in service.items()
            }
        for name in ATTRIBUTES:
            if name in given:
                category = service.get(name, defaults[name]).category
                service[name] = KanoAttribute(category, _level(name, given[name]))

        changes: dict[str, Any] = {"service": service}
        for name in (
            "respect",
            "discount",
            "gift_value",
            "gift_every",
            "referral_reward",
            "recovery",
            "win_back",
            "advertising",
        ):
            if name in given:
                changes[name] = given[name]
        if "discount_target" in given:
            changes["discount_target"] = _parse_target(given["discount_target"])
        if "discount_start" in given or "discount_end" in given:
            old_start, old_end = policy.discount_weeks or (0, _FOREVER)
            start = _week("discount_start", given.get("discount_start", old_start))
            end = _week("discount_end", given.get("discount_end", old_end))
            if end in (NO_END, _FOREVER):
                changes["discount_weeks"] = None if start == 0 else (start, _FOREVER)
            elif end <= start:
                raise ValueError(
                    f"discount_end ({end}) must be after discount_start ({start}); "
                    "0 means it never ends"
                )
            else:
                changes["discount_weeks"] = (start, end)
        policy = policy.replace(**changes)
        market = market.replace(
            **{
                name: given[name]
                for name in ("competitor_attractiveness", "competitor_offer_rate", "price")
                if name in given
            }
        )
        target = policy.discount_target
        if isinstance(target, str) and target not in ("all", "new", *population.segment_names):
            raise ValueError(
                f"discount_target {target!r} is neither 'all', 'new', a tier nor a segment of "
                f"this population {population.segment_names}"
            )
        return {
            "n_customers": int(n_customers),
            "policy": policy,
            "market": market,
            "population": population,
            "network": network,
        }

    def step(self) -> None:
        """Simulate one week (holding :attr:`lock`)."""
        with self.lock:
            super().step()

    def snapshot(self) -> pd.DataFrame:
        """The weekly frame so far, read while no week is being simulated.

        Built once a week and shared by the overview and every figure: do not modify it.
        """
        with self.lock:
            if self._snapshot is None or self._snapshot[0] != self.week:
                self._snapshot = (self.week, self.frame)
            return self._snapshot[1]


# ---------------------------------------------------------------------------- the controls
def _slider(label: str, value: float, low: float, high: float, step: float) -> dict[str, Any]:
    # A scenario may hold a value beyond the usual range: widen the slider rather than clip it.
    return {
        "type": "SliderFloat",
        "label": label,
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def _int_slider(label: str, value: int, low: int, high: int, step: int = 1) -> dict[str, Any]:
    return {
        "type": "SliderInt",
        "label": label,
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def model_params(
    model: DashboardModel, per_attribute: bool = False, weeks: int = RUN_WEEKS
) -> dict[str, Any]:
    """SolaraViz's ``model_params``: one control per lever, set to ``model``'s values.

    Parameters
    ----------
    model : DashboardModel
        The run whose settings the controls start from.
    per_attribute : bool
        One slider per Kano attribute instead of a single service-quality slider (and one
        for spam, the reverse attribute, which service quality does not set).
    weeks : int
        Weeks each rebuilt model simulates at once (0: it waits at week 0 for Step or ▶).

    Returns
    -------
    dict
        Keys are keyword arguments of :class:`DashboardModel`; a dict value is a control,
        anything else is passed as it is.

    Examples
    --------
    >>> params = model_params(DashboardModel(n_customers=100, rng=1))
    >>> params["respect"]["value"], params["scenario_name"]
    (0.5, 'baseline')
    """
    policy, market = model.policy, model.market
    levels = {name: policy.service[name].level for name in ATTRIBUTES if name in policy.service}
    params: dict[str, Any] = {
        "scenario_name": model.scenario_name,
        "errors": "show",
        "weeks": weeks,
        "n_customers": _int_slider("People in the market", model.n_customers, 50, 5_000, 50),
    }
    if not per_attribute:
        others = [v for n, v in levels.items() if policy.service[n].category != "reverse"]
        quality = round(float(np.mean(others)) if others else 0.7, 2)
        params["service_quality"] = _slider("Service quality (all but spam)", quality, 0, 1, 0.05)
        params.update({name: None for name in ATTRIBUTES if name != "spam"})
    else:
        params["service_quality"] = None
        for name in ATTRIBUTES:
            category = policy.service.get(name, default_service()[name]).category
            label = f"{name.replace('_', ' ').capitalize()} ({category})"
            params[name] = _slider(label, levels.get(name, 0.5), 0, 1, 0.05)
    if not per_attribute:
        params["spam"] = _slider("Spam (reverse)", levels.get("spam", 0.2), 0, 1, 0.05)

    targets = ["all", "new", "loyal+marketer", *model.population.segment_names]
    current = target_label(policy.discount_target)
    if current not in targets:
        targets.append(current)
    start, end = policy.discount_weeks or (0, NO_END)
    if end == _FOREVER:
        end = NO_END
    params.update(
        {
            "respect": _slider("Respect", policy.respect, 0, 1, 0.05),
            "discount": _slider("Discount", policy.discount, 0, 0.9, 0.05),
            "discount_target": {
                "type": "Select",
                "label": "Discount for",
                "value": current,
                "values": targets,
            },
            "discount_start": _int_slider("Discount from week", start, 0, RUN_WEEKS - 1),
            "discount_end": _int_slider("Discount until week (0: never ends)", end, 0, RUN_WEEKS),
            "gift_value": _slider("Gift value (money)", policy.gift_value, 0, 20, 0.5),
            "gift_every": _int_slider("Gift every ... weeks", policy.gift_every, 1, 52),
            "referral_reward": _slider("Referral reward (money)", policy.referral_reward, 0, 40, 1),
            "recovery": _slider("Complaint recovery", policy.recovery, 0, 1, 0.05),
            "win_back": _slider("Win-back effort", policy.win_back, 0, 1, 0.05),
            "advertising": _slider("Advertising reach per week", policy.advertising, 0, 0.2, 0.005),
            "competitor_attractiveness": _slider(
                "Competitor attractiveness", market.competitor_attractiveness, -1, 1, 0.05
            ),
            "competitor_offer_rate": _slider(
                "Competitor offers per week", market.competitor_offer_rate, 0, 0.25, 0.005
            ),
            # Market refuses a price below the unit cost, so the slider starts there.
            "price": _slider(
                "Price", market.price, market.unit_cost, 2 * market.competitor_price, 0.5
            ),
            "network": {
                "type": "Select",
                "label": "Social network",
                "value": model.network_kind,
                "values": list(NETWORK_KINDS),
            },
            "rng": {
                "type": "InputText",
                "label": "Random seed (blank: a new one)",
                "value": str(model.seed) if isinstance(model.seed, int) else "",
            },
        }
    )
    return params


# ---------------------------------------------------------------------------- the views
#: The figures of the dashboard, by key: each a :mod:`crmsim.plots` function of the weekly frame.
FIGURES: dict[str, Callable[[pd.DataFrame], Figure]] = {
    "stages": plots.stages_over_time,
    "tiers": plots.tiers_over_time,
    "churn": plots.churn_and_acquisition,
    "referrals": plots.referrals_and_word_of_mouth,
    "churn_causes": plots.churn_causes,
    "trust": plots.trust_composition,
    "profit": plots.profit,
}
#: Short texts shown beside a figure: what it means and what to look for.
NOTES: dict[str, tuple[str, ...]] = {
    "churn_note": (
        "Churn, the course's way: of the customers there at the start of a period, the share "
        "lost during it. Customers won during the period do not count in its churn; they are "
        "part of the next period's base.",
        "The top panel shows the customers won (up) and lost (down) each week; the middle "
        "one the weekly churn; the bottom one churn per quarter of 13 weeks.",
        "Try: an opening discount (scenario opening_discount) wins many customers at once; "
        "watch what churn does when it ends in week 8.",
    ),
    "network_note": (
        "Each dot is a person in the market, each line two people who talk. Colours are "
        "relationship stages: grey people have not heard of the firm, blue ones are "
        "committed, vermillion ones have left. Larger dots are loyal customers and marketers.",
        "Word of mouth travels along the lines: awareness spreads from customers to their "
        "contacts, and a marketer's friends are likelier to try the firm. Angry former "
        "customers speak against it to theirs.",
        "To watch it happen, untick “Run 156 weeks after Reset”, press Reset and step week "
        "by week (or press ▶).",
    ),
}
#: Tabs of the main area: the views on each and their relative widths. Only the open tab is
#: drawn, which keeps a change quick (drawing a figure costs more than simulating a year), and
#: its images are kept (:data:`FIGURE_CACHE`), so going back to a tab does not draw it again.
TABS: dict[str, tuple[tuple[str, ...], list[int]]] = {
    "Customers": (("stages", "tiers"), [1, 1]),
    "Churn": (("churn", "churn_note"), [3, 2]),
    "Word of mouth": (("referrals", "churn_causes"), [1, 1]),
    "Trust and profit": (("trust", "profit"), [1, 1]),
    "Network": (("network", "network_note"), [3, 2]),
}


def network_figure(model: CRMModel, positions: Mapping[int, Any] | None = None) -> Figure:
    """The social network, each person coloured by relationship stage and sized by tier.

    Parameters
    ----------
    model : CRMModel
        A model of at most :data:`NETWORK_LIMIT` people.
    positions : mapping, optional
        Node positions (``networkx`` layout); computed with a spring layout if missing.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = network_figure(CRMModel(n_customers=60, rng=1))
    >>> fig.axes[0].get_title()
    'Who talks to whom, by relationship stage (week 0)'
    """
    import networkx as nx
    from matplotlib.patches import Patch

    if model.n_customers > NETWORK_LIMIT:
        raise ValueError(
            f"the network is drawn for up to {NETWORK_LIMIT} people, this market has "
            f"{model.n_customers:,}"
        )
    graph = model.network.to_networkx()
    if positions is None:
        positions = network_layout(graph)
    stage = model.state.stage
    tier = model.state.tier
    colours = [plots.STAGE_COLOURS[Stage(s).name.lower()] for s in stage]
    # Loyal customers and marketers drawn larger: the people a firm most wants to keep.
    sizes = np.array([18, 30, 55, 80])[tier]
    with plots.figure_style():
        fig = plots.make_figure(figsize=(8.0, 6.0))
        ax = fig.subplots()
        nx.draw_networkx_edges(graph, positions, ax=ax, width=0.4, alpha=0.25, edge_color="#777")
        nx.draw_networkx_nodes(
            graph,
            positions,
            ax=ax,
            node_color=colours,
            node_size=sizes,
            linewidths=0.4,
            edgecolors="#333",
        )
        ax.set_axis_off()
        ax.set_title(f"Who talks to whom, by relationship stage (week {model.week})")
        handles = [
            Patch(facecolor=colour, edgecolor="#333", label=name)
            for name, colour in plots.STAGE_COLOURS.items()
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.text(
            0.99,
            0.01,
            "larger dots: loyal customers and marketers",
            ha="right",
            va="bottom",
            fontsize=10,
        )
    return fig


def network_layout(graph: Any) -> dict[int, Any]:
    """Positions for drawing ``graph``: a spring layout, the same for the same graph."""
    import networkx as nx

    return nx.spring_layout(graph, seed=1, iterations=60)


def draw_figure(model: DashboardModel, key: str) -> Figure:
    """The figure ``key`` of :data:`FIGURES` for the run so far, sized for the dashboard.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1)
    >>> model.run(5, progress=False)
    >>> draw_figure(model, "profit").get_size_inches().round(2).tolist()
    [7.5, 5.25]
    """
    figure = FIGURES[key](model.snapshot())
    figure.set_size_inches(figure.get_size_inches() * FIGURE_SCALE)
    return figure


def render_png(figure: Figure) -> bytes:
    """``figure`` as the PNG image the page shows, at :data:`FIGURE_DPI`.

    Examples
    --------
    >>> render_png(plots.make_figure(figsize=(2, 1)))[:4]
    b'\\x89PNG'
    """
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


class FigureCache:
    """The images of the views, kept per run and week so that each is drawn only once.

    A view asks for its image with :meth:`image`; the image is drawn the first time and kept
    until the run moves on (Step, ▶, "Run 156 weeks") or is replaced (Reset, a new scenario).
    Opening a tab again therefore shows its figures at once, and a change redraws only the
    tab in view: the other tabs draw theirs when they are opened.

    The runs are held weakly: a run's images go when the run itself goes. Only the latest
    week of each run is kept.

    Examples
    --------
    >>> cache = FigureCache()
    >>> model = DashboardModel(n_customers=100, rng=1, weeks=3)
    >>> cache.image(model, "profit", lambda: b"png") == cache.image(model, "profit", bytes)
    True
    >>> model.run(1, progress=False)
    >>> cache.image(model, "profit", lambda: b"new")
    b'new'
    """

    def __init__(self) -> None:
        self._images: weakref.WeakKeyDictionary[CRMModel, tuple[int, dict[str, bytes]]] = (
            weakref.WeakKeyDictionary()
        )
        self._layouts: weakref.WeakKeyDictionary[CRMModel, dict[int, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def image(self, model: CRMModel, key: str, draw: Callable[[], bytes]) -> bytes:
        """The image ``key`` of ``model`` at its current week; ``draw()`` makes it if missing."""
        week = model.week
        with self._lock:
            drawn_week, images = self._images.get(model, (-1, {}))
            if drawn_week == week and key in images:
                return images[key]
        image = draw()  # outside the lock: sessions do not wait for each other's figures
        with self._lock:
            drawn_week, images = self._images.get(model, (-1, {}))
            if drawn_week < week:  # a newer week may have been stored in the meantime
                drawn_week, images = week, {}
                self._images[model] = (week, images)
            if drawn_week == week:
                images[key] = image
        return image

    def layout(self, model: CRMModel) -> dict[int, Any]:
        """Positions of the people for drawing ``model``'s network: one layout per run."""
        with self._lock:
            positions = self._layouts.get(model)
        if positions is None:
            positions = network_layout(model.network.to_networkx())
            with self._lock:
                positions = self._layouts.setdefault(model, positions)
        return positions

    def clear(self) -> None:
        """Forget every image and layout."""
        with self._lock:
            self._images.clear()
            self._layouts.clear()


#: The images shown by the page, shared by its views (and by the pages of all sessions).
FIGURE_CACHE = FigureCache()


def view_image(model: DashboardModel, key: str) -> bytes:
    """The PNG of view ``key`` (a key of :data:`FIGURES`, or ``"network"``), drawn once a week.

    Served from :data:`FIGURE_CACHE` when this run was drawn at this week before.
    """
    if key == "network":
        return FIGURE_CACHE.image(
            model,
            key,
            lambda: render_png(network_figure(model, FIGURE_CACHE.layout(model))),
        )
    return FIGURE_CACHE.image(model, key, lambda: render_png(draw_figure(model, key)))


_STYLE = """
.crmsim-figure img { width: 100%; height: auto; }
.crmsim-description { font-size: 0.9rem; opacity: 0.85; }
/* Each slider's label on its own line and its value always shown above the thumb, not only
   while dragged: a learner reads the levers, and the tracks line up. */
.v-slider.v-input--horizontal { display: flex; flex-direction: column; align-items: stretch; }
.v-slider .v-input__prepend { margin-inline-end: 0; margin-bottom: 24px; }
.v-slider-thumb__label-container { display: block !important; }
"""


def _placeholder(model: CRMModel) -> None:
    solara.Info(
        f"Nothing to show yet: press Step, ▶ or “Run {RUN_WEEKS} weeks” to simulate."
        if model.week == 0
        else "Nothing to show."
    )


@solara.component
def FigureView(model: DashboardModel, key: str) -> None:
    """One figure of :data:`FIGURES` for the run so far (usable as a SolaraViz component)."""
    update_counter.get()  # Mesa bumps this after each step: redraw
    week = model.week
    image = solara.use_memo(lambda: view_image(model, key) if week else None, [model, week, key])
    with solara.Column(classes=["crmsim-figure"]):
        if image is None:
            _placeholder(model)
        else:
            solara.Image(image, format="png")


@solara.component
def NetworkView(model: DashboardModel) -> None:
    """The social network coloured by stage, for markets of up to :data:`NETWORK_LIMIT`."""
    update_counter.get()
    small = model.n_customers <= NETWORK_LIMIT
    week = model.week
    # The layout, the slow part, is made once per run (the network does not change in a run).
    image = solara.use_memo(lambda: view_image(model, "network") if small else None, [model, week])
    with solara.Column(classes=["crmsim-figure"]):
        if image is None:
            solara.Info(
                f"The network is drawn for markets of up to {NETWORK_LIMIT} people; this one "
                f"has {model.n_customers:,}. Set “People in the market” to {NETWORK_LIMIT} or "
                "fewer and press Reset."
            )
        else:
            solara.Image(image, format="png")


def summary_line(model: DashboardModel) -> str:
    """One line on the run so far: week, customers by tier, last quarter's churn, profit.

    Examples
    --------
    >>> summary_line(DashboardModel(n_customers=100, rng=1))
    'Week 0: nothing simulated yet'
    """
    if model.week == 0:
        return "Week 0: nothing simulated yet"
    frame = model.snapshot()
    last = frame.iloc[-1]
    customers = int(last["actual"] + last["loyal"] + last["marketer"])
    parts = [
        f"Week {model.week}",
        f"{customers:,} customers ({int(last['loyal']):,} loyal, "
        f"{int(last['marketer']):,} marketers) of {model.n_customers:,} people",
    ]
    if len(frame) >= 13:
        quarters = analysis.period_churn(frame, 13)["churn"].dropna()
        if len(quarters):
            parts.append(f"churn last quarter {quarters.iloc[-1]:.1%}")
    parts.append(f"profit so far {frame['profit'].sum():,.0f}")
    return " · ".join(parts)


@solara.component
def Overview(model: DashboardModel) -> None:
    """The scenario and what to watch for, the run in one line, and any refused control."""
    update_counter.get()
    scenario = scenarios.load(model.scenario_name)
    with solara.Column(gap="4px"):
        solara.Text(scenario.title, style={"font-weight": "bold", "font-size": "1.1rem"})
        # The descriptions are written in Markdown; shown as plain text, without its backticks
        # (solara.Markdown would fetch a diagram library from the internet).
        solara.Text(scenario.description.replace("`", ""), classes=["crmsim-description"])
        solara.Text(summary_line(model), style={"font-weight": "500"})
        if model.error:
            solara.Error(
                f"The controls were not applied: {model.error}. Showing the scenario's own "
                "settings; fix the control and press Reset."
            )


@solara.component
def Views(model: DashboardModel) -> None:
    """The main area: the overview and the figures, one tab at a time."""
    tab, set_tab = solara.use_state(0)
    solara.Style(_STYLE)
    Overview(model)
    with solara.lab.Tabs(value=tab, on_value=set_tab):
        for name in TABS:
            solara.lab.Tab(name)
    keys, widths = list(TABS.values())[tab]
    with solara.Columns(widths):
        for key in keys:
            if key == "network":
                NetworkView(model)
            elif key in NOTES:
                with solara.Column(style={"padding-top": "2rem"}):
                    for paragraph in NOTES[key]:
                        solara.Text(paragraph, classes=["crmsim-description"])
            else:
                FigureView(model, key)


# ---------------------------------------------------------------------------- the page
def run_weeks(model: DashboardModel, weeks: int = RUN_WEEKS) -> str | None:
    """Simulate ``weeks`` more weeks; return an error message instead of raising.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=1)
    >>> run_weeks(model, 3), model.week
    (None, 3)
    """
    try:
        with model.lock:
            model.run(weeks, progress=False)
    except ValueError as err:
        return str(err)
    return None


@solara.component
def Page(
    scenario_name: str = DEFAULT_SCENARIO, n_customers: int | None = None, rng: Any = 0
) -> None:
    """The dashboard: scenario card, Mesa's controls and levers, and the views.

    Parameters
    ----------
    scenario_name : str
        The scenario the page opens with.
    n_customers : int, optional
        People in the first run's market; the scenario's by default.
    rng : int, str or None
        Seed of the first run.
    """
    first = solara.use_memo(
        lambda: DashboardModel(
            scenario_name=scenario_name,
            n_customers=n_customers,
            rng=rng,
            weeks=RUN_WEEKS,
            errors="show",
        ),
        [],
    )
    model = solara.use_reactive(first)
    per_attribute = solara.use_reactive(False)
    auto_run = solara.use_reactive(True)
    message = solara.use_reactive(None)
    # SolaraViz reads its controls' starting values once; a new key remounts it, so that the
    # sliders show a newly picked scenario's settings (or the other service sliders).
    generation = solara.use_reactive(0)
    params = solara.use_memo(
        lambda: model_params(
            model.value, per_attribute.value, weeks=RUN_WEEKS if auto_run.value else 0
        ),
        [generation.value],
    )

    def remount() -> None:
        generation.set(generation.value + 1)

    def pick_scenario(name: str) -> None:
        weeks = RUN_WEEKS if auto_run.value else 0
        model.set(
            DashboardModel(scenario_name=name, rng=model.value.seed, weeks=weeks, errors="show")
        )
        remount()

    def pick_service_controls(value: bool) -> None:
        per_attribute.set(value)
        remount()

    def pick_auto_run(value: bool) -> None:
        auto_run.set(value)
        remount()

    def run_button() -> None:
        message.set(run_weeks(model.value))
        force_update()

    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select(
            "Scenario",
            value=model.value.scenario_name,
            values=scenarios.names(),
            on_value=pick_scenario,
        )
        solara.Checkbox(
            label="One slider per Kano attribute",
            value=per_attribute.value,
            on_value=pick_service_controls,
        )
        solara.Checkbox(
            label=f"Run {RUN_WEEKS} weeks after Reset",
            value=auto_run.value,
            on_value=pick_auto_run,
        )
        solara.Button(f"Run {RUN_WEEKS} weeks", color="primary", on_click=run_button)
        if message.value:
            solara.Error(message.value)

    SolaraViz(
        model,
        components=[],
        model_params=params,
        name="crmsim: watch a CRM course happen",
    ).key(f"viz-{generation.value}")
    Views(model.value)


#: The element ``solara run crmsim.app:page`` serves.
page = Page()
