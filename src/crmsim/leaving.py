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
    state: CustomerState,
    week: Week,
    who: np.ndarray,
    cause: str,
    angry: np.ndarray | bool = False,
    to_firm: np.ndarray | None = None,
) -> None:
    """Move ``who`` (active customers) to DISSOLUTION, recording why and whether they are angry.

    ``to_firm`` is, for customers who leave for a rival firm of the same market, that firm
    (:mod:`crmsim.firms`). On the market's week of a market with several firms, each firm
    books its own leavers.
    """
    if len(who) == 0:
        return
    if week.firm_weeks:
        for firm, firm_week in enumerate(week.firm_weeks):
            theirs = state.firm[who] == firm
            if theirs.any():
                anger = angry if isinstance(angry, bool) else angry[theirs]
                switched = None if to_firm is None else to_firm[theirs]
                leave(state, firm_week, who[theirs], cause, anger, switched)
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
        Departures(who, state.spell_start[who], causes, state.first_purchase_week[who], to_firm)
    )
    if to_firm is not None:
        week.tally["lost_to_rival"] += len(who)
    week.note("left", who, causes)
