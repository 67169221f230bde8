"""Kano's five kinds of service attribute (Kano 1984) and how an episode's service feels.

For fulfilment ``x`` in [0, 1] each category has a reference curve:

=============  ==============  ==============================================
category       curve           reads as
=============  ==============  ==============================================
must-be        ``-(1-x)**2``   missing is very bad, present is merely "fine"
performance    ``2x - 1``      more is better, linearly
attractive     ``x**2``        absent is neutral, present delights
reverse        ``-x``          its presence dissatisfies (spam)
indifferent    ``0``           no effect either way (a logo's colour)
=============  ==============  ==============================================

The weights follow the priority column of the course's Kano table: must-be
high, performance and attractive medium, reverse and indifferent low.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from crmsim.arrays import clip
from crmsim.levers import KanoAttribute

CATEGORY_WEIGHT = {
    "must-be": 1.0,
    "performance": 0.7,
    "attractive": 0.7,
    "reverse": 0.3,
    "indifferent": 0.0,
}


def kano_curve(category: str, fulfilment: np.ndarray | float) -> np.ndarray:
    """Satisfaction in [-1, 1] produced by an attribute of ``category`` at ``fulfilment``.

    Examples
    --------
    >>> float(kano_curve("must-be", 1.0)) == 0, float(kano_curve("must-be", 0.0))
    (True, -1.0)
    >>> float(kano_curve("attractive", 0.0)), float(kano_curve("attractive", 1.0))
    (0.0, 1.0)
    """
    x = np.asarray(fulfilment, dtype=np.float64)
    if category == "must-be":
        return -((1.0 - x) ** 2)
    if category == "performance":
        return 2.0 * x - 1.0
    if category == "attractive":
        return x**2
    if category == "reverse":
        return -x
    if category == "indifferent":
        return np.zeros_like(x)
    raise ValueError(f"unknown Kano category {category!r}")


def satisfying_weight(service: Mapping[str, KanoAttribute]) -> float:
    """Normaliser: the weight of the attributes that can satisfy, so flawless service scores 1."""
    w = sum(
        CATEGORY_WEIGHT[a.category]
        for a in service.values()
        if a.category in ("performance", "attractive")
    )
    return w or sum(CATEGORY_WEIGHT[a.category] for a in service.values()) or 1.0


@dataclass(frozen=True)
class ServiceProfile:
    """What the weekly episode code needs of a service design, worked out once per design."""

    levels: np.ndarray
    #: (column, category, weight) of the attributes that move satisfaction
    weighted: tuple[tuple[int, str, float], ...]
    normaliser: float
    #: category -> its columns: an int for a single attribute (no copy, no averaging), else a list
    columns: dict[str, int | list[int]]
    #: the levels the firm pays for in each episode (every attribute but the reverse ones)
    provided: float


#: A service design: its attributes by name, or their :class:`ServiceProfile`.
Service = Mapping[str, KanoAttribute] | ServiceProfile


@functools.lru_cache(maxsize=64)
def _profile_of(attributes: tuple[KanoAttribute, ...]) -> ServiceProfile:
    design = [(a.category, a.level) for a in attributes]
    levels = np.array([level for _, level in design])
    levels.flags.writeable = False
    weighted = tuple(
        (column, category, CATEGORY_WEIGHT[category])
        for column, (category, _) in enumerate(design)
        if CATEGORY_WEIGHT[category]
    )
    service = {str(i): KanoAttribute(c, level) for i, (c, level) in enumerate(design)}
    columns: dict[str, int | list[int]] = {}
    for category in CATEGORY_WEIGHT:
        mine = [column for column, (c, _) in enumerate(design) if c == category]
        if mine:
            columns[category] = mine[0] if len(mine) == 1 else mine
    provided = sum(level for category, level in design if category != "reverse")
    return ServiceProfile(
        levels,
        weighted=weighted,
        normaliser=satisfying_weight(service),
        columns=columns,
        provided=provided,
    )


def service_profile(service: Service) -> ServiceProfile:
    """What the episode code needs of a service design, worked out once per design.

    Every function of this module taking ``service`` also takes its profile, which spares
    a process that calls several of them looking the design up each time.
    """
    if isinstance(service, ServiceProfile):
        return service
    # attributes are frozen, so the tuple of them identifies the design
    return _profile_of(tuple(service.values()))


def delivered_fulfilment(
    service: Service, n: int, variability: float, rng: np.random.Generator
) -> np.ndarray:
    """Fulfilment of each attribute in ``n`` episodes: the aimed level plus service noise.

    Returns an array of shape ``(n, n_attributes)`` in [0, 1].
    """
    levels = service_profile(service).levels
    if variability == 0:
        return np.tile(levels, (n, 1))
    # the same numbers as rng.normal(0.0, variability, ...), without its per-call checks
    noisy = rng.standard_normal((n, len(levels)))
    noisy *= variability
    noisy += levels
    return clip(noisy, 0.0, 1.0)


def service_satisfaction(service: Service, fulfilment: np.ndarray) -> np.ndarray:
    """Weighted sum of the Kano curves for each episode (one row of ``fulfilment`` each)."""
    profile = service_profile(service)
    # Plain ufuncs, column by column in a fixed order: a BLAS product would pick a kernel by
    # CPU and change the last bits of the state from one machine to another. Each term is
    # ``weight * kano_curve(category, x)`` worked out in place, with the same roundings.
    total = np.zeros(fulfilment.shape[0])
    for column, category, weight in profile.weighted:
        x = fulfilment[:, column]
        if category == "must-be":  # weight * -((1 - x)**2)
            term = np.subtract(1.0, x)
            term *= term
            term *= weight
            total -= term
        elif category == "performance":  # weight * (2x - 1)
            term = np.multiply(2.0, x)
            term -= 1.0
            term *= weight
            total += term
        elif category == "attractive":  # weight * x**2
            term = np.multiply(x, x)
            term *= weight
            total += term
        else:
            total += weight * kano_curve(category, x)
    # a poor episode can never feel worse than a failed one (which scores -1)
    total /= profile.normaliser
    return clip(total, -1.0, 1.0)


def category_mean(service: Service, fulfilment: np.ndarray, category: str) -> np.ndarray:
    """Mean fulfilment of the attributes of one category in each episode (0 if there are none).

    The result may be a view of ``fulfilment``.
    """
    columns = service_profile(service).columns.get(category)
    if columns is None:
        return np.zeros(fulfilment.shape[0])
    if isinstance(columns, int):
        return fulfilment[:, columns]
    return fulfilment[:, columns].mean(axis=1)


def service_cost_per_episode(service: Service, unit_cost: float) -> float:
    """What one episode's service costs: every attribute the firm provides costs by its level.

    Reverse attributes cost nothing (they are what the firm does *to* customers), but
    indifferent ones do: money spent where customers do not care.
    """
    return unit_cost * service_profile(service).provided
