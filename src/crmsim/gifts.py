"""Periodic gifts to loyal and marketer customers (CEM, seed 004).

Every ``gift_every`` weeks each loyal or marketer customer receives a gift worth
``gift_value``. A gift lifts recent satisfaction and, as an investment in the
relationship, raises the switching cost, both in proportion to its value
relative to the price of a purchase.
"""

from __future__ import annotations

from crmsim.arrays import rows_of
from crmsim.stages import LOYAL
from crmsim.state import CustomerState
from crmsim.week import Week

GIFT_DELIGHT = 0.3  # satisfaction gained per gift worth one purchase, times the room left
GIFT_INVESTMENT = 0.1  # switching cost gained per gift worth one purchase, times the room left


def give_gifts(state: CustomerState, week: Week) -> None:
    """Hand out this period's gifts and book their cost."""
    policy = week.policy
    if policy.gift_value <= 0 or week.index % policy.gift_every != 0:
        return
    who = rows_of(week.active(state) & (state.tier >= LOYAL))
    worth = min(1.0, policy.gift_value / week.market.price)
    state.satisfaction[who] += GIFT_DELIGHT * worth * (1 - state.satisfaction[who])
    state.switching_cost[who] += GIFT_INVESTMENT * worth * (1 - state.switching_cost[who])
    week.tally["gifts"] += len(who)
    week.tally["cost_gifts"] += policy.gift_value * len(who)
    week.note("gift", who)
