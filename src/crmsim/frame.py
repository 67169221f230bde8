"""The weekly frame's schema: every column a run records, in order, and the loss log it carries.

Both engines (:class:`crmsim.CRMModel` and :class:`crmsim.reference.ReferenceModel`)
fill one row of :data:`FRAME_COLUMNS` a week; ODD §7 describes each column.
"""

from __future__ import annotations

import pandas as pd

from crmsim.attribution import REFERRAL_MOTIVES, REPEAT_MOTIVES
from crmsim.books import COST_COLUMNS
from crmsim.stages import CHURN_CAUSES, Stage, Tier

STAGE_COLUMNS = tuple(s.name.lower() for s in Stage)
#: Customers by the tier they hold, and ``prospect``: people who never bought.
TIER_COLUMNS = tuple(t.name.lower() for t in Tier)
#: Former customers (not customers now, but once) by the highest tier they reached. With
#: :data:`TIER_COLUMNS` they count everyone in the market once.
FORMER_COLUMNS = tuple(f"former_{t.name.lower()}" for t in Tier if t > Tier.PROSPECT)
COUNT_COLUMNS = (
    "acquired",
    "acquired_with_discount",
    "lost",
    "lost_from_start",
    "won_back",
    "returned",
    "episodes",
    "failures",
    "complaints",
    "recovered",
    "disrespected",
    "referrals",
    "referral_conversions",
    "negative_wom",
    "competitor_offers",
    "win_back_offers",
    "gifts",
    "repeat_purchases",
    *(f"repeat_{m}" for m in (*REPEAT_MOTIVES, "none")),
    *(f"referrals_{m}" for m in (*REFERRAL_MOTIVES, "none")),
    *(f"lost_{cause}" for cause in CHURN_CAUSES),
)
MONEY_COLUMNS = (
    "revenue",
    "repeat_spend",
    *(f"repeat_spend_{m}" for m in REPEAT_MOTIVES),
    "discount_given",
    *COST_COLUMNS,
    "cost",
    "profit",
)
#: Means over active customers. ``commitment`` is taken by the stage count, so the mean
#: level of commitment is ``commitment_mean``.
MEAN_COLUMNS = {
    "trust": "trust",
    "trust_calculus": "trust_calculus",
    "trust_knowledge": "trust_knowledge",
    "trust_identification": "trust_identification",
    "commitment_mean": "commitment",
    "satisfaction": "satisfaction",
    "switching_cost": "switching_cost",
}
#: The state variables whose means are gathered (overall trust is mixed from three of them).
MEAN_VARIABLES = tuple(v for v in MEAN_COLUMNS.values() if v != "trust")
#: Every column of the weekly frame, in order.
FRAME_COLUMNS = (
    "week",
    "active_start",
    "active",
    "churn_rate",
    *STAGE_COLUMNS,
    *TIER_COLUMNS,
    *FORMER_COLUMNS,
    *MEAN_COLUMNS,
    *COUNT_COLUMNS,
    *MONEY_COLUMNS,
)


class LossLog:
    """The loss log carried in a weekly frame's ``attrs``.

    pandas compares and deep-copies ``attrs`` when frames are combined; a bare DataFrame
    there makes ``merge`` or ``concat`` fail ("truth value ... is ambiguous"). This wrapper
    compares by identity and is never copied (the log is read-only).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __deepcopy__(self, memo: dict) -> LossLog:
        return self

    def __repr__(self) -> str:
        return f"<LossLog: {len(self.frame)} departures>"


#: Columns of a market of several firms' frame per firm (``CRMModel.firm_frame``), one row per
#: week and firm: the weekly frame's columns counted over the firm's own people, its price,
#: its share of all firms' customers and its customers won from and lost to rival firms.
FIRM_FRAME_COLUMNS = (
    "week",
    "firm",
    *FRAME_COLUMNS[1:],
    "price",
    "share",
    "lost_to_rival",
    "won_from_rival",
)
