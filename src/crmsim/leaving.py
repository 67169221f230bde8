"""Any active stage -> DISSOLUTION: the one place where a customer leaves, with its cause.

Causes are the four of MODEL.md §3: ``competitor`` (took a better offer),
``failure`` (an unresolved bad experience), ``disrespect`` (a marketer's breach)
and ``drift`` (a quiet lapse). Angry leavers go on to speak against the firm.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import filled
from crmsim.stages import CHURN_CAUSES, DISSOLUTION, PROSPECT
from crmsim.state import CustomerState
from crmsim.week import Departures, Week

#: Tally name of each cause's departures.
_LOST_BY_CAUSE = {cause: f"lost_{cause}" for cause in CHURN_CAUSES}


def leave(
    state: CustomerState, week: Week, who: np.ndarray, cause: str, angry: np.ndarray | bool = False
) -> None:
    """Move ``who`` (active customers) to DISSOLUTION, recording why and whether they are angry."""
    if len(who) == 0:
        return
    code = CHURN_CAUSES.index(cause) + 1
    state.stage[who] = DISSOLUTION
    week.stage_changed(who)
    # a former customer is a prospect again for the firm's offers (win-back may reach them);
    # the tier they held stays on record, and so does the highest one (``highest_tier``)
    state.former_tier[who] = state.tier[who]
    state.tier[who] = PROSPECT
    state.churn_cause[who] = code
    state.lost_week[who] = week.index
    state.win_back_refusals[who] = 0
    state.goodwill[who] = 0.0  # gratitude does not outlive the relationship
    state.angry[who] = angry
    if isinstance(angry, bool):
        state.anger_left[who] = week.market.anger_weeks if angry else 0
    else:
        state.anger_left[who] = np.where(angry, week.market.anger_weeks, 0)
    week.tally["lost"] += len(who)
    week.tally[_LOST_BY_CAUSE[cause]] += len(who)
    causes = filled(len(who), code)
    week.departures.append(
        Departures(who, state.spell_start[who], causes, state.first_purchase_week[who])
    )
    week.note("left", who, causes)
