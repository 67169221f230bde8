"""Any active stage -> DISSOLUTION: the one place where a customer leaves, with its cause.

Causes are the four of MODEL.md §3: ``competitor`` (took a better offer),
``failure`` (an unresolved bad experience), ``disrespect`` (a marketer's breach)
and ``drift`` (a quiet lapse). Angry leavers go on to speak against the firm.
"""

from __future__ import annotations

import numpy as np

from crmsim.customer import CHURN_CAUSES, Stage, Tier
from crmsim.state import CustomerState
from crmsim.week import Week


def leave(
    state: CustomerState, week: Week, who: np.ndarray, cause: str, angry: np.ndarray | bool = False
) -> None:
    """Move ``who`` (active customers) to DISSOLUTION, recording why and whether they are angry."""
    if len(who) == 0:
        return
    code = CHURN_CAUSES.index(cause) + 1
    state.stage[who] = Stage.DISSOLUTION
    week.stage_changed()
    # a former customer is a prospect again: win-back may reach them
    state.tier[who] = Tier.PROSPECT
    state.churn_cause[who] = code
    state.lost_week[who] = week.index
    state.angry[who] = angry
    state.anger_left[who] = np.where(angry, week.market.anger_weeks, 0)
    week.tally["lost"] += len(who)
    week.tally[f"lost_{cause}"] += len(who)
    week.scratch.setdefault("lost_who", []).append(who)
    week.note("left", who, np.full(len(who), code))
