"""``CRMModel``: a market of customers and one firm, stepped one week at a time.

The week follows MODEL.md §4. Each process is a function in a module named
after its idea; this class only holds the state, runs the processes in order,
and records the week.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

from crmsim import (
    awareness,
    competition,
    episodes,
    gifts,
    ladders,
    offer,
    referrals,
    trials,
    trust,
    winback,
)
from crmsim.attribution import REFERRAL_MOTIVES, REPEAT_MOTIVES
from crmsim.books import COST_COLUMNS, keep_books
from crmsim.commitment import invest_in_relationship, update_commitment
from crmsim.customer import CHURN_CAUSES, Customer, Stage, Tier
from crmsim.history import History
from crmsim.levers import Market, Policy, Population
from crmsim.network import build_network
from crmsim.state import LOYALTY_WINDOW, CustomerState
from crmsim.week import Week

#: Runs up to this size keep Customer agents and each customer's history by default.
CLASS_SIZE = 10_000

#: The weekly processes in the order of MODEL.md §4.
WEEKLY_PROCESSES = (
    awareness.spread_awareness,  # 1 awareness
    trials.first_purchases,  # 2 trials
    episodes.serve_customers,  # 3 episodes
    episodes.failure_defections,  # 4 failures, complaints, recovery
    episodes.disrespect_exits,  #   ... and the marketer trap
    trust.learn_from_episodes,  # 5 trust (knowledge, identification)
    trust.update_calculus_trust,  #   ... and calculus
    offer.update_reference_discount,  #   ... getting used to the price paid
    invest_in_relationship,  # 6 investments, switching cost
    gifts.give_gifts,  #   ... gifts (CEM)
    update_commitment,  #   ... commitment
    ladders.climb_stages,  #   ... stage and tier moves
    ladders.climb_tiers,
    competition.competitor_offers,  # 7 competitor offers
    competition.quiet_lapses,  #   ... and quiet lapses
    referrals.make_referrals,  # 8 referrals
    referrals.spread_negative_word,  #   ... and negative word of mouth
    winback.win_back,  # 9 win-back
)

STAGE_COLUMNS = tuple(s.name.lower() for s in Stage)
TIER_COLUMNS = tuple(t.name.lower() for t in Tier)
COUNT_COLUMNS = (
    "acquired",
    "acquired_with_discount",
    "lost",
    "lost_from_start",
    "won_back",
    "episodes",
    "failures",
    "complaints",
    "recovered",
    "disrespected",
    "referrals",
    "referral_conversions",
    "negative_wom",
    "competitor_offers",
    "win_back_offers",
    "gifts",
    "repeat_purchases",
    *(f"repeat_{m}" for m in (*REPEAT_MOTIVES, "none")),
    *(f"referrals_{m}" for m in (*REFERRAL_MOTIVES, "none")),
    *(f"lost_{cause}" for cause in CHURN_CAUSES),
)
MONEY_COLUMNS = (
    "revenue",
    "repeat_spend",
    *(f"repeat_spend_{m}" for m in REPEAT_MOTIVES),
    "discount_given",
    *COST_COLUMNS,
    "cost",
    "profit",
)
#: Means over active customers. ``commitment`` is taken by the stage count, so the mean
#: level of commitment is ``commitment_mean``.
MEAN_COLUMNS = {
    "trust": "trust",
    "trust_calculus": "trust_calculus",
    "trust_knowledge": "trust_knowledge",
    "trust_identification": "trust_identification",
    "commitment_mean": "commitment",
    "satisfaction": "satisfaction",
    "switching_cost": "switching_cost",
}
#: Every column of the weekly frame, in order.
FRAME_COLUMNS = (
    "week",
    "active_start",
    "active",
    "churn_rate",
    *STAGE_COLUMNS,
    *TIER_COLUMNS,
    *MEAN_COLUMNS,
    *COUNT_COLUMNS,
    *MONEY_COLUMNS,
)


def _as(kind: type, value: Any, name: str) -> Any:
    if value is None:
        return kind()
    if isinstance(value, kind):
        return value
    if isinstance(value, Mapping):
        return kind.from_dict(value)
    raise ValueError(f"{name} must be a {kind.__name__} or a mapping of its fields, got {value!r}")


def run_weeks(model: mesa.Model, weeks: int, progress: bool | None = None) -> None:
    """Advance a week-stepped Mesa model by ``weeks`` weeks, with an optional progress bar.

    Shared by :class:`CRMModel` and the per-agent reference model so both validate and
    report progress the same way. A bar appears only if the run takes over a second, unless
    ``progress`` forces it on or off.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 0:
        raise ValueError(f"weeks must be an integer >= 0, got {weeks!r}")
    if weeks == 0:
        return
    if progress is False:
        model.run_for(int(weeks))
        return
    from tqdm.auto import tqdm

    with tqdm(total=int(weeks), unit="week", delay=0 if progress else 1.0, leave=False) as bar:
        for _ in range(int(weeks)):
            model.run_for(1)
            bar.update()


class LossLog:
    """The loss log carried in a weekly frame's ``attrs``.

    pandas compares and deep-copies ``attrs`` when frames are combined; a bare DataFrame
    there makes ``merge`` or ``concat`` fail ("truth value ... is ambiguous"). This wrapper
    compares by identity and is never copied (the log is read-only).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __deepcopy__(self, memo: dict) -> LossLog:
        return self

    def __repr__(self) -> str:
        return f"<LossLog: {len(self.frame)} departures>"


class CRMDataCollector(mesa.DataCollector):
    """Mesa's DataCollector, whose weekly frame also carries the loss log.

    The log (``frame.attrs["losses"]``) lets :func:`crmsim.analysis.period_churn`
    count, for any period length, only the customers who were there at the
    period's start, as the course defines churn. It serves any model that keeps its
    weekly row in ``_row`` and its departures in ``losses`` (CRMModel and the per-agent
    reference model).
    """

    def __init__(self, model: mesa.Model, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._crm_model = model

    def collect(self, model: CRMModel) -> None:
        """Append the model's weekly row.

        The row holds fresh Python numbers, so the defensive deep copy Mesa makes of each
        reporter's value is not needed; skipping it keeps the default run fast enough for
        the dashboard.
        """
        if model is not self._crm_model:
            super().collect(model)
            return
        for name in self.model_reporters:
            self.model_vars[name].append(model._row[name])

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        frame = super().get_model_vars_dataframe()
        frame.attrs["losses"] = LossLog(self._crm_model.losses)
        return frame


class CRMModel(mesa.Model):
    """Customers moving through relationship stages and tiers under one firm's policy.

    Parameters
    ----------
    n_customers : int
        People in the market, aware of the firm or not (>= 1).
    policy : Policy or dict, optional
        The firm's levers; defaults to ``Policy()``.
    market : Market or dict, optional
        Prices, competitor and word of mouth; defaults to ``Market()``.
    population : Population or dict, optional
        The segment mixture; defaults to ``Population()``.
    network : str or networkx.Graph
        ``"small-world"`` (default), ``"scale-free"``, ``"well-mixed"`` or a graph with
        ``n_customers`` nodes.
    mean_degree : int
        Average number of contacts per person.
    rewiring : float
        Small-world rewiring probability.
    history : bool or "auto"
        Keep a readable journey per customer and create ``Customer`` agents up front;
        ``"auto"`` does so for runs of up to 10,000 customers.
    rng : int or numpy.random.Generator, optional
        Seed; the same seed and arguments give the same run, bit for bit.

    Examples
    --------
    >>> model = CRMModel(n_customers=500, policy=Policy(service_quality=0.8), rng=42)
    >>> model.run(weeks=10)
    >>> frame = model.datacollector.get_model_vars_dataframe()
    >>> len(frame), int(frame["week"].iloc[-1])
    (10, 9)
    """

    def __init__(
        self,
        n_customers: int = 2_000,
        policy: Policy | Mapping[str, Any] | None = None,
        market: Market | Mapping[str, Any] | None = None,
        population: Population | Mapping[str, Any] | None = None,
        network: Any = "small-world",
        mean_degree: int = 10,
        rewiring: float = 0.1,
        history: bool | str = "auto",
        rng: Any = None,
    ) -> None:
        if (
            isinstance(n_customers, bool)
            or not isinstance(n_customers, int | np.integer)
            or n_customers < 1
        ):
            raise ValueError(f"n_customers must be an integer >= 1, got {n_customers!r}")
        if history not in (True, False, "auto"):
            raise ValueError(f"history must be True, False or 'auto', got {history!r}")
        super().__init__(rng=rng)
        self.n_customers = int(n_customers)
        self.policy = _as(Policy, policy, "policy")
        self.market = _as(Market, market, "market")
        self.population = _as(Population, population, "population")
        target = self.policy.discount_target
        if isinstance(target, str) and target not in ("all", "new") + self.population.segment_names:
            raise ValueError(
                f"Policy.discount_target {target!r} is neither 'all', 'new', a tier set nor a "
                f"segment of this population {self.population.segment_names}"
            )
        self.network = build_network(network, self.n_customers, self.rng, mean_degree, rewiring)
        self.state = CustomerState(self.n_customers, self.population, self.rng)
        small = self.n_customers <= CLASS_SIZE
        self.history = History(enabled=small if history == "auto" else bool(history))
        self._views: dict[int, Customer] = {}
        if self.history.enabled:
            self._make_views(range(self.n_customers))
        self.week = 0
        self._row: dict[str, float] = {}
        self._losses: list[np.ndarray] = []
        self.datacollector = CRMDataCollector(
            self,
            model_reporters={name: (lambda m, key=name: m._row[key]) for name in FRAME_COLUMNS},
        )

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        """Simulate one week."""
        state = self.state
        stage_before, tier_before = state.stage.copy(), state.tier.copy()
        active_start = int(state.active_mask().sum())
        # open this week's slot of the trailing purchase window
        slot = self.week % LOYALTY_WINDOW
        state.recent_purchases -= state.purchase_window[slot]
        state.purchase_window[slot] = 0

        week = Week(self.week, self.rng, self.policy, self.market, self.population, self.network)
        for process in WEEKLY_PROCESSES:
            process(state, week)
        keep_books(self.n_customers, week)

        self._keep_losses(week)
        self.history.record(
            self.week, week.events, stage_before, state.stage, tier_before, state.tier
        )
        self._row = self._weekly_row(week, active_start)
        self.datacollector.collect(self)
        self.week += 1

    def run(self, weeks: int, progress: bool | None = None) -> None:
        """Simulate ``weeks`` weeks (the same as ``run_for(weeks)``), with an optional progress bar.

        Parameters
        ----------
        weeks : int
            Number of weeks, >= 0.
        progress : bool, optional
            Show a progress bar; by default one appears only if the run takes over a second.
        """
        run_weeks(self, weeks, progress)

    # ------------------------------------------------------------------ records
    def _keep_losses(self, week: Week) -> None:
        lost = week.scratch.get("lost_who")
        if not lost:
            return
        who = np.concatenate(lost)
        self._losses.append(
            np.column_stack(
                [
                    np.full(len(who), week.index),
                    who,
                    self.state.spell_start[who],
                    self.state.churn_cause[who],
                ]
            ).astype(np.int64)
        )

    @property
    def losses(self) -> pd.DataFrame:
        """Every departure so far: ``week``, ``customer``, ``spell_start`` (week that relationship
        began) and ``cause``."""
        data = np.concatenate(self._losses) if self._losses else np.empty((0, 4), dtype=np.int64)
        frame = pd.DataFrame(data, columns=["week", "customer", "spell_start", "cause"])
        frame["cause"] = pd.Categorical.from_codes(
            frame["cause"] - 1, categories=list(CHURN_CAUSES)
        )
        return frame

    def _weekly_row(self, week: Week, active_start: int) -> dict[str, float]:
        state, tally = self.state, week.tally
        active = state.active_mask()
        n_active = int(active.sum())
        row: dict[str, float] = {
            "week": self.week,
            "active_start": active_start,
            "active": n_active,
            "churn_rate": tally["lost_from_start"] / active_start if active_start else 0.0,
        }
        row.update(zip(STAGE_COLUMNS, state.stage_counts().tolist(), strict=True))
        row.update(zip(TIER_COLUMNS, state.tier_counts().tolist(), strict=True))
        rows = np.flatnonzero(active)
        for name, variable in MEAN_COLUMNS.items():
            values = (
                state.overall_trust(rows) if name == "trust" else getattr(state, variable)[rows]
            )
            row[name] = float(values.mean()) if n_active else 0.0
        for name in COUNT_COLUMNS:
            row[name] = int(tally[name])
        for name in MONEY_COLUMNS:
            row[name] = float(tally[name])
        return row

    # ------------------------------------------------------------------ customers
    def _make_views(self, indices: Any) -> None:
        for i in indices:
            if i not in self._views:
                self._views[i] = Customer(self, i)

    @property
    def customers(self) -> mesa.agent.AgentSet:
        """All customers as Mesa agents (created on first use for large runs)."""
        if len(self._views) < self.n_customers:
            self._make_views(range(self.n_customers))
        return self.agents_by_type[Customer]

    def customer(self, index: int) -> Customer:
        """The customer in row ``index`` (0 <= index < n_customers)."""
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise ValueError(f"customer index must be an integer, got {index!r}")
        if not 0 <= index < self.n_customers:
            raise ValueError(f"customer index must be in [0, {self.n_customers - 1}], got {index}")
        index = int(index)
        if index not in self._views:
            self._make_views([index])
        return self._views[index]

    @property
    def frame(self) -> pd.DataFrame:
        """The weekly data so far (shorthand for ``datacollector.get_model_vars_dataframe()``)."""
        return self.datacollector.get_model_vars_dataframe()
