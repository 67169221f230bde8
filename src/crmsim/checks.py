"""Checks of user input, in one place: each error names the field, the value and what is allowed.

Every public entry point (the model, the reference model, the levers, the dashboard,
experiments, calibration and analysis) checks its arguments with these, so a typo in
a lesson fails at once with a one-line message instead of a strange curve later.

Examples
--------
>>> integer("weeks", 3, low=0)
3
>>> integer("weeks", -1, low=0)
Traceback (most recent call last):
...
ValueError: weeks must be an integer >= 0, got -1
>>> number("Policy.respect", 0.4, 0.0, 1.0)
0.4
>>> choice("network", "ring", ("small-world", "scale-free"))
Traceback (most recent call last):
...
ValueError: network must be one of ('small-world', 'scale-free'), got 'ring'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping
from typing import Any


def integer(name: str, value: Any, low: int | None = None, high: float = math.inf) -> int:
    """``value`` as an ``int``, or ``ValueError`` if it is not an integer in [low, high].

    NumPy integers count as integers; ``True`` and ``False`` do not.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {_integer_range(low, high)}, got {value!r}")
    if (low is not None and value < low) or value > high:
        raise ValueError(f"{name} must be {_integer_range(low, high)}, got {value!r}")
    return int(value)


def _integer_range(low: int | None, high: float) -> str:
    if low is None and high == math.inf:
        return "an integer"
    if high == math.inf:
        return f"an integer >= {low}"
    if low is None:
        return f"an integer <= {high}"
    return f"an integer in [{low}, {high}]"


def number(name: str, value: Any, low: float = -math.inf, high: float = math.inf) -> float:
    """``value`` as a ``float``, or ``ValueError`` if it is not a finite number in [low, high]."""
    bounds = _number_range(low, high)
    closed = math.isfinite(low) and math.isfinite(high)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        wanted = f"a number {bounds}" if closed else f"a finite number {bounds}".rstrip()
        raise ValueError(f"{name} must be {wanted}, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value) or not low <= value <= high:
        fine = closed or math.isfinite(value)
        wanted = bounds if fine else f"a finite number {bounds}".rstrip()
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return float(value)


def _number_range(low: float, high: float) -> str:
    if low == -math.inf and high == math.inf:
        return ""
    if high == math.inf:
        return f">= {low}"
    if low == -math.inf:
        return f"<= {high}"
    return f"in [{low}, {high}]"


def confidence(value: Any) -> float:
    """A confidence level: a number strictly between 0 and 1 (0.95 for 95 %)."""
    value = number("confidence", value)
    if not 0 < value < 1:
        raise ValueError(f"confidence must be in (0, 1), got {value!r}")
    return value


def choice[T](name: str, value: T, allowed: Collection[Any]) -> T:
    """``value`` itself, or ``ValueError`` if it is not one of ``allowed``."""
    if isinstance(value, str | int | float | tuple | type(None)) and value in allowed:
        return value
    raise ValueError(f"{name} must be one of {tuple(allowed)}, got {value!r}")


def levers[T](kind: type[T], value: Any, name: str) -> T:
    """A :class:`~crmsim.levers.Policy`, ``Market`` or ``Population`` from itself, a mapping
    of its fields (checked by its ``from_dict``), or ``None`` for the default."""
    if value is None:
        return kind()
    if isinstance(value, kind):
        return value
    if isinstance(value, Mapping):
        return kind.from_dict(value)  # type: ignore[attr-defined]
    raise ValueError(f"{name} must be a {kind.__name__} or a mapping of its fields, got {value!r}")


def discount_target(target: Any, segment_names: tuple[str, ...], name: str) -> None:
    """Raise ``ValueError`` if a named discount target is neither a group nor a segment.

    Tier sets (frozensets) are checked by :class:`~crmsim.levers.Policy` itself; a
    segment's name can only be checked against the population it is used with.
    """
    if isinstance(target, str) and target not in ("all", "new", *segment_names):
        raise ValueError(
            f"{name} {target!r} is neither 'all', 'new', a tier set nor a segment of this "
            f"population {segment_names}"
        )
