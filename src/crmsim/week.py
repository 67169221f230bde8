"""What every weekly process is handed: the levers, the generator and the week's tallies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from crmsim.levers import Market, Policy, Population
from crmsim.network import SocialNetwork


@dataclass
class Week:
    """The context of one week (one model step).

    Processes read the levers from here and add what happened to ``tally``; the
    model turns the tallies into the week's row of data. ``scratch`` carries
    per-customer arrays from one process to a later one in the same week (e.g.
    who had an episode, what they felt).
    """

    index: int
    rng: np.random.Generator
    policy: Policy
    market: Market
    population: Population
    network: SocialNetwork
    tally: Counter = field(default_factory=Counter)
    scratch: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)

    def note(self, kind: str, who: np.ndarray, detail: np.ndarray | None = None) -> None:
        """Record an event for the customers ``who`` (kept for class-sized histories)."""
        if len(who):
            self.events.append((kind, who, np.zeros(len(who)) if detail is None else detail))
