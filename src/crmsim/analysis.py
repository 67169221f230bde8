"""Reading a run the way the course does: churn by its definition, and the KPIs.

Churn (seed 001): pick a period, count the customers at its start, count how
many *of those* were lost during it; churn is lost / start. Customers who join
during the period do not enter that period's churn; the period's end count is
the next period's base.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmsim import checks
from crmsim.books import channel_costs, cost_per_episode
from crmsim.episodes import episode_probability
from crmsim.gifts import purchase_lift
from crmsim.offer import discount_received, share_of_wallet
from crmsim.stages import LOYAL, Tier
from crmsim.week import Week

if TYPE_CHECKING:
    from crmsim.events import WeekReport
    from crmsim.history import History
    from crmsim.model import CRMModel


def _count(name: str, value: object) -> float:
    return checks.number(name, value, low=0.0)


def churn_rate(start: float, lost: float) -> float:
    """Churn of one period: customers lost of those there at its start, over that start.

    Parameters
    ----------
    start : float
        Customers at the start of the period (> 0).
    lost : float
        How many of *those* customers left during the period (0 <= lost <= start).

    Returns
    -------
    float
        The churn rate, in [0, 1].

    Examples
    --------
    The telecom example of the course: 17 million subscribers at the start of a
    quarter, 170,000 of them lost.

    >>> churn_rate(start=17_000_000, lost=170_000)
    0.01
    """
    start, lost = _count("start", start), _count("lost", lost)
    if start == 0:
        raise ValueError(
            "start must be > 0: churn is undefined for a period that starts with no customers"
        )
    if lost > start:
        raise ValueError(
            f"lost ({lost:g}) cannot exceed start ({start:g}): churn counts only the customers "
            "present at the start of the period"
        )
    return lost / start


def net_growth(start: float, joined: float, lost: float) -> float:
    """Growth of the customer base over a period, as a share of its start.

    Examples
    --------
    >>> round(net_growth(start=17_000_000, joined=680_000, lost=170_000), 4)
    0.03
    """
    start, joined, lost = _count("start", start), _count("joined", joined), _count("lost", lost)
    if start == 0:
        raise ValueError("start must be > 0")
    return (joined - lost) / start


def loss_log(source: pd.DataFrame | object) -> pd.DataFrame | None:
    """The loss log from a weekly frame's ``attrs``, a ``LossLog`` or a log itself (else None)."""
    if isinstance(source, pd.DataFrame) and "spell_start" in source.columns:
        return source
    if isinstance(source, pd.DataFrame):
        source = source.attrs.get("losses")
    source = getattr(source, "frame", source)
    return source if isinstance(source, pd.DataFrame) else None


def period_churn(
    frame: pd.DataFrame, weeks: int = 13, losses: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Churn per period of ``weeks`` weeks, by the course's definition.

    Parameters
    ----------
    frame : pandas.DataFrame
        A model's weekly frame (``model.datacollector.get_model_vars_dataframe()``).
    weeks : int
        Period length in weeks (13 = a quarter), >= 1.
    losses : pandas.DataFrame, optional
        The loss log (``model.losses``); taken from ``frame.attrs`` when not given.

    Returns
    -------
    pandas.DataFrame
        One row per complete period: ``period``, ``first_week``, ``start`` (customers at its
        start), ``lost`` (of those), ``joined`` (new and won back during it), ``end`` and ``churn``.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=300, rng=1)
    >>> model.run(weeks=26)
    >>> table = period_churn(model.datacollector.get_model_vars_dataframe(), weeks=13)
    >>> list(table["period"])
    [0, 1]
    """
    weeks = checks.integer("weeks", weeks, low=1)
    missing = {"week", "active_start", "active", "acquired", "won_back"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks the column(s) {sorted(missing)}; pass a crmsim weekly frame")
    losses = loss_log(frame if losses is None else losses)
    if losses is None:
        raise ValueError(
            "period churn needs the loss log to know who was there at each period's start: "
            "pass losses=model.losses (or a frame straight from the model's datacollector)"
        )
    rows = []
    first_week = int(frame["week"].iloc[0]) if len(frame) else 0
    n_periods = len(frame) // weeks
    by_week = frame.set_index("week")
    for period in range(n_periods):
        a = first_week + period * weeks
        b = a + weeks
        start = int(by_week.loc[a, "active_start"])
        in_period = (losses["week"] >= a) & (losses["week"] < b)
        lost = int((in_period & (losses["spell_start"] < a)).sum())
        block = by_week.loc[a : b - 1]
        rows.append(
            {
                "period": period,
                "first_week": a,
                "start": start,
                "lost": lost,
                "joined": int(
                    block["acquired"].sum()
                    + block["won_back"].sum()
                    + (block["returned"].sum() if "returned" in block else 0)
                ),
                "end": int(by_week.loc[b - 1, "active"]),
                "churn": lost / start if start else np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["period", "first_week", "start", "lost", "joined", "end", "churn"]
    )


# ---------------------------------------------------------------------------- cohorts
def cohort_retention(model: CRMModel, cohort_weeks: int = 13) -> pd.DataFrame:
    """Retention (survival) curves by acquisition cohort: share still in their first relationship.

    Customers are grouped by the period of their first purchase (``cohort_weeks`` weeks per
    cohort: 13 gives quarterly cohorts). For each cohort, column ``k`` is the share of its
    customers who had not left within ``k`` weeks of their first purchase. A customer who
    leaves in the week they were acquired counts as gone from ``k = 1`` on; a customer won back
    later does not rejoin the curve (a return is a new relationship, as in the loss log); one
    who moved away counts as gone, and the newcomer in their row is a customer of their own.

    Customers acquired late are observed for fewer weeks; the curve treats them as censored,
    with the Kaplan-Meier estimator: ``S(k) = prod_{j < k} (1 - d_j / n_j)``, where ``n_j``
    counts the cohort's customers still observed and still there at their week ``j`` and
    ``d_j`` those who left in it. Curves therefore start at 1 and never rise; weeks that no
    customer of the cohort was observed for are NaN.

    Parameters
    ----------
    model : CRMModel
        A model that has run (``model.state`` and the loss log ``model.losses`` are read).
    cohort_weeks : int
        Length of a cohort's acquisition period in weeks, >= 1.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (the first week of each cohort's acquisition period), columns
        ``0, 1, ..., K`` (weeks since acquisition), values in [0, 1]. ``frame.attrs["sizes"]``
        maps each cohort to its number of customers.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=400, rng=2)
    >>> model.run(weeks=39)
    >>> curves = cohort_retention(model, cohort_weeks=13)
    >>> list(curves.index)
    [0, 13, 26]
    >>> bool((curves[0] == 1).all())
    True
    >>> all(bool((np.diff(row.dropna()) <= 0).all()) for _, row in curves.iterrows())
    True
    """
    cohort_weeks = checks.integer("cohort_weeks", cohort_weeks, low=1)
    state = model.state
    last_week = int(model.week) - 1  # weeks 0 .. model.week - 1 have been simulated
    # A person is a row and a first purchase week: a newcomer who takes the row of someone
    # who left the category (crmsim.turnover) buys for the first time later than they did.
    # First relationships that ended are in the loss log (the spell that began with the
    # first purchase; later spells are returns), those of the people in the rows now in the
    # state.
    losses = model.losses
    first_spells = losses[losses["spell_start"] == losses["first_purchase"]]
    ended_who = first_spells["customer"].to_numpy()
    ended_first = first_spells["first_purchase"].to_numpy()
    ended_week = first_spells["week"].to_numpy()
    rows = np.flatnonzero(state.first_purchase_week >= 0)
    current_first = state.first_purchase_week[rows].astype(np.int64)
    # the people in the rows now whose first relationship has not ended
    ended_here = pd.MultiIndex.from_arrays([ended_who, ended_first])
    running = ~pd.MultiIndex.from_arrays([rows, current_first]).isin(ended_here)
    start = np.concatenate([ended_first, current_first[running]])
    if last_week < 0 or len(start) == 0:
        return pd.DataFrame(index=pd.Index([], name="cohort", dtype=np.int64))
    # every logged departure is in the past: the ended relationships left, the rest are
    # censored at the last week observed
    left = np.arange(len(start)) < len(ended_week)
    end = np.concatenate([ended_week, np.full(running.sum(), last_week)])
    # weeks since acquisition: of the departure (an event), or of the last week observed
    duration = end - start
    cohort = start // cohort_weeks * cohort_weeks
    horizon = int(duration.max()) + 2
    rows, sizes = {}, {}
    for label in np.unique(cohort):
        mine = cohort == label
        d, gone = duration[mine], left[mine]
        # at risk at week j: observed through j and not gone before it
        at_risk = np.bincount(d, minlength=horizon)[::-1].cumsum()[::-1][: horizon - 1]
        events = np.bincount(d[gone], minlength=horizon)[: horizon - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(at_risk > 0, 1.0 - events / at_risk, np.nan)
        curve = np.concatenate([[1.0], np.cumprod(step)])
        rows[int(label)] = curve
        sizes[int(label)] = int(mine.sum())
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "cohort"
    frame.columns.name = "weeks_since_acquisition"
    frame = frame.dropna(axis=1, how="all")
    frame.attrs["sizes"] = sizes
    return frame


# ---------------------------------------------------------------------------- time to a tier
#: The tiers whose timing :func:`time_to_tier` follows (every customer is actual from the
#: first purchase on).
CLIMBED_TIERS = ("loyal", "marketer")


def _history_of(source: CRMModel | History) -> History:
    from crmsim.history import History

    history = source if isinstance(source, History) else getattr(source, "history", None)
    if not isinstance(history, History):
        raise TypeError(f"source must be a CRMModel or its History, got {type(source).__name__}")
    if not history.enabled:
        raise ValueError(
            "this model does not record history (large runs skip it); create it with "
            "history=True to follow when customers reach a tier"
        )
    return history


def _climbed_tier(tier: Tier | str) -> int:
    name = tier.name.lower() if isinstance(tier, Tier) else str(tier).lower()
    if name not in CLIMBED_TIERS:
        raise ValueError(f"tier must be one of {CLIMBED_TIERS}, got {tier!r}")
    return int(Tier[name.upper()])


def tier_journeys(source: CRMModel | History, tier: Tier | str) -> pd.DataFrame:
    """Every customer acquired during a run, and how their first relationship went with ``tier``.

    Read from the run's history (:class:`crmsim.history.History`): a first purchase
    (event ``trial``) starts a customer's first relationship; it ends at their first
    departure (event ``left``, any cause, moving out of the market included). The tier
    counts as reached in the week of the first ``climbed`` event to it, or above it, in
    that relationship. A return after leaving is a new relationship and is not followed.

    Parameters
    ----------
    source : CRMModel or History
        A model that records history (the default for class-sized runs), or its history.
    tier : Tier or str
        ``"loyal"`` or ``"marketer"``.

    Returns
    -------
    pandas.DataFrame
        One row per customer acquired, in the order of their first purchases:
        ``customer`` (the row; with ``first_purchase`` it names the person, since a
        newcomer may later take the row), ``first_purchase`` (week), ``reached`` (week the
        tier was first reached in the first relationship, -1 if not) and ``left`` (week the
        first relationship ended without the tier reached before, -1 if it had not ended by
        the last week recorded, ``frame.attrs["last_week"]``).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=300, rng=4)
    >>> model.run(weeks=40)
    >>> journeys = tier_journeys(model, "loyal")
    >>> len(journeys) == int(model.frame["acquired"].sum())
    True
    """
    history, target = _history_of(source), _climbed_tier(tier)
    # each row's current person: the index of their record (-1 if they never bought), and
    # whether their first relationship is still the one being followed
    record: dict[int, int] = {}
    following: set[int] = set()
    customer, first, reached, left = [], [], [], []
    for week, event in history.events("trial", "climbed", "left", "moved"):
        who = event.who.tolist()
        if event.kind == "trial":
            for row in who:
                record[row] = len(customer)
                following.add(row)
                customer.append(row)
                first.append(week)
                reached.append(-1)
                left.append(-1)
        elif event.kind == "climbed":
            tiers = np.broadcast_to(np.asarray(event.detail), len(who)).tolist()
            for row, climbed in zip(who, tiers, strict=True):
                if climbed >= target and row in following:
                    reached[record[row]] = week
                    following.discard(row)  # the outcome is known
        elif event.kind == "left":
            for row in who:
                if row in following:
                    left[record[row]] = week
                    following.discard(row)
        else:  # moved: a newcomer takes the row (the leaver's departure was noted already)
            for row in who:
                following.discard(row)
                record.pop(row, None)
    frame = pd.DataFrame(
        {"customer": customer, "first_purchase": first, "reached": reached, "left": left},
        dtype=np.int64,
    )
    frame.attrs["last_week"] = history.last_week
    frame.attrs["tier"] = Tier(target).name.lower()
    return frame


def time_to_tier(
    source: CRMModel | History,
    tier: Tier | str,
    acquired_before: int | None = None,
) -> pd.DataFrame:
    """How soon acquired customers reach ``tier``, counting those who never do.

    Every customer acquired during the run enters, from their first purchase, not only those
    who got there. For each week ``d`` since the first purchase the curve gives the share of
    acquired customers who have reached the tier within ``d`` weeks of their first
    relationship, the share who left it before reaching the tier, and what remains: still
    customers, not yet there.

    **Leaving is a competing event, not censoring.** A customer who leaves before reaching
    the tier has not reached it, and that is an outcome, not missing data; censoring them
    (Kaplan-Meier) would estimate how soon customers would get there if nobody ever left, and
    overstate how many do. Only the end of the run censors: a customer acquired in week
    ``a`` of a run that recorded weeks ``0 .. T`` is observed for ``T - a`` weeks, which says
    nothing about them. The estimate is the cumulative incidence (Aalen-Johansen) with that
    censoring: with ``n_d`` customers at risk at week ``d`` (still in their first
    relationship, neither event yet, observed that long), ``r_d`` reaching the tier and ``l_d``
    leaving in it, and ``S(d) = prod_{u <= d} (1 - (r_u + l_u) / n_u)``::

        share_reached(d) = sum_{u <= d} S(u - 1) * r_u / n_u

    and ``share_left`` likewise with ``l_u``. Without censoring (every customer observed for
    ``d`` weeks, see ``acquired_before``) this is the plain share of customers who reached the
    tier within ``d`` weeks.

    Parameters
    ----------
    source : CRMModel or History
        A model that records history (the default for class-sized runs), or its history.
    tier : Tier or str
        ``"loyal"`` or ``"marketer"``.
    acquired_before : int, optional
        Only customers whose first purchase came before this week (all by default).

    Returns
    -------
    pandas.DataFrame
        Index ``weeks_since_first_purchase`` (0 .. the longest follow-up); columns
        ``at_risk``, ``reached`` and ``left`` (customers at that week), and the shares of all
        acquired customers ``share_reached`` (cumulative, non-decreasing), ``share_not_yet``
        (``1 - share_reached``: the survival curve, non-increasing from 1), ``share_left``
        (left before reaching the tier) and ``share_climbing`` (still customers, not yet
        there). ``frame.attrs`` holds ``tier`` and ``customers`` (how many were acquired).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=500, rng=4)
    >>> model.run(weeks=60)
    >>> curve = time_to_tier(model, "loyal")
    >>> float(curve["share_not_yet"].iloc[0])  # nobody is loyal in the week of the first purchase
    1.0
    >>> bool(curve["share_not_yet"].is_monotonic_decreasing)
    True
    """
    journeys = tier_journeys(source, tier)
    last_week = journeys.attrs["last_week"]
    if acquired_before is not None:
        acquired_before = checks.integer("acquired_before", acquired_before)
        journeys = journeys[journeys["first_purchase"] < acquired_before]
    first = journeys["first_purchase"].to_numpy()
    reached, left = journeys["reached"].to_numpy(), journeys["left"].to_numpy()
    # each customer's time: to the tier, to leaving, or to the last week observed
    kind = np.where(reached >= 0, 1, np.where(left >= 0, 2, 0))
    end = np.where(kind == 1, reached, np.where(kind == 2, left, last_week))
    duration = end - first
    horizon = int(duration.max()) + 1 if len(duration) else 1
    at_risk = np.bincount(duration, minlength=horizon)[::-1].cumsum()[::-1]
    got_there = np.bincount(duration[kind == 1], minlength=horizon)
    gone = np.bincount(duration[kind == 2], minlength=horizon)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_reach = np.where(at_risk > 0, got_there / at_risk, 0.0)
        hazard_leave = np.where(at_risk > 0, gone / at_risk, 0.0)
    # S(d - 1): still in the first relationship without the tier, just before week d
    before = np.concatenate([[1.0], np.cumprod(1.0 - hazard_reach - hazard_leave)[:-1]])
    share_reached = np.cumsum(before * hazard_reach)
    share_left = np.cumsum(before * hazard_leave)
    frame = pd.DataFrame(
        {
            "at_risk": at_risk,
            "reached": got_there,
            "left": gone,
            "share_reached": share_reached,
            "share_not_yet": 1.0 - share_reached,
            "share_left": share_left,
            # (rounding may leave a hair below 0 where everyone's outcome is known)
            "share_climbing": np.maximum(0.0, 1.0 - share_reached - share_left),
        },
        index=pd.RangeIndex(horizon, name="weeks_since_first_purchase"),
    )
    frame.attrs["tier"] = journeys.attrs["tier"]
    frame.attrs["customers"] = len(journeys)
    return frame


# ---------------------------------------------------------------------------- transactions
TRANSACTION_COLUMNS = ("customer_id", "date", "amount")
#: The calendar date of week 0 in purchase logs: a Monday, so that each simulated week is
#: one calendar week (Monday to Sunday) for tools that group dates by week.
TRANSACTIONS_START = "2024-01-01"


def _dates(weeks: np.ndarray, start: Any) -> Any:
    if start is None:
        return weeks
    return pd.Timestamp(start) + pd.to_timedelta(weeks * 7, unit="D")


class PurchaseLog:
    """An observer (:mod:`crmsim.events`) that logs every purchase a model's customers make.

    The model keeps totals (``state.purchases``, ``state.spend``), not a purchase log. Each
    week the ``episode`` event names who bought (a customer buys at most once a week; a
    first purchase is an episode too). The amount paid is the week's rise in the
    customer's ``spend``, snapped to the nearest of the week's possible prices, ``price``
    and ``price * (1 - discount)``, so it is exactly what the model charged.

    ``customer_id`` is the person's row, until they leave the category (``moved``): the
    newcomer in that row is another person, with the next unused id (``n_customers``
    and up), so no one's purchases are mixed with someone else's.
    """

    def __init__(self, model: CRMModel) -> None:
        self.model = model
        self.parts: list[pd.DataFrame] = []
        self._seen = model.state.spend.copy()
        self._ids = np.arange(model.state.n, dtype=np.int64)
        self._next_id = model.state.n

    def __call__(self, report: WeekReport) -> None:
        spend = self.model.state.spend
        movers = report.who("moved")
        if len(movers):
            # movers leave at the end of the week (crmsim.turnover), after this week's
            # purchases, and their rows are wiped: take their spend from the event
            spend = spend.copy()
            spend[movers] = report.detail("moved")
        who = report.who("episode")
        if len(who):
            self._log(who.astype(np.int64), report.week, spend)
        if len(movers):
            self._seen[movers] = 0.0  # the newcomer has spent nothing
            self._ids[movers] = np.arange(self._next_id, self._next_id + len(movers))
            self._next_id += len(movers)

    def _log(self, who: np.ndarray, week: int, spend: np.ndarray) -> None:
        model = self.model
        paid = spend[who] - self._seen[who]
        self._seen[who] = spend[who]
        price = model.market.price
        prices = np.array([price, price * (1.0 - model.policy.discount)])
        exact = prices[np.abs(paid[:, None] - prices[None, :]).argmin(axis=1)]
        amount = np.where(np.isclose(paid, exact, rtol=1e-9, atol=1e-9), exact, paid)
        self.parts.append(
            pd.DataFrame(
                {"customer_id": self._ids[who], "date": np.full(len(who), week), "amount": amount}
            )
        )

    @property
    def person_ids(self) -> np.ndarray:
        """The ``customer_id`` of the person in each row now (a copy)."""
        return self._ids.copy()

    @classmethod
    def of(cls, model: CRMModel) -> PurchaseLog | None:
        """The purchase log subscribed to ``model``, if any."""
        return next((o for o in model.observers if isinstance(o, cls)), None)


def run_with_transactions(
    model: CRMModel, weeks: int, start: Any = TRANSACTIONS_START
) -> pd.DataFrame:
    """Run ``model`` for ``weeks`` weeks and return every purchase made in them.

    The first call subscribes a :class:`PurchaseLog` to the model, which from then on logs
    every purchase (:func:`transactions` returns them all). Works whether or not the model
    keeps histories, and does not change the run: the same seed gives the same weekly
    frame with or without it.

    Parameters
    ----------
    model : CRMModel
        The model to run (it is stepped ``weeks`` times).
    weeks : int
        Weeks to run, >= 0.
    start : date-like or None
        Calendar date of week 0 (by default :data:`TRANSACTIONS_START`, Monday 1 January
        2024); week ``t``'s purchases are dated ``start`` plus ``7 t`` days, so tools that
        read dates (lifetimes, PyMC-Marketing) see real weeks. ``None`` gives the week
        numbers themselves.

    Returns
    -------
    pandas.DataFrame
        One row per purchase: ``customer_id`` (the customer's row), ``date`` (the week's
        date, or its number with ``start=None``) and ``amount`` (money paid), by week and
        customer.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=300, rng=4)
    >>> log = run_with_transactions(model, weeks=26)
    >>> list(log.columns)
    ['customer_id', 'date', 'amount']
    >>> bool(np.isclose(log["amount"].sum(), model.frame["revenue"].sum()))
    True
    """
    weeks = checks.integer("weeks", weeks, low=0)
    log = PurchaseLog.of(model)
    if log is None:
        log = PurchaseLog(model)
        model.subscribe(log)
    already = len(log.parts)
    model.run_for(int(weeks))
    return _transaction_frame(log.parts[already:], start)


def _transaction_frame(parts: list[pd.DataFrame], start: Any) -> pd.DataFrame:
    if parts:
        frame = pd.concat(parts, ignore_index=True)
    else:
        frame = pd.DataFrame(
            {
                "customer_id": np.empty(0, np.int64),
                "date": np.empty(0, np.int64),
                "amount": np.empty(0),
            }
        )
    frame["date"] = _dates(frame["date"].to_numpy(), start)
    return frame


def transactions(model: CRMModel, start: Any = TRANSACTIONS_START) -> pd.DataFrame:
    """Every purchase logged for ``model`` since :func:`run_with_transactions` first ran it.

    Parameters
    ----------
    model : CRMModel
        A model run (at least partly) with :func:`run_with_transactions`.
    start : date-like or None
        Calendar date of week 0 (see :func:`run_with_transactions`); ``None`` gives week
        numbers.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``date``, ``amount``, one row per purchase — the input
        :func:`rfm_summary` (and PyMC-Marketing's CLV models) expect.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=200, rng=5)
    >>> _ = run_with_transactions(model, weeks=10)
    >>> _ = run_with_transactions(model, weeks=10)
    >>> last = transactions(model)["date"].max()
    >>> str(last.date()), int(transactions(model, start=None)["date"].max())
    ('2024-05-13', 19)
    """
    log = PurchaseLog.of(model)
    if log is None:
        raise ValueError(
            "no purchases were recorded for this model: the model keeps totals, not a log; "
            "run it with crmsim.analysis.run_with_transactions(model, weeks)"
        )
    return _transaction_frame(log.parts, start)


def rfm_summary(
    transactions: pd.DataFrame,
    observation_end: Any = None,
    *,
    customer_id_col: str = "customer_id",
    datetime_col: str = "date",
    monetary_value_col: str | None = "amount",
    time_unit: str = "W",
    time_scaler: float = 1.0,
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, as PyMC-Marketing's ``rfm_summary``.

    The same columns and definitions as ``pymc_marketing.clv.utils.rfm_summary`` (with its
    default ``include_first_transaction=False``, the input of BG/NBD, Pareto/NBD and
    Gamma-Gamma models), without installing it. Purchases are first grouped by period
    (``time_unit``), amounts of one period summed; purchases after ``observation_end`` are
    dropped. Then, per customer:

    * ``frequency``: the number of *repeat* purchase periods (periods with a purchase, less 1);
    * ``recency``: time from the first to the last purchase period;
    * ``T``: time from the first purchase period to the end of observation;
    * ``monetary_value``: mean amount of the repeat purchase periods (0 with no repeat).

    Times are in ``time_unit`` divided by ``time_scaler``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase, e.g. from :func:`transactions`.
    observation_end : number or date-like, optional
        End of observation; the latest purchase by default.
    customer_id_col, datetime_col, monetary_value_col : str
        Column names; ``monetary_value_col=None`` leaves out ``monetary_value``.
    time_unit : str
        For calendar dates: the period, a NumPy/pandas unit (``"D"``, ``"W"``, ``"h"``).
        Numeric dates (crmsim's week numbers) are periods already.
    time_scaler : float
        Divides recency and T (e.g. 52 to count weeks in years).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T`` and ``monetary_value`` (floats), one
        row per customer with a purchase by ``observation_end``, by customer id.

    Examples
    --------
    A customer who bought in weeks 0 (10), 3 (20 and 5) and 7 (30), seen until week 10:

    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 1], "date": [0, 3, 3, 7],
    ...                     "amount": [10.0, 20.0, 5.0, 30.0]})
    >>> rfm_summary(log, observation_end=10).iloc[0].to_dict()
    {'customer_id': 1.0, 'frequency': 2.0, 'recency': 7.0, 'T': 10.0, 'monetary_value': 27.5}
    """
    needed = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lack the column(s) {missing}")
    time_scaler = checks.number("time_scaler", time_scaler)
    if not time_scaler > 0:
        raise ValueError(f"time_scaler must be > 0, got {time_scaler!r}")
    data = transactions[needed].copy()
    if pd.api.types.is_numeric_dtype(data[datetime_col]):
        period = np.floor(data[datetime_col].to_numpy(dtype=float))
        end = period.max() if observation_end is None else float(np.floor(observation_end))

        def span(a: Any, b: Any) -> Any:
            return (b - a) / time_scaler
    else:
        # as PyMC-Marketing: each date to the start of its period
        period = pd.to_datetime(data[datetime_col]).dt.to_period(time_unit).dt.to_timestamp()
        if observation_end is None:
            end = period.max()
        elif isinstance(observation_end, pd.Period):
            end = observation_end.to_timestamp()
        else:
            end = pd.Timestamp(observation_end).to_period(time_unit).to_timestamp()

        def span(a: Any, b: Any) -> Any:
            return (b - a) / np.timedelta64(1, time_unit) / time_scaler

    data["_period"] = period
    data = data[data["_period"] <= end]
    if monetary_value_col:
        per = data.groupby([customer_id_col, "_period"], sort=True)[monetary_value_col].sum()
    else:
        per = data.groupby([customer_id_col, "_period"], sort=True).size()
    per = per.reset_index()
    grouped = per.groupby(customer_id_col, sort=True)["_period"]
    first, last, count = grouped.min(), grouped.max(), grouped.count()
    out = pd.DataFrame(
        {
            "customer_id": first.index,
            "frequency": (count - 1).to_numpy(dtype=float),
            "recency": np.asarray(span(first, last), dtype=float),
            "T": np.asarray(span(first, end), dtype=float),
        }
    )
    if monetary_value_col:
        repeat = per[per.duplicated(customer_id_col)]  # every period but each one's first
        mean = repeat.groupby(customer_id_col)[monetary_value_col].mean()
        out["monetary_value"] = mean.reindex(first.index).fillna(0.0).to_numpy(dtype=float)
    return out


# ---------------------------------------------------------------------------- customer equity
#: Bands of relationship age (weeks since the current relationship began) over which the
#: weekly hazard of leaving is estimated; the last band's hazard holds for every later week.
TENURE_BANDS = (0, 4, 13, 26, 52)
#: Annual rate at which future margin is discounted (Gupta, Lehmann & Stuart 2004 use 12 %;
#: 10 % is a common textbook cost of capital).
ANNUAL_DISCOUNT_RATE = 0.10


def hazard_by_tenure(
    losses: pd.DataFrame, active_spell_starts: np.ndarray, weeks_run: int
) -> pd.DataFrame:
    """Weekly probability of leaving by relationship age, estimated from a run's spells.

    Every relationship (spell) of the run is known: those that ended are in the loss log
    with the week they began, those still running have their start in the state. A spell
    that began in week ``s`` and ended in week ``w`` was at risk at ages ``0 .. w - s`` and
    ended at age ``w - s``; one still running after ``weeks_run`` weeks was at risk at ages
    ``0 .. weeks_run - 1 - s``. The hazard of a band is its departures over its
    customer-weeks at risk (the actuarial estimate).

    Parameters
    ----------
    losses : pandas.DataFrame
        A loss log (``CRMModel.losses``): ``week`` and ``spell_start`` per departure.
    active_spell_starts : numpy.ndarray
        The week each active customer's relationship began.
    weeks_run : int
        Weeks the model has run.

    Returns
    -------
    pandas.DataFrame
        One row per band of :data:`TENURE_BANDS`: ``from_week``, ``to_week`` (exclusive;
        infinite for the last), ``at_risk`` (customer-weeks), ``left`` and ``hazard``.
    """
    weeks_run = checks.integer("weeks_run", weeks_run, low=1)
    ended_age = (losses["week"].to_numpy() - losses["spell_start"].to_numpy()).astype(np.int64)
    running_age = (weeks_run - 1 - np.asarray(active_spell_starts)).astype(np.int64)
    # customer-weeks at risk at each age: a spell of last age A is at risk at ages 0..A
    last_age = np.concatenate([ended_age, running_age])
    horizon = int(last_age.max()) + 1 if len(last_age) else 1
    at_risk = np.bincount(last_age, minlength=horizon)[::-1].cumsum()[::-1]
    left = np.bincount(ended_age, minlength=horizon)
    edges = [*TENURE_BANDS, horizon if horizon > TENURE_BANDS[-1] else TENURE_BANDS[-1] + 1]
    rows = []
    for i, start in enumerate(TENURE_BANDS):
        stop = edges[i + 1]
        exposed, gone = int(at_risk[start:stop].sum()), int(left[start:stop].sum())
        rows.append(
            {
                "from_week": start,
                "to_week": stop if i + 1 < len(TENURE_BANDS) else math.inf,
                "at_risk": exposed,
                "left": gone,
                "hazard": gone / exposed if exposed else math.nan,
            }
        )
    frame = pd.DataFrame(rows)
    # a band nobody reached borrows the hazard of the band before it
    frame["hazard"] = frame["hazard"].ffill().fillna(0.0)
    return frame


def expected_future_weeks(
    ages: np.ndarray, hazards: pd.DataFrame, annual_rate: float = ANNUAL_DISCOUNT_RATE
) -> np.ndarray:
    """Discounted expected number of further weeks a relationship of each age lasts.

    ``sum over t >= 1 of delta**t * P(still a customer t weeks from now)``, where the weekly
    discount factor ``delta = (1 + annual_rate) ** (-1 / 52)`` and the survival follows
    the hazards of :func:`hazard_by_tenure`; past the last band the hazard is constant, so
    the tail is a geometric sum.
    """
    annual_rate = checks.number("annual_rate", annual_rate, 0.0, 10.0)
    delta = (1.0 + annual_rate) ** (-1.0 / 52.0)
    starts, band_hazard = hazards["from_week"].to_numpy(), hazards["hazard"].to_numpy()
    last = int(starts[-1])
    # weekly chance of staying (and discounting) at each age up to the last band's start
    keep = delta * (1.0 - np.repeat(band_hazard, np.diff([*starts, last + 1])))
    # value[a]: expected discounted further weeks of a relationship now at age a. From the
    # last band on the hazard is constant: a geometric sum. Before it, one week at a time:
    # value[a] = keep[a + 1] * (1 + value[a + 1]).
    value_at = np.empty(last + 1)
    value_at[last] = keep[last] / (1.0 - keep[last])
    for age in range(last - 1, -1, -1):
        value_at[age] = keep[age + 1] * (1.0 + value_at[age + 1])
    ages = np.asarray(ages, dtype=np.int64)
    return value_at[np.minimum(ages, last)]


def lifetime_value(frame: pd.DataFrame, equity: float) -> float:
    """Customer lifetime value of a run: what its customers brought and are still worth, each.

    The margin of the whole run before advertising (revenue less every other cost: goods,
    service, respect, complaints, channels, gifts, rewards, win-back) plus the customer
    equity at the end (:func:`customer_equity`), per customer acquired; NaN if nobody was acquired.
    Advertising is left out because it is the cost of acquiring them (the KPI
    ``acquisition_cost``).
    """
    acquired = float(frame["acquired"].sum())
    if not acquired:
        return float("nan")
    revenue, cost = float(frame["revenue"].sum()), float(frame["cost"].sum())
    margin = revenue - (cost - float(frame["cost_advertising"].sum()))
    return (margin + equity) / acquired


def customer_equity(
    model: CRMModel, annual_rate: float = ANNUAL_DISCOUNT_RATE, firm: int | str | None = None
) -> dict[str, float]:
    """The expected future margin of the customers still active, discounted to today.

    Each active customer is worth their current weekly margin (the chance of a purchase
    this week, at their stage, price and goodwill, times the price they pay, less the cost
    of goods, service and respect of an episode, less the weekly cost of their contact
    channel if the firm staffs it, and less the gifts a loyal customer or marketer is given
    each week on average) times the discounted number of weeks they can
    be expected to stay, from the hazard of leaving at their relationship's age as measured over the
    run (:func:`hazard_by_tenure`, :func:`expected_future_weeks`). Customer equity is
    their sum (Gupta, Lehmann & Stuart 2004 value a firm's customers this way).

    Parameters
    ----------
    model : CRMModel
        A model that has run at least one week.
    annual_rate : float
        Discount rate per year, in [0, 10]; 10 % by default.
    firm : int or str, optional
        In a market of several firms, the firm (index or name) whose customers are valued,
        at its levers and price and with the hazards of its own customers' spells; the
        first firm by default.

    Returns
    -------
    dict of str to float
        ``equity`` (money), ``active`` (customers), ``weekly_margin`` (their summed
        expected margin this week) and ``expected_weeks`` (their mean discounted
        expected further weeks).

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=500, rng=2)
    >>> model.run(weeks=52)
    >>> value = customer_equity(model)
    >>> value["equity"] > value["weekly_margin"] > 0
    True
    """
    if model.week == 0:
        raise ValueError("the model has not run yet: call model.run(weeks) first")
    index = model._firm_index(0 if firm is None else firm)
    chosen = model.firms[index]
    state, policy = model.state, chosen.policy
    market = chosen.market_for(model.market)
    rows = state.active_indices()
    losses = model.losses
    if len(model.firms) > 1:
        rows = rows[state.firm[rows] == index]
        losses = losses[losses["firm"] == chosen.name]
    week = Week(model.week, model.rng, policy, market, model.population, model.network)
    offered = discount_received(state, week)
    paid = market.price * (1.0 - offered[rows])
    # this week's chance of a purchase as the model has it: price and gifts' goodwill included
    chance = episode_probability(
        state, rows, share_of_wallet(state, week, offered, rows), purchase_lift(state, week, rows)
    )
    weekly_margin = chance * (paid - cost_per_episode(policy, market))
    # the customer's channel is staffed for them every week they stay
    weekly_margin -= np.asarray(channel_costs(policy, market))[state.channel[rows]]
    if policy.gift_value > 0:
        # the gifts keep coming as long as the customer stays loyal
        weekly_margin -= np.where(
            state.tier[rows] >= LOYAL, policy.gift_value / policy.gift_every, 0.0
        )
    hazards = hazard_by_tenure(losses, state.spell_start[rows], model.week)
    weeks = expected_future_weeks(model.week - 1 - state.spell_start[rows], hazards, annual_rate)
    return {
        "equity": float((weekly_margin * weeks).sum()),
        "active": float(len(rows)),
        "weekly_margin": float(weekly_margin.sum()),
        "expected_weeks": float(weeks.mean()) if len(rows) else math.nan,
    }
