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
    checks,
    competition,
    episodes,
    firms,
    gifts,
    ladders,
    offer,
    referrals,
    trials,
    trust,
    turnover,
    winback,
)
from crmsim.books import keep_books
from crmsim.commitment import invest_in_relationship, update_commitment
from crmsim.customer import Customer
from crmsim.events import Observer, Observers, Subscription, WeekReport
from crmsim.firms import Firm, check_firms
from crmsim.frame import (
    COUNT_COLUMNS,
    FIRM_FRAME_COLUMNS,
    FORMER_COLUMNS,
    FRAME_COLUMNS,
    MEAN_COLUMNS,
    MEAN_VARIABLES,
    MONEY_COLUMNS,
    STAGE_COLUMNS,
    TIER_COLUMNS,
    LossLog,
)
from crmsim.history import History
from crmsim.levers import Market, Policy, Population
from crmsim.network import build_network
from crmsim.stages import CHURN_CAUSES
from crmsim.state import LOYALTY_WINDOW, CustomerState, mix_trust
from crmsim.streams import Streams, check_mode, mix64
from crmsim.week import Episodes, Week

# names that moved to crmsim.frame, still importable from here
__all__ = [
    "CLASS_SIZE",
    "COUNT_COLUMNS",
    "FORMER_COLUMNS",
    "FRAME_COLUMNS",
    "MEAN_COLUMNS",
    "MONEY_COLUMNS",
    "STAGE_COLUMNS",
    "TIER_COLUMNS",
    "WEEKLY_PROCESSES",
    "CRMDataCollector",
    "CRMModel",
    "LossLog",
    "run_weeks",
]

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
    winback.former_customers_reconsider,  #   ... and former customers who return on their own
    turnover.people_come_and_go,  # 10 people leave the category, newcomers arrive
)

#: The rules that, in a market of several firms, run once for the whole market rather than
#: once per firm: they read no firm's levers nor price, or read each customer's own firm's
#: (:meth:`crmsim.week.Week.per_customer`; see :mod:`crmsim.firms`). Those that read the
#: week's episodes see every firm's.
MARKET_PROCESSES = frozenset(
    {
        trust.update_calculus_trust,
        offer.update_reference_discount,
        competition.competitor_offers,
        episodes.failure_defections,
        episodes.disrespect_exits,
        trust.learn_from_episodes,
        invest_in_relationship,
        update_commitment,
        competition.quiet_lapses,
        ladders.climb_stages,
        ladders.climb_tiers,
        referrals.fade_negative_word,
        winback.former_customers_reconsider,
        turnover.people_come_and_go,
        firms.hear_of_firms,
        firms.choose_among_offers,
        firms.switch_to_rivals,
    }
)


def shared_market_processes(processes: tuple) -> tuple:
    """The week of a market of several firms: ``processes`` with the market's own rules added.

    People hear of firms in one market-wide draw (:func:`crmsim.firms.hear_of_firms` in
    place of :func:`crmsim.awareness.spread_awareness`); prospects choose among the offers
    they know before anyone tries a firm; rivals' offers come after the competitor's and the
    quiet lapses; what was heard against any firm fades once, before angry former customers
    speak.
    """
    week: list = []
    for process in processes:
        if process is awareness.spread_awareness:
            week.append(firms.hear_of_firms)
            continue
        if process is trials.first_purchases:
            week.append(firms.choose_among_offers)
        if process is referrals.spread_negative_word:
            week.append(referrals.fade_negative_word)
        week.append(process)
        if process is competition.quiet_lapses:
            week.append(firms.switch_to_rivals)
    return tuple(week)


def run_weeks(model: mesa.Model, weeks: int, progress: bool | None = None) -> None:
    """Advance a week-stepped Mesa model by ``weeks`` weeks, with an optional progress bar.

    Shared by :class:`CRMModel` and the per-agent reference model so both validate and
    report progress the same way. A bar appears only if the run takes over a second, unless
    ``progress`` forces it on or off.
    """
    weeks = checks.integer("weeks", weeks, low=0)
    if weeks == 0:
        return
    if progress is False:
        model.run_for(weeks)
        return
    from tqdm.auto import tqdm

    with tqdm(total=weeks, unit="week", delay=0 if progress else 1.0, leave=False) as bar:
        for _ in range(weeks):
            model.run_for(1)
            bar.update()


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
        reporter's value is not needed.
        """
        if model is not self._crm_model:
            super().collect(model)
            return
        # when the row was collected: mesa.batch_run finds its steps by this list
        self._collection_steps.append(model.time)
        row = model._row
        for name, values in self.model_vars.items():
            values.append(row[name])

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        frame = super().get_model_vars_dataframe()
        frame.attrs["losses"] = LossLog(self._crm_model.losses)
        return frame


class RowReporter:
    """The model reporter of one column of the weekly row (a class, not a lambda, so that a
    model can be pickled and restored, say between the rounds of a game)."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __call__(self, model: CRMModel) -> float:
        return model._row[self.column]


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
        Keep a readable journey per customer and make every customer a ``Customer``
        agent in ``model.agents`` when the model is built, with ``unique_id`` equal to
        its row plus 1; ``"auto"`` does so for runs of up to 10,000 customers. Larger
        runs make a customer's agent when :meth:`customer` or :attr:`customers` asks for
        it, with the same ``unique_id``.
    rng : int or numpy.random.Generator, optional
        Seed; the same seed and arguments give the same run, bit for bit.
    streams : {"sequential", "keyed"}
        Where the weekly draws come from (:mod:`crmsim.streams`). ``"sequential"`` (the
        default) draws them from the one generator in turn; two policies on the same seed
        then share the people and the network but soon not the luck. ``"keyed"`` gives each
        draw about a customer its own number, keyed by seed, week, site and row, so the same
        customer meets the same luck in the same week under any policy: common random
        numbers, for paired comparisons of policies. Both are reproducible bit for bit;
        they give different (equally valid) runs.
    firms : list of Firm, optional
        Several firms in one market (up to eight, :mod:`crmsim.firms`), each with its levers
        and price, in place of ``policy``. Each person then has a relationship with at most
        one of them; ``firm_frame`` has a row per week and firm, and ``frame`` counts the
        market's customers of all firms together. Without it the market has one firm with
        ``policy``, and ``firm_frame`` has that firm's rows.

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
        streams: str = "sequential",
        firms: list[Firm] | None = None,
    ) -> None:
        n_customers = checks.integer("n_customers", n_customers, low=1)
        checks.choice("history", history, (True, False, "auto"))
        self.streams = check_mode(streams)
        super().__init__(rng=rng)
        self.n_customers = n_customers
        if firms is None:
            policy = checks.levers(Policy, policy, "policy")
        self.firms = check_firms(firms, policy)
        self.market = checks.levers(Market, market, "market")
        self.population = checks.levers(Population, population, "population")
        for firm in self.firms:
            checks.discount_target(
                firm.policy.discount_target,
                self.population.segment_names,
                "Policy.discount_target" if firms is None else f"discount_target of {firm.name!r}",
            )
        self.network = build_network(network, self.n_customers, self.rng, mean_degree, rewiring)
        self.state = CustomerState(self.n_customers, self.population, self.rng)
        if len(self.firms) > 1:
            self.state.count_contacts_per_firm(len(self.firms))
        # the run's key comes from the seed after the market is built, which every policy
        # shares; sequential runs draw nothing here, so they stay as they were
        self._streams = (
            Streams(int(self.rng.integers(0, 2**63))) if self.streams == "keyed" else None
        )
        small = self.n_customers <= CLASS_SIZE
        self.observers = Observers()
        self.history = History(enabled=small if history == "auto" else bool(history))
        if self.history.enabled:
            self.subscribe(self.history.record)
        self._views: dict[int, Customer] = {}
        if self.history.enabled:
            self._make_views(range(self.n_customers))
        self.week = 0
        self._row: dict[str, float] = {}
        self._losses: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        # with several firms: each loss group's firm left and the firm switched to (-1 none)
        self._loss_firms: list[tuple[np.ndarray, np.ndarray]] = []
        self._firm_rows: list[dict[str, float | str]] = []
        self.datacollector = CRMDataCollector(
            self, model_reporters={name: RowReporter(name) for name in FRAME_COLUMNS}
        )

    # ------------------------------------------------------------------ firms
    @property
    def policy(self) -> Policy:
        """The firm's levers (the first firm's in a market of several).

        Assigning a new policy changes the levers from the next week on.
        """
        return self.firms[0].policy

    @policy.setter
    def policy(self, policy: Policy | Mapping[str, Any]) -> None:
        self.set_policy(0, policy)

    def set_policy(
        self,
        firm: int | str,
        policy: Policy | Mapping[str, Any],
        price: float | None = None,
    ) -> None:
        """Give ``firm`` (its index or name) new levers, and a new price if ``price`` is given.

        The change takes effect from the next week; ``price=None`` keeps the firm's price.
        """
        index = self._firm_index(firm)
        old = self.firms[index]
        new = Firm(old.name, policy, old.price if price is None else price)
        field = "Policy.discount_target"
        if len(self.firms) > 1:
            field = f"discount_target of {old.name!r}"
        checks.discount_target(new.policy.discount_target, self.population.segment_names, field)
        self.firms = (*self.firms[:index], new, *self.firms[index + 1 :])

    def _firm_index(self, firm: int | str) -> int:
        names = [f.name for f in self.firms]
        if isinstance(firm, str):
            if firm not in names:
                raise ValueError(f"firm must be one of {names}, got {firm!r}")
            return names.index(firm)
        return checks.integer("firm", firm, low=0, high=len(self.firms) - 1)

    def _firm_streams(self, firm: int) -> Streams | None:
        # firm 0 keeps the run's streams; each other firm has streams of its own, so that the
        # people who may hear of two firms in one week draw two numbers, not the same one twice
        if self._streams is None or firm == 0:
            return self._streams
        return Streams(mix64(self._streams.key ^ mix64(firm)))

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        """Simulate one week."""
        if len(self.firms) > 1:
            self._step_market()
            return
        state = self.state
        stage_before, tier_before = state.stage.copy(), state.tier.copy()
        week = Week(
            self.week,
            self.rng,
            self.policy,
            self.firms[0].market_for(self.market),
            self.population,
            self.network,
            self._streams,
        )
        active_start = int(np.count_nonzero(week.active(state)))
        self._open_purchase_window_slot()

        for process in WEEKLY_PROCESSES:
            process(state, week)
        keep_books(self.n_customers, week)

        self._keep_losses(week)
        if self.observers:
            self.observers.notify(
                WeekReport(
                    self.week, week.events, stage_before, state.stage, tier_before, state.tier
                )
            )
        self._row = self._weekly_row(week, active_start)
        self.datacollector.collect(self)
        self.week += 1

    def _open_purchase_window_slot(self) -> None:
        """Open this week's slot of the trailing purchase window (empty what it held)."""
        state, slot = self.state, self.week % LOYALTY_WINDOW
        state.recent_purchases -= state.purchase_window[slot]
        state.purchase_window[slot] = 0

    def _step_market(self) -> None:
        """Simulate one week of a market of several firms (see :mod:`crmsim.firms`)."""
        state = self.state
        stage_before, tier_before = state.stage.copy(), state.tier.copy()
        market_week = self._market_week()
        active = market_week.active_rows(state)
        active_start = np.bincount(state.firm[active], minlength=len(self.firms))
        self._open_purchase_window_slot()

        for process in shared_market_processes(WEEKLY_PROCESSES):
            if process in MARKET_PROCESSES:
                process(state, market_week)
            else:
                for firm_week in market_week.firm_weeks:
                    process(state, firm_week)
            if process is episodes.serve_customers:
                # the rules that read this week's episodes and no firm's levers see them all
                market_week.episodes = Episodes.joined([w.episodes for w in market_week.firm_weeks])
        for firm_week in market_week.firm_weeks:
            keep_books(self.n_customers, firm_week)
            self._keep_losses(firm_week)

        events = market_week.events + [
            event for firm_week in market_week.firm_weeks for event in firm_week.events
        ]
        if self.observers:
            self.observers.notify(
                WeekReport(self.week, events, stage_before, state.stage, tier_before, state.tier)
            )
        # the market's row: every firm's tallies together, counted over all their customers
        for firm_week in market_week.firm_weeks:
            for name, value in firm_week.tally.items():
                market_week.tally[name] += value
        market_means, means = self._means_by_firm(market_week)
        market_counts, stages, tiers = self._counts_by_firm(market_week)
        self._row = self._weekly_row(market_week, len(active), market_means, market_counts)
        for firm_week in market_week.firm_weeks:
            firm = firm_week.firm
            row = self._firm_row(
                firm_week, int(active_start[firm]), stages[firm], tiers[firm], means[firm]
            )
            self._firm_rows.append(row)
        self.datacollector.collect(self)
        self.week += 1

    def _market_week(self) -> Week:
        """This week's context for a market of several firms: the market's week, holding
        each firm's (``firm_weeks``)."""
        market_week = Week(
            self.week,
            self.rng,
            None,
            self.market,
            self.population,
            self.network,
            self._streams,
            customer_firms=self.state.firm,
        )
        market_week.firm_weeks = [
            Week(
                self.week,
                self.rng,
                firm.policy,
                firm.market_for(self.market),
                self.population,
                self.network,
                self._firm_streams(index),
                firm=index,
                market_week=market_week,
            )
            for index, firm in enumerate(self.firms)
        ]
        return market_week

    def _counts_by_firm(
        self, market_week: Week
    ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
        """The market's people by stage and by tier (as :meth:`CustomerState.tier_counts`
        counts them), and each firm's, in one pass over everyone; anyone with no relationship
        to a firm counts as ``unaware`` of it and as a ``prospect``."""
        state, n_firms = self.state, len(self.firms)
        # group 0 for no firm, firm + 1 for the others
        slot = state.firm.astype(np.int16)
        slot += 1
        n_stages = len(STAGE_COLUMNS)
        key = slot * np.int16(n_stages)
        key += state.stage
        stages = np.bincount(key, minlength=(n_firms + 1) * n_stages)
        stages = stages.reshape(n_firms + 1, n_stages)
        tiers = state.tier_counts(market_week.active(state), slot, n_firms + 1)
        market = stages.sum(axis=0), tiers.sum(axis=0)
        stages, tiers = stages[1:], tiers[1:]
        outside = self.n_customers - stages.sum(axis=1)
        stages[:, 0] += outside
        tiers[:, 0] += outside
        return market, stages, tiers

    def _mean_variables(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The variables averaged in the weekly frame (:data:`MEAN_COLUMNS`), for ``rows``."""
        state = self.state
        values = {variable: getattr(state, variable)[rows] for variable in MEAN_VARIABLES}
        values["trust"] = mix_trust(
            state.stage[rows],
            values["trust_calculus"],
            values["trust_knowledge"],
            values["trust_identification"],
        )
        return values

    def _means_by_firm(self, market_week: Week) -> tuple[dict[str, float], list[dict[str, float]]]:
        """The market's and each firm's means over their active customers
        (:data:`MEAN_COLUMNS`), from one gathering of the variables."""
        state, n_firms = self.state, len(self.firms)
        rows = market_week.active_rows(state)
        firm = state.firm[rows]
        counts = np.bincount(firm, minlength=n_firms)
        values = self._mean_variables(rows)
        sums = {
            name: np.bincount(firm, weights=values[variable], minlength=n_firms)
            for name, variable in MEAN_COLUMNS.items()
        }
        total = len(rows)
        market = {name: float(sums[name].sum()) / total if total else 0.0 for name in sums}
        firms = [
            {name: float(sums[name][k]) / counts[k] if counts[k] else 0.0 for name in sums}
            for k in range(n_firms)
        ]
        return market, firms

    def _firm_row(
        self,
        week: Week,
        active_start: int,
        stages: np.ndarray,
        tiers: np.ndarray,
        means: dict[str, float],
    ) -> dict[str, float | str]:
        """One firm's row of :attr:`firm_frame` for the week just simulated."""
        state, tally, firm = self.state, week.tally, self.firms[week.firm]
        rows = week.active_rows(state)
        n_active = len(rows)
        all_active = len(week.market_week.active_rows(state))
        row: dict[str, float | str] = {
            "week": self.week,
            "firm": firm.name,
            "active_start": active_start,
            "active": n_active,
            "churn_rate": tally["lost_from_start"] / active_start if active_start else 0.0,
        }
        row.update(zip(STAGE_COLUMNS, stages.tolist(), strict=True))
        row.update(zip((*TIER_COLUMNS, *FORMER_COLUMNS), tiers.tolist(), strict=True))
        row.update(means)
        row.update({name: int(tally[name]) for name in COUNT_COLUMNS})
        row.update({name: float(tally[name]) for name in MONEY_COLUMNS})
        row["price"] = week.market.price
        row["share"] = n_active / all_active if all_active else 0.0
        row["lost_to_rival"] = int(tally["lost_to_rival"])
        row["won_from_rival"] = int(tally["won_from_rival"])
        return row

    @property
    def firm_frame(self) -> pd.DataFrame:
        """The weekly data of each firm: one row per week and firm (:data:`FIRM_FRAME_COLUMNS`).

        Each firm's columns count its own people: its customers and former customers, and
        its prospects (those weighing its offer); everyone else counts as ``unaware`` of it and
        as a ``prospect``. ``share`` is its share of all firms' customers.
        """
        if len(self.firms) > 1:
            return pd.DataFrame(self._firm_rows, columns=list(FIRM_FRAME_COLUMNS))
        frame = self.frame.copy()
        frame.attrs = {}
        frame.insert(1, "firm", self.firms[0].name)
        frame["price"] = self.firms[0].market_for(self.market).price
        frame["share"] = (frame["active"] > 0).astype(float)
        frame["lost_to_rival"] = 0
        frame["won_from_rival"] = 0
        return frame[list(FIRM_FRAME_COLUMNS)]

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

    def subscribe(self, observer: Observer) -> Subscription:
        """Call ``observer`` with a :class:`crmsim.events.WeekReport` after every week.

        Returns the subscription: ``cancel()`` it, or use it in a ``with`` block, to stop.
        Observers only watch; the same seed gives the same run with or without them.

        Examples
        --------
        >>> model = CRMModel(n_customers=300, rng=1)
        >>> failures = []
        >>> with model.subscribe(lambda report: failures.append(report.who("failure"))):
        ...     model.run(weeks=20)
        >>> sum(map(len, failures)) == int(model.frame["failures"].sum())
        True
        """
        return self.observers.subscribe(observer)

    # ------------------------------------------------------------------ records
    def _keep_losses(self, week: Week) -> None:
        lost = week.departures
        if not lost:
            return
        if len(lost) == 1:
            who, spell_start, cause = lost[0].who, lost[0].spell_start, lost[0].cause
            first = lost[0].first_purchase
        else:
            who = np.concatenate([d.who for d in lost])
            spell_start = np.concatenate([d.spell_start for d in lost])
            cause = np.concatenate([d.cause for d in lost])
            first = np.concatenate([d.first_purchase for d in lost])
        # stacked into a table only when asked for
        self._losses.append((week.index, who, spell_start, cause, first))
        if len(self.firms) > 1:
            to_firm = np.concatenate(
                [np.full(len(d.who), -1) if d.to_firm is None else d.to_firm for d in lost]
            )
            self._loss_firms.append((np.full(len(who), week.firm, dtype=np.int8), to_firm))
        # the course's churn counts only those who were customers when the week began
        week.tally["lost_from_start"] = np.count_nonzero(spell_start < week.index)

    @property
    def losses(self) -> pd.DataFrame:
        """Every departure so far: ``week``, ``customer`` (the row), ``spell_start`` (week that
        relationship began), ``cause`` and ``first_purchase`` (the leaver's first purchase ever,
        which with the row names the person: a newcomer may later hold the row)."""
        columns = ["week", "customer", "spell_start", "cause", "first_purchase"]
        if self._losses:
            weeks, who, spell_start, cause, first = zip(*self._losses, strict=True)
            data = {
                "week": np.repeat(np.array(weeks, dtype=np.int64), [len(w) for w in who]),
                "customer": np.concatenate(who).astype(np.int64),
                "spell_start": np.concatenate(spell_start).astype(np.int64),
                "cause": np.concatenate(cause).astype(np.int64),
                "first_purchase": np.concatenate(first).astype(np.int64),
            }
        else:
            data = {name: np.empty(0, dtype=np.int64) for name in columns}
        frame = pd.DataFrame(data, columns=columns)
        frame["cause"] = pd.Categorical.from_codes(
            frame["cause"] - 1, categories=list(CHURN_CAUSES)
        )
        if len(self.firms) > 1:
            names = np.array([firm.name for firm in self.firms] + [""], dtype=object)
            if self._loss_firms:
                left, to = (np.concatenate(parts) for parts in zip(*self._loss_firms, strict=True))
            else:
                left = to = np.empty(0, dtype=np.int64)
            # index -1 picks the "" at the end: no rival firm
            frame["firm"] = names[left.astype(np.int64)] if len(left) else names[:0]
            frame["to_firm"] = names[to.astype(np.int64)] if len(to) else names[:0]
        return frame

    def _weekly_row(
        self,
        week: Week,
        active_start: int,
        means: dict[str, float] | None = None,
        counts: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> dict[str, float]:
        state, tally = self.state, week.tally
        rows = week.active_rows(state)
        n_active = len(rows)
        row: dict[str, float] = {
            "week": self.week,
            "active_start": active_start,
            "active": n_active,
            "churn_rate": tally["lost_from_start"] / active_start if active_start else 0.0,
        }
        stages, tiers = counts or (state.stage_counts(), state.tier_counts(week.active(state)))
        row.update(zip(STAGE_COLUMNS, stages.tolist(), strict=True))
        row.update(zip((*TIER_COLUMNS, *FORMER_COLUMNS), tiers.tolist(), strict=True))
        # Sums of gathered rows, not dot products with the mask: BLAS splits a long dot
        # product over threads, and the last bits of the means would depend on the machine.
        if means is None:
            values = self._mean_variables(rows)
            means = {
                name: float(values[variable].sum()) / n_active if n_active else 0.0
                for name, variable in MEAN_COLUMNS.items()
            }
        row.update(means)
        row.update({name: int(tally[name]) for name in COUNT_COLUMNS})
        row.update({name: float(tally[name]) for name in MONEY_COLUMNS})
        return row

    # ------------------------------------------------------------------ customers
    def _make_views(self, indices: Any) -> None:
        for i in indices:
            if i not in self._views:
                self._views[i] = Customer(self, i)

    def remove_all_agents(self) -> None:
        """Remove every agent, the customers' views included (Mesa's ``remove_all_agents``).

        :attr:`customers` and :meth:`customer` make the views again when asked, with the
        same ``unique_id``.
        """
        self._views.clear()
        super().remove_all_agents()

    @property
    def customers(self) -> mesa.agent.AgentSet:
        """All customers as Mesa agents, in row order (made now if the run had not made them)."""
        if len(self._views) < self.n_customers:
            self._make_views(range(self.n_customers))
        return mesa.agent.AgentSet(
            [self._views[i] for i in range(self.n_customers)], random=self.random
        )

    def customer(self, index: int) -> Customer:
        """The customer in row ``index`` (0 <= index < n_customers), as a ``Customer`` agent."""
        index = checks.integer("customer index", index, low=0, high=self.n_customers - 1)
        if index not in self._views:
            self._make_views([index])
        return self._views[index]

    @property
    def frame(self) -> pd.DataFrame:
        """The weekly data so far (shorthand for ``datacollector.get_model_vars_dataframe()``)."""
        return self.datacollector.get_model_vars_dataframe()
