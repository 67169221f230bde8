"""Several firms in one market: who is whose customer, and how customers choose and switch.

A market may hold up to :data:`MAX_FIRMS` firms, each with its own levers and price
(:class:`Firm`), besides the abstract competitor of :class:`crmsim.levers.Market`, which
stays as everyone's outside option. A person hears of firms one by one (each firm's
advertising and its own customers' word of mouth, :mod:`crmsim.awareness`), and has a
relationship with at most one firm at a time: ``state.firm`` names it, and the stage,
tier, trust and commitment are towards it. Most weekly rules that read a firm's levers run
once per firm over that firm's people (its share of the week, :class:`crmsim.week.Week`);
a few run once for the market, each customer reading their own firm's levers
(:meth:`crmsim.week.Week.per_customer`, ``crmsim.model.MARKET_PROCESSES``). The rules
here are the market's own:

* :func:`choose_among_offers`: a prospect who knows several firms considers the one whose
  offer is worth most to them (the calculus of value of :mod:`crmsim.offer`); a friend's
  recommendation settles the choice instead.
* :func:`switch_to_rivals`: a customer who knows other firms meets a rival's offer as often
  as a competitor's promotion, and takes it when it beats their own firm's by more than
  their commitment and switching cost, the rule of :func:`crmsim.competition.competitor_offers`.
  They leave their firm (cause ``competitor``, the loss log naming the rival) and start
  with the rival in exploration, their trust in it the calculus of its offer.

A rival firm is judged as a newcomer would judge it: by its price and newcomers' discount,
and by the quality it promises (its ``promise``, else the market's prior expectation).

With one firm the model is the one-firm model: these rules draw nothing and change nothing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from crmsim import checks
from crmsim.arrays import rows_of
from crmsim.awareness import RECOUNT_SHARE, initial_expectation
from crmsim.competition import offer_reach, switching_threshold
from crmsim.leaving import leave
from crmsim.levers import TIER_NAMES, Market, Policy
from crmsim.offer import VALUE_SLOPE, discount_received, firm_value, logistic
from crmsim.stages import ACTUAL, AWARENESS, EXPLORATION, UNAWARE
from crmsim.state import CustomerState
from crmsim.week import Week

#: At most this many firms share a market (a person's firms are bits of one byte).
MAX_FIRMS = 8
#: The name of the firm of a one-firm model.
DEFAULT_FIRM_NAME = "Firm"


@dataclasses.dataclass(frozen=True)
class Firm:
    """One firm of the market: a name, its levers and its price.

    Parameters
    ----------
    name : str
        How reports name the firm; unique within a market.
    policy : Policy or dict, optional
        The firm's levers; ``Policy()`` by default.
    price : float, optional
        The firm's list price; ``None`` (the default) takes ``Market.price``.

    Examples
    --------
    >>> Firm("Corner shop", Policy(respect=0.9), price=22.0).price
    22.0
    >>> Firm("", Policy())
    Traceback (most recent call last):
    ...
    ValueError: Firm.name must be a non-empty string, got ''
    """

    name: str
    policy: Policy = dataclasses.field(default_factory=Policy)
    price: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"Firm.name must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "policy", checks.levers(Policy, self.policy, "Firm.policy"))
        if self.price is not None:
            price = checks.number(f"price of firm {self.name!r}", self.price, 0.0)
            if price <= 0:
                raise ValueError(f"price of firm {self.name!r} must be > 0, got {self.price!r}")
            object.__setattr__(self, "price", price)

    def market_for(self, market: Market) -> Market:
        """The market as this firm's rules see it: its own price in place of ``Market.price``."""
        if self.price is None or self.price == market.price:
            return market
        return market.replace(price=self.price)


def check_firms(firms: Any, policy: Any) -> tuple[Firm, ...]:
    """The model's firms from its ``firms=`` and ``policy=`` arguments, checked.

    Without ``firms`` the market has one firm with ``policy``; with ``firms`` (a sequence of
    :class:`Firm` or of mappings with its fields) ``policy`` must be left out.
    """
    if firms is None:
        return (Firm(DEFAULT_FIRM_NAME, policy if policy is not None else Policy()),)
    if policy is not None:
        raise ValueError("policy: give each firm its policy in firms=, not policy= as well")
    if isinstance(firms, Firm | Mapping | str) or not isinstance(firms, Sequence):
        raise ValueError(f"firms must be a list of Firm, got {type(firms).__name__}")
    if not 1 <= len(firms) <= MAX_FIRMS:
        raise ValueError(f"firms must hold 1 to {MAX_FIRMS} firms, got {len(firms)}")
    built = []
    for i, firm in enumerate(firms):
        if isinstance(firm, Mapping):
            try:
                firm = Firm(**firm)
            except TypeError as error:
                raise ValueError(f"firms[{i}]: {error}") from None
        elif not isinstance(firm, Firm):
            raise ValueError(f"firms[{i}] must be a Firm, got {type(firm).__name__}")
        built.append(firm)
    names = [firm.name for firm in built]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"firms: the name {name!r} is used twice; each firm needs its own")
    return tuple(built)


# ---------------------------------------------------------------------------- the offers
def newcomer_discount(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """The discount the firm of ``week`` would give each of ``rows`` as a new customer."""
    policy = week.policy
    if not policy.discount_running(week.index):
        return np.zeros(len(rows))
    target = policy.discount_target
    if target in ("all", "new"):
        eligible = np.ones(len(rows), dtype=bool)
    elif isinstance(target, frozenset):
        eligible = np.full(len(rows), TIER_NAMES[0] in target)
    else:
        eligible = state.segment[rows] == week.population.segment_names.index(target)
    return np.where(eligible, policy.discount, 0.0)


def rival_value(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """What the firm of ``week`` is worth to each of ``rows``, judged as a newcomer would."""
    discount = newcomer_discount(state, week, rows)
    return firm_value(state, week, discount, rows, expectation=initial_expectation(week))


def knows(state: CustomerState, rows: np.ndarray, firm: int) -> np.ndarray:
    """Whether each of ``rows`` has heard of ``firm``."""
    return (state.aware_of[rows] & np.uint8(1 << firm)) != 0


def best_rival(state: CustomerState, week: Week, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The firm (other than their own) whose offer is worth most to each of ``rows``, and
    its value; firm -1 and value ``-inf`` for those who know no other firm."""
    best = np.full(len(rows), -math.inf)
    choice = np.full(len(rows), -1, dtype=np.int8)
    own = state.firm[rows]
    for firm, firm_week in enumerate(week.firm_weeks):
        candidates = rows_of(knows(state, rows, firm) & (own != firm))
        if not len(candidates):
            continue
        value = rival_value(state, firm_week, rows[candidates])
        better = value > best[candidates]
        best[candidates[better]] = value[better]
        choice[candidates[better]] = firm
    return choice, best


def own_value(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """What each of ``rows``' own firm is worth to them (its offer as they know it)."""
    value = np.empty(len(rows))
    own = state.firm[rows]
    for firm, firm_week in enumerate(week.firm_weeks):
        mine = rows_of(own == firm)
        if len(mine):
            who = rows[mine]
            discount = discount_received(state, firm_week)[who]
            value[mine] = firm_value(state, firm_week, discount, who)
    return value


# ---------------------------------------------------------------------------- the market's rules
def count_firms_customer_contacts(state: CustomerState, week: Week) -> None:
    """Bring each person's count of contacts who are each firm's customers up to date.

    What :func:`crmsim.awareness.share_of_customer_contacts` keeps for one firm, kept for all
    of them at once in ``state.firm_contacts`` (one column per firm): only the contacts of
    people who started, stopped or changed firm since the last count are touched. A
    well-mixed market keeps no counts.
    """
    network, n_firms = week.network, len(week.firm_weeks)
    if network.well_mixed:
        return
    buying_from = np.where(week.active(state), state.firm, np.int8(-1))
    changed = rows_of(buying_from != state.counted_firm)
    if len(changed) > RECOUNT_SHARE * state.n:
        for firm in range(n_firms):
            state.firm_contacts[:, firm] = network.count_contacts(buying_from == firm)
    elif len(changed):
        network.update_group_contact_counts(
            state.firm_contacts, changed, state.counted_firm[changed], buying_from[changed]
        )
    state.counted_firm[:] = buying_from


def shares_of_firms_customers(
    state: CustomerState, week: Week, rows: np.ndarray, weight: float = 1.0
) -> np.ndarray:
    """Each of ``rows``' share of contacts who are each firm's customers, times ``weight``:
    one row per firm (call :func:`count_firms_customer_contacts` first on a network)."""
    network = week.network
    if network.well_mixed:
        buying = week.active(state)
        return np.array(
            [
                weight * network.share_of_contacts(buying & (state.firm == k))[rows]
                for k in range(len(week.firm_weeks))
            ]
        ).reshape(len(week.firm_weeks), len(rows))
    return state.firm_contacts.take(rows, axis=0).T * (network.inverse_degree[rows] * weight)


def hear_of_firms(state: CustomerState, week: Week) -> None:
    """People hear of firms they did not know: at most one new firm each a week.

    Firm ``k``'s hazard for a person who has not heard of it is its one-firm hazard
    (:func:`crmsim.awareness.awareness_hazard`: its advertising plus word of mouth from the
    person's contacts who are its customers). One draw per person decides: they hear of
    firm ``k`` with chance ``h_k`` (``h_k / sum(h)`` when the hazards add up to more than 1,
    when they surely hear of one), so each firm reaches each person as it would alone, and
    hearing of two firms in the same week, a chance of order ``h**2``, is left out. Those
    who knew no firm become the firm's prospects; the others now know one more firm to
    compare (:func:`choose_among_offers`, :func:`switch_to_rivals`).
    """
    luck = week.luck("awareness", state.n)
    word_of_mouth = week.market.word_of_mouth
    advertising = np.array([firm_week.policy.advertising for firm_week in week.firm_weeks])
    count_firms_customer_contacts(state, week)
    # a person's contacts are customers of one firm at most, so nobody's hazards add up to
    # more than all the advertising plus the word of mouth: only those whose draw falls
    # below that can hear of a firm (the margin covers rounding)
    within_reach = rows_of(luck < (advertising.sum() + word_of_mouth) * (1.0 + 1e-9))
    hazards = shares_of_firms_customers(state, week, within_reach, word_of_mouth)
    hazards += advertising[:, np.newaxis]
    np.minimum(hazards, 1.0, out=hazards)
    firm_bits = np.uint8(1) << np.arange(len(advertising), dtype=np.uint8)
    hazards *= (state.aware_of[within_reach] & firm_bits[:, np.newaxis]) == 0
    # each firm's stretch of the draw: below the sum of its hazard and those before it
    below = np.cumsum(hazards, axis=0)
    total = below[-1]
    luck = luck[within_reach]
    hearing = rows_of(luck < total)
    if not len(hearing):
        return
    point = luck[hearing] * np.maximum(total[hearing], 1.0)
    # the stretch a draw falls in: the first firm whose running sum exceeds it
    chosen = np.count_nonzero(below[:, hearing] <= point, axis=0)
    who = within_reach[hearing]
    for firm_week in week.firm_weeks:
        newly = who[chosen == firm_week.firm]
        state.aware_of[newly] |= np.uint8(1 << firm_week.firm)
        newly = newly[state.stage[newly] == UNAWARE]
        state.stage[newly] = AWARENESS
        state.firm[newly] = firm_week.firm
        state.expectation[newly] = initial_expectation(firm_week)
        firm_week.note("aware", newly)


def choose_among_offers(state: CustomerState, week: Week) -> None:
    """Prospects who know several firms consider the one whose offer is worth most to them.

    A prospect a friend referred keeps the firm recommended. No draw: the choice is the
    calculus of value, and the trial that follows (:mod:`crmsim.trials`) is the chance.
    """
    if not week.firm_weeks:
        return
    aware = rows_of(state.stage == AWARENESS)
    known = state.aware_of[aware]
    several = aware[((known & (known - np.uint8(1))) != 0) & (state.referred_by[aware] < 0)]
    if not len(several):
        return
    rival, value = best_rival(state, week, several)
    current = own_value(state, week, several)
    moves = rows_of(value > current)
    who, firms = several[moves], rival[moves]
    state.firm[who] = firms
    for firm, firm_week in enumerate(week.firm_weeks):
        state.expectation[who[firms == firm]] = initial_expectation(firm_week)


def switch_to_rivals(state: CustomerState, week: Week) -> None:
    """Customers who know rival firms meet their offers; those a rival beats by enough switch.

    The reach is a competitor's promotion's (:func:`crmsim.competition.offer_reach`, at
    ``Market.competitor_offer_rate``): deal-seekers and the churn-prone hear of offers most.
    """
    if not week.firm_weeks:
        return
    active = week.active_rows(state)
    known = state.aware_of[active] & ~(np.uint8(1) << state.firm[active].astype(np.uint8))
    candidates = active[known != 0]
    reach = offer_reach(state, candidates, week.market.competitor_offer_rate)
    approached = candidates[week.luck("rival-offer", candidates) < reach]
    if not len(approached):
        return
    rival, value = best_rival(state, week, approached)
    gain = value - own_value(state, week, approached)
    switch = rows_of(gain > switching_threshold(state, approached, week.market.deepening))
    movers, targets = approached[switch], rival[switch]
    leave_for(state, week, movers, targets, value[switch])


def leave_for(
    state: CustomerState, week: Week, who: np.ndarray, targets: np.ndarray, value: np.ndarray
) -> None:
    """``who`` leave their firm for ``targets`` (one firm each), whose offer is worth ``value``."""
    if not len(who):
        return
    leave(state, week, who, "competitor", to_firm=targets)
    state.firm[who] = targets
    state.stage[who] = EXPLORATION
    week.stage_changed(who)
    state.tier[who] = ACTUAL
    state.reach(who, ACTUAL)
    state.spell_start[who] = week.index
    advantage = value - week.market.competitor_attractiveness
    state.trust_calculus[who] = logistic(VALUE_SLOPE * advantage)
    for name in ("trust_knowledge", "trust_identification", "commitment", "switching_cost"):
        getattr(state, name)[who] = 0.0
    state.satisfaction[who] = 0.0
    state.good_episodes[who] = 0
    state.respect_felt[who] = 0.0
    state.angry[who] = False
    state.anger_left[who] = 0
    for firm, firm_week in enumerate(week.firm_weeks):
        theirs = who[targets == firm]
        if len(theirs):
            state.expectation[theirs] = initial_expectation(firm_week)
            state.bought_from[theirs] |= np.uint8(1 << firm)
            firm_week.tally["won_from_rival"] += len(theirs)
            firm_week.note("won_from_rival", theirs)
