"""Where a customer stands: the relationship stage, the commercial tier, and why they left.

Every rule module names these, so they live apart from the ``Customer`` agent.
"""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """Relationship stage (Dwyer, Schurr & Oh 1987), plus UNAWARE for people not yet reached."""

    UNAWARE = 0
    AWARENESS = 1
    EXPLORATION = 2
    EXPANSION = 3
    COMMITMENT = 4
    DISSOLUTION = 5


class Tier(IntEnum):
    """Commercial role on the CAM ladder (seed 004): prospect, actual, loyal, marketer."""

    PROSPECT = 0
    ACTUAL = 1
    LOYAL = 2
    MARKETER = 3


#: The stages of a customer whose relationship is running (who buys, is served and can leave).
ACTIVE_STAGES = (Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT)

# The same codes as plain ints, for the weekly processes: NumPy compares an array with
# an int subclass such as an IntEnum member about twice as slowly as with an int.
UNAWARE, AWARENESS, EXPLORATION, EXPANSION, COMMITMENT, DISSOLUTION = (int(s) for s in Stage)
PROSPECT, ACTUAL, LOYAL, MARKETER = (int(t) for t in Tier)

#: Why a customer left; index 0 means "has not left". ``moved``: left the category itself
#: (moved away, no longer needs it), see :mod:`crmsim.turnover`.
CHURN_CAUSES = ("competitor", "failure", "disrespect", "drift", "moved")
