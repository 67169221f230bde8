"""Service episodes: purchases, how the service felt, failures, complaints and recovery.

A relationship is a series of episodes (seed 000). Each week an active customer
may buy and be served; every Kano attribute is delivered at the policy's level
plus noise, and the episode's satisfaction mixes the Kano curves with a respect
term. A third of customers value being respected over having their problem
solved (seed 002), so respect weighs one third, apart from the fix.

An episode fails with a probability that falls with how well must-be attributes
are delivered. About 40 % of customers complain after a failure (seed 002), fewer
when the firm does not staff the channel they prefer (collaborative CRM); the firm
resolves a complaint with probability ``recovery``. An unresolved failure makes an
early-stage customer, whose trust is still calculus, leave about half the time (seed
002); knowledge and identification trust and commitment make deeper customers more
forgiving, and so does having complained: voice instead of exit.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import clip, per_code, rows_of, set_where

# respect weighs the same in how an episode feels as in why a customer comes back
from crmsim.attribution import RESPECT_WEIGHT, attribute_repeat_purchases
from crmsim.books import CHANNEL_CUSTOMERS
from crmsim.gifts import purchase_lift
from crmsim.kano import (
    category_mean,
    delivered_fulfilment,
    service_satisfaction,
)
from crmsim.leaving import leave
from crmsim.levers import CHANNELS, Policy
from crmsim.offer import discount_received, share_of_wallet
from crmsim.stages import DISSOLUTION, EXPLORATION, MARKETER, Stage
from crmsim.state import LOYALTY_WINDOW, CustomerState
from crmsim.week import Episodes, Week

#: Service term of a failure the firm put right: the problem is fixed, with a little goodwill.
RECOVERED_SERVICE = 0.2
#: Expectation-disconfirmation (Oliver 1980): a pleasant surprise feels better than its plain value.
DISCONFIRMATION = 0.3
#: Share of the risk of leaving after an unresolved failure that complaining takes away
#: (exit and voice, Hirschman 1970): complainers whom the firm did not help still buy again
#: more often than those who said nothing (TARP 1979, 1986; see docs/ODD.md 7.9).
VOICE_RELIEF = 0.3
#: Share of their usual complaints a customer makes when the firm does not staff the channel
#: they prefer: reaching it another way costs effort, and voice is used when it is cheap
#: (Hirschman 1970; TARP 1979: not knowing where or how to complain keeps many silent).
UNSTAFFED_VOICE = 0.5
#: How much more often a customer buys as the relationship deepens (share of wallet).
ENGAGEMENT = {Stage.EXPLORATION: 0.7, Stage.EXPANSION: 1.0, Stage.COMMITMENT: 1.3}


_ENGAGEMENT_BY_STAGE = np.array([ENGAGEMENT.get(stage, 0.0) for stage in Stage])


def episode_probability(
    state: CustomerState,
    rows: np.ndarray | None = None,
    wallet: np.ndarray | float = 1.0,
    gratitude: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Weekly probability of a purchase episode (0 for people who are not customers).

    ``wallet`` is the firm's share of the customers' buying against price parity
    (:func:`crmsim.offer.share_of_wallet`), ``gratitude`` the lift from the goodwill of
    gifts (:func:`crmsim.gifts.purchase_lift`).
    """
    rows = slice(None) if rows is None else rows
    engagement = per_code(_ENGAGEMENT_BY_STAGE, state.stage[rows])
    rate = state.purchase_rate[rows] * engagement
    if isinstance(wallet, np.ndarray):
        rate *= wallet
    if isinstance(gratitude, np.ndarray):
        rate *= gratitude
    return -np.expm1(-rate)


def failure_probability(must_be_fulfilment: np.ndarray, max_failure_rate: float) -> np.ndarray:
    """An episode fails less often the better its must-be attributes are delivered."""
    return max_failure_rate * (1.0 - must_be_fulfilment)


def staffed_channels(policy: Policy) -> np.ndarray:
    """Whether the firm staffs each channel of :data:`crmsim.levers.CHANNELS`, in that order.

    Parameters
    ----------
    policy : Policy
        The firm's levers; its ``channels`` are the staffed ones.

    Returns
    -------
    numpy.ndarray of bool
        One entry per channel, indexed like ``CustomerState.channel``.

    Examples
    --------
    >>> staffed_channels(Policy(channels={"phone", "email"})).tolist()
    [True, False, True, False]
    """
    return np.array([channel in policy.channels for channel in CHANNELS])


def complaint_probability(state: CustomerState, who: np.ndarray, week: Week) -> np.ndarray | float:
    """Chance that each of ``who`` complains after a failure.

    Parameters
    ----------
    state : CustomerState
        The customers (their preferred ``channel`` is read).
    who : numpy.ndarray
        Rows of the customers asked about.
    week : Week
        The week's levers: the market's ``complaint_propensity``, the policy's ``channels``.

    Returns
    -------
    numpy.ndarray or float
        ``complaint_propensity``, times ``UNSTAFFED_VOICE`` for a customer whose preferred
        channel the firm does not staff; one number for all when it staffs every channel.
    """
    propensity = week.market.complaint_propensity
    staffed = staffed_channels(week.policy)
    if staffed.all():
        return propensity
    reachable = staffed[state.channel[who]]
    return np.where(reachable, propensity, UNSTAFFED_VOICE * propensity)


def breach_probability(respect_delivered: np.ndarray, max_breach_rate: float) -> np.ndarray:
    """Chance that an episode is felt as a breach of respect; falls steeply as respect rises."""
    return max_breach_rate * (1.0 - respect_delivered) ** 2


def serve_customers(state: CustomerState, week: Week) -> None:
    """Run this week's episodes and leave their results in ``week.episodes``."""
    policy, market = week.policy, week.market
    active = week.active_rows(state)
    if week.shared_market:
        # one firm's customers among several firms': draw for them only
        draws = np.zeros(state.n)
        draws[active] = week.luck("purchase", active)
    else:
        draws = week.luck("purchase", state.n)
    draws[week.new_customers] = -1.0  # a trial is the first episode
    offered = discount_received(state, week)
    wallet = share_of_wallet(state, week, offered, active)
    gratitude = purchase_lift(state, week, active)
    luck = draws[active]
    buys = luck < episode_probability(state, active, wallet, gratitude)
    who = active[buys]
    n = len(who)

    service = week.service
    fulfilment = delivered_fulfilment(
        service, n, policy.service_variability, week.draws("service", who)
    )
    service_term = service_satisfaction(service, fulfilment)
    respect = clip(week.normal("respect", who, policy.respect, policy.service_variability), 0, 1)

    failed = week.luck("failure", who) < failure_probability(
        category_mean(service, fulfilment, "must-be"), market.max_failure_rate
    )
    complained = failed & (week.luck("complaint", who) < complaint_probability(state, who, week))
    resolved = complained & (week.luck("resolution", who) < policy.recovery)
    # a failure scores -1 unless it was put right (only complaints can be)
    set_where(service_term, failed, -1.0)
    set_where(service_term, resolved, RECOVERED_SERVICE)
    breached = week.luck("breach", who) < breach_probability(respect, market.max_breach_rate)
    respect_term = 2.0 * respect
    respect_term -= 1.0
    set_where(respect_term, breached, -1.0)

    experienced = (1.0 - RESPECT_WEIGHT) * service_term + RESPECT_WEIGHT * respect_term
    surprise = experienced - state.expectation[who]
    felt = clip(experienced + DISCONFIRMATION * surprise, -1.0, 1.0)

    discounting = policy.discount_running(week.index)
    discount = offered[who]
    # without a discount everyone pays the list price: price * (1 - 0) is exactly price
    paid = market.price * (1.0 - discount) if discounting else np.full(n, market.price)
    purchases = state.purchases[who]
    new = purchases == 0
    purchases += 1
    state.purchases[who] = purchases
    state.spend[who] += paid
    state.purchase_window[week.index % LOYALTY_WINDOW, who] = 1
    state.recent_purchases[who] += 1
    state.complaints[who[complained]] += 1
    state.good_episodes[who[felt >= 0]] += 1

    week.episodes = Episodes(
        who=who,
        experienced=experienced,
        felt=felt,
        surprise=np.abs(surprise, out=surprise),
        respect=respect,
        personalization=category_mean(service, fulfilment, "attractive"),
        failed=failed,
        complained=complained,
        resolved=resolved,
        breached=breached,
    )
    t = week.tally
    # the load of each channel, for its cost (crmsim.books): every active customer, buying or not
    by_channel = np.bincount(state.channel[active], minlength=len(CHANNELS))
    for key, count in zip(CHANNEL_CUSTOMERS, by_channel.tolist(), strict=True):
        t[key] += count
    n_failed = np.count_nonzero(failed)
    t["episodes"] += n
    t["failures"] += n_failed
    t["complaints"] += np.count_nonzero(complained)
    t["recovered"] += np.count_nonzero(resolved)
    t["disrespected"] += np.count_nonzero(breached)
    t["revenue"] += float(paid.sum())
    if discounting:
        t["discount_given"] += float((market.price * discount).sum())
    repeat = rows_of(~new)
    t["repeat_purchases"] += len(repeat)
    paid_repeat = paid[repeat]
    t["repeat_spend"] += float(paid_repeat.sum())
    tipped = None
    if isinstance(gratitude, np.ndarray):
        # a gift tipped the purchases the same luck would not have made without its goodwill
        wallet_now = wallet[buys][repeat] if isinstance(wallet, np.ndarray) else wallet
        without = episode_probability(state, who[repeat], wallet_now)
        tipped = luck[buys][repeat] >= without
    attribute_repeat_purchases(state, week, who[repeat], discount[repeat], paid_repeat, tipped)
    week.note("episode", who, felt)
    if n_failed:
        failures = rows_of(failed)
        outcome = complained[failures].astype(float)
        outcome += resolved[failures]
        week.note("failure", who[failures], outcome)
    week.note("breach", who[breached])


def failure_defections(state: CustomerState, week: Week) -> None:
    """Customers left with an unresolved failure may leave: early-stage ones who said nothing
    about half the time, those who complained in vain less often (:func:`voice_factor`)."""
    episodes = week.episodes
    unresolved = episodes.failed & ~episodes.resolved
    if not unresolved.any():
        return
    candidates = episodes.who[unresolved]
    complained = episodes.complained[unresolved]
    market = week.market
    p = market.failure_defection * (1.0 - failure_resilience(state, candidates, market.deepening))
    p *= voice_factor(complained)
    p = np.minimum(1.0, p * state.churn_proneness[candidates])
    goes = week.luck("failure-exit", candidates) < p
    # a complaint that went unanswered turns into anger (seed 002: escalating anger)
    angry = complained[goes]
    leave(state, week, candidates[goes], "failure", angry=angry)


def voice_factor(complained: np.ndarray) -> np.ndarray:
    """What is left of the risk of leaving after an unresolved failure: 1 for the silent.

    A customer who complained, even without being helped, has used voice rather than exit
    (Hirschman 1970) and stays more often than one who said nothing (TARP 1979, 1986; Tax,
    Brown & Chandrashekaran 1998).

    Parameters
    ----------
    complained : numpy.ndarray of bool
        Whether each customer complained about the failure (and was not helped).

    Returns
    -------
    numpy.ndarray
        ``1 - VOICE_RELIEF`` for those who complained, 1 for the others: the factor on the
        silent customer's risk.

    Examples
    --------
    >>> voice_factor(np.array([True, False])).tolist()
    [0.7, 1.0]
    """
    return np.where(complained, 1.0 - VOICE_RELIEF, 1.0)


def failure_resilience(state: CustomerState, who: np.ndarray, deepening: float = 1.0) -> np.ndarray:
    """How much a relationship absorbs a bad experience, in [0, 0.9].

    Zero in exploration, where trust is calculus (the deal, nothing more); deeper
    customers are held by knowledge and identification trust and by commitment. Scaled
    by ``deepening`` (``Market.deepening``).
    """
    depth = (
        state.trust_knowledge[who] + state.trust_identification[who] + state.commitment[who]
    ) / 3
    resilience = np.where(state.stage[who] == EXPLORATION, 0.0, np.minimum(0.9, depth))
    return resilience * deepening if deepening != 1.0 else resilience


def disrespect_exits(state: CustomerState, week: Week) -> None:
    """The marketer trap (seed 004): a disrespected marketer does not fall back to loyal.

    They leave, angry, and go on to speak against the firm.
    """
    episodes = week.episodes
    if not episodes.breached.any():
        return
    who = episodes.who[episodes.breached]
    marketers = who[(state.tier[who] == MARKETER) & (state.stage[who] != DISSOLUTION)]
    p = week.market.marketer_breach_exit * state.churn_proneness[marketers]
    goes = marketers[week.luck("disrespect-exit", marketers) < p]
    leave(state, week, goes, "disrespect", angry=True)
