"""Periodic gifts to loyal and marketer customers (CEM and CAM, seed 004).

Every ``gift_every`` weeks each loyal or marketer customer receives a gift worth
``gift_value``. A gift lifts recent satisfaction and, as an investment in the
relationship, raises the switching cost, both in proportion to its value
relative to the price of a purchase.

It also leaves **goodwill**: the wish to return a favour (reciprocity). Customers
who feel the firm invests in them buy more of their needs from it, stay, and
speak for it (Palmatier, Dant, Grewal & Evans 2006, a meta-analysis: tangible
rewards are the relationship investment with the largest effect on behaviour;
De Wulf, Odekerken-Schröder & Iacobucci 2001). Goodwill lifts the weekly chance
of a purchase (:func:`purchase_lift`) and of a referral (:func:`referral_lift`)
and lowers the chance of a quiet lapse (:func:`drift_shield`). It fades week by
week, and goes when the customer leaves.

Gifts matter more the higher the tier (loyal customers expect periodic gifts,
marketers valuable ones), and with diminishing returns: to a gift's value
(``1 - exp(-worth / GIFT_SATURATION)``, ``worth`` in purchases) and to its
frequency (each gift fills part of the room left below full goodwill).
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import per_code, rows_of
from crmsim.stages import LOYAL, Tier
from crmsim.state import CustomerState
from crmsim.week import Week

GIFT_DELIGHT = 0.3  # satisfaction gained per gift worth one purchase, times the room left
GIFT_INVESTMENT = 0.1  # switching cost gained per gift worth one purchase, times the room left
#: The most goodwill one gift can leave, by tier (a share of the room left).
GIFT_RESPONSE = {Tier.LOYAL: 0.5, Tier.MARKETER: 0.8}
GIFT_SATURATION = 0.1  # a gift worth this many purchases gives 63 % of the most it can
GOODWILL_KEPT = 0.9  # weekly: goodwill halves in about six and a half weeks
GOODWILL_PURCHASE_LIFT = 0.5  # full goodwill: this much more often a purchase
GOODWILL_REFERRAL_LIFT = 1.0  # full goodwill: this much more often a referral
GOODWILL_DRIFT_SHIELD = 1.0  # full goodwill: the quiet-lapse hazard falls by this share


def gift_goodwill(tier: np.ndarray, gift_value: float, price: float) -> np.ndarray:
    """Share of the room left below full goodwill that one gift fills, by the receiver's tier."""
    worth = gift_value / price
    by_tier = np.array([GIFT_RESPONSE.get(t, 0.0) for t in Tier])
    return per_code(by_tier, tier) * -np.expm1(-worth / GIFT_SATURATION)


def give_gifts(state: CustomerState, week: Week) -> None:
    """Goodwill fades; in a gift week, hand out the gifts and book their cost."""
    policy = week.policy
    gift_week = policy.gift_value > 0 and week.index % policy.gift_every == 0
    if not gift_week and not week.anyone_grateful(state):
        return  # nothing to fade or give: a run without gifts does no work here
    active = week.active_rows(state)
    state.goodwill[active] *= GOODWILL_KEPT
    if not gift_week:
        return
    who = rows_of(week.active(state) & (state.tier >= LOYAL))
    worth = min(1.0, policy.gift_value / week.market.price)
    state.satisfaction[who] += GIFT_DELIGHT * worth * (1 - state.satisfaction[who])
    state.switching_cost[who] += GIFT_INVESTMENT * worth * (1 - state.switching_cost[who])
    goodwill = state.goodwill[who]
    goodwill += gift_goodwill(state.tier[who], policy.gift_value, week.market.price) * (
        1 - goodwill
    )
    state.goodwill[who] = goodwill
    week.gave_gifts(len(who))
    week.tally["gifts"] += len(who)
    week.tally["cost_gifts"] += policy.gift_value * len(who)
    week.note("gift", who)


def purchase_lift(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray | float:
    """Factor on the weekly purchase rate of ``rows`` from their goodwill (1.0: none at all)."""
    return _lift(state, week, rows, GOODWILL_PURCHASE_LIFT)


def referral_lift(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray | float:
    """Factor on the weekly referral rate of ``rows`` from their goodwill (1.0: none at all)."""
    return _lift(state, week, rows, GOODWILL_REFERRAL_LIFT)


def drift_shield(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray | float:
    """Factor on the quiet-lapse hazard of ``rows`` from their goodwill (1.0: none at all)."""
    return _lift(state, week, rows, -GOODWILL_DRIFT_SHIELD)


def _lift(
    state: CustomerState, week: Week, rows: np.ndarray, per_goodwill: float
) -> np.ndarray | float:
    if not week.anyone_grateful(state):
        return 1.0  # the common case without gifts: the callers skip their extra work
    return 1.0 + per_goodwill * state.goodwill[rows]
