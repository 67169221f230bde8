"""DISSOLUTION -> EXPLORATION: offers to customers who left (seed 001); DISSOLUTION ->
AWARENESS: former customers who consider the firm again on their own.

Each week a former customer receives a win-back offer with probability
``win_back``. Whether they accept depends on why they left, how long ago, and how
many offers they have already turned down (:func:`acceptance`): those taken by a
competitor's offer or who drifted off quietly are the easiest to win back, those
who left after a failure or a breach of respect harder, and those who left angry
hardest of all; the chance halves every ``WIN_BACK_HALF_LIFE`` weeks away, and every
refused offer makes the next one less welcome (offer fatigue). Whoever returns
starts again in exploration, as an actual customer, with trust and commitment cut:
a second chance, not a clean slate.

Without an offer, a former customer whose anger has passed may, with the weekly
chance ``Market.reconsideration``, look at the firm again like any aware prospect
(:mod:`crmsim.trials`): their next purchase is a return, counted as ``returned``.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.awareness import initial_expectation
from crmsim.levers import TIER_NAMES, WIN_BACK_CAUSES, WIN_BACK_TIERS
from crmsim.stages import ACTUAL, AWARENESS, CHURN_CAUSES, DISSOLUTION, EXPLORATION
from crmsim.state import CustomerState
from crmsim.week import Week

WIN_BACK_ACCEPT = 0.15  # chance of accepting a first offer right after leaving, at best
#: How willing those who left for each cause are to hear an offer, against the best: a
#: price- or offer-driven leaver is easier to win back than one who left over the service
#: (Kumar, Bhagwat & Zhang 2015; Homburg, Hoyer & Stock 2007).
CAUSE_ACCEPT = {"competitor": 1.0, "drift": 1.0, "failure": 0.5, "disrespect": 0.5, "moved": 0.0}
ANGRY_ACCEPT_FACTOR = 0.2
#: Weeks after which the chance of accepting has halved: the longer gone, the more settled
#: elsewhere (Thomas, Blattberg & Fox 2004).
WIN_BACK_HALF_LIFE = 26.0
OFFER_FATIGUE = 0.6  # each refused offer multiplies the chance of accepting the next by this
RETURN_TRUST_KEPT = 0.5


def win_back(state: CustomerState, week: Week) -> None:
    """Make offers to former customers (not those who left this very week) and take some back."""
    intensity = week.policy.win_back
    if intensity <= 0:
        return
    if week.shared_market:
        gone = former_customers_of(state, week)
    else:
        gone = rows_of((state.stage == DISSOLUTION) & (state.lost_week < week.index))
    if week.policy.win_back_target != "all":
        gone = gone[is_win_back_target(state, gone, week.policy.win_back_target)]
    offered = gone[week.luck("win-back-offer", gone) < intensity]
    accepts = week.luck("win-back-accept", offered) < acceptance(state, offered, week.index)
    back = offered[accepts]
    state.win_back_refusals[offered[~accepts]] += 1
    state.stage[back] = EXPLORATION
    week.stage_changed(back)
    state.tier[back] = ACTUAL
    state.reach(back, ACTUAL)
    state.spell_start[back] = week.index
    for name in ("trust_calculus", "trust_knowledge", "trust_identification", "commitment"):
        getattr(state, name)[back] *= RETURN_TRUST_KEPT
    if week.shared_market:
        come_back_to(state, week, back)
    state.good_episodes[back] = 0
    state.angry[back] = False
    state.anger_left[back] = 0
    state.win_back_refusals[back] = 0
    week.tally["win_back_offers"] += len(offered)
    week.tally["won_back"] += len(back)
    week.note("won_back", back)


def acceptance(state: CustomerState, who: np.ndarray, week: int) -> np.ndarray:
    """Chance that each of the former customers ``who`` accepts a win-back offer in ``week``.

    ``WIN_BACK_ACCEPT * CAUSE_ACCEPT[cause] * (ANGRY_ACCEPT_FACTOR if angry)
    * 0.5 ** (weeks away / WIN_BACK_HALF_LIFE) * OFFER_FATIGUE ** offers refused``.
    """
    by_code = np.array([0.0, *(CAUSE_ACCEPT[cause] for cause in CHURN_CAUSES)])
    cause = by_code[state.churn_cause[who]]
    anger = np.where(state.angry[who], ANGRY_ACCEPT_FACTOR, 1.0)
    away = 0.5 ** ((week - state.lost_week[who]) / WIN_BACK_HALF_LIFE)
    fatigue = OFFER_FATIGUE ** state.win_back_refusals[who].astype(np.float64)
    return WIN_BACK_ACCEPT * cause * anger * away * fatigue


def is_win_back_target(state: CustomerState, who: np.ndarray, target: frozenset[str]) -> np.ndarray:
    """Which of the former customers ``who`` the policy aims its win-back offers at.

    A name of a cause picks those who left for it, a name of a tier those who held it when
    they left; with both kinds, a former customer must match one name of each.
    """
    causes = [CHURN_CAUSES.index(c) + 1 for c in WIN_BACK_CAUSES if c in target]
    tiers = [TIER_NAMES.index(t) for t in WIN_BACK_TIERS if t in target]
    chosen = np.ones(len(who), dtype=bool)
    if causes:
        chosen &= np.isin(state.churn_cause[who], causes)
    if tiers:
        chosen &= np.isin(state.former_tier[who], tiers)
    return chosen


def former_customers_reconsider(state: CustomerState, week: Week) -> None:
    """Some former customers, no longer angry, become aware prospects again on their own.

    Not in the week they left: like a win-back offer, reconsidering takes time.
    """
    rate = week.market.reconsideration
    if rate == 0:
        return  # nothing drawn, so runs without it stay as they were
    calm = rows_of(
        (state.stage == DISSOLUTION) & (state.anger_left == 0) & (state.lost_week < week.index)
    )
    again = calm[week.luck("reconsider", calm) < rate]
    state.stage[again] = AWARENESS
    state.angry[again] = False
    week.note("reconsidered", again)


def former_customers_of(state: CustomerState, week: Week) -> np.ndarray:
    """In a market of several firms: the people with no firm now who were once customers of
    the week's firm (not those who left this very week), whichever firm they left last."""
    bit = np.uint8(1 << week.firm)
    return rows_of(
        (state.stage == DISSOLUTION)
        & (state.lost_week < week.index)
        & ((state.bought_from & bit) != 0)
    )


def come_back_to(state: CustomerState, week: Week, back: np.ndarray) -> None:
    """The won-back customers ``back`` are the week's firm's again; those who had last left
    another firm bring none of that relationship's knowledge, identification or commitment."""
    elsewhere = back[state.firm[back] != week.firm]
    for name in ("trust_knowledge", "trust_identification", "commitment", "switching_cost"):
        getattr(state, name)[elsewhere] = 0.0
    state.expectation[elsewhere] = initial_expectation(week)
    state.firm[back] = week.firm
