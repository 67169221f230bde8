"""DISSOLUTION -> EXPLORATION: offers to customers who left (seed 001).

Each week a former customer receives a win-back offer with probability
``win_back``. They accept with probability ``WIN_BACK_ACCEPT``, much lower if
they left angry. Whoever returns starts again in exploration, as an actual
customer, with trust and commitment cut: a second chance, not a clean slate.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.stages import ACTUAL, DISSOLUTION, EXPLORATION
from crmsim.state import CustomerState
from crmsim.week import Week

WIN_BACK_ACCEPT = 0.15
ANGRY_ACCEPT_FACTOR = 0.2
RETURN_TRUST_KEPT = 0.5


def win_back(state: CustomerState, week: Week) -> None:
    """Make offers to former customers (not those who left this very week) and take some back."""
    intensity = week.policy.win_back
    if intensity <= 0:
        return
    rng = week.rng
    gone = rows_of((state.stage == DISSOLUTION) & (state.lost_week < week.index))
    offered = gone[rng.random(len(gone)) < intensity]
    accept = WIN_BACK_ACCEPT * np.where(state.angry[offered], ANGRY_ACCEPT_FACTOR, 1.0)
    back = offered[rng.random(len(offered)) < accept]
    state.stage[back] = EXPLORATION
    week.stage_changed(back)
    state.tier[back] = ACTUAL
    state.spell_start[back] = week.index
    for name in ("trust_calculus", "trust_knowledge", "trust_identification", "commitment"):
        getattr(state, name)[back] *= RETURN_TRUST_KEPT
    state.good_episodes[back] = 0
    state.angry[back] = False
    state.anger_left[back] = 0
    week.tally["win_back_offers"] += len(offered)
    week.tally["won_back"] += len(back)
    week.note("won_back", back)
