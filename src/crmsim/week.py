"""What every weekly process is handed: the levers, the generator and the week's tallies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from crmsim.arrays import rows_of
from crmsim.kano import ServiceProfile, service_profile
from crmsim.levers import Market, Policy, Population
from crmsim.network import SocialNetwork
from crmsim.state import CustomerState


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
    # a defaultdict: a Counter's missing-key hook is Python code, run some forty times a week
    tally: defaultdict[str, float] = field(default_factory=lambda: defaultdict(int))
    scratch: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    _active: np.ndarray | None = field(default=None, init=False, repr=False)
    _active_rows: np.ndarray | None = field(default=None, init=False, repr=False)
    _service: ServiceProfile | None = field(default=None, init=False, repr=False)
    _served: tuple[np.ndarray, np.ndarray | slice] | None = field(
        default=None, init=False, repr=False
    )

    # Most processes ask who is active, and only trials, departures and win-backs change
    # it: one mask per change instead of one per question keeps small runs fast.
    def active(self, state: CustomerState) -> np.ndarray:
        """Mask of active customers, shared until a process calls ``stage_changed``.

        Shared means read-only by convention: a process that wants to change it takes a copy.
        """
        if self._active is None:
            self._active = state.active_mask()
        return self._active

    def active_rows(self, state: CustomerState) -> np.ndarray:
        """Row numbers of the active customers (shared like :meth:`active`)."""
        if self._active_rows is None:
            self._active_rows = rows_of(self.active(state))
        return self._active_rows

    @property
    def service(self) -> ServiceProfile:
        """The policy's service design, looked up once a week (see :func:`kano.service_profile`)."""
        if self._service is None:
            self._service = service_profile(self.policy.service)
        return self._service

    def served_and_active(self, state: CustomerState) -> tuple[np.ndarray, np.ndarray | slice]:
        """This week's served customers (``scratch["episode_who"]``) who are still active.

        Returns them and their positions among the served, to pick their entries of the
        other episode arrays in ``scratch``: a full slice when nobody served has left
        since, which spares a copy of each array. Shared like :meth:`active`.
        """
        if self._served is None:
            who = self.scratch["episode_who"]
            still = self.active(state)[who]
            if still.all():
                self._served = who, slice(None)
            else:
                positions = rows_of(still)
                self._served = who[positions], positions
        return self._served

    def stage_changed(self, moved: np.ndarray | None = None) -> None:
        """Forget the active set: call after moving anyone into or out of an active stage.

        ``moved`` are the people moved; when it is given and empty, nothing changed and the
        active set is kept.
        """
        if moved is None or len(moved):
            self._active = self._active_rows = self._served = None

    def note(self, kind: str, who: np.ndarray, detail: np.ndarray | float = 0.0) -> None:
        """Record an event for the customers ``who`` (kept for class-sized histories).

        ``detail`` is one number per customer, or one number for them all (events whose
        detail others read, such as "left" with its cause, give one per customer).
        """
        if len(who):
            self.events.append((kind, who, detail))
