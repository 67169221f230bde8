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

from crmsim.arrays import rows_of
from crmsim.customer import Stage, Tier
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
    explorers = rows_of(
        (stage == Stage.EXPLORATION) & (state.good_episodes >= GOOD_EPISODES_TO_EXPAND)
    )
    expand = explorers[state.overall_trust(explorers) >= TRUST_TO_EXPAND]
    commit = (stage == Stage.EXPANSION) & (state.commitment >= COMMITMENT_TO_COMMIT)
    slide = (stage == Stage.COMMITMENT) & (state.commitment < COMMITMENT_TO_SLIDE_BACK)
    stage[expand] = Stage.EXPANSION
    stage[commit] = Stage.COMMITMENT
    stage[slide] = Stage.EXPANSION


def climb_tiers(state: CustomerState, week: Week) -> None:
    """Actual <-> loyal by repeats and satisfaction; loyal -> marketer by identification."""
    tier, active = state.tier, week.active(state)
    recent, sat = state.recent_purchases, state.satisfaction
    to_loyal = (
        active & (tier == Tier.ACTUAL) & (recent >= LOYAL_PURCHASES) & (sat >= LOYAL_SATISFACTION)
    )
    loyal = active & (tier == Tier.LOYAL)
    lose_loyalty = loyal & ((recent < LOYALTY_LOST_PURCHASES) | (sat < LOYALTY_LOST_SATISFACTION))
    to_marketer = (
        loyal
        & ~lose_loyalty
        & (state.stage == Stage.COMMITMENT)
        & (state.trust_identification >= MARKETER_IDENTIFICATION)
    )
    tier[to_loyal] = Tier.LOYAL
    tier[lose_loyalty] = Tier.ACTUAL
    tier[to_marketer] = Tier.MARKETER
