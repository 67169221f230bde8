"""AWARENESS -> EXPLORATION, PROSPECT -> ACTUAL: the first purchase, or AWARENESS -> UNAWARE.

An aware prospect tries the firm with a weekly probability that grows with the
value advantage of its offer (the calculus of value), is multiplied by
``referral_boost`` when a friend recommended it, and shrinks with the negative
word of mouth the person has heard. One who does not may instead settle with the
competitor and stop considering the firm (``Market.consideration_lapse``): the
worse the firm's offer looks, the sooner.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import count_into, rows_of
from crmsim.offer import VALUE_SLOPE, discount_received, logistic, value_advantage
from crmsim.stages import ACTUAL, AWARENESS, EXPLORATION, UNAWARE
from crmsim.state import CustomerState
from crmsim.week import Week


def trial_probability(
    state: CustomerState, week: Week, discount: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Weekly probability of a first purchase (meaningful for aware prospects).

    Equals ``trial_rate`` when the firm's offer is exactly as good as the competitor's.
    ``discount`` holds everyone's discount; ``rows`` restricts the result to some people.
    """
    rows = slice(None) if rows is None else rows
    deal = logistic(VALUE_SLOPE * value_advantage(state, week, discount[rows], rows))
    return _trial_probability(state, week, deal, rows)


def _trial_probability(
    state: CustomerState, week: Week, deal: np.ndarray, rows: np.ndarray | slice
) -> np.ndarray:
    """:func:`trial_probability` from ``deal``, the logistic of each person's value advantage."""
    market = week.market
    appeal = 2.0 * deal
    referral = np.where(state.referred_by[rows] >= 0, market.referral_boost, 1.0)
    doubt = np.exp(-state.heard_negative[rows])
    return np.minimum(1.0, market.trial_rate * appeal * referral * doubt)


def first_purchases(state: CustomerState, week: Week) -> None:
    """Let aware prospects try the firm; their first purchase is this week's first episode."""
    discount = discount_received(state, week)
    aware = week.own(state, rows_of(state.stage == AWARENESS))
    deal = logistic(VALUE_SLOPE * value_advantage(state, week, discount[aware], aware))
    buys = week.luck("trial", aware) < _trial_probability(state, week, deal, aware)
    buyers = aware[buys]
    state.stage[buyers] = EXPLORATION
    week.stage_changed(buyers)
    state.tier[buyers] = ACTUAL
    state.reach(buyers, ACTUAL)
    state.spell_start[buyers] = week.index
    # a former customer who reconsidered returns: their first purchase stays what it was
    bit = np.uint8(1 << week.firm)
    if week.shared_market:
        returning = (state.bought_from[buyers] & bit) != 0
    else:
        returning = state.first_purchase_week[buyers] >= 0
    state.bought_from[buyers] |= bit
    if returning.any():
        newcomers = buyers[~returning]
        week.tally["returned"] += np.count_nonzero(returning)
        week.note("returned", buyers[returning])
    else:
        newcomers = buyers
    # (with several firms, a rival's former customer is this firm's newcomer)
    first_ever = newcomers[state.first_purchase_week[newcomers] < 0]
    state.first_purchase_week[first_ever] = week.index
    # what brought them in: a discount-won customer weighs price most (the new-store story)
    state.trust_calculus[buyers] = deal[buys]
    if week.market.consideration_lapse:
        settle_elsewhere(state, week, aware[~buys], deal[~buys])
    week.new_customers = buyers
    week.tally["acquired"] += len(newcomers)
    if week.policy.discount_running(week.index):
        week.tally["acquired_with_discount"] += np.count_nonzero(discount[newcomers] > 0)
    week.note("trial", newcomers, discount[newcomers])

    referred = buyers[state.referred_by[buyers] >= 0]
    referrers = state.referred_by[referred]
    count_into(state.referrals_made, referrers)
    week.tally["referral_conversions"] += len(referred)
    state.referred_by[buyers] = -1


def settle_elsewhere(
    state: CustomerState, week: Week, prospects: np.ndarray, deal: np.ndarray
) -> None:
    """Some aware prospects who did not buy settle with the competitor and forget the firm.

    The weekly chance is ``consideration_lapse * 2 * (1 - deal)``: the market's rate when
    the firm's offer is as good as the competitor's (``deal`` 0.5), up to twice that when it
    is much worse. They are unaware again, of every firm; advertising or a friend may remind them.
    """
    rate = week.market.consideration_lapse
    if rate == 0 or not len(prospects):
        return  # nothing drawn, so runs without it stay as they were
    lapse = rate * 2.0 * (1.0 - deal)
    gone = prospects[week.luck("settle", prospects) < lapse]
    state.stage[gone] = UNAWARE
    state.firm[gone] = -1
    state.aware_of[gone] = 0
    state.referred_by[gone] = -1
    week.note("lost_interest", gone)
