"""The two ladders a customer climbs, and the ``Customer`` agent: a view on one row of state.

The model keeps every customer's state in NumPy arrays (see :mod:`crmsim.state`).
A :class:`Customer` holds no state of its own; its attributes read (and write)
the row of the arrays that belongs to it, so a student can inspect one person's
journey while the rules stay vectorized.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from crmsim.model import CRMModel


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


ACTIVE_STAGES = (Stage.EXPLORATION, Stage.EXPANSION, Stage.COMMITMENT)

# The same codes as plain ints, for the weekly processes: NumPy compares an array with
# an int subclass such as an IntEnum member about twice as slowly as with an int.
UNAWARE, AWARENESS, EXPLORATION, EXPANSION, COMMITMENT, DISSOLUTION = (int(s) for s in Stage)
PROSPECT, ACTUAL, LOYAL, MARKETER = (int(t) for t in Tier)

#: Why a customer left; index 0 means "has not left".
CHURN_CAUSES = ("competitor", "failure", "disrespect", "drift")


class Customer(mesa.Agent):
    """One person in the market, as a window onto row ``index`` of the model's state arrays.

    Attributes are the state variables of MODEL.md §2 (``stage``, ``tier``,
    ``trust_calculus``, ``commitment``, ``price_sensitivity`` ...). ``history``
    lists this customer's journey when the model records history.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=50, rng=1)
    >>> model.customer(3).stage
    <Stage.UNAWARE: 0>
    """

    def __init__(self, model: CRMModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: route state names to the arrays.
        state = self.__dict__.get("model")
        state = getattr(state, "state", None)
        if state is not None and name in state.columns:
            value = getattr(state, name)[self.index]
            return value.item() if hasattr(value, "item") else value
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    @property
    def stage(self) -> Stage:
        return Stage(int(self.model.state.stage[self.index]))

    @property
    def tier(self) -> Tier:
        return Tier(int(self.model.state.tier[self.index]))

    @property
    def trust(self) -> float:
        """Overall trust: the three components mixed with this stage's weights."""
        return float(self.model.state.overall_trust(slice(self.index, self.index + 1))[0])

    @property
    def segment(self) -> str:
        return self.model.population.segments[int(self.model.state.segment[self.index])].name

    @property
    def channel(self) -> str:
        from crmsim.levers import CHANNELS

        return CHANNELS[int(self.model.state.channel[self.index])]

    @property
    def churn_cause(self) -> str | None:
        code = int(self.model.state.churn_cause[self.index])
        return CHURN_CAUSES[code - 1] if code else None

    @property
    def angry(self) -> bool:
        return bool(self.model.state.angry[self.index])

    @property
    def history(self) -> list[str]:
        """This customer's journey, one readable line per event, oldest first."""
        return self.model.history.for_customer(self.index)

    def __repr__(self) -> str:
        return (
            f"<Customer {self.index}: {self.stage.name.lower()}, {self.tier.name.lower()}, "
            f"trust {self.trust:.2f}, commitment {self.commitment:.2f}>"
        )
