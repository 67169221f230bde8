"""Commitment and switching costs: why committed customers turn down tempting offers.

Commitment is the belief that the relationship deserves maximum effort to keep
(seed 000). It follows trust and the investments both sides have made: time
together, personal touches and gifts accumulate as ``switching_cost``, the
partly unrecoverable cost of starting again elsewhere. Dissatisfying episodes
wear it down.
"""

from __future__ import annotations

from crmsim.arrays import clip, rows_of
from crmsim.state import CustomerState
from crmsim.week import Week

COMMITMENT_SPEED = 0.08  # share of the gap to the target closed each week
TRUST_SHARE = 0.6  # the target is this much trust, the rest switching cost
DISSATISFACTION_WEAR = 0.3  # commitment lost per unit of felt dissatisfaction, times commitment
TENURE_INVESTMENT = 0.004  # switching cost built by each week together, times the room left
PERSONAL_INVESTMENT = 0.02  # per episode, times the personal touch delivered


def invest_in_relationship(state: CustomerState, week: Week) -> None:
    """Another week together, and this week's personal touches, raise switching costs."""
    rows = week.active_rows(state)
    state.tenure[rows] += 1
    cost = state.switching_cost[rows]
    cost += TENURE_INVESTMENT * (1 - cost)
    state.switching_cost[rows] = cost
    who, kept = week.served_and_active(state)
    gain = PERSONAL_INVESTMENT * week.episodes.personalization[kept]
    cost = state.switching_cost[who]
    cost += gain * (1 - cost)
    state.switching_cost[who] = cost


def update_commitment(state: CustomerState, week: Week) -> None:
    """Commitment moves toward a mix of trust and switching cost and wears with dissatisfaction."""
    active = week.active_rows(state)
    trust = state.overall_trust(active)
    target = TRUST_SHARE * trust + (1 - TRUST_SHARE) * state.switching_cost[active]
    c = state.commitment[active]
    c = c + COMMITMENT_SPEED * (target - c)
    state.commitment[active] = c
    who, kept = week.served_and_active(state)
    felt = week.episodes.felt[kept]
    unhappy = rows_of(felt < 0)
    hurt = who[unhappy]
    state.commitment[hurt] *= 1 - DISSATISFACTION_WEAR * (-felt[unhappy])
    # only the active customers' commitment moved (those hurt are among them)
    state.commitment[active] = clip(state.commitment[active], 0.0, 1.0)
