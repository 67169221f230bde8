"""Climbing (and slipping on) the two ladders: relationship stages and CAM tiers.

Stages (Dwyer, Schurr & Oh 1987): exploration becomes expansion after a few
good episodes and enough trust; expansion becomes commitment when commitment
passes a threshold, and slides back below a lower one (hysteresis).

Tiers (seed 004): an actual customer becomes loyal after repeated purchases in
the last quarter with satisfaction high enough, and slips back when either
fades; a loyal customer in the commitment stage with high identification
trust becomes a marketer. Marketers do not slip back to loyal: the only way
down from marketer is out (see :func:`crmsim.episodes.disrespect_exits`).
"""

from __future__ import annotations

from crmsim.arrays import rows_of, set_where
from crmsim.stages import ACTUAL, COMMITMENT, EXPANSION, EXPLORATION, LOYAL, MARKETER
from crmsim.state import CustomerState
from crmsim.week import Week

GOOD_EPISODES_TO_EXPAND = 3
TRUST_TO_EXPAND = 0.45
COMMITMENT_TO_COMMIT = 0.45
COMMITMENT_TO_SLIDE_BACK = 0.35
LOYAL_PURCHASES = 4  # in the trailing quarter
LOYAL_SATISFACTION = 0.1
LOYALTY_LOST_PURCHASES = 2
LOYALTY_LOST_SATISFACTION = -0.2
MARKETER_IDENTIFICATION = 0.5


def climb_stages(state: CustomerState, week: Week) -> None:
    """Exploration -> expansion -> commitment, and commitment -> expansion when it fades."""
    stage = state.stage
    explorers = rows_of((stage == EXPLORATION) & (state.good_episodes >= GOOD_EPISODES_TO_EXPAND))
    expand = explorers[state.overall_trust(explorers) >= TRUST_TO_EXPAND]
    commit = (stage == EXPANSION) & (state.commitment >= COMMITMENT_TO_COMMIT)
    slide = (stage == COMMITMENT) & (state.commitment < COMMITMENT_TO_SLIDE_BACK)
    stage[expand] = EXPANSION
    set_where(stage, commit, COMMITMENT)
    set_where(stage, slide, EXPANSION)


def climb_tiers(state: CustomerState, week: Week) -> None:
    """Actual <-> loyal by repeats and satisfaction; loyal -> marketer by identification."""
    tier, active = state.tier, week.active(state)
    recent, sat = state.recent_purchases, state.satisfaction
    to_loyal = active & (tier == ACTUAL) & (recent >= LOYAL_PURCHASES) & (sat >= LOYAL_SATISFACTION)
    loyal = active & (tier == LOYAL)
    lose_loyalty = loyal & ((recent < LOYALTY_LOST_PURCHASES) | (sat < LOYALTY_LOST_SATISFACTION))
    to_marketer = (
        loyal
        & ~lose_loyalty
        & (state.stage == COMMITMENT)
        & (state.trust_identification >= MARKETER_IDENTIFICATION)
    )
    set_where(tier, to_loyal, LOYAL)
    set_where(tier, lose_loyalty, ACTUAL)
    set_where(tier, to_marketer, MARKETER)
