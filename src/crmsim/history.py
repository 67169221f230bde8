"""Readable journeys of individual customers, for class-sized runs.

The history observes the model (:mod:`crmsim.events`): each week it is handed what
happened (trials, episodes, failures, referrals, departures ...) and who moved on
either ladder. The log keeps these
as arrays; :meth:`History.for_customer` turns one person's entries into lines a
student can read, in the language in use when they are read (:mod:`crmsim.i18n`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from crmsim.events import Event, WeekReport
from crmsim.i18n import _, format_number, pgettext
from crmsim.stages import CHURN_CAUSES, Stage, Tier


def _stage(code: int) -> str:
    return pgettext("stage", Stage(code).name.lower())


def _tier(code: int) -> str:
    return pgettext("tier", Tier(code).name.lower())


def _describe(kind: str, detail: float) -> str:
    if kind == "aware":
        return _("heard of the firm")
    if kind == "trial":
        if detail > 0:
            return _("first purchase with a {discount} discount").format(
                discount=format_number(detail, ".0%")
            )
        return _("first purchase")
    if kind == "episode":
        return _("bought and was served; felt {feeling}").format(
            feeling=format_number(detail, "+.2f")
        )
    if kind == "failure":
        if int(detail) == 2:
            return _("service failed; complained, resolved")
        if int(detail) == 1:
            return _("service failed; complained, not resolved")
        return _("service failed")
    if kind == "breach":
        return _("felt disrespected")
    if kind == "climbed":
        return _describe("tier", (int(detail) - 1) * 10 + int(detail))
    if kind == "left":
        return _("left ({cause})").format(cause=pgettext("cause", CHURN_CAUSES[int(detail) - 1]))
    if kind == "won_back":
        return _("accepted a win-back offer")
    if kind == "referred":
        return _("was recommended the firm by customer {customer}").format(
            customer=format_number(int(detail))
        )
    if kind == "gift":
        return _("received a gift")
    if kind == "heard_negative":
        return _("heard someone speak against the firm")
    if kind == "lost_interest":
        return _("settled with the competitor and forgot the firm")
    if kind == "returned":
        return _("bought again: a customer once more")
    if kind == "reconsidered":
        return _("considered the firm again")
    if kind == "won_from_rival":
        return _("took a rival firm's offer: a customer of the rival now")
    if kind == "moved":
        return _("left the market; a newcomer takes this place")
    if kind == "stage":
        old, new = divmod(int(detail), 10)
        return _("stage {old} -> {new}").format(old=_stage(old), new=_stage(new))
    if kind == "tier":
        old, new = divmod(int(detail), 10)
        return _("tier {old} -> {new}").format(old=_tier(old), new=_tier(new))
    return kind


def _line(week: int, text: str) -> str:
    return _("week {week}: {event}").format(week=format_number(week), event=text)


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
        """One line per event of customer ``index``, oldest first, in the language in use."""
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
                    lines.append(_line(week, _describe(kind, float(value))))
                    if kind == "climbed":  # the move is told; what follows starts from it
                        tier_then = int(value)
            for kind, before, after in (
                ("stage", int(stage_before[index]), int(stage_after[index])),
                ("tier", tier_then, int(tier_after[index])),
            ):
                if before != after:
                    lines.append(_line(week, _describe(kind, before * 10 + after)))
        return lines
