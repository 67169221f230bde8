"""Readable journeys of individual customers, for class-sized runs.

Each week the model hands over what happened (trials, episodes, failures,
referrals, departures ...) and who moved on either ladder. The log keeps these
as arrays; :meth:`History.for_customer` turns one person's entries into lines a
student can read.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.customer import CHURN_CAUSES, Stage, Tier


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
    if kind == "stage":
        old, new = divmod(int(detail), 10)
        return f"stage {Stage(old).name.lower()} -> {Stage(new).name.lower()}"
    if kind == "tier":
        old, new = divmod(int(detail), 10)
        return f"tier {Tier(old).name.lower()} -> {Tier(new).name.lower()}"
    return kind


class History:
    """Event log of a run; empty and free when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._weeks: list[int] = []
        self._kinds: list[str] = []
        self._who: list[np.ndarray] = []
        self._detail: list[np.ndarray] = []

    def record(
        self,
        week: int,
        events: list[tuple[str, np.ndarray, np.ndarray]],
        stage_before: np.ndarray,
        stage_after: np.ndarray,
        tier_before: np.ndarray,
        tier_after: np.ndarray,
    ) -> None:
        """Keep this week's events and ladder moves (no-op when disabled)."""
        if not self.enabled:
            return
        moves = []
        for kind, before, after in (
            ("stage", stage_before, stage_after),
            ("tier", tier_before, tier_after),
        ):
            who = rows_of(before != after)
            moves.append((kind, who, before[who] * 10.0 + after[who]))
        for kind, who, detail in [*events, *moves]:
            if len(who):
                self._weeks.append(week)
                self._kinds.append(kind)
                self._who.append(np.asarray(who, dtype=np.int64))
                self._detail.append(np.asarray(detail, dtype=np.float64))

    def for_customer(self, index: int) -> list[str]:
        """One line per event of customer ``index``, oldest first."""
        if not self.enabled:
            raise ValueError(
                "this model does not record history (large runs skip it); "
                "create it with history=True to follow individual customers"
            )
        lines = []
        for week, kind, who, detail in zip(
            self._weeks, self._kinds, self._who, self._detail, strict=True
        ):
            for position in np.flatnonzero(who == index):
                # a detail may be one number for everyone in the event
                value = detail[position] if detail.ndim else detail
                lines.append(f"week {week}: {_describe(kind, float(value))}")
        return lines
