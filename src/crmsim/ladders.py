"""Climbing (and slipping on) the two ladders: relationship stages and CAM tiers.

Stages (Dwyer, Schurr & Oh 1987): exploration becomes expansion after a few
good episodes and enough trust; expansion becomes commitment when commitment
passes a threshold, and slides back below a lower one (hysteresis).

Tiers (seed 004): an actual customer becomes loyal once the relationship is past
exploration and they have kept buying, satisfied, through the last quarter
(enough purchases, and some in each of its months: a habit, not a burst); they
slip back when purchases or satisfaction fade. A loyal customer in the
commitment stage with high identification trust who has brought the firm a
customer becomes a marketer. Marketers do not slip back to loyal: the only way
down from marketer is out (see :func:`crmsim.episodes.disrespect_exits`).
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of, set_where
from crmsim.stages import ACTUAL, COMMITMENT, EXPANSION, EXPLORATION, LOYAL, MARKETER, Tier
from crmsim.state import LOYALTY_WINDOW, CustomerState
from crmsim.week import Week

GOOD_EPISODES_TO_EXPAND = 3
TRUST_TO_EXPAND = 0.45
COMMITMENT_TO_COMMIT = 0.45
COMMITMENT_TO_SLIDE_BACK = 0.35
LOYAL_PURCHASES = 4  # in the trailing quarter
#: The trailing quarter is cut into this many months (of 5, 4 and 4 weeks, the latest
#: first); a customer becomes loyal only with a purchase in each of them.
LOYAL_MONTHS = 3
#: Stages in which a customer can become loyal: past exploration, the trial period.
LOYAL_STAGES = (EXPANSION, COMMITMENT)
LOYAL_SATISFACTION = 0.1
LOYALTY_LOST_PURCHASES = 2
LOYALTY_LOST_SATISFACTION = -0.2
MARKETER_IDENTIFICATION = 0.5
MARKETER_REFERRALS = 1  # referrals made that turned into a purchase


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


def month_of_age(ages: np.ndarray) -> np.ndarray:
    """Month of the trailing quarter (0 the latest) of purchases ``ages`` weeks old (0 to 12)."""
    return np.asarray(ages) * LOYAL_MONTHS // LOYALTY_WINDOW


def bought_every_month(state: CustomerState, week: Week, rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` bought in every month of the trailing quarter (this week included).

    Reads the purchase window: the purchases of the week ``age`` weeks ago are in its row
    ``(week - age) % LOYALTY_WINDOW``.
    """
    ages = np.arange(LOYALTY_WINDOW)
    bought = state.purchase_window[np.ix_((week.index - ages) % LOYALTY_WINDOW, rows)]
    month = month_of_age(ages)
    every = np.ones(len(rows), dtype=bool)
    for m in range(LOYAL_MONTHS):
        every &= bought[month == m].any(axis=0)
    return every


def climb_tiers(state: CustomerState, week: Week) -> None:
    """Actual <-> loyal by sustained repeats and satisfaction; loyal -> marketer by
    identification and a referral that brought a customer."""
    tier, active = state.tier, week.active(state)
    recent, sat = state.recent_purchases, state.satisfaction
    ready = rows_of(
        active & (tier == ACTUAL) & (recent >= LOYAL_PURCHASES) & (sat >= LOYAL_SATISFACTION)
    )
    ready = ready[np.isin(state.stage[ready], LOYAL_STAGES)]
    to_loyal = ready[bought_every_month(state, week, ready)]
    loyal = active & (tier == LOYAL)
    lose_loyalty = loyal & ((recent < LOYALTY_LOST_PURCHASES) | (sat < LOYALTY_LOST_SATISFACTION))
    committed = rows_of(loyal & ~lose_loyalty & (state.stage == COMMITMENT))
    to_marketer = committed[
        (state.trust_identification[committed] >= MARKETER_IDENTIFICATION)
        & (state.referrals_made[committed] >= MARKETER_REFERRALS)
    ]
    tier[to_loyal] = LOYAL
    set_where(tier, lose_loyalty, ACTUAL)
    tier[to_marketer] = MARKETER
    state.reach(to_loyal, LOYAL)
    state.reach(to_marketer, MARKETER)
    week.note("climbed", to_loyal, float(Tier.LOYAL))
    week.note("climbed", to_marketer, float(Tier.MARKETER))
