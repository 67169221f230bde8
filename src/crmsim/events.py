"""The week's events, and how to watch them: subscribe an observer to a model.

Each weekly process notes what happened to whom (a trial, an episode, a failure, a
departure ...). After the week the model hands every subscribed observer one
:class:`WeekReport`: the week's events and who moved on either ladder. The
customers' journeys (:class:`crmsim.history.History`), the purchase log of
:func:`crmsim.analysis.run_with_transactions` and the failure table of
:func:`crmsim.calibration.run_recording_failures` are all observers; so can a
student's or a strategist's own function be.

Examples
--------
>>> from crmsim import CRMModel
>>> model = CRMModel(n_customers=300, rng=1)
>>> trials = []
>>> with model.subscribe(lambda report: trials.append(len(report.who("trial")))):
...     model.run(weeks=8)
>>> model.run(weeks=2)  # no longer watched
>>> len(trials), sum(trials) == int(model.frame["acquired"].iloc[:8].sum())
(8, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

#: Every kind of event, with the meaning of its ``detail`` (one number per customer).
EVENT_KINDS: dict[str, str] = {
    "aware": "heard of the firm (detail 0)",
    "trial": "first purchase (detail: the discount received, a share of the price)",
    "episode": "bought and was served (detail: how the episode felt, in [-1, 1])",
    "failure": "the service failed (detail: 0 no complaint, 1 complained, 2 also resolved)",
    "breach": "felt disrespected (detail 0)",
    "climbed": "rose to a higher tier (detail: the tier reached, a Tier code: 2 loyal, 3 marketer)",
    "left": "left the firm (detail: the cause, an index into CHURN_CAUSES plus 1)",
    "won_back": "accepted a win-back offer (detail 0)",
    "referred": "was recommended the firm (detail: the referrer's row)",
    "gift": "received a gift (detail 0)",
    "heard_negative": "heard someone speak against the firm (detail 0)",
    "reconsidered": "a former customer considers the firm again on their own (detail 0)",
    "returned": "a former customer bought again after reconsidering (detail 0)",
    "moved": "left the category; a newcomer took this place (detail: their spend in all)",
    "lost_interest": "an aware prospect settled with the competitor and forgot the firm (detail 0)",
    "won_from_rival": "left a rival firm of the market for this one (detail 0)",
}


class Event(NamedTuple):
    """Something that happened this week to the customers in rows ``who``.

    ``detail`` is one number per customer, or one number for them all (see
    :data:`EVENT_KINDS`).
    """

    kind: str
    who: np.ndarray
    detail: np.ndarray | float


@dataclass(frozen=True)
class WeekReport:
    """What one week did, as handed to observers once the week is over.

    The ladder arrays are the model's own: read them during the call, copy what you keep.

    Attributes
    ----------
    week : int
        The week's index (0 is the first week).
    events : list of Event
        The week's events in the order they happened.
    stage_before, stage_after, tier_before, tier_after : numpy.ndarray
        Everyone's stage and tier codes (:class:`crmsim.Stage`, :class:`crmsim.Tier`)
        when the week began and when it ended.
    """

    week: int
    events: list[Event]
    stage_before: np.ndarray
    stage_after: np.ndarray
    tier_before: np.ndarray
    tier_after: np.ndarray

    def who(self, kind: str) -> np.ndarray:
        """Rows of the customers with an event of ``kind`` this week, in order of the events."""
        kind = _known(kind)  # refused even in a week without events
        parts = [event.who for event in self.events if event.kind == kind]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def detail(self, kind: str) -> np.ndarray:
        """The details of this week's events of ``kind``, one per entry of :meth:`who`."""
        kind = _known(kind)
        parts = [
            np.broadcast_to(np.asarray(event.detail, dtype=float), len(event.who))
            for event in self.events
            if event.kind == kind
        ]
        return np.concatenate(parts) if parts else np.empty(0)


def _known(kind: str) -> str:
    if kind not in EVENT_KINDS:
        raise ValueError(f"event kind must be one of {tuple(EVENT_KINDS)}, got {kind!r}")
    return kind


#: An observer is called once a week, after the week, with its report.
Observer = Callable[[WeekReport], None]


class Subscription:
    """An observer's place on a model's list; ``cancel()`` or leave the ``with`` block to stop.

    Subscriptions nest: each observer is called in the order it subscribed, and cancelling
    one leaves the others as they were.
    """

    def __init__(self, observers: Observers, observer: Observer) -> None:
        self._observers = observers
        self.observer = observer

    @property
    def active(self) -> bool:
        """Whether the observer is still called."""
        return self in self._observers._subscriptions

    def cancel(self) -> None:
        """Stop calling the observer (doing so twice is harmless)."""
        if self.active:
            self._observers._subscriptions.remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()


class Observers:
    """The observers subscribed to one model, called in the order they subscribed."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    def subscribe(self, observer: Observer) -> Subscription:
        """Call ``observer(report)`` after every week from now on."""
        if not callable(observer):
            raise ValueError(f"observer must be callable with a WeekReport, got {observer!r}")
        subscription = Subscription(self, observer)
        self._subscriptions.append(subscription)
        return subscription

    def __bool__(self) -> bool:
        return bool(self._subscriptions)

    def __iter__(self):
        return (subscription.observer for subscription in list(self._subscriptions))

    def notify(self, report: WeekReport) -> None:
        """Hand ``report`` to every observer (a copy of the list, so one may cancel itself)."""
        for observer in self:
            observer(report)
