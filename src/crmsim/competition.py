"""The competitor's special offers, and quiet lapses.

Some active customers hear a special offer from the competitor each week. A
customer switches when the offer beats the firm's value by more than their
commitment plus switching cost: committed partners turn down short-term
alternatives (seed 000). Calculus-trust customers won by a discount are the most
exposed, and feel it when the discount ends (the new-store story).

Customers can also drift away without a reason anyone records; the weekly hazard
falls with trust. Both hazards grow with the customer's ``churn_proneness``.
"""

from __future__ import annotations

import numpy as np

from crmsim.gifts import drift_shield
from crmsim.leaving import leave
from crmsim.offer import discount_received, firm_value
from crmsim.state import CustomerState
from crmsim.week import Week


def switching_threshold(
    state: CustomerState, who: np.ndarray, deepening: float = 1.0
) -> np.ndarray:
    """How much better an offer must be before ``who`` would switch.

    Commitment plus switching cost, times ``deepening`` (``Market.deepening``).
    """
    threshold = state.commitment[who] + state.switching_cost[who]
    if deepening != 1.0:
        threshold *= deepening
    return threshold


def offer_reach(state: CustomerState, who: np.ndarray, rate: float) -> np.ndarray:
    """Weekly chance that a competitor's promotion reaches each of ``who``.

    Promotions find deal-seekers, and the prone to leave shop around: the chance is
    ``rate`` for a customer of average price sensitivity (0.5) and proneness (1), and
    scales with both.
    """
    return np.minimum(1.0, 2.0 * rate * state.price_sensitivity[who] * state.churn_proneness[who])


def drift_hazard(
    state: CustomerState,
    who: np.ndarray,
    drift_rate: float,
    shield: np.ndarray | float = 1.0,
    deepening: float = 1.0,
) -> np.ndarray:
    """Weekly chance of a quiet lapse: ``drift_rate`` at trust 0.5, rising steeply as trust falls.

    ``drift_rate * proneness * (2 * (1 - d * trust))**2`` with ``d`` the market's
    ``deepening``: at ``d = 1`` a customer who trusts the firm fully never just drifts
    off and one with no trust left lapses four times as often as at 0.5; at ``d = 0``
    trust protects no one and everyone lapses at four times ``drift_rate``. The goodwill
    of gifts lowers it by the factor ``shield`` (:func:`crmsim.gifts.drift_shield`).
    """
    trust = state.overall_trust(who)
    if deepening != 1.0:
        trust *= deepening
    by_trust = (2.0 * (1.0 - trust)) ** 2
    return np.minimum(1.0, shield * drift_rate * state.churn_proneness[who] * by_trust)


def competitor_offers(state: CustomerState, week: Week) -> None:
    """Some customers get a competitor's offer; those it beats by enough switch."""
    market = week.market
    active = week.active_rows(state)
    reach = offer_reach(state, active, market.competitor_offer_rate)
    approached = active[week.luck("offer-reach", active) < reach]
    boost = market.competitor_offer_boost * week.luck("offer-value", approached)
    offer = market.competitor_attractiveness + boost
    value = firm_value(state, week, discount_received(state, week)[approached], approached)
    switch = offer - value > switching_threshold(state, approached, market.deepening)
    week.count("competitor_offers", approached)
    leave(state, week, approached[switch], "competitor")


def quiet_lapses(state: CustomerState, week: Week) -> None:
    """A small weekly chance of drifting away, much larger the less the customer trusts the firm."""
    active, market = week.active_rows(state), week.market
    shield = drift_shield(state, week, active)
    hazard = drift_hazard(state, active, market.drift_rate, shield, market.deepening)
    leave(state, week, active[week.luck("drift", active) < hazard], "drift")
