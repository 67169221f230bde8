"""Readable journeys of individual customers, for class-sized runs.

The history observes the model (:mod:`crmsim.events`): each week it is handed what
happened (trials, episodes, failures, referrals, departures ...) and who moved on
either ladder. The log keeps these
as arrays; :meth:`History.for_customer` turns one person's entries into lines a
student can read.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from crmsim.events import Event, WeekReport
from crmsim.stages import CHURN_CAUSES, Stage, Tier


def _describe(kind: str, detail: float) -> str:
    if kind == "aware":
        return "heard of the firm"
    if kind == "trial":
        return "first purchase" + (f" with a {detail:.0%} discount" if detail > 0 else "")
    if kind == "episode":
        return f"bought and was served; felt {detail:+.2f}"
    if kind == "failure":
        return ("service failed", "service failed; complained, not resolved",
                "service failed; complained, resolved")[int(detail)]  # fmt: skip
    if kind == "breach":
        return "felt disrespected"
    if kind == "climbed":
        return _describe("tier", (int(detail) - 1) * 10 + int(detail))
    if kind == "left":
        return f"left ({CHURN_CAUSES[int(detail) - 1]})"
    if kind == "won_back":
        return "accepted a win-back offer"
    if kind == "referred":
        return f"was recommended the firm by customer {int(detail)}"
    if kind == "gift":
        return "received a gift"
    if kind == "heard_negative":
        return "heard someone speak against the firm"
    if kind == "lost_interest":
        return "settled with the competitor and forgot the firm"
    if kind == "returned":
        return "bought again: a customer once more"
    if kind == "reconsidered":
        return "considered the firm again"
    if kind == "won_from_rival":
        return "took a rival firm's offer: a customer of the rival now"
    if kind == "moved":
        return "left the market; a newcomer takes this place"
    if kind == "stage":
        old, new = divmod(int(detail), 10)
        return f"stage {Stage(old).name.lower()} -> {Stage(new).name.lower()}"
    if kind == "tier":
        old, new = divmod(int(detail), 10)
        return f"tier {Tier(old).name.lower()} -> {Tier(new).name.lower()}"
    return kind


class History:
    """Event log of a run; empty and free when disabled.

    Each week is kept as it comes (its events and the ladders before and after) and only
    turned into lines when someone asks about a customer: a class of 2,000 runs three
    years with history on at almost no cost, and reading one customer's story takes a
    few milliseconds.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._weeks: list[tuple[int, list[Event], tuple[np.ndarray, ...]]] = []

    def record(self, report: WeekReport) -> None:
        """Keep this week's events and ladder moves (an observer: see :mod:`crmsim.events`).

        ``report.stage_before`` and ``report.tier_before`` are the week's own copies; the
        states after the week are copied here.
        """
        if not self.enabled:
            return
        ladders = (
            report.stage_before,
            report.stage_after.copy(),
            report.tier_before,
            report.tier_after.copy(),
        )
        self._weeks.append((report.week, report.events, ladders))

    @property
    def last_week(self) -> int:
        """The last week recorded (-1 before the first)."""
        return self._weeks[-1][0] if self._weeks else -1

    def events(self, *kinds: str) -> Iterator[tuple[int, Event]]:
        """Every recorded event of the given kinds (all kinds if none are named), as
        ``(week, event)`` pairs in the order they happened."""
        wanted = set(kinds)
        for week, events, _ladders in self._weeks:
            for event in events:
                if not wanted or event.kind in wanted:
                    yield week, event

    def for_customer(self, index: int) -> list[str]:
        """One line per event of customer ``index``, oldest first."""
        if not self.enabled:
            raise ValueError(
                "this model does not record history (large runs skip it); "
                "create it with history=True to follow individual customers"
            )
        lines = []
        for week, events, (stage_before, stage_after, tier_before, tier_after) in self._weeks:
            tier_then = int(tier_before[index])
            for kind, who, detail in events:
                for position in np.flatnonzero(who == index):
                    # a detail may be one number for everyone in the event
                    value = detail[position] if np.ndim(detail) else detail
                    lines.append(f"week {week}: {_describe(kind, float(value))}")
                    if kind == "climbed":  # the move is told; what follows starts from it
                        tier_then = int(value)
            for kind, before, after in (
                ("stage", int(stage_before[index]), int(stage_after[index])),
                ("tier", tier_then, int(tier_after[index])),
            ):
                if before != after:
                    lines.append(f"week {week}: {_describe(kind, before * 10 + after)}")
        return lines
