"""The two ladders a customer climbs, and the ``Customer`` agent: a view on one row of state.

The model keeps every customer's state in NumPy arrays (see :mod:`crmsim.state`).
A :class:`Customer` holds no state of its own; its attributes read and write
the row of the arrays that belongs to it, so a student can inspect (or set up) one
person's journey while the rules stay vectorized.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from crmsim.i18n import _, format_number
from crmsim.stages import (  # noqa: F401  (re-exported: the codes lived here first)
    ACTIVE_STAGES,
    CHURN_CAUSES,
    Stage,
    Tier,
)
from crmsim.terms import term

if TYPE_CHECKING:
    from crmsim.model import CRMModel

#: Attributes worked out from the state, which a view cannot set; what to set instead.
_DERIVED = {
    "trust": "it mixes trust_calculus, trust_knowledge and trust_identification by stage",
    "segment": "segments are drawn when the model is built",
    "channel": "channels are drawn when the model is built",
    "churn_cause": "it is recorded when a customer leaves",
    "history": "it is the model's record of what happened",
    "index": "a view stays on its row",
    "counted_active": "it is a cache kept by awareness.spread_awareness",
    "active_contacts": "it is a cache kept by awareness.spread_awareness",
}


def _code(kind: type[Stage] | type[Tier], name: str, value: Any) -> int:
    try:
        return int(kind(value))
    except ValueError:
        allowed = ", ".join(member.name for member in kind)
        raise ValueError(
            f"Customer.{name} must be a {kind.__name__} ({allowed}), got {value!r}"
        ) from None


class Customer(mesa.Agent):
    """One person in the market, as a window onto row ``index`` of the model's state arrays.

    Attributes are the state variables of MODEL.md §2 (``stage``, ``tier``,
    ``trust_calculus``, ``commitment``, ``price_sensitivity`` ...). Setting one
    writes the model's state; the derived ones (``trust``, ``segment``, ``channel``,
    ``churn_cause``, ``history``) refuse to be set, with an error saying why.
    ``history`` lists this customer's journey when the model records history.
    ``unique_id`` is the row plus 1.

    Examples
    --------
    >>> from crmsim import CRMModel
    >>> model = CRMModel(n_customers=50, rng=1)
    >>> customer = model.customer(3)
    >>> customer.stage, customer.unique_id
    (<Stage.UNAWARE: 0>, 4)
    >>> customer.commitment = 0.9
    >>> float(model.state.commitment[3])
    0.9
    """

    def __init__(self, model: CRMModel, index: int) -> None:
        super().__init__(model)
        object.__setattr__(self, "index", int(index))
        # the row, not the order views were made in: the same customer has the same id
        # whether the run made every view at once or this one on demand
        self.unique_id = self.index + 1

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: route state names to the arrays.
        state = self.__dict__.get("model")
        state = getattr(state, "state", None)
        if state is not None and name in state.columns:
            value = getattr(state, name)[self.index]
            return value.item() if hasattr(value, "item") else value
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _DERIVED:
            raise AttributeError(f"Customer.{name} cannot be set: {_DERIVED[name]}")
        state = getattr(self.__dict__.get("model"), "state", None)
        if state is not None and name in state.columns:
            self._write(name, value)
        else:
            object.__setattr__(self, name, value)

    def _write(self, name: str, value: Any) -> None:
        column = getattr(self.model.state, name)
        if name == "stage":
            value = _code(Stage, name, value)
        elif name in ("tier", "highest_tier"):
            value = _code(Tier, name, value)
        kind = column.dtype.kind
        ok = (
            isinstance(value, bool | np.bool_)
            if kind == "b"
            else isinstance(value, numbers.Integral) and not isinstance(value, bool)
            if kind == "i"
            else isinstance(value, numbers.Real) and math.isfinite(value)
        )
        if not ok or (
            kind == "i" and not np.iinfo(column.dtype).min <= value <= np.iinfo(column.dtype).max
        ):
            wanted = {"b": "True or False", "i": f"an integer ({column.dtype})"}.get(
                kind, "a finite number"
            )
            raise ValueError(f"Customer.{name} must be {wanted}, got {value!r}")
        column[self.index] = value

    @property
    def stage(self) -> Stage:
        return Stage(int(self.model.state.stage[self.index]))

    @property
    def tier(self) -> Tier:
        return Tier(int(self.model.state.tier[self.index]))

    @property
    def highest_tier(self) -> Tier:
        """The highest tier ever held, kept after leaving: a former customer's place."""
        return Tier(int(self.model.state.highest_tier[self.index]))

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
        """This customer's journey, one readable line per event, oldest first.

        The lines are written when read, in the language in use then
        (:func:`crmsim.set_language`): Persian names the stages, tiers and causes of leaving
        as the course does and writes the weeks in Persian digits.
        """
        return self.model.history.for_customer(self.index)

    def __repr__(self) -> str:
        # for code: the same in every language (str() is what a learner reads)
        return (
            f"<Customer {self.index}: {self.stage.name.lower()}, {self.tier.name.lower()}, "
            f"trust {self.trust:.2f}, commitment {self.commitment:.2f}>"
        )

    def __str__(self) -> str:
        """The customer as ``print`` shows it, in the language in use.

        In English it is the :func:`repr`; in Persian the stage and tier are the course's
        terms (:func:`crmsim.terms.term`) and the numbers are written in Persian digits.
        """
        return _(
            "<Customer {index}: {stage}, {tier}, trust {trust}, commitment {commitment}>"
        ).format(
            index=format_number(self.index),
            stage=term("stage", self.stage),
            tier=term("tier", self.tier),
            trust=format_number(self.trust, ".2f"),
            commitment=format_number(self.commitment, ".2f"),
        )
